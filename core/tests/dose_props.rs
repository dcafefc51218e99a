//! Issue 27, as a property: over random sequences of takes, skips, corrections and home-zone
//! edits on the patient's phone and a caregiver's, with syncs between them, no scheduled dose
//! is ever taken twice without a confirmation (unless two devices logged it offline, which the
//! merge flags with a "logged twice" alert), no supply is negative, and the past dose states do
//! not change when the home zone is edited.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use companion_core::model::{AlertKind, DoseAmount, DoseEvent, DoseStatus, Inventory};
use companion_core::{HealthRecord, TimeRange};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Take {
        hours: u16,
        confirm: bool,
        carer: bool,
    },
    Skip {
        hours: u16,
        carer: bool,
    },
    Shift {
        index: usize,
        minutes: i16,
    },
    Move {
        zone: usize,
    },
    Sync,
}

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Asia/Shanghai",
    "Pacific/Auckland",
];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u16..480, any::<bool>(), any::<bool>())
            .prop_map(|(hours, confirm, carer)| Op::Take { hours, confirm, carer }),
        1 => (0u16..480, any::<bool>()).prop_map(|(hours, carer)| Op::Skip { hours, carer }),
        1 => (0usize..50, -600i16..600).prop_map(|(index, minutes)| Op::Shift { index, minutes }),
        1 => (0usize..ZONES.len()).prop_map(|zone| Op::Move { zone }),
        2 => Just(Op::Sync),
    ]
}

fn states(record: &HealthRecord, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let zone = record.profile().expect("profile").home_time_zone;
    let adherence = record.adherence(from, to, to, &zone).expect("adherence");
    serde_json::to_string(&adherence).expect("json")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn one_take_per_dose_a_supply_never_negative_and_a_past_that_stays(
        ops in proptest::collection::vec(op(), 1..30)
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut record = new_record(&dir);
        let mut med = metformin();
        med.dose = DoseAmount::parse("1 tablet").expect("dose");
        let base = at("2026-11-01T00:00:00+01:00");
        med.inventory = Some(Inventory { count: 12.0, counted_at: base, per_dose: 1.0 });
        record.add_medication(&med).expect("add");
        // The caregiver's phone: a replica of the record, synced by exchanging exports.
        let export = record.replica_export().expect("export");
        let mut carer = HealthRecord::join(&dir.path().join("carer.db"), &keys(&dir.path().join("carer.db")), &export).expect("join");
        let from = base.to_utc();
        let until = from + Duration::hours(480);
        for op in ops {
            match op {
                Op::Take { hours, confirm, carer: on_carer } => {
                    let device = if on_carer { &mut carer } else { &mut record };
                    let when = base + Duration::hours(i64::from(hours)) + Duration::minutes(7);
                    let mut event = DoseEvent::new(&med.id, DoseStatus::Taken, when, None).expect("dose");
                    event.confirmed_double = confirm;
                    let zone = device.profile().expect("profile").home_time_zone;
                    let _ = device.log_dose_answering(&event, &zone);
                }
                Op::Skip { hours, carer: on_carer } => {
                    let device = if on_carer { &mut carer } else { &mut record };
                    let when = base + Duration::hours(i64::from(hours));
                    let event = DoseEvent::new(&med.id, DoseStatus::Skipped, when, None).expect("dose");
                    let zone = device.profile().expect("profile").home_time_zone;
                    let _ = device.log_dose_answering(&event, &zone);
                }
                Op::Sync => {
                    let theirs = carer.replica_export().expect("export");
                    record.merge_replica(&theirs).expect("merge");
                    let ours = record.replica_export().expect("export");
                    carer.merge_replica(&ours).expect("merge");
                    prop_assert_eq!(
                        states(&record, from, until),
                        states(&carer, from, until),
                        "the two phones disagree after a sync"
                    );
                }
                Op::Shift { index, minutes } => {
                    let doses = record.doses(None, TimeRange::ALL).expect("doses");
                    if let Some(d) = doses.get(index % doses.len().max(1)) {
                        let mut edited = d.clone();
                        edited.at = d.at + Duration::minutes(i64::from(minutes));
                        let _ = record.update_dose(&edited);
                    }
                }
                Op::Move { zone } => {
                    let before = states(&record, from, until);
                    record
                        .modify_profile(|p| {
                            p.home_time_zone = ZONES[zone].to_string();
                            Ok(())
                        })
                        .expect("zone edit");
                    prop_assert_eq!(before, states(&record, from, until), "the past changed");
                }
            }
            for device in [&record, &carer] {
                // One take per scheduled dose, unless confirmed; a take logged on each phone
                // offline is flagged by the merge with an alert naming both.
                let doses = device.doses(None, TimeRange::ALL).expect("doses");
                let alerts = device.alerts(TimeRange::ALL).expect("alerts");
                let mut seen: std::collections::HashMap<_, &DoseEvent> = Default::default();
                for d in doses.iter().filter(|d| d.status == DoseStatus::Taken && !d.confirmed_double) {
                    let Some(s) = d.scheduled_at else { continue };
                    if let Some(first) = seen.insert(s.to_utc(), d) {
                        prop_assert!(
                            alerts.iter().any(|a| a.kind == AlertKind::DoseLoggedTwice
                                && a.dose_ids.contains(&first.id)
                                && a.dose_ids.contains(&d.id)),
                            "the dose of {} was taken twice with no alert", s
                        );
                        prop_assert_ne!(&first.id, &d.id);
                    }
                }
                // No supply below zero.
                let zone = device.profile().expect("profile").home_time_zone;
                for s in device.refill_status(until, &zone).expect("supply") {
                    prop_assert!(s.on_hand >= 0.0, "negative supply {}", s.on_hand);
                }
            }
        }
    }
}
