//! Two `HealthRecord`s on one file, in two threads (as the app and its notification extension,
//! or the app and a sync thread): every acknowledged write is in the record afterwards, and
//! every check that decides a write sees what the other committed.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::thread;

use common::{at, keys, metformin, new_record};
use companion_core::model::{
    AsNeededLimits, DoseAmount, DoseEvent, DoseStatus, Measurement, Medication, Reading,
    ReadingSource, Schedule,
};
use companion_core::{Error, HealthRecord, TimeRange};

const ROUNDS: usize = 40;

fn path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("record.db")
}

/// Runs `a` and `b` at once, each with its own `HealthRecord` on the same file.
fn side_by_side<A, B>(path: PathBuf, a: A, b: B) -> (usize, usize)
where
    A: FnOnce(&mut HealthRecord) -> usize + Send + 'static,
    B: FnOnce(&mut HealthRecord) -> usize + Send + 'static,
{
    let start = Arc::new(Barrier::new(2));
    let (sa, pa) = (start.clone(), path.clone());
    let ta = thread::spawn(move || {
        let mut r = HealthRecord::open(&pa, &keys(&pa)).expect("open a");
        sa.wait();
        a(&mut r)
    });
    let tb = thread::spawn(move || {
        let mut r = HealthRecord::open(&path, &keys(&path)).expect("open b");
        start.wait();
        b(&mut r)
    });
    (ta.join().expect("a"), tb.join().expect("b"))
}

#[test]
fn edits_of_different_fields_by_two_writers_both_stay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let med = metformin();
    record.add_medication(&med).expect("add");
    let id = med.id.clone();
    let id_b = id.clone();
    let (last_dose, last_note) = side_by_side(
        path(&dir),
        move |r| {
            for i in 0..ROUNDS {
                // What a shell does: read, edit its copy, hand both back.
                let before = r.medication(&id).expect("read");
                let mut after = before.clone();
                after.dose = DoseAmount::parse(&format!("{} mg", 600 + i)).expect("dose");
                r.edit_medication(&before, &after).expect("edit dose");
            }
            600 + ROUNDS - 1
        },
        move |r| {
            for i in 0..ROUNDS {
                let before = r.medication(&id_b).expect("read");
                let mut after = before.clone();
                after.instructions = Some(format!("note {i}"));
                r.edit_medication(&before, &after).expect("edit note");
            }
            ROUNDS - 1
        },
    );
    let m = record.medication(&med.id).expect("read");
    assert_eq!(m.dose.amount, last_dose as f64);
    assert_eq!(
        m.instructions.as_deref(),
        Some(format!("note {last_note}").as_str())
    );
    // Every dose change left exactly one schedule version behind.
    assert_eq!(m.history.len(), ROUNDS);
}

#[test]
fn an_as_needed_limit_holds_against_a_second_writer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let mut prn = Medication::new(
        "Paracetamol",
        DoseAmount::parse("500 mg").expect("dose"),
        Schedule::AsNeeded(AsNeededLimits {
            max_per_day: 3,
            min_interval_minutes: 0,
        }),
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
    )
    .expect("med");
    prn.recorded_at = None;
    record.add_medication(&prn).expect("add");
    let (id_a, id_b) = (prn.id.clone(), prn.id.clone());
    let take = |id: String, minute: usize| {
        move |r: &mut HealthRecord| {
            (0..5)
                .filter(|i| {
                    let when = at(&format!("2026-11-23T{:02}:{:02}:00+01:00", 8 + i, minute));
                    let dose = DoseEvent::new(&id, DoseStatus::Taken, when, None).expect("dose");
                    match r.log_dose(&dose) {
                        Ok(()) => true,
                        Err(Error::DoseLimit { .. }) => false,
                        Err(e) => panic!("{e}"),
                    }
                })
                .count()
        }
    };
    let (a, b) = side_by_side(path(&dir), take(id_a, 10), take(id_b, 40));
    assert_eq!(a + b, 3, "the daily maximum is 3, whoever logs");
    let taken = record
        .doses(Some(&prn.id), TimeRange::ALL)
        .expect("doses")
        .len();
    assert_eq!(taken, 3);
}

#[test]
fn the_same_import_from_two_writers_is_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let record = new_record(&dir);
    let reading = |n: usize| {
        let mut r = Reading::new(
            Measurement::Weight {
                kg: 80.0 + n as f64 / 10.0,
            },
            at("2026-11-20T07:00:00+01:00") + chrono::Duration::days(n as i64 % 3),
        )
        .expect("reading");
        r.source = ReadingSource::Imported {
            system: "scale".into(),
            external_id: format!("w{n}"),
        };
        r
    };
    let import = move |r: &mut HealthRecord| {
        for n in 0..ROUNDS {
            r.add_reading(&reading(n)).expect("import");
        }
        0
    };
    side_by_side(path(&dir), import, import);
    let stored = record
        .readings(&companion_core::ReadingQuery::default())
        .expect("readings")
        .readings;
    assert_eq!(stored.len(), ROUNDS, "each imported reading once");
}
