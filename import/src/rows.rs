//! The row formats: CSV with a header, and JSON (a list of the same rows as objects).
//!
//! | column | what | example |
//! |---|---|---|
//! | `time` | RFC 3339 with its offset, or a local `YYYY-MM-DD HH:MM[:SS]` in the record's zone | `2026-11-20T07:30:00+01:00` |
//! | `kind` | `bp`, `glucose`, `weight`, `heart_rate`, `spo2`, `temperature`, `hba1c` | `bp` |
//! | `value` | a number; a blood pressure `SYS/DIA` or `SYS/DIA/PULSE` | `142/91/70` |
//! | `unit` | needed for glucose (`mg/dL`, `mmol/L`), weight (`kg`, `lb`), temperature (`C`, `F`), HbA1c (`%`, `mmol/mol`) | `mmol/L` |
//! | `context` | glucose only: `fasting`, `before_meal`, `after_meal`, `bedtime`, `random` | `fasting` |
//! | `note` | free text | |
//! | `id` | the source's own id for the reading (de-duplicates a second import) | `omron-1234` |
//!
//! Only `time`, `kind` and `value` are required; the columns may come in any order.

use std::borrow::Cow;
use std::io::Read;

use companion_core::import::{Sample, SampleError};
use companion_core::model::{MealContext, ReadingKind};
use companion_core::zone::Zone;
use serde::Deserialize;

use crate::{FileError, Outcome};

/// One row, as CSV and JSON write it: its fields read in place where they can be (a CSV
/// field without escapes), copied where not (a JSON value).
#[derive(Debug, Deserialize)]
struct Row<'a> {
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    value: Cow<'a, str>,
    #[serde(default, borrow)]
    unit: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    context: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    note: Option<Cow<'a, str>>,
    #[serde(default, alias = "external_id", borrow)]
    id: Option<Cow<'a, str>>,
}

/// A field's text, trimmed; `None` when empty.
fn text<'a>(v: &'a Option<Cow<'_, str>>) -> Option<&'a str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn sample(row: Row<'_>, line: u64, system: &str, zone: &Zone) -> Result<Sample, SampleError> {
    let bad = |(field, reason): crate::value::Refusal| SampleError {
        line,
        field,
        reason,
    };
    let kind: ReadingKind = row
        .kind
        .trim()
        .parse()
        .map_err(|_| bad(("kind", "not a kind of reading")))?;
    let context = text(&row.context)
        .map(|c| c.parse::<MealContext>())
        .transpose()
        .map_err(|_| bad(("context", "not a meal context")))?;
    let (measurement, entered_unit) =
        crate::value::measurement(kind, row.value.trim(), text(&row.unit), context).map_err(bad)?;
    Ok(Sample {
        measurement,
        at: crate::value::time(&row.time, zone).map_err(bad)?,
        entered_unit,
        system: system.to_string(),
        external_id: text(&row.id).map(str::to_string),
        note: text(&row.note).map(str::to_string),
        sensor_interval_minutes: None,
    })
}

/// Reads CSV rows (a header first) from `input`, local times in `zone`.
pub fn csv(input: impl Read, zone: &Zone, out: &mut Outcome) -> Result<(), FileError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::Headers)
        .flexible(false)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|_| FileError::Unreadable {
            what: "the CSV header",
        })?
        .clone();
    for name in ["time", "kind", "value"] {
        if !headers.iter().any(|h| h == name) {
            return Err(FileError::MissingColumn { column: name });
        }
    }
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.add_bad(SampleError {
                    line,
                    field: "row",
                    reason: "not a CSV row of the header's columns",
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        match record.deserialize::<Row>(Some(&headers)) {
            Ok(row) => match sample(row, line, "csv", zone) {
                Ok(s) => out.add_sample(line, s),
                Err(e) => out.add_bad(e),
            },
            Err(_) => out.add_bad(SampleError {
                line,
                field: "row",
                reason: "a required column is empty",
            }),
        }
    }
    Ok(())
}

/// Reads a JSON list of rows (objects with the CSV's columns) from `input`; a row's "line" is
/// its position in the list, from 1.
pub fn json(input: impl Read, zone: &Zone, out: &mut Outcome) -> Result<(), FileError> {
    crate::json_list::each_item(
        input,
        None,
        "a JSON list of readings",
        &mut |line, value| match Row::deserialize(&value) {
            Ok(row) => match sample(row, line, "json", zone) {
                Ok(s) => out.add_sample(line, s),
                Err(e) => out.add_bad(e),
            },
            Err(_) => out.add_bad(SampleError {
                line,
                field: "row",
                reason: "needs time, kind and value as text",
            }),
        },
    )
}

#[cfg(test)]
mod tests {
    use companion_core::model::{MealContext, Measurement};
    use companion_core::zone::Zone;

    use crate::{Format, read};

    #[test]
    fn csv_fields_are_read_trimmed() {
        let text = " time , kind ,value,unit,context, note ,id\n\
            2026-11-20T07:30:00+01:00 , bp , 142/91 , mmHg ,, cuff ,\n\
            2026-11-20 08:00 ,glucose, 5.5 , mmol/L , fasting ,, m-7 \n";
        let zone = Zone::named("Europe/Berlin").expect("zone");
        let out = read(text.as_bytes(), Format::Csv, &zone).expect("read");
        assert!(out.bad.is_empty(), "{:?}", out.bad);
        let [(_, bp), (_, glucose)] = out.samples.as_slice() else {
            panic!("two samples: {:?}", out.samples.len());
        };
        assert!(matches!(
            bp.measurement,
            Measurement::BloodPressure {
                systolic: 142,
                diastolic: 91,
                pulse: None
            }
        ));
        assert_eq!(bp.at.to_rfc3339(), "2026-11-20T07:30:00+01:00");
        assert_eq!(bp.note.as_deref(), Some("cuff"));
        assert_eq!(bp.external_id, None);
        assert!(matches!(
            glucose.measurement,
            Measurement::Glucose {
                context: MealContext::Fasting,
                ..
            }
        ));
        assert_eq!(glucose.at.to_rfc3339(), "2026-11-20T08:00:00+01:00");
        assert_eq!(glucose.entered_unit.as_deref(), Some("mmol/L"));
        assert_eq!(glucose.external_id.as_deref(), Some("m-7"));
    }
}
