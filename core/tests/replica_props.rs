//! Property: three replicas of one record, random writes on each (months new to everyone, the
//! same import on two, the same dose logged on two), random exchanges of single changes between
//! them (partial, reordered, duplicated) and restarts. After a full exchange: every acknowledged
//! entry and field edit that was not deleted is on every replica, the three exports are
//! identical, each index equals a rebuild, and the "dose logged twice" alerts are exactly the
//! doubles the writes made.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use chrono::Duration;
use common::{at, bp, keys, metformin};
use companion_core::model::{
    AlertKind, DoseAmount, DoseEvent, DoseStatus, JournalEntry, MedicationStatus, Profile,
    ReadingSource,
};
use companion_core::reminders::logged_twice;
use companion_core::{Error, HealthRecord, ReadingQuery, TimeRange};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    AddReading {
        on: usize,
        month: u32,
        value: u16,
    },
    Correct {
        on: usize,
        pick: usize,
    },
    Delete {
        on: usize,
        pick: usize,
    },
    Import {
        on: usize,
        key: u8,
    },
    Journal {
        on: usize,
        month: u32,
    },
    AddMed {
        on: usize,
    },
    EditDose {
        on: usize,
        pick: usize,
        mg: u8,
    },
    Status {
        on: usize,
        pick: usize,
        pause: bool,
    },
    Take {
        on: usize,
        pick: usize,
        day: u32,
        evening: bool,
    },
    Exchange {
        from: usize,
        to: usize,
        mask: u64,
        reverse: bool,
        duplicate: bool,
    },
    Restart {
        on: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let on = 0usize..3;
    prop_oneof![
        4 => (on.clone(), 1u32..=12, 90u16..180).prop_map(|(on, month, value)| Op::AddReading { on, month, value }),
        2 => (on.clone(), any::<usize>()).prop_map(|(on, pick)| Op::Correct { on, pick }),
        1 => (on.clone(), any::<usize>()).prop_map(|(on, pick)| Op::Delete { on, pick }),
        2 => (on.clone(), 0u8..3).prop_map(|(on, key)| Op::Import { on, key }),
        1 => (on.clone(), 1u32..=12).prop_map(|(on, month)| Op::Journal { on, month }),
        1 => on.clone().prop_map(|on| Op::AddMed { on }),
        2 => (on.clone(), any::<usize>(), 1u8..=4).prop_map(|(on, pick, mg)| Op::EditDose { on, pick, mg }),
        2 => (on.clone(), any::<usize>(), any::<bool>()).prop_map(|(on, pick, pause)| Op::Status { on, pick, pause }),
        3 => (on.clone(), any::<usize>(), 1u32..=3, any::<bool>()).prop_map(|(on, pick, day, evening)| Op::Take { on, pick, day, evening }),
        4 => (on.clone(), on.clone(), any::<u64>(), any::<bool>(), any::<bool>()).prop_map(|(from, to, mask, reverse, duplicate)| Op::Exchange { from, to, mask, reverse, duplicate }),
        1 => on.prop_map(|on| Op::Restart { on }),
    ]
}

/// What the writes that were acknowledged lead one to expect.
#[derive(Default)]
struct Expected {
    /// Manual readings: id -> (deleted, notes written).
    readings: HashMap<String, (bool, Vec<String>)>,
    /// Import keys stored.
    imports: BTreeSet<u8>,
    /// Medications: id -> (history entries, pauses).
    meds: HashMap<String, (usize, usize)>,
    /// Every take acknowledged.
    takes: Vec<DoseEvent>,
}

struct Replicas {
    paths: Vec<PathBuf>,
    open: Vec<Option<HealthRecord>>,
}

impl Replicas {
    fn get(&mut self, i: usize) -> &mut HealthRecord {
        if self.open[i].is_none() {
            self.open[i] =
                Some(HealthRecord::open(&self.paths[i], &keys(&self.paths[i])).expect("reopen"));
        }
        self.open[i].as_mut().expect("open")
    }
}

fn live_readings(r: &HealthRecord) -> Vec<companion_core::model::Reading> {
    r.readings(&ReadingQuery::default()).expect("list").readings
}

/// Delivers the changes `from` has and `to` lacks, the ones `mask` keeps, in order or reversed,
/// once or twice.
fn deliver(r: &mut Replicas, from: usize, to: usize, mask: u64, reverse: bool, duplicate: bool) {
    let docs = r.get(from).documents().expect("docs");
    for doc in docs {
        let have = r.get(to).heads(&doc).expect("heads");
        let all = r.get(from).changes_since(&doc, &have).expect("changes");
        let mut chosen: Vec<Vec<u8>> = all
            .into_iter()
            .enumerate()
            .filter(|(i, _)| mask >> (i % 64) & 1 == 1)
            .map(|(_, c)| c)
            .collect();
        if reverse {
            chosen.reverse();
        }
        if duplicate {
            chosen.extend(chosen.clone());
        }
        r.get(to)
            .apply_remote_changes(&doc, &chosen)
            .expect("apply changes");
    }
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths: Vec<PathBuf> = (0..3)
        .map(|i| dir.path().join(format!("r{i}.db")))
        .collect();
    let mut first = HealthRecord::create(
        &paths[0],
        &keys(&paths[0]),
        &Profile::new("Ana", "Europe/Berlin").expect("profile"),
    )
    .expect("create");
    let export = first.replica_export().expect("export");
    let mut open = vec![Some(first)];
    for path in &paths[1..] {
        open.push(Some(
            HealthRecord::join(path, &keys(path), &export).expect("join"),
        ));
    }
    let mut r = Replicas { paths, open };
    let mut want = Expected::default();
    let mut notes = 0u32;
    for op in ops {
        match op.clone() {
            Op::AddReading { on, month, value } => {
                let when = format!("2025-{month:02}-15T08:00:00+01:00");
                let reading = bp(value, 80, &when);
                r.get(on).add_reading(&reading).expect("add");
                want.readings.insert(reading.id, (false, Vec::new()));
            }
            Op::Correct { on, pick } => {
                let list: Vec<_> = live_readings(r.get(on))
                    .into_iter()
                    .filter(|x| x.source == ReadingSource::Manual)
                    .collect();
                if let Some(x) = list.get(pick % list.len().max(1)) {
                    notes += 1;
                    let note = format!("note {notes}");
                    let mut after = x.clone();
                    after.note = Some(note.clone());
                    r.get(on).edit_reading(x, &after).expect("correct");
                    if let Some(e) = want.readings.get_mut(&x.id) {
                        e.1.push(note);
                    }
                }
            }
            Op::Delete { on, pick } => {
                let list: Vec<_> = live_readings(r.get(on))
                    .into_iter()
                    .filter(|x| x.source == ReadingSource::Manual)
                    .collect();
                if let Some(x) = list.get(pick % list.len().max(1)) {
                    r.get(on).delete_reading(&x.id).expect("delete");
                    if let Some(e) = want.readings.get_mut(&x.id) {
                        e.0 = true;
                    }
                }
            }
            Op::Import { on, key } => {
                let mut reading = bp(150, 95, "2026-06-01T08:00:00+02:00");
                reading.source = ReadingSource::Imported {
                    system: "omron".into(),
                    external_id: format!("k{key}"),
                };
                r.get(on).add_reading(&reading).expect("import");
                want.imports.insert(key);
            }
            Op::Journal { on, month } => {
                let when = at(&format!("2025-{month:02}-10T21:00:00+01:00"));
                let entry = JournalEntry::new(when, "a day", Some(3), Vec::new()).expect("entry");
                r.get(on).add_journal_entry(&entry).expect("journal");
            }
            Op::AddMed { on } => {
                let med = metformin();
                r.get(on).add_medication(&med).expect("add med");
                want.meds.insert(med.id, (0, 0));
            }
            Op::EditDose { on, pick, mg } => {
                let meds = r.get(on).medications(true).expect("meds");
                if let Some(m) = meds.get(pick % meds.len().max(1)) {
                    let dose =
                        DoseAmount::parse(&format!("{} mg", u32::from(mg) * 250)).expect("dose");
                    let changes = dose != m.dose;
                    r.get(on)
                        .modify_medication_at(
                            &m.id,
                            at("2026-01-02T12:00:00+01:00").to_utc()
                                + Duration::minutes(i64::from(notes)),
                            |x| {
                                x.dose = dose;
                                Ok(())
                            },
                        )
                        .expect("edit dose");
                    notes += 1;
                    if changes && let Some(e) = want.meds.get_mut(&m.id) {
                        e.0 += 1;
                    }
                }
            }
            Op::Status { on, pick, pause } => {
                let meds = r.get(on).medications(true).expect("meds");
                if let Some(m) = meds.get(pick % meds.len().max(1)) {
                    let status = if pause {
                        MedicationStatus::Paused
                    } else {
                        MedicationStatus::Active
                    };
                    let opens = pause && m.status == MedicationStatus::Active;
                    notes += 1;
                    r.get(on)
                        .set_medication_status_at(
                            &m.id,
                            status,
                            at("2026-01-03T12:00:00+01:00").to_utc()
                                + Duration::minutes(i64::from(notes)),
                        )
                        .expect("status");
                    if opens && let Some(e) = want.meds.get_mut(&m.id) {
                        e.1 += 1;
                    }
                }
            }
            Op::Take {
                on,
                pick,
                day,
                evening,
            } => {
                let meds = r.get(on).medications(true).expect("meds");
                if let Some(m) = meds.get(pick % meds.len().max(1)) {
                    let time = if evening { "20:00" } else { "08:00" };
                    let scheduled = at(&format!("2026-03-{day:02}T{time}:00+01:00"));
                    let mut take = DoseEvent::new(
                        &m.id,
                        DoseStatus::Taken,
                        scheduled + Duration::minutes(5 + on as i64),
                        Some(scheduled),
                    )
                    .expect("dose");
                    take.logged_by = Some(format!("replica {on}"));
                    match r.get(on).log_dose(&take) {
                        Ok(()) => want.takes.push(take),
                        // Already taken, or no dose then (the medication was stopped, or its
                        // schedule edited on this replica): refused, nothing written.
                        Err(Error::DoseAlreadyTaken { .. } | Error::NotAnOccurrence { .. }) => {}
                        Err(e) => panic!("take: {e:?}"),
                    }
                }
            }
            Op::Exchange {
                from,
                to,
                mask,
                reverse,
                duplicate,
            } => {
                if from != to {
                    deliver(&mut r, from, to, mask, reverse, duplicate);
                }
            }
            Op::Restart { on } => r.open[on] = None,
        }
    }
    // Full exchange, every way, twice.
    for _ in 0..2 {
        for from in 0..3 {
            for to in 0..3 {
                if from != to {
                    deliver(&mut r, from, to, u64::MAX, false, false);
                }
            }
        }
    }
    let exports: Vec<_> = (0..3).map(|i| r.get(i).export().expect("export")).collect();
    prop_assert_eq!(&exports[0], &exports[1]);
    prop_assert_eq!(&exports[0], &exports[2]);
    let expected_doubles: BTreeSet<String> = logged_twice(&want.takes)
        .iter()
        .map(|d| d.alert_id())
        .collect();
    for i in 0..3 {
        let rec = r.get(i);
        let readings = live_readings(rec);
        let manual_live = want
            .readings
            .values()
            .filter(|(deleted, _)| !deleted)
            .count();
        prop_assert_eq!(
            readings.len(),
            manual_live + want.imports.len(),
            "replica {}",
            i
        );
        for (id, (deleted, notes)) in &want.readings {
            match rec.reading(id) {
                Ok(x) => {
                    prop_assert!(!deleted, "deleted reading back on replica {}", i);
                    match notes.as_slice() {
                        [] => prop_assert_eq!(x.note, None),
                        [one] => prop_assert_eq!(x.note.as_ref(), Some(one)),
                        many => prop_assert!(x.note.as_ref().is_some_and(|n| many.contains(n))),
                    }
                }
                Err(Error::NotFound { .. }) => {
                    prop_assert!(deleted, "reading {} lost on replica {}", id, i)
                }
                Err(e) => panic!("{e:?}"),
            }
        }
        for (id, (history, pauses)) in &want.meds {
            let m = rec.medication(id).expect("medication on every replica");
            prop_assert_eq!(m.history.len(), *history, "history of {}", id);
            prop_assert_eq!(m.pauses.len(), *pauses, "pauses of {}", id);
        }
        let doubles: BTreeSet<String> = rec
            .alerts(TimeRange::ALL)
            .expect("alerts")
            .into_iter()
            .filter(|a| a.kind == AlertKind::DoseLoggedTwice)
            .map(|a| a.id)
            .collect();
        prop_assert_eq!(&doubles, &expected_doubles, "replica {}", i);
        for doc in rec.documents().expect("docs") {
            let left = rec.apply_remote_changes(&doc, &[]).expect("apply nothing");
            prop_assert_eq!(left.pending, 0, "nothing waits after a full exchange");
        }
        prop_assert!(
            rec.check_full().expect("check").is_ok(),
            "index equals a rebuild"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn three_replicas_converge_without_loss(ops in prop::collection::vec(op(), 1..40)) {
        run(&ops)?;
    }
}
