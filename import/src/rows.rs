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

use std::io::Read;

use companion_core::import::{Sample, SampleError};
use companion_core::model::{MealContext, ReadingKind};
use companion_core::zone::Zone;
use serde::Deserialize;

use crate::{FileError, Outcome};

/// One row, as CSV and JSON write it.
#[derive(Debug, Deserialize)]
struct Row {
    time: String,
    kind: String,
    value: String,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    context: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default, alias = "external_id")]
    id: Option<String>,
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn sample(row: Row, line: u64, system: &str, zone: &Zone) -> Result<Sample, SampleError> {
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
    let context = text(row.context)
        .map(|c| c.parse::<MealContext>())
        .transpose()
        .map_err(|_| bad(("context", "not a meal context")))?;
    let (measurement, entered_unit) =
        crate::value::measurement(kind, &row.value, text(row.unit).as_deref(), context)
            .map_err(bad)?;
    Ok(Sample {
        measurement,
        at: crate::value::time(&row.time, zone).map_err(bad)?,
        entered_unit,
        system: system.to_string(),
        external_id: text(row.id),
        note: text(row.note),
        sensor_interval_minutes: None,
    })
}

/// Reads CSV rows (a header first) from `input`, local times in `zone`.
pub fn csv(input: impl Read, zone: &Zone, out: &mut Outcome) -> Result<(), FileError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
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
        &mut |line, value| match serde_json::from_value::<Row>(value) {
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
