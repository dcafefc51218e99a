//! Journeys kept in a real record: starting one, the home screen's view of it, the engine's
//! decisions recorded once (also when two replicas advance at once and merge), cards read,
//! tasks done, FINDRISC answered and stored, the fever threshold a template sets, and a
//! clinic's template checked and stored.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{at, keys, new_record};
use companion_core::journey::{CheckInReason, Decision, Given};
use companion_core::model::{AlertKind, Measurement, Reading, StepKind};
use companion_core::{Error, HealthRecord};

fn utc(text: &str) -> DateTime<Utc> {
    at(text).to_utc()
}

fn findrisc(high: bool) -> Vec<(String, Given)> {
    let pick = if high {
        [
            ("age", "over-64"),
            ("bmi", "over-30"),
            ("waist", "high"),
            ("active", "no"),
            ("vegetables", "not-every-day"),
            ("bp-medication", "yes"),
            ("high-glucose", "yes"),
            ("family", "first-degree"),
        ]
    } else {
        [
            ("age", "under-45"),
            ("bmi", "under-25"),
            ("waist", "low"),
            ("active", "yes"),
            ("vegetables", "every-day"),
            ("bp-medication", "no"),
            ("high-glucose", "no"),
            ("family", "no"),
        ]
    };
    pick.iter()
        .map(|(k, v)| (k.to_string(), Given::Choice(v.to_string())))
        .collect()
}

#[test]
fn a_started_journey_shows_on_the_home_screen_and_its_first_stage_is_recorded_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let start = at("2026-11-02T09:00:00+01:00");
    let journey = record
        .start_journey("hypertension-12w", start)
        .expect("start");
    assert!(matches!(
        record.start_journey("hypertension-12w", start),
        Err(Error::AlreadyExists { entity: "journey" })
    ));
    assert!(matches!(
        record.start_journey("no-such-journey", start),
        Err(Error::NotFound { .. })
    ));

    let now = utc("2026-11-02T10:00:00+01:00");
    let today = record.today(now, "Europe/Berlin").expect("today");
    let j = &today.journeys[0];
    assert_eq!(j.journey_id, journey.id);
    assert!(
        matches!(&j.pending[..], [Decision::StageEntered { .. }]),
        "{:?}",
        j.pending
    );
    let p = j.progress.as_ref().expect("progress");
    assert_eq!((p.step, p.day_of_stage), (1, 1));
    assert!(p.steps >= 3);
    assert!(!j.tasks.is_empty());
    // Nothing logged yet (with no medication, taking them is trivially on track).
    assert!(
        j.tasks
            .iter()
            .filter(|t| t.kind != "take_medications")
            .all(|t| !t.done),
        "{:?}",
        j.tasks
    );
    assert!(!j.unread_cards.is_empty());
    assert!(j.unread_cards.iter().all(|c| !c.source.is_empty()));

    let recorded = record.advance_journeys(now).expect("advance");
    assert_eq!(recorded.len(), 1);
    assert!(
        record.advance_journeys(now).expect("again").is_empty(),
        "a decision is recorded once"
    );
    let steps = record.journey_steps(&journey.id).expect("steps");
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].kind, StepKind::Stage);
    let today = record.today(now, "Europe/Berlin").expect("today");
    assert!(today.journeys[0].pending.is_empty());

    // Reading a card takes it off the list; reading it again changes nothing.
    let card = today.journeys[0].unread_cards[0].id.clone();
    record
        .read_card(&journey.id, &card, at("2026-11-02T10:05:00+01:00"))
        .expect("read");
    record
        .read_card(&journey.id, &card, at("2026-11-02T10:06:00+01:00"))
        .expect("read again");
    let today = record.today(now, "Europe/Berlin").expect("today");
    assert!(today.journeys[0].unread_cards.iter().all(|c| c.id != card));
    assert!(matches!(
        record.read_card(&journey.id, "no-such-card", start),
        Err(Error::NotFound { entity: "card" })
    ));

    // The task to log blood pressure counts home readings, not one taken at the office.
    let bp = |setting| {
        let mut r = Reading::new(
            Measurement::BloodPressure {
                systolic: 132,
                diastolic: 84,
                pulse: None,
            },
            at("2026-11-02T09:30:00+01:00"),
        )
        .expect("reading");
        r.setting = setting;
        r
    };
    record
        .record_reading(&bp(Some(companion_core::model::BpSetting::Office)))
        .expect("office");
    record.record_reading(&bp(None)).expect("home");
    let task = record.today(now, "Europe/Berlin").expect("today").journeys[0]
        .tasks
        .iter()
        .find(|t| t.kind == "log_reading" && t.refers_to.as_deref() == Some("blood_pressure"))
        .expect("the blood-pressure task")
        .clone();
    assert_eq!(task.count, Some(1), "{task:?}");

    // Stopping takes it off the home screen and keeps its steps.
    let stopped = record
        .stop_journey(&journey.id, at("2026-11-03T09:00:00+01:00"))
        .expect("stop");
    assert!(stopped.stopped_at.is_some());
    let later = utc("2026-11-03T10:00:00+01:00");
    assert!(
        record
            .today(later, "Europe/Berlin")
            .expect("today")
            .journeys
            .is_empty()
    );
    assert_eq!(record.journeys(true).expect("all").len(), 1);
    assert!(record.journeys(false).expect("running").is_empty());
    assert_eq!(record.journey_steps(&journey.id).expect("steps").len(), 2);
}

#[test]
fn two_replicas_advancing_the_same_journey_converge_on_one_step_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    phone
        .start_journey("type2-diabetes-90d", at("2026-11-02T09:00:00+01:00"))
        .expect("start");
    let export = phone.replica_export().expect("export");
    let mut tablet = HealthRecord::join(
        &dir.path().join("tablet.db"),
        &keys(&dir.path().join("tablet.db")),
        &export,
    )
    .expect("join");
    let now = utc("2026-11-02T12:00:00+01:00");
    assert_eq!(phone.advance_journeys(now).expect("phone").len(), 1);
    assert_eq!(tablet.advance_journeys(now).expect("tablet").len(), 1);
    let from_tablet = tablet.replica_export().expect("export");
    phone.merge_replica(&from_tablet).expect("merge");
    let journey = &phone.journeys(false).expect("journeys")[0];
    assert_eq!(phone.journey_steps(&journey.id).expect("steps").len(), 1);
    assert!(phone.advance_journeys(now).expect("again").is_empty());
}

#[test]
fn findrisc_is_scored_and_stored_and_bad_answers_store_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let when = at("2026-11-20T18:00:00+01:00");
    let high = record
        .answer_questionnaire("findrisc", &findrisc(true), when)
        .expect("scored");
    assert_eq!(high.band, "very-high");
    assert!(high.see_doctor);
    assert_eq!(high.answers.len(), 8);
    let low = record
        .answer_questionnaire("findrisc", &findrisc(false), when)
        .expect("scored");
    assert_eq!(
        (low.band.as_str(), low.total, low.see_doctor),
        ("low", 0.0, false)
    );

    let mut partial = findrisc(false);
    partial.pop();
    assert!(matches!(
        record.answer_questionnaire("findrisc", &partial, when),
        Err(Error::Answer(_))
    ));
    assert!(matches!(
        record.answer_questionnaire("gad7", &partial, when),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(record.responses(Some("findrisc")).expect("list").len(), 2);
}

#[test]
fn recovery_after_surgery_sets_the_fever_threshold_and_counts_todays_wound_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let journey = record
        .start_journey("surgery-recovery-6w", at("2026-11-10T09:00:00+01:00"))
        .expect("start");
    assert_eq!(
        record.targets().expect("targets").fever_threshold_c,
        Some(38.0)
    );
    let t = Reading::new(
        Measurement::Temperature { celsius: 38.2 },
        at("2026-11-10T20:00:00+01:00"),
    )
    .expect("reading");
    let outcome = record.record_reading(&t).expect("stored");
    assert!(
        outcome.alerts.iter().any(|a| a.kind == AlertKind::Fever),
        "{outcome:?}"
    );

    let evening = utc("2026-11-10T21:00:00+01:00");
    record.advance_journeys(evening).expect("advance");
    let wound = |r: &HealthRecord, now| {
        r.today(now, "Europe/Berlin").expect("today").journeys[0]
            .tasks
            .iter()
            .find(|t| t.kind == "wound_photo")
            .expect("wound task")
            .clone()
    };
    assert!(!wound(&record, evening).done);
    record
        .mark_task_done(
            &journey.id,
            &wound(&record, evening).id,
            at("2026-11-10T20:30:00+01:00"),
        )
        .expect("done");
    assert!(wound(&record, evening).done);
    // A daily task: tomorrow it is to do again.
    assert!(!wound(&record, evening + Duration::days(1)).done);
    let temp = record
        .today(evening, "Europe/Berlin")
        .expect("today")
        .journeys[0]
        .tasks
        .iter()
        .find(|t| t.kind == "log_reading")
        .expect("temperature task")
        .clone();
    assert_eq!(temp.count, Some(1));
}

#[test]
fn a_clinic_template_is_checked_and_stored_and_a_built_in_id_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let builtin: serde_json::Value = serde_json::from_str(include_str!(
        "../src/journey/templates/hypertension-12w.json"
    ))
    .expect("json");
    assert!(matches!(
        record.add_template(&builtin.to_string()),
        Err(Error::AlreadyExists { .. })
    ));
    let mut clinic = builtin.clone();
    clinic["id"] = "clinic-bp".into();
    clinic["author"] = "Praxis Dr. Weber".into();
    let mut broken = clinic.clone();
    broken["stages"][0]["expected_days"] = 0.into();
    match record.add_template(&broken.to_string()) {
        Err(Error::Template(e)) => {
            assert!(e.to_string().contains("stages[0].expected_days"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    record.add_template(&clinic.to_string()).expect("stored");
    let ids: Vec<String> = record
        .journey_templates()
        .expect("templates")
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids.last().map(String::as_str), Some("clinic-bp"));
    record
        .start_journey("clinic-bp", at("2026-11-02T09:00:00+01:00"))
        .expect("start the clinic's journey");
}

#[test]
fn a_patient_away_for_40_days_gets_one_check_in_planned_as_a_nudge_then_silence() {
    use companion_core::reminders::NotificationKind;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    record
        .start_journey("hypertension-12w", at("2026-08-03T09:00:00+02:00"))
        .expect("start");
    for day in 0..7 {
        let when = at("2026-08-03T08:00:00+02:00") + Duration::days(day);
        record
            .add_reading(&common::bp(128, 82, &when.to_rfc3339()))
            .expect("reading");
    }
    // The check-up the journey asks for is booked, so only the lapse speaks.
    let visit = companion_core::model::Appointment::new(at("2026-10-30T10:00:00+01:00"), "GP")
        .expect("appointment");
    record.add_appointment(&visit).expect("booked");
    let mut check_ins = Vec::new();
    let noon = utc("2026-08-03T12:00:00+02:00");
    for day in 0..47 {
        let now = noon + Duration::days(day);
        for d in record.advance_journeys(now).expect("advance") {
            if let Decision::CheckIn { reason, .. } = d.decision {
                check_ins.push((day, reason));
                let plan = record
                    .plan_reminders(now, "Europe/Berlin", Duration::days(2), 64)
                    .expect("plan");
                assert_eq!(
                    plan.iter()
                        .filter(|n| n.kind == NotificationKind::Nudge)
                        .count(),
                    1,
                    "{plan:?}"
                );
            }
        }
    }
    // The last reading was on day 6: one check-in on day 36, then nothing more.
    assert_eq!(check_ins, vec![(36, CheckInReason::Inactive)]);
    // Back on day 47: the next lapse would be 30 days on, not before.
    let back = at("2026-09-19T08:00:00+02:00");
    record
        .add_reading(&common::bp(126, 80, &back.to_rfc3339()))
        .expect("reading");
    for day in 47..76 {
        let now = noon + Duration::days(day);
        assert!(
            record
                .advance_journeys(now)
                .expect("advance")
                .iter()
                .all(|d| !matches!(d.decision, Decision::CheckIn { .. })),
            "day {day}"
        );
    }
}

#[test]
fn moods_are_averaged_per_week_and_per_stage_and_shown_in_the_report() {
    use companion_core::TimeRange;
    use companion_core::model::JournalEntry;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    // Monday 2 November 2026.
    record
        .start_journey("surgery-recovery-6w", at("2026-11-02T09:00:00+01:00"))
        .expect("start");
    record
        .advance_journeys(utc("2026-11-02T10:00:00+01:00"))
        .expect("first stage");
    for (day, mood) in [(0, 2), (1, 2), (3, 3), (8, 4), (9, 5)] {
        let when = at("2026-11-02T20:00:00+01:00") + Duration::days(day);
        record
            .add_journal_entry(
                &JournalEntry::new(when, "evening", Some(mood), Vec::new()).expect("entry"),
            )
            .expect("written");
    }
    // The first stage ends after 7 days: the recovery stage is entered on day 8's advance.
    record
        .advance_journeys(utc("2026-11-10T08:00:00+01:00"))
        .expect("advance");
    let curve = record.mood_curve(TimeRange::ALL).expect("curve");
    let weeks: Vec<(String, f64, u32)> = curve
        .weeks
        .iter()
        .map(|w| (w.week_start.to_string(), w.mean, w.entries))
        .collect();
    assert_eq!(
        weeks,
        vec![
            ("2026-11-02".to_string(), 7.0 / 3.0, 3),
            ("2026-11-09".to_string(), 4.5, 2)
        ]
    );
    let stages: Vec<(&str, f64)> = curve
        .stages
        .iter()
        .map(|s| (s.stage.as_str(), s.mean))
        .collect();
    assert_eq!(stages, vec![("first-days", 7.0 / 3.0), ("recovery", 4.5)]);
    let html = record
        .report_html(
            utc("2026-10-20T00:00:00+01:00"),
            utc("2026-11-20T00:00:00+01:00"),
            utc("2026-11-20T00:00:00+01:00"),
            "Europe/Berlin",
            None,
        )
        .expect("report");
    assert!(
        html.contains(r#"<section id="mood">"#),
        "the report shows the mood curve"
    );
    assert!(html.contains("2.3 / 5") && html.contains("4.5 / 5"));
}
