//! Clinical rules through the record: what a stored reading means, urgent alerts stored with it
//! and seen by other replicas, and the clinician's targets.

mod common;

use chrono::Duration;
use common::{at, bp, glucose, keys, new_record};
use companion_core::clinical::alerts::Assessment;
use companion_core::clinical::blood_pressure::BpCategory;
use companion_core::model::{AlertKind, BpGuideline, MealContext, Measurement, Reading};
use companion_core::reminders::{Importance, NotificationKind};
use companion_core::{Error, HealthRecord, TimeRange};

#[test]
fn a_crisis_reading_raises_an_alert_with_the_advice_and_replicas_see_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let outcome = record
        .record_reading(&bp(182, 112, "2026-11-20T08:00:00+01:00"))
        .expect("store");
    assert!(
        matches!(outcome.assessment, Assessment::BloodPressure(c) if c.crisis && c.category == BpCategory::HomeHypertension)
    );
    assert_eq!(outcome.alerts.len(), 1);
    let alert = &outcome.alerts[0];
    assert_eq!(alert.kind, AlertKind::HypertensiveCrisis);
    let text = companion_core::clinical::alerts::render(
        alert,
        companion_core::model::Language::English,
        &companion_core::model::UnitPreferences::default(),
    );
    assert!(text.advice.contains("call emergency services"));
    assert!(text.source.contains("American Heart Association"));
    assert_eq!(text.value.as_deref(), Some("182/112 mmHg"));
    // Stored in the same transaction, in the record.
    assert_eq!(
        record.alerts(TimeRange::ALL).expect("alerts"),
        outcome.alerts
    );

    // Just below the threshold (measured before it, so it resolves nothing): classified, no
    // alert.
    let calm = record
        .record_reading(&bp(179, 119, "2026-11-20T07:55:00+01:00"))
        .expect("store");
    assert!(calm.alerts.is_empty());
    let stored = record.alerts(TimeRange::ALL).expect("alerts");
    assert_eq!(stored, outcome.alerts);

    // A caregiver's replica sees the alert after sync.
    let other = tempfile::tempdir().expect("tempdir");
    let export = record.replica_export().expect("export");
    let mut caregiver = HealthRecord::join(
        &other.path().join("caregiver.db"),
        &keys(&other.path().join("caregiver.db")),
        &export,
    )
    .expect("join");
    assert_eq!(
        caregiver.alerts(TimeRange::ALL).expect("alerts"),
        stored,
        "joined with everything"
    );
    for doc in record.documents().expect("docs") {
        caregiver
            .apply_changes(&doc, &record.export_document(&doc).expect("export"))
            .expect("apply");
    }
    assert_eq!(caregiver.alerts(TimeRange::ALL).expect("alerts"), stored);

    // Open until acknowledged; the planner shows it at once, as critical.
    let now = at("2026-11-20T08:06:00+01:00").to_utc();
    assert_eq!(
        record
            .open_alerts(now - Duration::hours(24))
            .expect("open")
            .len(),
        1
    );
    let plan = record
        .plan_reminders(now, "Europe/Berlin", Duration::hours(24), 64)
        .expect("plan");
    assert_eq!(plan[0].kind, NotificationKind::SafetyAlert);
    assert_eq!(plan[0].importance, Importance::Critical);
    assert_eq!(plan[0].fire_at, now);
    assert_eq!(
        record
            .today(now, "Europe/Berlin")
            .expect("today")
            .alerts
            .len(),
        1
    );
    record.acknowledge_alert(&alert.id, "Ben").expect("ack");
    assert!(
        record
            .open_alerts(now - Duration::hours(24))
            .expect("open")
            .is_empty()
    );
}

#[test]
fn level_2_hypoglycaemia_alerts_at_53_9_not_at_54() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let low = record
        .record_reading(&glucose(53.9, "2026-11-20T03:00:00+01:00"))
        .expect("store");
    assert_eq!(
        low.alerts.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![AlertKind::Level2Hypoglycaemia]
    );
    assert!(
        companion_core::clinical::alerts::render(
            &low.alerts[0],
            companion_core::model::Language::English,
            &companion_core::model::UnitPreferences::default()
        )
        .advice
        .contains("15-20 g")
    );
    let level1 = record
        .record_reading(&glucose(54.0, "2026-11-20T03:15:00+01:00"))
        .expect("store");
    assert!(level1.alerts.is_empty());
    // Batch imports raise alerts too.
    let ids = record
        .add_readings(&[
            glucose(40.0, "2026-11-21T03:00:00+01:00"),
            glucose(100.0, "2026-11-21T04:00:00+01:00"),
        ])
        .expect("batch");
    assert_eq!(ids.len(), 2);
    assert_eq!(record.alerts(TimeRange::ALL).expect("alerts").len(), 2);
}

#[test]
fn targets_are_set_by_a_clinician_and_change_the_classification() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let defaults = record.targets().expect("targets");
    assert_eq!(defaults.bp_guideline, BpGuideline::Esh2023, "Europe/Berlin");
    assert!(defaults.set_by.is_none());
    let mut t = defaults.clone();
    t.bp_guideline = BpGuideline::AccAha2017;
    t.fever_threshold_c = Some(38.0);
    assert!(
        matches!(record.set_targets(&t), Err(Error::Invalid(_))),
        "who set them is required"
    );
    t.set_by = Some("Dr. Lee".into());
    record.set_targets(&t).expect("set");
    let stored = record.targets().expect("targets");
    assert_eq!(stored.set_by.as_deref(), Some("Dr. Lee"));
    assert!(stored.set_at.is_some());
    let o = record
        .record_reading(&bp(132, 82, "2026-11-20T08:00:00+01:00"))
        .expect("store");
    assert!(
        matches!(o.assessment, Assessment::BloodPressure(c) if c.category == BpCategory::Stage1)
    );
    // Fever after surgery at the clinician's threshold.
    let temp = |c| {
        Reading::new(
            Measurement::Temperature { celsius: c },
            at("2026-11-20T09:00:00+01:00"),
        )
        .expect("reading")
    };
    assert!(
        record
            .record_reading(&temp(37.9))
            .expect("store")
            .alerts
            .is_empty()
    );
    assert_eq!(
        record.record_reading(&temp(38.0)).expect("store").alerts[0].kind,
        AlertKind::Fever
    );
    t.fever_threshold_c = Some(45.0);
    assert!(matches!(record.set_targets(&t), Err(Error::Invalid(_))));
}

/// Issue 15: dangerous values of every kind raise an urgent alert with its source; a later
/// normal reading of the same kind resolves an open one (kept in the history); a corrected
/// reading's alerts are judged again.
#[test]
fn dangerous_values_raise_alerts_that_later_normal_readings_and_corrections_resolve() {
    let dir = tempfile::tempdir().expect("dir");
    let mut r = new_record(&dir);
    let since = at("2026-11-01T00:00:00+01:00").to_utc();
    let kinds_of = |r: &HealthRecord, id: &str| -> Vec<AlertKind> {
        r.alerts(TimeRange::ALL)
            .expect("alerts")
            .into_iter()
            .filter(|a| a.reading_id == id)
            .map(|a| a.kind)
            .collect()
    };
    for (m, when, kind) in [
        (
            Measurement::Glucose {
                mg_dl: 600.0,
                context: MealContext::Random,
            },
            "2026-11-02T08:00:00+01:00",
            AlertKind::HyperglycaemicCrisis,
        ),
        (
            Measurement::Spo2 { percent: 88.0 },
            "2026-11-02T08:01:00+01:00",
            AlertKind::LowOxygen,
        ),
        (
            Measurement::HeartRate { bpm: 250 },
            "2026-11-02T08:02:00+01:00",
            AlertKind::PulseRedFlag,
        ),
        (
            Measurement::BloodPressure {
                systolic: 85,
                diastolic: 55,
                pulse: None,
            },
            "2026-11-02T08:03:00+01:00",
            AlertKind::LowSystolic,
        ),
        (
            Measurement::Temperature { celsius: 34.8 },
            "2026-11-02T08:04:00+01:00",
            AlertKind::LowTemperature,
        ),
    ] {
        let id = r
            .add_reading(&Reading::new(m, at(when)).expect("reading"))
            .expect("add");
        assert_eq!(kinds_of(&r, &id), vec![kind]);
        let alert = r
            .alerts(TimeRange::ALL)
            .expect("alerts")
            .into_iter()
            .find(|a| a.reading_id == id)
            .expect("stored");
        let text = companion_core::clinical::alerts::render(
            &alert,
            companion_core::model::Language::English,
            &companion_core::model::UnitPreferences::default(),
        );
        assert!(!text.source.is_empty() && !text.advice.is_empty());
        assert!(text.value.is_some());
    }

    // A very low glucose, then a normal one half an hour later: the alert is no longer open.
    let low = r
        .add_reading(&glucose(45.0, "2026-11-03T08:00:00+01:00"))
        .expect("add");
    assert!(
        r.open_alerts(since)
            .expect("open")
            .iter()
            .any(|a| a.reading_id == low)
    );
    let normal = r
        .add_reading(&glucose(110.0, "2026-11-03T08:30:00+01:00"))
        .expect("add");
    assert!(
        !r.open_alerts(since)
            .expect("open")
            .iter()
            .any(|a| a.reading_id == low)
    );
    let kept = r
        .alerts(TimeRange::ALL)
        .expect("alerts")
        .into_iter()
        .find(|a| a.reading_id == low)
        .expect("kept in the history");
    assert_eq!(kept.resolved_by.as_deref(), Some(normal.as_str()));
    // Other kinds' alerts stay open: a normal glucose says nothing of the oxygen.
    assert!(
        r.open_alerts(since)
            .expect("open")
            .iter()
            .any(|a| a.kind == AlertKind::LowOxygen)
    );

    // A reading corrected from 45 to 105: its alert is resolved; corrected to 650, it raises
    // the crisis.
    let typo = r
        .add_reading(&glucose(45.0, "2026-11-04T08:00:00+01:00"))
        .expect("add");
    let mut fixed = r.reading(&typo).expect("reading");
    fixed.measurement = Measurement::Glucose {
        mg_dl: 105.0,
        context: MealContext::Random,
    };
    r.update_reading(&fixed).expect("correct");
    assert!(
        !r.open_alerts(since)
            .expect("open")
            .iter()
            .any(|a| a.reading_id == typo)
    );
    fixed.measurement = Measurement::Glucose {
        mg_dl: 650.0,
        context: MealContext::Random,
    };
    r.update_reading(&fixed).expect("correct");
    let open: Vec<AlertKind> = r
        .open_alerts(since)
        .expect("open")
        .into_iter()
        .filter(|a| a.reading_id == typo)
        .map(|a| a.kind)
        .collect();
    assert_eq!(open, vec![AlertKind::HyperglycaemicCrisis]);
}

#[test]
fn a_target_changed_inside_one_write_keeps_another_writers_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut clinic = new_record(&dir);
    let path = dir.path().join("record.db");
    let mut other = HealthRecord::open(&path, &keys(&path)).expect("second handle");
    // The clinic read the targets for its form, then another member set a glucose target.
    let stale = clinic.targets().expect("targets");
    let mut theirs = other.targets().expect("targets");
    theirs.glucose.pre_meal_high = 140.0;
    theirs.set_by = Some("Dr. Wu".into());
    other.set_targets(&theirs).expect("set");
    // Read and written inside one write: both changes stay.
    let stored = clinic
        .modify_targets("Dr. Lee", |t| {
            t.bp_target.systolic = 125;
            t.bp_target.diastolic = 75;
        })
        .expect("modify");
    assert_eq!(stored.glucose.pre_meal_high, 140.0);
    assert_eq!(stored.bp_target.systolic, 125);
    assert_eq!(stored.set_by.as_deref(), Some("Dr. Lee"));
    assert_ne!(stale.glucose.pre_meal_high, 140.0);
    assert!(
        clinic.modify_targets(" ", |_| {}).is_err(),
        "who set them is required"
    );
}
