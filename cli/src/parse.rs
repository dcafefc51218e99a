//! Parsing values the way people type them: `142/91`, `81.5kg`, `6.2` with `--unit mmol/L`,
//! `08:00,20:00`, `21/7`.

use chrono::{NaiveDate, NaiveTime, Weekday};
use companion_core::model::units::{GlucoseUnit, HbA1cUnit, TemperatureUnit, WeightUnit};
use companion_core::model::{MealContext, Measurement, Profile, ReadingKind};

use crate::error::{CliError, usage_said};

/// A name from the core's vocabulary (`bp`, `mmol/L`, `before-meal`, `zh-Hans`), for clap.
pub fn named<T>(text: &str) -> Result<T, String>
where
    T: std::str::FromStr<Err = companion_core::model::ValidationError>,
{
    text.parse()
        .map_err(|e: companion_core::model::ValidationError| e.to_string())
}

/// Splits `81.5kg` into (81.5, Some("kg")) and `81.5` into (81.5, None).
fn number_and_unit(field: &str, text: &str) -> Result<(f64, Option<String>), CliError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-')))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let Some(value) = companion_core::model::units::parse_decimal(number) else {
        return usage_said("err-number", vec![("field", field.to_string())]);
    };
    let unit = unit.trim();
    Ok((value, (!unit.is_empty()).then(|| unit.to_string())))
}

fn whole(field: &str, value: f64) -> Result<u16, CliError> {
    if value.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&value) {
        Ok(value as u16)
    } else {
        usage_said("err-whole-number", vec![("field", field.to_string())])
    }
}

/// Parses a measurement of `kind` from `value` (and `--unit`, `--context`, `--pulse`), in the
/// patient's preferred unit unless one is given. Returns the measurement in canonical units and
/// the unit it was entered in when that is not the canonical one.
pub fn measurement(
    kind: ReadingKind,
    value: &str,
    unit: Option<&str>,
    context: Option<MealContext>,
    pulse: Option<u16>,
    profile: &Profile,
) -> Result<(Measurement, Option<String>), CliError> {
    if kind != ReadingKind::BloodPressure && pulse.is_some() {
        return usage_said("err-pulse-bp", vec![]);
    }
    if kind != ReadingKind::Glucose && context.is_some() {
        return usage_said("err-context-glucose", vec![]);
    }
    let bad_unit = |expected: &str| CliError::Said {
        id: "err-unit",
        args: vec![
            ("kind", kind.as_str().to_string()),
            ("expected", expected.to_string()),
        ],
        usage: true,
    };
    let number_and_unit = || -> Result<(f64, Option<String>), CliError> {
        let (number, attached) = number_and_unit(kind.as_str(), value)?;
        match (attached, unit) {
            (Some(a), Some(u)) if !a.eq_ignore_ascii_case(u) => {
                usage_said("err-unit-twice", vec![])
            }
            (Some(a), _) => Ok((number, Some(a.to_ascii_lowercase()))),
            (None, u) => Ok((number, u.map(str::to_ascii_lowercase))),
        }
    };
    Ok(match kind {
        ReadingKind::BloodPressure => {
            if unit.is_some_and(|u| !u.eq_ignore_ascii_case("mmHg")) {
                return Err(bad_unit("mmHg"));
            }
            (blood_pressure(value, pulse)?, None)
        }
        ReadingKind::Glucose => {
            let (number, unit) = number_and_unit()?;
            let u = match unit.as_deref() {
                None => {
                    let record = profile.units.glucose;
                    if let Some(other) = record.doubtful_bare_value(number) {
                        let typed = value.trim();
                        return usage_said(
                            "err-glucose-unit",
                            vec![
                                ("typed", typed.to_string()),
                                ("record", record.symbol().to_string()),
                                ("other", other.symbol().to_string()),
                                ("converted", record.format(other.to_mg_dl(number))),
                            ],
                        );
                    }
                    record
                }
                Some(u) => u.parse().map_err(|_| bad_unit("mg/dL or mmol/L"))?,
            };
            let m = Measurement::Glucose {
                mg_dl: u.to_mg_dl(number),
                context: context.unwrap_or(MealContext::Random),
            };
            (m, (u != GlucoseUnit::MgDl).then(|| u.symbol().to_string()))
        }
        ReadingKind::Weight => {
            let (number, unit) = number_and_unit()?;
            let u = match unit.as_deref() {
                None => profile.units.weight,
                Some(u) => u.parse().map_err(|_| bad_unit("kg or lb"))?,
            };
            let m = Measurement::Weight {
                kg: u.to_kg(number),
            };
            (m, (u != WeightUnit::Kg).then(|| u.symbol().to_string()))
        }
        ReadingKind::Temperature => {
            let (number, unit) = number_and_unit()?;
            let u = match unit.as_deref() {
                None => profile.units.temperature,
                Some(u) => u.parse().map_err(|_| bad_unit("C or F"))?,
            };
            let m = Measurement::Temperature {
                celsius: u.to_celsius(number),
            };
            (
                m,
                (u != TemperatureUnit::Celsius).then(|| u.as_str().to_string()),
            )
        }
        ReadingKind::Hba1c => {
            let (number, unit) = number_and_unit()?;
            let u = match unit.as_deref() {
                None => profile.units.hba1c,
                Some(u) => u.parse().map_err(|_| bad_unit("% or mmol/mol"))?,
            };
            let m = Measurement::Hba1c {
                percent: u.to_percent(number),
            };
            (m, (u != HbA1cUnit::Percent).then(|| u.symbol().to_string()))
        }
        ReadingKind::HeartRate => {
            let (number, unit) = number_and_unit()?;
            if !matches!(unit.as_deref(), None | Some("bpm" | "/min")) {
                return Err(bad_unit("bpm"));
            }
            (
                Measurement::HeartRate {
                    bpm: whole("heart rate", number)?,
                },
                None,
            )
        }
        ReadingKind::Spo2 => {
            let (number, unit) = number_and_unit()?;
            if !matches!(unit.as_deref(), None | Some("%")) {
                return Err(bad_unit("%"));
            }
            (Measurement::Spo2 { percent: number }, None)
        }
    })
}

/// `142/91` and an optional pulse.
fn blood_pressure(value: &str, pulse: Option<u16>) -> Result<Measurement, CliError> {
    let Some((sys, dia)) = value.split_once('/') else {
        return usage_said("err-bp-form", vec![]);
    };
    let parse = |field: &str, s: &str| -> Result<u16, CliError> {
        match s.trim().parse::<u16>() {
            Ok(v) => Ok(v),
            Err(_) => usage_said("err-mmhg", vec![("field", field.to_string())]),
        }
    };
    Ok(Measurement::BloodPressure {
        systolic: parse("systolic", sys)?,
        diastolic: parse("diastolic", dia)?,
        pulse,
    })
}

/// A number as typed (`81.5`, `81,5`, `1,000`, `1 000`), read by the record's decimal mark
/// once the record is open ([`Number::value`]): clap parses flags before that.
#[derive(Debug, Clone)]
pub struct Number(String);

/// A number's text, for clap: refused unless some decimal mark reads it.
pub fn number(text: &str) -> Result<Number, String> {
    use companion_core::model::number::{DecimalMark, parse_number};
    if parse_number(text, Some(DecimalMark::Point)).is_ok()
        || parse_number(text, Some(DecimalMark::Comma)).is_ok()
    {
        Ok(Number(text.trim().to_string()))
    } else {
        Err("expected a number, like 2.5, 2,5 or 1,000".into())
    }
}

impl Number {
    /// The number, read by the decimal mark of the record's language; a text that mark cannot
    /// decide is refused with the question naming both readings.
    pub fn value(&self, profile: &Profile) -> Result<f64, CliError> {
        let mark = profile.language.decimal_mark();
        companion_core::model::number::parse_number(&self.0, Some(mark)).map_err(|e| {
            use companion_core::model::number::NumberError as N;
            let text = self.0.trim().to_string();
            match e {
                N::NotANumber => CliError::Said {
                    id: "err-not-a-number",
                    args: vec![("text", text)],
                    usage: true,
                },
                N::Ambiguous {
                    as_grouped,
                    as_decimal,
                } => CliError::Said {
                    id: "err-ambiguous-number",
                    args: vec![
                        ("text", text),
                        ("grouped", as_grouped.to_string()),
                        ("decimal", format!("{as_decimal:?}")),
                    ],
                    usage: true,
                },
            }
        })
    }
}

/// A dose as typed (`1,000 mg`, `2,5 ml`), its number read by the record's decimal mark.
pub fn dose(text: &str, profile: &Profile) -> Result<companion_core::model::DoseAmount, CliError> {
    let mark = profile.language.decimal_mark();
    Ok(companion_core::model::DoseAmount::parse_in(
        text,
        Some(mark),
    )?)
}

/// A time of day as `HH:MM`.
pub fn time_of_day(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| "expected a time like 08:00".into())
}

/// A date as `YYYY-MM-DD`.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "expected a date like 2026-11-23".into())
}

/// A day of the week (`mon`, `tue`, ...).
pub fn weekday(text: &str) -> Result<Weekday, String> {
    text.trim()
        .parse::<Weekday>()
        .map_err(|_| "expected a day like mon, tue, wed".into())
}

/// Two whole numbers separated by `/` (`21/7`).
pub fn pair(field: &str, text: &str) -> Result<(u32, u32), CliError> {
    let parsed = text
        .split_once('/')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
    match parsed {
        Some(p) => Ok(p),
        None => usage_said("err-pair", vec![("field", field.to_string())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile::new("Ana", "Europe/Berlin").expect("profile")
    }

    #[test]
    fn values_parse_as_people_say_them() {
        let p = profile();
        let (m, unit) =
            measurement(ReadingKind::Weight, "180lb", None, None, None, &p).expect("ok");
        assert!(matches!(m, Measurement::Weight { kg } if (kg - 81.646_626_6).abs() < 1e-6));
        assert_eq!(unit.as_deref(), Some("lb"));
        let (m, unit) = measurement(
            ReadingKind::Glucose,
            "6.2",
            Some("mmol/L"),
            Some(MealContext::Fasting),
            None,
            &p,
        )
        .expect("ok");
        assert!(matches!(m, Measurement::Glucose { mg_dl, .. } if (mg_dl - 111.6992).abs() < 1e-9));
        assert_eq!(unit.as_deref(), Some("mmol/L"));
        let (m, _) = measurement(
            ReadingKind::BloodPressure,
            "142/91",
            None,
            None,
            Some(72),
            &p,
        )
        .expect("ok");
        assert_eq!(
            m,
            Measurement::BloodPressure {
                systolic: 142,
                diastolic: 91,
                pulse: Some(72)
            }
        );
        let (m, _) =
            measurement(ReadingKind::Temperature, "100.4F", None, None, None, &p).expect("ok");
        assert!(matches!(m, Measurement::Temperature { celsius } if (celsius - 38.0).abs() < 1e-9));
        assert!(measurement(ReadingKind::BloodPressure, "142", None, None, None, &p).is_err());
        assert!(measurement(ReadingKind::Weight, "81kg", Some("lb"), None, None, &p).is_err());
        assert!(measurement(ReadingKind::Weight, "81 stone", None, None, None, &p).is_err());
        assert!(measurement(ReadingKind::HeartRate, "72.5", None, None, None, &p).is_err());
        assert!(measurement(ReadingKind::Weight, "80", None, None, Some(70), &p).is_err());
    }
}
