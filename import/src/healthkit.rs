//! HealthKit's export (the Health app's "Export All Health Data": `export.xml`), read as a
//! stream (the file is often hundreds of megabytes): each `Record` of the quantity types for
//! the kinds a record holds, and each blood-pressure `Correlation` with its systolic and
//! diastolic records.
//!
//! | HealthKit type | reading |
//! |---|---|
//! | `HKCorrelationTypeIdentifierBloodPressure` (`...Systolic`, `...Diastolic` inside) | blood pressure |
//! | `HKQuantityTypeIdentifierBloodGlucose` (`mg/dL`, `mmol<180.15...>/L`), meal time from `HKMetadataKeyBloodGlucoseMealTime` (1 before, 2 after a meal) | glucose |
//! | `HKQuantityTypeIdentifierBodyMass` (`kg`, `lb`) | weight |
//! | `HKQuantityTypeIdentifierHeartRate` (`count/min`) | heart rate |
//! | `HKQuantityTypeIdentifierOxygenSaturation` (`%`, a fraction: 0.97) | SpO2 |
//! | `HKQuantityTypeIdentifierBodyTemperature` (`degC`, `degF`) | temperature |
//!
//! Times are `2026-11-20 07:30:00 +0100` (`startDate`). The export gives records no id of their
//! own: they are de-duplicated by kind, time and value, so a systolic and diastolic listed both
//! alone and inside their correlation make one reading. Other types are counted and left out.

use std::collections::HashMap;
use std::io::BufRead;

use chrono::{DateTime, FixedOffset};
use companion_core::import::{Sample, SampleError};
use companion_core::model::Measurement;
use companion_core::model::units::{GlucoseUnit, TemperatureUnit, WeightUnit};
use quick_xml::events::{BytesStart, Event};

use crate::{FileError, Outcome};

const SYSTOLIC: &str = "HKQuantityTypeIdentifierBloodPressureSystolic";
const DIASTOLIC: &str = "HKQuantityTypeIdentifierBloodPressureDiastolic";
const PRESSURE: &str = "HKCorrelationTypeIdentifierBloodPressure";
const MEAL_TIME: &str = "HKMetadataKeyBloodGlucoseMealTime";

/// One `Record` element's attributes and metadata.
#[derive(Debug, Default, Clone)]
struct Item {
    kind: String,
    unit: String,
    value: String,
    start: String,
    source: String,
    meal_time: Option<String>,
    line: u64,
}

fn attributes(e: &BytesStart<'_>, line: u64) -> Item {
    let mut item = Item {
        line,
        ..Item::default()
    };
    for a in e.attributes().flatten() {
        let value = a
            .unescape_value()
            .map(|v| v.into_owned())
            .unwrap_or_default();
        match a.key.as_ref() {
            b"type" => item.kind = value,
            b"unit" => item.unit = value,
            b"value" => item.value = value,
            b"startDate" => item.start = value,
            b"sourceName" => item.source = value,
            _ => {}
        }
    }
    item
}

fn at(item: &Item) -> Result<DateTime<FixedOffset>, SampleError> {
    DateTime::parse_from_str(&item.start, "%Y-%m-%d %H:%M:%S %z").map_err(|_| SampleError {
        line: item.line,
        field: "startDate",
        reason: "not a HealthKit date (YYYY-MM-DD HH:MM:SS +HHMM)",
    })
}

fn number(item: &Item) -> Result<f64, SampleError> {
    item.value.trim().parse().map_err(|_| SampleError {
        line: item.line,
        field: "value",
        reason: "not a number",
    })
}

fn whole(item: &Item) -> Result<u16, SampleError> {
    let v = number(item)?;
    if v.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&v) {
        Ok(v as u16)
    } else {
        Err(SampleError {
            line: item.line,
            field: "value",
            reason: "not a whole number",
        })
    }
}

fn unit_error(item: &Item) -> SampleError {
    SampleError {
        line: item.line,
        field: "unit",
        reason: "not a unit of this type",
    }
}

fn sample(
    item: &Item,
    measurement: Measurement,
    unit: Option<&str>,
) -> Result<Sample, SampleError> {
    Ok(Sample {
        measurement,
        at: at(item)?,
        entered_unit: unit.map(str::to_string),
        system: format!("healthkit:{}", item.source),
        external_id: None,
        note: None,
        sensor_interval_minutes: None,
    })
}

/// The sample of one quantity record; `None` for a type a record does not hold.
fn quantity(item: &Item) -> Result<Option<Sample>, SampleError> {
    let u = item.unit.as_str();
    Ok(Some(match item.kind.as_str() {
        "HKQuantityTypeIdentifierBloodGlucose" => {
            let (mg_dl, unit) = if u == "mg/dL" {
                (number(item)?, None)
            } else if u.starts_with("mmol") && u.ends_with("/L") {
                (GlucoseUnit::MmolL.to_mg_dl(number(item)?), Some("mmol/L"))
            } else {
                return Err(unit_error(item));
            };
            let context = companion_core::import::healthkit_meal_context(
                item.meal_time.as_deref().and_then(|m| m.parse().ok()),
            );
            sample(item, Measurement::Glucose { mg_dl, context }, unit)?
        }
        "HKQuantityTypeIdentifierBodyMass" => {
            let (kg, unit) = match u {
                "kg" => (number(item)?, None),
                "lb" => (WeightUnit::Lb.to_kg(number(item)?), Some("lb")),
                _ => return Err(unit_error(item)),
            };
            sample(item, Measurement::Weight { kg }, unit)?
        }
        "HKQuantityTypeIdentifierHeartRate" if u == "count/min" => {
            sample(item, Measurement::HeartRate { bpm: whole(item)? }, None)?
        }
        "HKQuantityTypeIdentifierOxygenSaturation" if u == "%" => {
            // A fraction (0.97), as HealthKit keeps percentages.
            sample(
                item,
                Measurement::Spo2 {
                    percent: number(item)? * 100.0,
                },
                None,
            )?
        }
        "HKQuantityTypeIdentifierBodyTemperature" => {
            let (celsius, unit) = match u {
                "degC" => (number(item)?, None),
                "degF" => (
                    TemperatureUnit::Fahrenheit.to_celsius(number(item)?),
                    Some("F"),
                ),
                _ => return Err(unit_error(item)),
            };
            sample(item, Measurement::Temperature { celsius }, unit)?
        }
        "HKQuantityTypeIdentifierHeartRate" | "HKQuantityTypeIdentifierOxygenSaturation" => {
            return Err(unit_error(item));
        }
        _ => return Ok(None),
    }))
}

/// A blood pressure from a systolic and a diastolic record taken at the same time.
fn pressure(sys: &Item, dia: &Item) -> Result<Sample, SampleError> {
    for i in [sys, dia] {
        if i.unit != "mmHg" {
            return Err(unit_error(i));
        }
    }
    sample(
        sys,
        Measurement::BloodPressure {
            systolic: whole(sys)?,
            diastolic: whole(dia)?,
            pulse: None,
        },
        None,
    )
}

/// Reads an `export.xml` from `input`, as a stream.
pub fn read(input: impl BufRead, out: &mut Outcome) -> Result<(), FileError> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut line: u64 = 1;
    // The record being read (its metadata entries follow), and the correlation it is in.
    let mut current: Option<Item> = None;
    let mut in_pressure: Option<Vec<Item>> = None;
    // Systolic and diastolic records outside a correlation, paired by time and source.
    let mut alone: HashMap<(String, String), (Option<Item>, Option<Item>)> = HashMap::new();
    // Whether the file is an export at all: a file of another kind read as one (a JSON file
    // given `--format healthkit`) is refused, not imported as nothing.
    let mut export = false;
    let mut finish = |item: Item, in_pressure: &mut Option<Vec<Item>>, out: &mut Outcome| {
        if let Some(parts) = in_pressure.as_mut() {
            parts.push(item);
            return;
        }
        match item.kind.as_str() {
            SYSTOLIC | DIASTOLIC => {
                let slot = alone
                    .entry((item.start.clone(), item.source.clone()))
                    .or_default();
                if item.kind == SYSTOLIC {
                    slot.0 = Some(item);
                } else {
                    slot.1 = Some(item);
                }
                if let (Some(s), Some(d)) = (&slot.0, &slot.1) {
                    match pressure(s, d) {
                        Ok(p) => out.add_sample(s.line, p),
                        Err(e) => out.add_bad(e),
                    }
                    let key = (s.start.clone(), s.source.clone());
                    alone.remove(&key);
                }
            }
            _ => match quantity(&item) {
                Ok(Some(s)) => out.add_sample(item.line, s),
                Ok(None) => out.other += 1,
                Err(e) => out.add_bad(e),
            },
        }
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|_| FileError::Unreadable {
                what: "HealthKit's export.xml",
            })?;
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"HealthData" => {
                export = true;
            }
            Event::Empty(e) if e.name().as_ref() == b"Record" => {
                finish(attributes(&e, line), &mut in_pressure, out);
            }
            Event::Start(e) if e.name().as_ref() == b"Record" => {
                current = Some(attributes(&e, line));
            }
            Event::Start(e) if e.name().as_ref() == b"Correlation" => {
                let item = attributes(&e, line);
                if item.kind == PRESSURE {
                    in_pressure = Some(Vec::new());
                }
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"MetadataEntry" => {
                if let Some(item) = current.as_mut() {
                    let mut key = String::new();
                    let mut value = String::new();
                    for a in e.attributes().flatten() {
                        let v = a
                            .unescape_value()
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                        match a.key.as_ref() {
                            b"key" => key = v,
                            b"value" => value = v,
                            _ => {}
                        }
                    }
                    if key == MEAL_TIME {
                        item.meal_time = Some(value);
                    }
                }
            }
            Event::End(e) if e.name().as_ref() == b"Record" => {
                if let Some(item) = current.take() {
                    finish(item, &mut in_pressure, out);
                }
            }
            Event::End(e) if e.name().as_ref() == b"Correlation" => {
                if let Some(parts) = in_pressure.take() {
                    let sys = parts.iter().find(|p| p.kind == SYSTOLIC);
                    let dia = parts.iter().find(|p| p.kind == DIASTOLIC);
                    match (sys, dia) {
                        (Some(s), Some(d)) => match pressure(s, d) {
                            Ok(p) => out.add_sample(s.line, p),
                            Err(e) => out.add_bad(e),
                        },
                        _ => out.add_bad(SampleError {
                            line,
                            field: "Correlation",
                            reason: "a blood pressure without its systolic and diastolic",
                        }),
                    }
                }
            }
            Event::Text(t) => {
                line += t.iter().filter(|b| **b == b'\n').count() as u64;
            }
            _ => {}
        }
        buf.clear();
    }
    if !export {
        return Err(FileError::Unreadable {
            what: "HealthKit's export.xml",
        });
    }
    for (s, d) in alone.into_values() {
        let item = s.or(d).unwrap_or_default();
        out.add_bad(SampleError {
            line: item.line,
            field: "type",
            reason: "a systolic or diastolic pressure without the other",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_no_export_is_refused_not_imported_as_nothing() {
        for text in ["[1, 2]", "<?xml version=\"1.0\"?><Other/>", ""] {
            let read = read(text.as_bytes(), &mut Outcome::default());
            assert_eq!(
                read,
                Err(FileError::Unreadable {
                    what: "HealthKit's export.xml"
                }),
                "{text}"
            );
        }
        let empty = r#"<?xml version="1.0"?><HealthData locale="en_US"></HealthData>"#;
        assert_eq!(read(empty.as_bytes(), &mut Outcome::default()), Ok(()));
    }
}
