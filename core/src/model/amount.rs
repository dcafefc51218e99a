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

/// The units a dose may be given in, as people write them (singular and plural, any case).
pub const DOSE_UNITS: &[&str] = &[
    "mg",
    "g",
    "mcg",
    "ug",
    "µg",
    "μg",
    "ng",
    "ml",
    "l",
    "iu",
    "unit",
    "units",
    "tablet",
    "tablets",
    "tab",
    "tabs",
    "capsule",
    "capsules",
    "cap",
    "caps",
    "puff",
    "puffs",
    "drop",
    "drops",
    "patch",
    "patches",
    "sachet",
    "sachets",
    "spray",
    "sprays",
    "suppository",
    "suppositories",
    "ampoule",
    "ampoules",
    "vial",
    "vials",
    "injection",
    "injections",
    "application",
    "applications",
    "lozenge",
    "lozenges",
    "teaspoon",
    "teaspoons",
    "tsp",
    "mmol",
    "meq",
];

impl DoseAmount {
    /// Parses a dose as people write it: a number, optional space, a unit from [`DOSE_UNITS`]
    /// (`500 mg`, `500mg`, `1 tablet`). The number may have a decimal comma (`2,5 ml`), be a
    /// fraction (`1/2 tablet`) or hold a vulgar fraction (`½ tablet`, `1½ tablets`).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        const FORM: ValidationError = ValidationError::Invalid {
            field: "dose",
            reason: "expected an amount and a unit, like \"500 mg\", \"2,5 ml\" or \"1/2 tablet\"",
        };
        let text = text.trim();
        let split = text
            .find(|c: char| {
                !(c.is_ascii_digit() || matches!(c, '.' | ',' | '/') || vulgar(c).is_some())
            })
            .ok_or(FORM)?;
        let (number, unit) = text.split_at(split);
        let dose = Self {
            amount: amount(number).ok_or(FORM)?,
            unit: unit.trim().to_string(),
        };
        dose.validate()?;
        Ok(dose)
    }
}

/// The value of a vulgar fraction character.
fn vulgar(c: char) -> Option<f64> {
    Some(match c {
        '½' => 0.5,
        '¼' => 0.25,
        '¾' => 0.75,
        '⅓' => 1.0 / 3.0,
        '⅔' => 2.0 / 3.0,
        _ => return None,
    })
}

/// `2`, `2,5`, `1/2`, `½`, `1½`.
fn amount(number: &str) -> Option<f64> {
    let number = number.trim();
    if let Some((whole, last)) = number.char_indices().last().map(|(i, c)| (&number[..i], c))
        && let Some(part) = vulgar(last)
    {
        let whole = if whole.is_empty() {
            0.0
        } else {
            whole.parse::<u32>().ok()?.into()
        };
        return Some(whole + part);
    }
    if let Some((n, d)) = number.split_once('/') {
        let (n, d): (u32, u32) = (n.parse().ok()?, d.parse().ok()?);
        return (d != 0).then(|| f64::from(n) / f64::from(d));
    }
    super::units::parse_decimal(number)
}

impl std::fmt::Display for DoseAmount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.unit)
    }
}

impl Validate for DoseAmount {
    fn validate(&self) -> Result<(), ValidationError> {
        check_range("dose amount", self.amount, 0.001, 100_000.0, "")?;
        check_not_empty("dose unit", &self.unit)?;
        if !DOSE_UNITS.contains(&self.unit.to_lowercase().as_str()) {
            return Err(ValidationError::Invalid {
                field: "dose unit",
                reason: "not a unit doses are given in (mg, g, mcg, ml, units, tablet, capsule, puff, drop, patch, ...)",
            });
        }
        Ok(())
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
        for (typed, amount, unit) in [
            ("2,5 mg", 2.5, "mg"),
            ("1/2 tablet", 0.5, "tablet"),
            ("½ Tablet", 0.5, "Tablet"),
            ("1½ tablets", 1.5, "tablets"),
            ("¼tab", 0.25, "tab"),
        ] {
            let d = DoseAmount::parse(typed).expect(typed);
            assert_eq!((d.amount, d.unit.as_str()), (amount, unit), "{typed}");
        }
        for bad in [
            "500 zz",
            "1/0 tablet",
            "1/2/3 tablet",
            "½½ tablet",
            "2,5,1 mg",
        ] {
            assert!(DoseAmount::parse(bad).is_err(), "{bad}");
        }
    }
}
