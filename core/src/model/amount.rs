//! The amount of a medication taken at one time.

use serde::{Deserialize, Serialize};

use super::validation::{Validate, ValidationError, check_not_empty, check_range};

/// An amount of a medication taken at one time: `500 mg`, `1 tablet`, `2.5 ml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseAmount {
    /// How much, greater than zero.
    pub amount: f64,
    /// Of what unit (`mg`, `tablet`, `ml`, `units`, `puff`).
    pub unit: String,
}

impl DoseAmount {
    /// Parses a dose as people write it: a number, optional space, a unit (`500 mg`, `500mg`,
    /// `1 tablet`, `2.5 ml`).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        const FORM: ValidationError = ValidationError::Invalid {
            field: "dose",
            reason: "expected an amount and a unit, like \"500 mg\" or \"1 tablet\"",
        };
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or(FORM)?;
        let (number, unit) = text.split_at(split);
        let amount: f64 = number.parse().map_err(|_| FORM)?;
        let dose = Self {
            amount,
            unit: unit.trim().to_string(),
        };
        dose.validate()?;
        Ok(dose)
    }
}

impl std::fmt::Display for DoseAmount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.unit)
    }
}

impl Validate for DoseAmount {
    fn validate(&self) -> Result<(), ValidationError> {
        check_range("dose amount", self.amount, 0.001, 100_000.0, "")?;
        check_not_empty("dose unit", &self.unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doses_parse_as_people_write_them() {
        let d = DoseAmount::parse("500 mg").expect("valid");
        assert_eq!((d.amount, d.unit.as_str()), (500.0, "mg"));
        let d = DoseAmount::parse("2.5ml").expect("valid");
        assert_eq!((d.amount, d.unit.as_str()), (2.5, "ml"));
        assert!(DoseAmount::parse("mg").is_err());
        assert!(DoseAmount::parse("500").is_err());
        assert!(DoseAmount::parse("0 mg").is_err());
        assert!(DoseAmount::parse("1.2.3 mg").is_err());
    }
}
