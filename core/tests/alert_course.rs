//! An alert's course after the reading that raised it: it stays on every member's home screen
//! until someone has seen it or a day has passed since a reading back in range; a lower but
//! still abnormal reading marks it improving; very high glucose tells of ketones.

mod common;

use common::{at, bp, glucose, new_record};
use companion_core::model::{AlertCourse, AlertKind, Language, Measurement, UnitPreferences};
use companion_core::{HealthRecord, TimeRange};

fn shown(r: &HealthRecord, when: &str) -> Vec<companion_core::model::Alert> {
    r.today(at(when).to_utc(), "Europe/Berlin")
        .expect("today")
        .alerts
}

#[test]
fn a_crisis_stays_on_the_home_screen_as_improving_until_seen_or_a_day_after_a_reading_in_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    let crisis = r
        .record_reading(&bp(186, 122, "2026-11-20T21:30:00+01:00"))
        .expect("store");
    let crisis_alert = crisis.alerts[0].id.clone();
    let stage2 = r
        .add_reading(&bp(150, 94, "2026-11-21T07:30:00+01:00"))
        .expect("store");

    // The next morning, the stage-2 reading leaves it shown, improving, with both readings.
    let morning = shown(&r, "2026-11-21T08:00:00+01:00");
    let a = morning
        .iter()
        .find(|a| a.id == crisis_alert)
        .expect("last night's crisis is still shown");
    assert_eq!(a.course(), AlertCourse::Improving);
    let follow = a.follow_up.as_ref().expect("the later reading");
    assert_eq!(follow.reading_id, stage2);
    assert_eq!(
        follow.value,
        Measurement::BloodPressure {
            systolic: 150,
            diastolic: 94,
            pulse: None
        }
    );
    let text =
        companion_core::clinical::alerts::render(a, Language::English, &UnitPreferences::default());
    assert_eq!(text.value.as_deref(), Some("186/122 mmHg"));
    let course = text.course.expect("the course is worded");
    assert!(course.contains("150/94 mmHg"), "{course}");
    assert!(course.to_lowercase().contains("improving"), "{course}");
    let zh = companion_core::clinical::alerts::render(
        a,
        Language::SimplifiedChinese,
        &UnitPreferences::default(),
    );
    assert!(!zh.course.unwrap_or_default().contains("mproving"));

    // Nobody has seen it and no reading is in range: two days on, it is still there.
    assert!(
        shown(&r, "2026-11-23T07:00:00+01:00")
            .iter()
            .any(|a| a.id == crisis_alert)
    );

    // Back in range: shown for 24 hours more, naming the reading that resolved it.
    let fine = r
        .add_reading(&bp(122, 76, "2026-11-23T08:00:00+01:00"))
        .expect("store");
    let a = shown(&r, "2026-11-24T07:59:00+01:00")
        .into_iter()
        .find(|a| a.id == crisis_alert)
        .expect("shown for a day after the reading in range");
    assert_eq!(a.course(), AlertCourse::BackInRange);
    assert_eq!(a.resolved_by.as_deref(), Some(fine.as_str()));
    assert_eq!(
        a.follow_up.as_ref().map(|f| f.reading_id.as_str()),
        Some(fine.as_str())
    );
    assert!(
        !shown(&r, "2026-11-24T08:01:00+01:00")
            .iter()
            .any(|a| a.id == crisis_alert),
        "gone a day after the reading in range"
    );
    // Kept in the history.
    let kept = r.alerts(TimeRange::ALL).expect("alerts");
    assert!(kept.iter().any(|a| a.id == crisis_alert));
}

#[test]
fn an_acknowledged_alert_leaves_the_home_screen_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    let crisis = r
        .record_reading(&bp(186, 122, "2026-11-20T21:30:00+01:00"))
        .expect("store");
    let id = crisis.alerts[0].id.clone();
    assert!(
        shown(&r, "2026-11-25T08:00:00+01:00")
            .iter()
            .any(|a| a.id == id),
        "unseen, it stays"
    );
    r.acknowledge_alert(&id, "Li").expect("ack");
    assert!(
        !shown(&r, "2026-11-25T08:00:00+01:00")
            .iter()
            .any(|a| a.id == id)
    );
}

#[test]
fn a_reading_taken_before_the_alert_or_of_another_kind_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    let crisis = r
        .record_reading(&bp(186, 122, "2026-11-20T21:30:00+01:00"))
        .expect("store");
    r.add_reading(&bp(120, 70, "2026-11-20T21:00:00+01:00"))
        .expect("earlier");
    r.add_reading(&glucose(110.0, "2026-11-20T22:00:00+01:00"))
        .expect("other kind");
    let a = shown(&r, "2026-11-21T08:00:00+01:00")
        .into_iter()
        .find(|a| a.id == crisis.alerts[0].id)
        .expect("shown");
    assert_eq!(a.course(), AlertCourse::Open);
}

/// ADA: above 240 mg/dL, check for ketones; the record's choice: level 2 (> 250 mg/dL) raises a
/// non-urgent alert with that advice (docs/clinical.md).
#[test]
fn level_2_hyperglycaemia_raises_a_non_urgent_alert_with_the_ketone_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    let at_250 = r
        .record_reading(&glucose(250.0, "2026-11-20T08:00:00+01:00"))
        .expect("store");
    assert!(at_250.alerts.is_empty(), "250 is level 1");
    let high = r
        .record_reading(&glucose(420.0, "2026-11-20T09:00:00+01:00"))
        .expect("store");
    let kinds: Vec<AlertKind> = high.alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, vec![AlertKind::Level2Hyperglycaemia]);
    assert!(!AlertKind::Level2Hyperglycaemia.is_urgent());
    assert!(AlertKind::HyperglycaemicCrisis.is_urgent());
    let text = companion_core::clinical::alerts::render(
        &high.alerts[0],
        Language::English,
        &UnitPreferences::default(),
    );
    assert!(text.advice.contains("ketones"), "{}", text.advice);
    assert!(text.advice.contains("240 mg/dL"), "{}", text.advice);
    assert!(text.source.contains("American Diabetes Association"));
    let mmol = UnitPreferences {
        glucose: companion_core::model::units::GlucoseUnit::MmolL,
        ..UnitPreferences::default()
    };
    let zh = companion_core::clinical::alerts::render(
        &high.alerts[0],
        Language::SimplifiedChinese,
        &mmol,
    );
    assert!(zh.advice.contains("13.3 mmol/L"), "{}", zh.advice);
    assert_eq!(zh.value.as_deref(), Some("23.3 mmol/L（随机）"));
    // 600 is the crisis, not both.
    let crisis = r
        .record_reading(&glucose(600.0, "2026-11-20T10:00:00+01:00"))
        .expect("store");
    let kinds: Vec<AlertKind> = crisis.alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, vec![AlertKind::HyperglycaemicCrisis]);
    // The caregiver's planner tells of it too (the alert is in the shared record).
    let plan = r
        .plan_reminders(
            at("2026-11-20T10:05:00+01:00").to_utc(),
            "Europe/Berlin",
            chrono::Duration::hours(24),
            64,
        )
        .expect("plan");
    assert!(
        plan.iter()
            .any(|n| n.id == format!("alert:{}", high.alerts[0].id))
    );
}

/// An import holds a night's readings in one write: its later readings follow up the alerts its
/// earlier ones raised, in time order whatever the order given.
#[test]
fn a_batch_follows_up_its_own_alerts_in_time_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    let ids = r
        .add_readings(&[
            bp(122, 76, "2026-11-21T08:00:00+01:00"),
            bp(186, 122, "2026-11-20T21:30:00+01:00"),
            bp(150, 94, "2026-11-21T07:30:00+01:00"),
        ])
        .expect("batch");
    let alert = r
        .alerts(TimeRange::ALL)
        .expect("alerts")
        .into_iter()
        .find(|a| a.reading_id == ids[1])
        .expect("the crisis raised its alert");
    assert_eq!(alert.course(), AlertCourse::BackInRange);
    assert_eq!(alert.resolved_by.as_deref(), Some(ids[0].as_str()));
    assert_eq!(
        alert.follow_up.map(|f| f.reading_id),
        Some(ids[0].clone()),
        "the latest reading, not the last one given"
    );
}

/// The home screen reads only the alerts not seen and not long back in range (an index, not
/// every alert of the record's years): at every instant it shows exactly what the rule over
/// all alerts shows.
#[test]
fn the_alerts_shown_are_exactly_those_the_rule_keeps_from_all_of_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    let mut first = None;
    for day in 1..=20u32 {
        let crisis = r
            .record_reading(&bp(185, 121, &format!("2026-10-{day:02}T08:00:00+02:00")))
            .expect("crisis");
        first.get_or_insert(crisis.alerts[0].id.clone());
        // Every third day back in range that evening, every fifth a stage-2 reading.
        if day % 3 == 0 {
            r.add_reading(&bp(120, 75, &format!("2026-10-{day:02}T20:00:00+02:00")))
                .expect("in range");
        } else if day % 5 == 0 {
            r.add_reading(&bp(150, 95, &format!("2026-10-{day:02}T20:00:00+02:00")))
                .expect("stage 2");
        }
    }
    r.acknowledge_alert(&first.expect("an alert"), "ana")
        .expect("seen");
    let all = r.alerts(TimeRange::ALL).expect("alerts");
    assert!(all.len() >= 20);
    for hours in (0..24 * 30).step_by(7) {
        let now = at("2026-10-01T00:00:00+02:00").to_utc() + chrono::Duration::hours(hours);
        let mut want: Vec<String> = all
            .iter()
            .filter(|a| a.shown_at(now))
            .map(|a| a.id.clone())
            .collect();
        let mut got: Vec<String> = r
            .alerts_shown(now)
            .expect("shown")
            .into_iter()
            .map(|a| a.id)
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "at {now}");
    }
}
