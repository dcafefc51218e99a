//! Readings from other sources (a meter's CSV, Health Connect, HealthKit): what every importer
//! hands the record, a [`Sample`], and the rules an import follows whatever the source. Pure:
//! [`crate::HealthRecord::import_readings`] gathers and writes.
//!
//! - Each sample is identified by its source's id when it has one, else by its kind, time and
//!   value, so importing the same file twice adds nothing, and a reading already in the record
//!   (typed by hand, or imported another way) at the same time with the same value is not
//!   added again.
//! - A sample becomes a typed [`Reading`], validated as any reading is; a bad one is named by
//!   where it is in its file and which field is wrong.
//! - An urgent finding in a reading taken long before the import (a year of old lows) is stored
//!   as history, already seen by the import, so that it notifies no one today.

use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};

use crate::model::{
    MealContext, Measurement, Reading, ReadingKind, ReadingSource, ValidationError,
};

/// A reading taken this long before the import raises its alerts as history: seen, by
/// [`IMPORTED_BY`], at the import's time.
pub const HISTORY_AFTER: Duration = Duration::hours(24);

/// Who acknowledges the alerts of readings imported as history.
pub const IMPORTED_BY: &str = "import";

/// One reading from another source, in canonical units (each format converts its own).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// What was measured, in canonical units.
    pub measurement: Measurement,
    /// When, with the offset of the place it was measured in.
    pub at: DateTime<FixedOffset>,
    /// The unit it was recorded in, when not canonical (`mmol/L`, `lb`).
    pub entered_unit: Option<String>,
    /// The source (`csv`, `health-connect:com.omron.app`, `healthkit:Omron Connect`).
    pub system: String,
    /// The source's own id for it, when it has one.
    pub external_id: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// For sensor glucose: the sensor's interval in minutes.
    pub sensor_interval_minutes: Option<u16>,
}

/// A sample that cannot be a reading: where it is in its file and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {field}: {reason}")]
pub struct SampleError {
    /// Its line in the file (1 is the first; a format without lines numbers its items).
    pub line: u64,
    /// The field that is wrong (`value`, `time`, `unit`).
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The identity that de-duplicates a sample when its source gives no id: kind, instant and
/// value, the same for the same reading however it reached the record.
pub fn content_key(kind: ReadingKind, at: DateTime<FixedOffset>, m: &Measurement) -> String {
    use std::fmt::Write;
    let (v1, v2) = m.values();
    let mut key = String::with_capacity(48);
    key.push_str(kind.as_str());
    // Writing to a String cannot fail.
    let _ = write!(key, "@{}=", at.timestamp_millis());
    push_value(&mut key, v1);
    if let Some(v2) = v2 {
        key.push('/');
        push_value(&mut key, v2);
        if let Measurement::BloodPressure { pulse: Some(p), .. } = m {
            let _ = write!(key, "/{p}");
        }
    }
    key
}

/// `v` as `{v}` writes it; a whole number (most values) through the integer formatter, which
/// writes the same digits without the float formatter's search for the shortest form.
fn push_value(key: &mut String, v: f64) {
    use std::fmt::Write;
    // Below 2^53 a whole f64 is exactly an i64, and `{}` of either is the same digits.
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 && !(v == 0.0 && v.is_sign_negative())
    {
        let _ = write!(key, "{}", v as i64);
    } else {
        let _ = write!(key, "{v}");
    }
}

/// The reading a sample is, validated, with its id: derived from its source, its external id
/// (its kind, time and value when the source gives none) and its time
/// ([`crate::model::imported_reading_id`]), so that the same sample imported on two devices is
/// one reading.
pub fn reading(sample: &Sample) -> Result<Reading, ValidationError> {
    // Kept to the millisecond, as every reading's id and import block hold it.
    let nanos = sample.at.nanosecond();
    let at = sample
        .at
        .with_nanosecond(nanos - nanos % 1_000_000)
        .unwrap_or(sample.at);
    let external_id = sample
        .external_id
        .clone()
        .unwrap_or_else(|| content_key(sample.measurement.kind(), at, &sample.measurement));
    let reading = Reading {
        id: crate::model::imported_reading_id_of(
            at.timestamp_millis(),
            &[&sample.system, "\u{1f}", &external_id],
        ),
        measurement: sample.measurement.clone(),
        at,
        entered_unit: sample.entered_unit.clone(),
        source: ReadingSource::Imported {
            system: sample.system.clone(),
            external_id,
        },
        note: sample.note.clone(),
        logged_by: None,
        setting: None,
        sensor_interval_minutes: sample.sensor_interval_minutes,
    };
    crate::model::Validate::validate(&reading)?;
    Ok(reading)
}

/// What makes two readings the same reading when neither has a source's id: kind, instant and
/// value ([`content_key`] as a value to compare, not a text).
pub(crate) fn same_reading(r: &Reading) -> (ReadingKind, i64, u64, Option<u64>, Option<u16>) {
    let (v1, v2) = r.measurement.values();
    let pulse = match r.measurement {
        Measurement::BloodPressure { pulse, .. } => pulse,
        _ => None,
    };
    (
        r.measurement.kind(),
        r.at.timestamp_millis(),
        v1.to_bits(),
        v2.map(f64::to_bits),
        pulse,
    )
}

/// Whether a reading taken at `at` is history at an import made at `now`.
pub fn is_history(at: DateTime<FixedOffset>, now: DateTime<Utc>) -> bool {
    now - at.to_utc() >= HISTORY_AFTER
}

/// The meal context of a Health Connect glucose record's `relationToMeal`
/// (`BloodGlucoseRecord.RELATION_TO_MEAL_*`: 2 fasting, 3 before a meal, 4 after; 1 general
/// and 0 unknown are any time).
pub fn health_connect_meal_context(relation_to_meal: i32) -> MealContext {
    match relation_to_meal {
        2 => MealContext::Fasting,
        3 => MealContext::BeforeMeal,
        4 => MealContext::AfterMeal,
        _ => MealContext::Random,
    }
}

/// Whether a Health Connect glucose record's `specimenSource` is a continuous sensor's
/// (`SPECIMEN_SOURCE_INTERSTITIAL_FLUID`, 1).
pub fn health_connect_is_sensor(specimen_source: i32) -> bool {
    specimen_source == 1
}

/// The meal context of a HealthKit glucose sample's `HKMetadataKeyBloodGlucoseMealTime`
/// (`HKBloodGlucoseMealTime`: 1 preprandial, 2 postprandial; none: any time).
pub fn healthkit_meal_context(meal_time: Option<i32>) -> MealContext {
    match meal_time {
        Some(1) => MealContext::BeforeMeal,
        Some(2) => MealContext::AfterMeal,
        _ => MealContext::Random,
    }
}

/// The minutes between a sensor's readings when its source does not say (most sensors).
pub const SENSOR_MINUTES_DEFAULT: u16 = 5;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Readings added.
    pub added: u64,
    /// Samples the record already held (by the source's id, or by kind, time and value).
    pub duplicates: u64,
    /// Alerts raised by recent readings (these notify).
    pub alerts: u64,
    /// Alerts of readings taken long before the import, stored as already seen.
    pub history_alerts: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp(at: &str) -> Sample {
        Sample {
            measurement: Measurement::BloodPressure {
                systolic: 142,
                diastolic: 91,
                pulse: Some(70),
            },
            at: DateTime::parse_from_rfc3339(at).expect("t"),
            entered_unit: None,
            system: "csv".into(),
            external_id: None,
            note: None,
            sensor_interval_minutes: None,
        }
    }

    #[test]
    fn a_sample_without_an_id_is_known_by_its_kind_time_and_value() {
        let a = reading(&bp("2026-11-20T07:30:00+01:00")).expect("a");
        // The same instant written in another offset is the same reading.
        let b = reading(&bp("2026-11-20T06:30:00Z")).expect("b");
        assert_eq!(a.external_key(), b.external_key());
        let mut other = bp("2026-11-20T07:30:00+01:00");
        other.measurement = Measurement::BloodPressure {
            systolic: 143,
            diastolic: 91,
            pulse: Some(70),
        };
        assert_ne!(reading(&other).expect("c").external_key(), a.external_key());
    }

    #[test]
    fn an_imported_time_is_kept_to_the_millisecond() {
        let mut s = bp("2026-11-20T07:30:00.123456789+01:00");
        let r = reading(&s).expect("r");
        assert_eq!(r.at.to_rfc3339(), "2026-11-20T07:30:00.123+01:00");
        s.at = DateTime::parse_from_rfc3339("2026-11-20T07:30:00.123+01:00").expect("t");
        assert_eq!(reading(&s).expect("same").id, r.id);
    }

    #[test]
    fn a_content_key_writes_values_as_the_float_formatter_does() {
        let at = DateTime::parse_from_rfc3339("2026-11-20T07:30:00+01:00").expect("t");
        for v in [
            0.0,
            -0.0,
            1.0,
            120.0,
            5.5,
            81.25,
            0.1,
            1e20,
            123_456_789.0,
            -3.0,
        ] {
            let key = content_key(ReadingKind::Weight, at, &Measurement::Weight { kg: v });
            assert_eq!(key, format!("weight@{}={v}", at.timestamp_millis()));
        }
        let bp = Measurement::BloodPressure {
            systolic: 142,
            diastolic: 91,
            pulse: Some(70),
        };
        assert_eq!(
            content_key(ReadingKind::BloodPressure, at, &bp),
            format!("blood_pressure@{}=142/91/70", at.timestamp_millis())
        );
    }

    #[test]
    fn a_reading_a_day_old_is_history() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .expect("now")
            .to_utc();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("t");
        assert!(!is_history(at("2026-11-30T12:00:01Z"), now));
        assert!(is_history(at("2026-11-30T12:00:00Z"), now));
    }

    #[test]
    fn a_bad_value_is_refused_as_any_reading_is() {
        let mut s = bp("2026-11-20T07:30:00+01:00");
        s.measurement = Measurement::Weight { kg: 2000.0 };
        assert!(reading(&s).is_err());
    }
}
