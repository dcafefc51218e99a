//! A value and its unit, as files write them, into a measurement in canonical units; a time as
//! files write it into an instant with its offset. Shared by every format.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use companion_core::model::units::{
    GlucoseUnit, HbA1cUnit, TemperatureUnit, WeightUnit, parse_decimal,
};
use companion_core::model::{MealContext, Measurement, ReadingKind};
use companion_core::zone::Zone;

/// Why a field cannot be read: the field and the reason (the caller adds the line).
pub type Refusal = (&'static str, &'static str);

fn number(text: &str) -> Result<f64, Refusal> {
    parse_decimal(text.trim()).ok_or(("value", "not a number"))
}

fn whole(text: &str) -> Result<u16, Refusal> {
    let v = number(text)?;
    if v.fract() != 0.0 || !(0.0..=f64::from(u16::MAX)).contains(&v) {
        return Err(("value", "not a whole number"));
    }
    Ok(v as u16)
}

/// The measurement of `kind` that `value` in `unit` says, and the unit it was entered in when
/// not canonical. Blood pressure is `SYS/DIA` (or `SYS/DIA/PULSE`) in mmHg; glucose, weight,
/// temperature and HbA1c need their unit; heart rate is per minute, SpO2 in %.
pub fn measurement(
    kind: ReadingKind,
    value: &str,
    unit: Option<&str>,
    context: Option<MealContext>,
) -> Result<(Measurement, Option<String>), Refusal> {
    let unit = unit.map(str::trim).filter(|u| !u.is_empty());
    if context.is_some() && kind != ReadingKind::Glucose {
        return Err(("context", "only a glucose has a meal context"));
    }
    let canonical = |accepted: &[&str]| match unit {
        None => Ok(()),
        Some(u) if accepted.iter().any(|a| a.eq_ignore_ascii_case(u)) => Ok(()),
        Some(_) => Err(("unit", "not a unit of this kind")),
    };
    let needed = || unit.ok_or(("unit", "this kind needs its unit"));
    let entered =
        |u: &str, canonical: &str| (!u.eq_ignore_ascii_case(canonical)).then(|| u.to_string());
    Ok(match kind {
        ReadingKind::BloodPressure => {
            canonical(&["mmHg", "mm[Hg]"])?;
            let parts: Vec<&str> = value.split('/').collect();
            let (sys, dia, pulse) = match parts.as_slice() {
                [s, d] => (whole(s)?, whole(d)?, None),
                [s, d, p] => (whole(s)?, whole(d)?, Some(whole(p)?)),
                _ => return Err(("value", "a blood pressure is SYS/DIA")),
            };
            (
                Measurement::BloodPressure {
                    systolic: sys,
                    diastolic: dia,
                    pulse,
                },
                None,
            )
        }
        ReadingKind::HeartRate => {
            canonical(&["bpm", "/min", "count/min", "beats/min"])?;
            (Measurement::HeartRate { bpm: whole(value)? }, None)
        }
        ReadingKind::Spo2 => {
            canonical(&["%"])?;
            (
                Measurement::Spo2 {
                    percent: number(value)?,
                },
                None,
            )
        }
        ReadingKind::Glucose => {
            let u = needed()?;
            let g: GlucoseUnit = u
                .parse()
                .map_err(|_| ("unit", "not a glucose unit (mg/dL, mmol/L)"))?;
            (
                Measurement::Glucose {
                    mg_dl: g.to_mg_dl(number(value)?),
                    context: context.unwrap_or(MealContext::Random),
                },
                entered(u, "mg/dL"),
            )
        }
        ReadingKind::Weight => {
            let u = needed()?;
            let w: WeightUnit = u
                .parse()
                .map_err(|_| ("unit", "not a weight unit (kg, lb)"))?;
            (
                Measurement::Weight {
                    kg: w.to_kg(number(value)?),
                },
                entered(u, "kg"),
            )
        }
        ReadingKind::Temperature => {
            let u = needed()?;
            let t: TemperatureUnit = u
                .parse()
                .map_err(|_| ("unit", "not a temperature unit (C, F)"))?;
            (
                Measurement::Temperature {
                    celsius: t.to_celsius(number(value)?),
                },
                entered(u, "C"),
            )
        }
        ReadingKind::Hba1c => {
            let u = needed()?;
            let h: HbA1cUnit = u
                .parse()
                .map_err(|_| ("unit", "not an HbA1c unit (%, mmol/mol)"))?;
            (
                Measurement::Hba1c {
                    percent: h.to_percent(number(value)?),
                },
                entered(u, "%"),
            )
        }
    })
}

/// An instant as files write it: RFC 3339 with its offset, or a local date and time
/// (`2026-11-20 07:30`, `2026-11-20T07:30:00`) read in `zone` (a time the zone skips or
/// repeats is refused: the file must say which).
pub fn time(text: &str, zone: &Zone) -> Result<DateTime<FixedOffset>, Refusal> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at);
    }
    for format in ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Ok(at);
        }
    }
    let local = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .ok_or((
        "time",
        "not a date and time (RFC 3339, or YYYY-MM-DD HH:MM)",
    ))?;
    match zone.from_local_datetime(&local).single() {
        Some(at) => Ok(at.fixed_offset()),
        None => Err((
            "time",
            "skipped or repeated in the record's zone: give its offset",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_in_their_units_into_canonical_ones() {
        let (m, unit) = measurement(
            ReadingKind::Glucose,
            "5.5",
            Some("mmol/L"),
            Some(MealContext::Fasting),
        )
        .expect("g");
        match m {
            Measurement::Glucose { mg_dl, context } => {
                assert!((mg_dl - 99.088).abs() < 0.01, "{mg_dl}");
                assert_eq!(context, MealContext::Fasting);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(unit.as_deref(), Some("mmol/L"));
        let (m, _) = measurement(ReadingKind::BloodPressure, "142/91/70", None, None).expect("bp");
        assert_eq!(
            m,
            Measurement::BloodPressure {
                systolic: 142,
                diastolic: 91,
                pulse: Some(70)
            }
        );
        assert_eq!(
            measurement(ReadingKind::Glucose, "5.5", None, None)
                .expect_err("refused")
                .0,
            "unit"
        );
        assert_eq!(
            measurement(ReadingKind::Weight, "80", Some("stone"), None)
                .expect_err("refused")
                .0,
            "unit"
        );
        assert_eq!(
            measurement(ReadingKind::BloodPressure, "142", None, None)
                .expect_err("refused")
                .0,
            "value"
        );
        assert_eq!(
            measurement(
                ReadingKind::Weight,
                "80",
                Some("kg"),
                Some(MealContext::Fasting)
            )
            .expect_err("refused")
            .0,
            "context"
        );
    }

    #[test]
    fn a_local_time_is_read_in_the_zone_and_a_skipped_one_refused() {
        let berlin = Zone::named("Europe/Berlin").expect("zone");
        let at = time("2026-11-20 07:30", &berlin).expect("t");
        assert_eq!(at.to_rfc3339(), "2026-11-20T07:30:00+01:00");
        assert_eq!(
            time("2026-03-29 02:30", &berlin).expect_err("refused").0,
            "time"
        );
        let at = time("2026-11-20T07:30:00-05:00", &berlin).expect("t");
        assert_eq!(at.offset().local_minus_utc(), -5 * 3600);
        assert_eq!(time("yesterday", &berlin).expect_err("refused").0, "time");
    }
}
