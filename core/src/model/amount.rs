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

/// The units of [`DOSE_UNITS`] counted out of a supply one by one (a tablet, a puff, a
/// millilitre), in the singular: a dose of "2 tablets" takes two from it.
const COUNTABLE_UNITS: &[&str] = &[
    "tablet",
    "tab",
    "capsule",
    "cap",
    "puff",
    "drop",
    "patch",
    "sachet",
    "spray",
    "suppository",
    "ampoule",
    "vial",
    "lozenge",
    "ml",
];

impl DoseAmount {
    /// Whether the dose is counted out of a supply unit by unit (`2 tablets` takes two), not
    /// weighed (`500 mg`).
    pub fn is_countable(&self) -> bool {
        let unit = self.unit.to_lowercase();
        let singular = match unit.as_str() {
            "suppositories" => "suppository",
            "patches" => "patch",
            other => other.strip_suffix('s').unwrap_or(other),
        };
        COUNTABLE_UNITS.contains(&singular) || COUNTABLE_UNITS.contains(&unit.as_str())
    }

    /// Parses a dose as people write it: a number, optional space, a unit from [`DOSE_UNITS`]
    /// (`500 mg`, `500mg`, `1 tablet`). The number may have a decimal comma (`2,5 ml`), be a
    /// fraction (`1/2 tablet`) or hold a vulgar fraction (`½ tablet`, `1½ tablets`).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        Self::parse_in(text, None)
    }

    /// Parses a dose as [`DoseAmount::parse`] does, reading a single mark before three digits
    /// (`1,000 mg`) by the record's decimal `mark` (a thousands separator in English); with no
    /// mark known, such an amount is refused, never guessed.
    pub fn parse_in(
        text: &str,
        mark: Option<super::number::DecimalMark>,
    ) -> Result<Self, ValidationError> {
        const AMBIGUOUS: ValidationError = ValidationError::Invalid {
            field: "dose",
            reason: "a mark before three digits may group thousands or mark decimals: write 1000 or 1.0",
        };
        const FORM: ValidationError = ValidationError::Invalid {
            field: "dose",
            reason: "expected an amount and a unit, like \"500 mg\", \"2,5 ml\" or \"1/2 tablet\"",
        };
        let text = text.trim();
        let split = text
            .find(|c: char| {
                !(c.is_ascii_digit()
                    || matches!(c, '.' | ',' | '/' | ' ' | '\u{a0}' | '\u{202f}')
                    || vulgar(c).is_some())
            })
            .ok_or(FORM)?;
        let (number, unit) = text.split_at(split);
        let amount = match amount(number, mark) {
            Ok(a) => a,
            Err(super::number::NumberError::Ambiguous { .. }) => return Err(AMBIGUOUS),
            Err(super::number::NumberError::NotANumber) => return Err(FORM),
        };
        let dose = Self {
            amount,
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

/// `2`, `2,5`, `1/2`, `½`, `1½`, `1,000` (by `mark`).
fn amount(
    number: &str,
    mark: Option<super::number::DecimalMark>,
) -> Result<f64, super::number::NumberError> {
    use super::number::NumberError::NotANumber;
    amount_of_fraction(number)
        .map(Ok)
        .unwrap_or_else(|| super::number::parse_number(number, mark))
        .and_then(|v| {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(NotANumber)
            }
        })
}

/// `1/2`, `½`, `1½`; `None` when `number` is no fraction (or a malformed one, then NaN).
fn amount_of_fraction(number: &str) -> Option<f64> {
    let number = number.trim();
    if let Some((whole, last)) = number.char_indices().last().map(|(i, c)| (&number[..i], c))
        && let Some(part) = vulgar(last)
    {
        let whole = if whole.is_empty() {
            0.0
        } else {
            whole.parse::<u32>().map_or(f64::NAN, f64::from)
        };
        return Some(whole + part);
    }
    let (n, d) = number.split_once('/')?;
    Some(match (n.parse::<u32>(), d.parse::<u32>()) {
        (Ok(n), Ok(d)) if d != 0 => f64::from(n) / f64::from(d),
        _ => f64::NAN,
    })
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
    fn tablets_are_counted_and_milligrams_are_not() {
        for (typed, countable) in [
            ("2 tablets", true),
            ("1 tab", true),
            ("2 puffs", true),
            ("1 patch", true),
            ("2 patches", true),
            ("1 suppository", true),
            ("2 suppositories", true),
            ("5 ml", true),
            ("500 mg", false),
            ("10 units", false),
            ("1000 IU", false),
        ] {
            let dose = DoseAmount::parse(typed).expect("dose");
            assert_eq!(dose.is_countable(), countable, "{typed}");
        }
    }

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
