//! Issue 27, as a property: over random sequences of takes, skips, corrections and home-zone
//! edits, no scheduled dose is ever taken twice without a confirmation, no supply is negative,
//! and the past dose states do not change when the home zone is edited.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use companion_core::model::{DoseAmount, DoseEvent, DoseStatus, Inventory};
use companion_core::{HealthRecord, TimeRange};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Take { hours: u16, confirm: bool },
    Skip { hours: u16 },
    Shift { index: usize, minutes: i16 },
    Move { zone: usize },
}

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Asia/Shanghai",
    "Pacific/Auckland",
];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u16..480, any::<bool>()).prop_map(|(hours, confirm)| Op::Take { hours, confirm }),
        1 => (0u16..480).prop_map(|hours| Op::Skip { hours }),
        1 => (0usize..50, -600i16..600).prop_map(|(index, minutes)| Op::Shift { index, minutes }),
        1 => (0usize..ZONES.len()).prop_map(|zone| Op::Move { zone }),
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
        let from = base.to_utc();
        let until = from + Duration::hours(480);
        for op in ops {
            match op {
                Op::Take { hours, confirm } => {
                    let when = base + Duration::hours(i64::from(hours)) + Duration::minutes(7);
                    let mut event = DoseEvent::new(&med.id, DoseStatus::Taken, when, None).expect("dose");
                    event.confirmed_double = confirm;
                    let zone = record.profile().expect("profile").home_time_zone;
                    let _ = record.log_dose_answering(&event, &zone);
                }
                Op::Skip { hours } => {
                    let when = base + Duration::hours(i64::from(hours));
                    let event = DoseEvent::new(&med.id, DoseStatus::Skipped, when, None).expect("dose");
                    let zone = record.profile().expect("profile").home_time_zone;
                    let _ = record.log_dose_answering(&event, &zone);
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
            // One take per scheduled dose, unless confirmed.
            let doses = record.doses(None, TimeRange::ALL).expect("doses");
            let mut seen = std::collections::HashSet::new();
            for d in doses.iter().filter(|d| d.status == DoseStatus::Taken && !d.confirmed_double) {
                if let Some(s) = d.scheduled_at {
                    prop_assert!(seen.insert(s.to_utc()), "the dose of {} was taken twice", s);
                }
            }
            // No supply below zero.
            let zone = record.profile().expect("profile").home_time_zone;
            for s in record.refill_status(until, &zone).expect("supply") {
                prop_assert!(s.on_hand >= 0.0, "negative supply {}", s.on_hand);
            }
        }
    }
}
