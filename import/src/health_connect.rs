//! Health Connect's records, as JSON: `{"records": [...]}`, each record with its `type` (the
//! class's name) and the fields of the Health Connect client's record classes
//! (androidx.health.connect.client.records), with their units as the client names them:
//!
//! - `BloodPressureRecord`: `time`, `zoneOffset`, `systolic.inMillimetersOfMercury`,
//!   `diastolic.inMillimetersOfMercury`;
//! - `BloodGlucoseRecord`: `level.inMilligramsPerDeciliter` or `level.inMillimolesPerLiter`,
//!   `specimenSource` (1 interstitial fluid: a sensor), `relationToMeal` (2 fasting, 3 before a
//!   meal, 4 after; 1 general), `mealType`;
//! - `WeightRecord` (`weight.inKilograms` or `inPounds`), `BodyTemperatureRecord`
//!   (`temperature.inCelsius` or `inFahrenheit`), `OxygenSaturationRecord`
//!   (`percentage.value`), and `HeartRateRecord` (`samples`: `time`, `beatsPerMinute`; the
//!   record's `startZoneOffset`);
//! - every record's `metadata.id` (its id in Health Connect) and
//!   `metadata.dataOrigin.packageName` (the app that wrote it).
//!
//! The same mapping serves the Android app, which reads the records from Health Connect
//! itself (a platform call) and hands them to the core. Other record types are counted and left
//! out.

use std::io::Read;

use chrono::{DateTime, FixedOffset, Utc};
use companion_core::import::{Sample, SampleError};
use companion_core::model::Measurement;
use companion_core::model::units::{GlucoseUnit, TemperatureUnit, WeightUnit};
use serde_json::Value;

use crate::{FileError, Outcome};

use companion_core::import::{
    SENSOR_MINUTES_DEFAULT, health_connect_is_sensor, health_connect_meal_context,
};

/// A Health Connect integer field (`relationToMeal`, `specimenSource`); 0 (unknown) if absent.
fn code(record: &Value, field: &str) -> i32 {
    record
        .get(field)
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or(0)
}

fn instant(
    record: &Value,
    time: &str,
    offset: &str,
    line: u64,
) -> Result<DateTime<FixedOffset>, SampleError> {
    let bad = |reason| SampleError {
        line,
        field: "time",
        reason,
    };
    let at: DateTime<Utc> = record
        .get(time)
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.to_utc())
        .ok_or(bad("not an instant"))?;
    let offset = match record.get(offset).and_then(Value::as_str) {
        None => FixedOffset::east_opt(0),
        Some(o) => DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{o}"))
            .ok()
            .map(|d| *d.offset()),
    }
    .ok_or(bad("not a zone offset"))?;
    Ok(at.with_timezone(&offset))
}

fn number(
    record: &Value,
    pointer: &str,
    line: u64,
    field: &'static str,
) -> Option<Result<f64, SampleError>> {
    record.pointer(pointer).map(|v| {
        v.as_f64().ok_or(SampleError {
            line,
            field,
            reason: "not a number",
        })
    })
}

fn whole(v: f64, line: u64, field: &'static str) -> Result<u16, SampleError> {
    if v.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&v) {
        Ok(v as u16)
    } else {
        Err(SampleError {
            line,
            field,
            reason: "not a whole number",
        })
    }
}

/// The samples of one record (a heart-rate record holds several).
fn samples(record: &Value, line: u64) -> Result<Option<Vec<Sample>>, SampleError> {
    let kind = record
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let missing = |field| SampleError {
        line,
        field,
        reason: "missing",
    };
    let sample = |measurement, at, unit: Option<&str>| Sample {
        measurement,
        at,
        entered_unit: unit.map(str::to_string),
        system: format!(
            "health-connect:{}",
            record
                .pointer("/metadata/dataOrigin/packageName")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
        ),
        external_id: record
            .pointer("/metadata/id")
            .and_then(Value::as_str)
            .map(str::to_string),
        note: None,
        sensor_interval_minutes: None,
    };
    let at = || instant(record, "time", "zoneOffset", line);
    Ok(Some(match kind {
        "BloodPressureRecord" => {
            let sys = number(record, "/systolic/inMillimetersOfMercury", line, "systolic")
                .ok_or(missing("systolic"))??;
            let dia = number(
                record,
                "/diastolic/inMillimetersOfMercury",
                line,
                "diastolic",
            )
            .ok_or(missing("diastolic"))??;
            vec![sample(
                Measurement::BloodPressure {
                    systolic: whole(sys, line, "systolic")?,
                    diastolic: whole(dia, line, "diastolic")?,
                    pulse: None,
                },
                at()?,
                None,
            )]
        }
        "BloodGlucoseRecord" => {
            let (mg_dl, unit) = match (
                number(record, "/level/inMilligramsPerDeciliter", line, "level"),
                number(record, "/level/inMillimolesPerLiter", line, "level"),
            ) {
                (Some(v), _) => (v?, None),
                (None, Some(v)) => (GlucoseUnit::MmolL.to_mg_dl(v?), Some("mmol/L")),
                (None, None) => return Err(missing("level")),
            };
            let mut s = sample(
                Measurement::Glucose {
                    mg_dl,
                    context: health_connect_meal_context(code(record, "relationToMeal")),
                },
                at()?,
                unit,
            );
            if health_connect_is_sensor(code(record, "specimenSource")) {
                s.sensor_interval_minutes = Some(SENSOR_MINUTES_DEFAULT);
            }
            vec![s]
        }
        "WeightRecord" => {
            let (kg, unit) = match (
                number(record, "/weight/inKilograms", line, "weight"),
                number(record, "/weight/inPounds", line, "weight"),
            ) {
                (Some(v), _) => (v?, None),
                (None, Some(v)) => (WeightUnit::Lb.to_kg(v?), Some("lb")),
                (None, None) => return Err(missing("weight")),
            };
            vec![sample(Measurement::Weight { kg }, at()?, unit)]
        }
        "BodyTemperatureRecord" => {
            let (celsius, unit) = match (
                number(record, "/temperature/inCelsius", line, "temperature"),
                number(record, "/temperature/inFahrenheit", line, "temperature"),
            ) {
                (Some(v), _) => (v?, None),
                (None, Some(v)) => (TemperatureUnit::Fahrenheit.to_celsius(v?), Some("F")),
                (None, None) => return Err(missing("temperature")),
            };
            vec![sample(Measurement::Temperature { celsius }, at()?, unit)]
        }
        "OxygenSaturationRecord" => {
            let percent = number(record, "/percentage/value", line, "percentage")
                .ok_or(missing("percentage"))??;
            vec![sample(Measurement::Spo2 { percent }, at()?, None)]
        }
        "HeartRateRecord" => {
            let list = record
                .get("samples")
                .and_then(Value::as_array)
                .ok_or(missing("samples"))?;
            let mut out = Vec::with_capacity(list.len());
            for (i, s) in list.iter().enumerate() {
                let bpm = number(s, "/beatsPerMinute", line, "beatsPerMinute")
                    .ok_or(missing("beatsPerMinute"))??;
                let mut one = sample(
                    Measurement::HeartRate {
                        bpm: whole(bpm, line, "beatsPerMinute")?,
                    },
                    instant(s, "time", "", line).and_then(|t| {
                        let offset = instant(record, "startTime", "startZoneOffset", line)?;
                        Ok(t.with_timezone(offset.offset()))
                    })?,
                    None,
                );
                // One record, several samples: each its own id.
                one.external_id = one.external_id.map(|id| format!("{id}#{i}"));
                out.push(one);
            }
            out
        }
        _ => return Ok(None),
    }))
}

/// Reads `{"records": [...]}` from `input`, one record at a time; a record's "line" is its
/// position, from 1.
pub fn read(input: impl Read, out: &mut Outcome) -> Result<(), FileError> {
    crate::json_list::each_item(
        input,
        Some("records"),
        "Health Connect records as JSON",
        &mut |line, record| match samples(&record, line) {
            Ok(Some(list)) => list.into_iter().for_each(|s| out.add_sample(line, s)),
            Ok(None) => out.other += 1,
            Err(e) => out.add_bad(e),
        },
    )
}
