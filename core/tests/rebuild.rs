//! Property: after any sequence of writes, `rebuild_index()` gives exactly the index (and so the
//! query answers) that the incremental write path built.

mod common;

use chrono::Duration;
use common::{at, keys, metformin, new_record};
use companion_core::model::{
    DoseEvent, DoseStatus, JournalEntry, MealContext, Measurement, MedicationStatus, Reading,
    ReadingKind,
};
use companion_core::{HealthRecord, ReadingQuery, TimeRange};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    AddReading {
        kind: u8,
        value: u16,
        hours: i64,
    },
    EditReading {
        pick: usize,
        value: u16,
    },
    DeleteReading {
        pick: usize,
    },
    AddJournal {
        hours: i64,
        mood: u8,
    },
    DeleteJournal {
        pick: usize,
    },
    AddMedication,
    SetStatus {
        pick: usize,
        status: u8,
    },
    LogDose {
        pick: usize,
        hours: i64,
        taken: bool,
    },
    Compact,
    /// A new process: every document is written to cold.
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0u8..4, 0u16..100, 0i64..24 * 120).prop_map(|(kind, value, hours)| Op::AddReading { kind, value, hours }),
        2 => (any::<usize>(), 0u16..100).prop_map(|(pick, value)| Op::EditReading { pick, value }),
        1 => any::<usize>().prop_map(|pick| Op::DeleteReading { pick }),
        2 => (0i64..24 * 120, 1u8..=5).prop_map(|(hours, mood)| Op::AddJournal { hours, mood }),
        1 => any::<usize>().prop_map(|pick| Op::DeleteJournal { pick }),
        1 => Just(Op::AddMedication),
        1 => (any::<usize>(), 0u8..3).prop_map(|(pick, status)| Op::SetStatus { pick, status }),
        2 => (any::<usize>(), 0i64..24 * 120, any::<bool>()).prop_map(|(pick, hours, taken)| Op::LogDose { pick, hours, taken }),
        1 => Just(Op::Compact),
        1 => Just(Op::Reopen),
    ]
}

fn measurement(kind: u8, value: u16) -> Measurement {
    match kind {
        0 => Measurement::BloodPressure {
            systolic: 100 + value,
            diastolic: 60 + value / 2,
            pulse: Some(60 + value / 3),
        },
        1 => Measurement::Glucose {
            mg_dl: 60.0 + f64::from(value) * 2.5,
            context: MealContext::BeforeMeal,
        },
        2 => Measurement::Weight {
            kg: 60.0 + f64::from(value) / 4.0,
        },
        _ => Measurement::Temperature {
            celsius: 36.0 + f64::from(value) / 25.0,
        },
    }
}

/// Every answer the queries give, plus the raw index rows (deleted ones included).
fn answers(record: &HealthRecord, path: &std::path::Path) -> (String, Vec<Vec<String>>) {
    let mut out = serde_json::to_string(&record.export().expect("export")).expect("json");
    for &kind in ReadingKind::ALL {
        let q = ReadingQuery {
            kind: Some(kind),
            ..Default::default()
        };
        out.push_str(&format!("{:?}", record.readings(&q).expect("readings")));
    }
    for med in record.medications(true).expect("meds") {
        out.push_str(&format!(
            "{:?}",
            record.doses(Some(&med.id), TimeRange::ALL).expect("doses")
        ));
    }
    let conn = common::sqlite(path);
    let mut stmt = conn
        .prepare("SELECT collection, id, doc, tag, at_ms, ext_key, deleted, body FROM entries ORDER BY collection, id")
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            (0..8)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    (out, rows)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rebuild_equals_the_incremental_index(ops in proptest::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("record.db");
        let mut record = new_record(&dir);
        let base = at("2026-07-28T06:00:00+02:00");
        let (mut readings, mut journal, mut meds): (Vec<Reading>, Vec<JournalEntry>, Vec<String>) = Default::default();
        for op in ops {
            match op {
                Op::AddReading { kind, value, hours } => {
                    let r = Reading::new(measurement(kind, value), base + Duration::hours(hours)).expect("valid");
                    record.add_reading(&r).expect("add");
                    readings.push(r);
                }
                Op::EditReading { pick, value } if !readings.is_empty() => {
                    let i = pick % readings.len();
                    let kind = ReadingKind::ALL.iter().position(|k| *k == readings[i].measurement.kind()).unwrap_or(0);
                    let mut r = readings[i].clone();
                    r.measurement = measurement(kind.min(3) as u8, value);
                    r.note = Some(format!("edit {value}"));
                    if record.update_reading(&r).is_ok() { readings[i] = r; }
                }
                Op::DeleteReading { pick } if !readings.is_empty() => {
                    let id = readings[pick % readings.len()].id.clone();
                    let _ = record.delete_reading(&id);
                }
                Op::AddJournal { hours, mood } => {
                    let e = JournalEntry::new(base + Duration::hours(hours), "entry", Some(mood), vec![]).expect("valid");
                    record.add_journal_entry(&e).expect("add");
                    journal.push(e);
                }
                Op::DeleteJournal { pick } if !journal.is_empty() => {
                    let id = journal[pick % journal.len()].id.clone();
                    let _ = record.delete_journal_entry(&id);
                }
                Op::AddMedication => {
                    let m = metformin();
                    record.add_medication(&m).expect("add");
                    meds.push(m.id);
                }
                Op::SetStatus { pick, status } if !meds.is_empty() => {
                    let status = [MedicationStatus::Active, MedicationStatus::Paused, MedicationStatus::Stopped][usize::from(status)];
                    record.set_medication_status(&meds[pick % meds.len()], status).expect("status");
                }
                Op::LogDose { pick, hours, taken } if !meds.is_empty() => {
                    let status = if taken { DoseStatus::Taken } else { DoseStatus::Skipped };
                    // One of Metformin's doses (08:00 and 20:00 in Berlin), `hours / 24` days on.
                    let berlin: companion_core::zone::Zone = "Europe/Berlin".parse().expect("zone");
                    let day = chrono::NaiveDate::from_ymd_opt(2026, 7, 28).expect("date") + Duration::days(hours / 24);
                    let slot = day.and_hms_opt(if hours % 2 == 0 { 8 } else { 20 }, 0, 0).expect("time");
                    let when = companion_core::reminders::zone::resolve(&berlin, slot).with_timezone(&berlin).fixed_offset();
                    let d = DoseEvent::new(&meds[pick % meds.len()], status, when + Duration::minutes(7), Some(when)).expect("valid");
                    // A paused or stopped medication has no dose then, and a dose already taken
                    // is not taken twice: both are refusals that change nothing.
                    match record.log_dose(&d) {
                        Ok(())
                        | Err(companion_core::Error::NotAnOccurrence { .. })
                        | Err(companion_core::Error::DoseAlreadyTaken { .. }) => {}
                        Err(e) => panic!("log: {e:?}"),
                    }
                }
                Op::Compact => { record.compact().expect("compact"); }
                Op::Reopen => {
                    drop(record);
                    record = HealthRecord::open(&path, &keys(&path)).expect("reopen");
                }
                _ => {}
            }
        }
        let incremental = answers(&record, &path);
        record.rebuild_index().expect("rebuild");
        let rebuilt = answers(&record, &path);
        prop_assert_eq!(&incremental.0, &rebuilt.0);
        prop_assert_eq!(&incremental.1, &rebuilt.1);
        drop(record);
        // And a fresh open of the file answers the same.
        let reopened = HealthRecord::open(&path, &keys(&path)).expect("open");
        prop_assert_eq!(incremental.0, answers(&reopened, &path).0);
    }
}
