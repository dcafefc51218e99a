//! Named reminder scenarios, through the record (real SQLite files) and the pure planner.

mod common;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use common::{at, metformin, new_record};
use companion_core::model::{
    AsNeededLimits, DoseAmount, DoseEvent, DoseStatus, Inventory, MeasurementPlan, Medication,
    MedicationStatus, Refill, Schedule, TaperStep, TimeZonePolicy,
};
use companion_core::reminders::{
    DoseState, Importance, LateDoseAdvice, NotificationKind, late_dose_advice, zone,
};
use companion_core::{DoseLimit, Error, HealthRecord};

fn utc(s: &str) -> DateTime<Utc> {
    at(s).to_utc()
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

fn daily(name: &str, times: &[(u32, u32)], start: NaiveDate) -> Medication {
    let schedule = Schedule::FixedTimes {
        times: times.iter().map(|(h, m)| t(*h, *m)).collect(),
    };
    let mut m = Medication::new(
        name,
        DoseAmount::parse("1 tablet").expect("dose"),
        schedule,
        start,
    )
    .expect("med");
    m.recorded_at = None;
    m
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn dose_fires(
    record: &HealthRecord,
    now: &str,
    zone: &str,
    hours: i64,
) -> Vec<(DateTime<Utc>, String)> {
    record
        .plan_reminders(utc(now), zone, Duration::hours(hours), 64)
        .expect("plan")
        .into_iter()
        .filter(|n| n.kind == NotificationKind::Dose)
        .map(|n| (n.fire_at, n.body))
        .collect()
}

#[test]
fn a_trip_berlin_new_york_tokyo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let local = daily("Metformin", &[(8, 0)], date(2026, 1, 1));
    let mut fixed = daily("Levothyroxine", &[(8, 0)], date(2026, 1, 1));
    fixed.time_zone = TimeZonePolicy::Fixed {
        zone: "Europe/Berlin".into(),
    };
    record.add_medication(&local).expect("add");
    record.add_medication(&fixed).expect("add");

    // In Berlin (CET, UTC+1) both fire together at 08:00 local = 07:00 UTC, in one notification.
    let berlin = dose_fires(&record, "2026-02-10T06:00:00Z", "Europe/Berlin", 12);
    assert_eq!(berlin.len(), 1);
    assert_eq!(berlin[0].0, utc("2026-02-10T07:00:00Z"));
    assert!(berlin[0].1.contains("Metformin") && berlin[0].1.contains("Levothyroxine"));

    // In New York (EST, UTC-5): the local one at 08:00 New York time (13:00 UTC), the fixed one
    // still at 07:00 UTC (02:00 in New York).
    let ny = dose_fires(&record, "2026-02-11T05:00:00Z", "America/New_York", 24);
    assert_eq!(
        ny.iter().map(|f| f.0).collect::<Vec<_>>(),
        vec![utc("2026-02-11T07:00:00Z"), utc("2026-02-11T13:00:00Z")]
    );
    assert!(ny[0].1.starts_with("Levothyroxine") && ny[1].1.starts_with("Metformin"));

    // In Tokyo (UTC+9): the local one at 08:00 Tokyo time (23:00 UTC the day before).
    let tokyo = dose_fires(&record, "2026-02-12T20:00:00Z", "Asia/Tokyo", 24);
    assert_eq!(
        tokyo.iter().map(|f| f.0).collect::<Vec<_>>(),
        vec![utc("2026-02-12T23:00:00Z"), utc("2026-02-13T07:00:00Z")]
    );
    assert!(tokyo[0].1.starts_with("Metformin") && tokyo[1].1.starts_with("Levothyroxine"));
}

#[test]
fn the_soonest_64_of_20_medications_are_planned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    for i in 0..20u32 {
        let m = daily(
            &format!("Med {i:02}"),
            &[(6 + i % 5, i), (12, 30 + i), (20, i)],
            date(2026, 1, 1),
        );
        record.add_medication(&m).expect("add");
    }
    let now = utc("2026-03-02T10:00:00Z");
    let plan = record
        .plan_reminders(now, "Europe/Berlin", Duration::days(14), 64)
        .expect("plan");
    assert_eq!(plan.len(), 64);
    let all = record
        .plan_reminders(now, "Europe/Berlin", Duration::days(14), 100_000)
        .expect("plan");
    assert!(all.len() > 64 * 5);
    assert_eq!(plan[..], all[..64], "the plan is the soonest prefix");
    assert!(plan.windows(2).all(|w| w[0].fire_at <= w[1].fire_at));
    assert!(plan.iter().all(|n| n.fire_at >= now));
    // Ids are stable: planning again gives the same ids.
    let again = record
        .plan_reminders(now, "Europe/Berlin", Duration::days(14), 64)
        .expect("plan");
    assert_eq!(
        plan.iter().map(|n| &n.id).collect::<Vec<_>>(),
        again.iter().map(|n| &n.id).collect::<Vec<_>>()
    );
    // Dose notifications are time-sensitive with take, snooze and skip.
    let dose = plan
        .iter()
        .find(|n| n.kind == NotificationKind::Dose)
        .expect("a dose");
    assert_eq!(dose.importance, Importance::TimeSensitive);
    assert_eq!(dose.actions.len(), 3);
}

#[test]
fn a_dose_taken_late_snoozed_twice_and_missed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let med = metformin(); // 08:00 and 20:00, grace 60 min
    record.add_medication(&med).expect("add");
    let morning = at("2026-03-02T08:00:00+01:00");
    let evening = at("2026-03-02T20:00:00+01:00");
    let zone = "Europe/Berlin";

    // Taken late: at 10:30, 2.5 h after.
    let mut taken = DoseEvent::new(
        &med.id,
        DoseStatus::Taken,
        at("2026-03-02T10:30:00+01:00"),
        Some(morning),
    )
    .expect("dose");
    taken.logged_by = Some("Ben".into());
    record.log_dose(&taken).expect("log");

    // Evening dose snoozed twice: 20:05 until 20:20, then 20:20 until 20:50.
    let snooze = |at_s: &str, until: &str| {
        DoseEvent::snooze(&med.id, at(at_s), evening, at(until)).expect("snooze")
    };
    record
        .log_dose(&snooze(
            "2026-03-02T20:05:00+01:00",
            "2026-03-02T20:20:00+01:00",
        ))
        .expect("snooze");
    record
        .log_dose(&snooze(
            "2026-03-02T20:20:00+01:00",
            "2026-03-02T20:50:00+01:00",
        ))
        .expect("snooze");
    let today = record
        .today(utc("2026-03-02T20:30:00+01:00"), zone)
        .expect("today");
    assert!(
        matches!(today.snoozed[0].state, DoseState::Snoozed { until } if until == at("2026-03-02T20:50:00+01:00"))
    );
    // The planner re-fires it at the end of the second snooze.
    let fires = dose_fires(&record, "2026-03-02T19:30:00Z", zone, 2);
    assert_eq!(fires[0].0, utc("2026-03-02T20:50:00+01:00"));
    // At 21:00 it is due again; by 21:51 (grace after the last snooze) it is missed.
    let today = record
        .today(utc("2026-03-02T21:00:00+01:00"), zone)
        .expect("today");
    assert_eq!(today.due.len(), 1);
    let missed = record
        .missed_doses(
            utc("2026-03-02T00:00:00+01:00"),
            utc("2026-03-02T21:51:00+01:00"),
            zone,
        )
        .expect("missed");
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0].occurrence.at, evening.to_utc());

    let adherence = record
        .adherence(
            utc("2026-03-02T00:00:00+01:00"),
            utc("2026-03-03T00:00:00+01:00"),
            utc("2026-03-03T00:00:00+01:00"),
            zone,
        )
        .expect("adherence");
    let a = &adherence[0];
    assert_eq!((a.counted, a.taken, a.on_time, a.missed), (2, 1, 0, 1));
    assert_eq!(a.share_taken, Some(0.5));
    assert_eq!(a.share_on_time, Some(0.0));
    // The scheduled vs actual column.
    assert!(
        matches!(a.doses[0].state, DoseState::Taken { at, on_time: false, .. } if at == taken.at)
    );
}

#[test]
fn late_dose_advice_never_doubles_up() {
    let scheduled = utc("2026-03-02T08:00:00Z");
    let next = Some(utc("2026-03-02T20:00:00Z"));
    let policy = companion_core::model::LateDosePolicy::HalfInterval;
    assert_eq!(
        late_dose_advice(policy, scheduled, next, utc("2026-03-02T13:59:00Z")),
        LateDoseAdvice::TakeNow
    );
    assert_eq!(
        late_dose_advice(policy, scheduled, next, utc("2026-03-02T14:00:00Z")),
        LateDoseAdvice::SkipAndWait
    );
    let within = companion_core::model::LateDosePolicy::Within { minutes: 120 };
    assert_eq!(
        late_dose_advice(within, scheduled, next, utc("2026-03-02T10:01:00Z")),
        LateDoseAdvice::SkipAndWait
    );
    use companion_core::model::Language;
    for advice in [LateDoseAdvice::TakeNow, LateDoseAdvice::SkipAndWait] {
        let en = advice.text(Language::English);
        assert!(en.contains("pharmacist or doctor"));
        assert!(!en.to_lowercase().contains("take two"));
        assert!(
            advice
                .text(Language::SimplifiedChinese)
                .contains("药师或医生")
        );
    }
    assert!(
        LateDoseAdvice::SkipAndWait
            .text(Language::English)
            .contains("Do not take a double dose")
    );
    assert!(
        LateDoseAdvice::SkipAndWait
            .text(Language::SimplifiedChinese)
            .contains("不要为了补上而服用双倍剂量")
    );
}

#[test]
fn an_as_needed_dose_over_its_maximum_is_refused_unless_confirmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let mut prn = metformin();
    prn.name = "Paracetamol".into();
    prn.schedule = Schedule::AsNeeded(AsNeededLimits {
        max_per_day: 2,
        min_interval_minutes: 360,
    });
    record.add_medication(&prn).expect("add");
    let take = |s: &str| DoseEvent::new(&prn.id, DoseStatus::Taken, at(s), None).expect("dose");
    record
        .log_dose(&take("2026-03-02T08:00:00+01:00"))
        .expect("first");
    assert!(matches!(
        record.log_dose(&take("2026-03-02T12:00:00+01:00")),
        Err(Error::DoseLimit {
            limit: DoseLimit::MinimumInterval { minutes: 360 },
            ..
        })
    ));
    record
        .log_dose(&take("2026-03-02T14:00:00+01:00"))
        .expect("second");
    let third = take("2026-03-02T22:00:00+01:00");
    let err = record.log_dose(&third).expect_err("over the maximum");
    assert!(matches!(
        err,
        Error::DoseLimit {
            limit: DoseLimit::DailyMaximum { max: 2 },
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "this dose would go beyond the daily maximum of 2 doses; confirm to log it anyway"
    );
    let mut confirmed = third.clone();
    confirmed.confirmed_over_limit = true;
    record.log_dose(&confirmed).expect("confirmed");
    let stored = record
        .doses(Some(&prn.id), companion_core::TimeRange::ALL)
        .expect("doses");
    assert_eq!(stored.len(), 3);
    assert!(stored.iter().any(|d| d.confirmed_over_limit));
    // The next day starts a new count.
    record
        .log_dose(&take("2026-03-03T08:00:00+01:00"))
        .expect("next day");
}

#[test]
fn run_out_projection_with_a_tapering_schedule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let tablet = |mg: &str| DoseAmount::parse(mg).expect("dose");
    let schedule = Schedule::Tapering {
        steps: vec![
            TaperStep {
                days: 3,
                dose: tablet("40 mg"),
                times: vec![t(8, 0)],
            },
            TaperStep {
                days: 3,
                dose: tablet("20 mg"),
                times: vec![t(8, 0)],
            },
            TaperStep {
                days: 5,
                dose: tablet("10 mg"),
                times: vec![t(8, 0)],
            },
        ],
    };
    let mut med =
        Medication::new("Prednisolone", tablet("10 mg"), schedule, date(2026, 3, 1)).expect("med");
    med.recorded_at = None;
    // 20 tablets of 10 mg on hand the evening before: 4+4+4 + 2+2+2 = 18 used in six days, then
    // one a day: the 8th of March uses the last, so it runs out on the 9th.
    med.inventory = Some(Inventory {
        count: 20.0,
        counted_at: at("2026-02-28T20:00:00+01:00"),
        per_dose: 1.0,
    });
    med.refill_days_ahead = 3;
    record.add_medication(&med).expect("add");
    let now = utc("2026-02-28T21:00:00+01:00");
    let status = record.refill_status(now, "Europe/Berlin").expect("status");
    assert_eq!(status[0].runs_out_on, Some(date(2026, 3, 9)));
    assert_eq!(status[0].remind_on, Some(date(2026, 3, 6)));

    // Two doses taken use 8 tablets; a refill of 10 adds them: the run-out moves by 10 days... to
    // the 9th (taper ends on the 11th: days 9-11 need 3, and 12 are left).
    for day in [1, 2] {
        let d = at(&format!("2026-03-0{day}T08:00:00+01:00"));
        record
            .log_dose(&DoseEvent::new(&med.id, DoseStatus::Taken, d, Some(d)).expect("dose"))
            .expect("log");
    }
    record
        .log_refill(&Refill::new(&med.id, at("2026-03-02T12:00:00+01:00"), 10.0).expect("refill"))
        .expect("refill");
    // A medication whose supply is not tracked takes no refill.
    let mut untracked = med.clone();
    untracked.id = companion_core::model::new_id();
    untracked.inventory = None;
    record.add_medication(&untracked).expect("add");
    let err = record
        .log_refill(
            &Refill::new(&untracked.id, at("2026-03-02T12:00:00+01:00"), 10.0).expect("refill"),
        )
        .expect_err("refused");
    assert!(err.to_string().contains("not tracked"), "{err}");
    let status = record
        .refill_status(utc("2026-03-02T13:00:00+01:00"), "Europe/Berlin")
        .expect("status");
    assert_eq!(status[0].on_hand, 22.0);
    assert_eq!(
        status[0].runs_out_on, None,
        "22 tablets cover the rest of the taper (4+6+5 = 15)"
    );

    // The refill reminder fires at 10:00 local on its day.
    let mut short = daily("Ramipril", &[(8, 0)], date(2026, 3, 1));
    short.inventory = Some(Inventory {
        count: 5.0,
        counted_at: at("2026-03-01T07:00:00+01:00"),
        per_dose: 1.0,
    });
    record.add_medication(&short).expect("add");
    let plan = record
        .plan_reminders(
            utc("2026-03-01T07:30:00+01:00"),
            "Europe/Berlin",
            Duration::days(7),
            64,
        )
        .expect("plan");
    let refill = plan
        .iter()
        .find(|n| n.kind == NotificationKind::Refill)
        .expect("refill reminder");
    // 5 tablets: 1st..5th of March; runs out on the 6th; reminder from the 3rd at 10:00.
    assert_eq!(refill.fire_at, utc("2026-03-03T10:00:00+01:00"));
    assert!(refill.body.contains("2026-03-06"));
}

#[test]
fn a_schedule_edited_mid_day_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let med = daily("Metformin", &[(8, 0), (20, 0)], date(2026, 3, 1));
    record.add_medication(&med).expect("add");
    let morning = at("2026-03-02T08:00:00+01:00");
    record
        .log_dose(
            &DoseEvent::new(&med.id, DoseStatus::Taken, morning, Some(morning)).expect("dose"),
        )
        .expect("log");
    // At 13:00 the clinician moves it to 09:00 and 21:00.
    let mut edited = record.medication(&med.id).expect("get");
    edited.schedule = Schedule::FixedTimes {
        times: vec![t(9, 0), t(21, 0)],
    };
    record
        .update_medication_at(&edited, utc("2026-03-02T13:00:00+01:00"))
        .expect("edit");
    let stored = record.medication(&med.id).expect("get");
    assert_eq!(stored.history.len(), 1);

    let day = record
        .adherence(
            utc("2026-03-02T00:00:00+01:00"),
            utc("2026-03-03T00:00:00+01:00"),
            utc("2026-03-03T12:00:00+01:00"),
            "Europe/Berlin",
        )
        .expect("adherence");
    let slots: Vec<String> = day[0]
        .doses
        .iter()
        .map(|d| d.occurrence.slot.format("%H:%M").to_string())
        .collect();
    assert_eq!(
        slots,
        vec!["08:00", "21:00"],
        "the morning dose under the old schedule, the evening one under the new"
    );
    assert_eq!((day[0].taken, day[0].missed), (1, 1));
    // The next day follows the new schedule only.
    let next = dose_fires(&record, "2026-03-03T00:00:00+01:00", "Europe/Berlin", 24);
    assert_eq!(
        next.iter().map(|f| f.0).collect::<Vec<_>>(),
        vec![
            utc("2026-03-03T09:00:00+01:00"),
            utc("2026-03-03T21:00:00+01:00")
        ]
    );
}

#[test]
fn a_paused_medication_does_not_replay_its_doses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let med = daily("Metformin", &[(8, 0)], date(2026, 3, 1));
    record.add_medication(&med).expect("add");
    record
        .set_medication_status_at(
            &med.id,
            MedicationStatus::Paused,
            utc("2026-03-02T12:00:00Z"),
        )
        .expect("pause");
    assert!(dose_fires(&record, "2026-03-03T00:00:00Z", "Europe/Berlin", 48).is_empty());
    record
        .set_medication_status_at(
            &med.id,
            MedicationStatus::Active,
            utc("2026-03-05T12:00:00Z"),
        )
        .expect("resume");
    let missed = record
        .missed_doses(
            utc("2026-03-01T00:00:00Z"),
            utc("2026-03-06T12:00:00Z"),
            "Europe/Berlin",
        )
        .expect("missed");
    let days: Vec<u32> = missed
        .iter()
        .map(|d| chrono::Datelike::day(&d.occurrence.slot))
        .collect();
    assert_eq!(
        days,
        vec![1, 2, 6],
        "nothing is missed while paused (the 3rd to the 5th)"
    );
}

#[test]
fn appointments_and_measurement_plans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let visit = companion_core::model::Appointment::new(
        at("2026-03-10T10:00:00+01:00"),
        "Blood pressure check",
    )
    .expect("visit");
    record.add_appointment(&visit).expect("add");
    record
        .add_measurement_plan(&MeasurementPlan::home_blood_pressure_before(date(
            2026, 3, 10,
        )))
        .expect("plan");
    let plan = record
        .plan_reminders(
            utc("2026-03-01T00:00:00+01:00"),
            "Europe/Berlin",
            Duration::days(14),
            64,
        )
        .expect("plan");
    let appts: Vec<DateTime<Utc>> = plan
        .iter()
        .filter(|n| n.kind == NotificationKind::Appointment)
        .map(|n| n.fire_at)
        .collect();
    assert_eq!(
        appts,
        vec![
            utc("2026-03-09T18:00:00+01:00"),
            utc("2026-03-10T08:00:00+01:00")
        ]
    );
    let measures: Vec<&companion_core::reminders::PlannedNotification> = plan
        .iter()
        .filter(|n| n.kind == NotificationKind::Measurement)
        .collect();
    assert_eq!(measures.len(), 14, "7 days, morning and evening");
    assert_eq!(measures[0].fire_at, utc("2026-03-03T07:00:00+01:00"));
    assert_eq!(measures[13].fire_at, utc("2026-03-09T19:00:00+01:00"));
}

#[test]
fn nudges_respect_quiet_hours_and_the_budget_but_doses_do_not() {
    use companion_core::model::Profile;
    use companion_core::reminders::{Nudge, PlanInput, plan};
    let profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    let late = daily("Night med", &[(23, 30)], date(2026, 3, 1));
    let nudges: Vec<Nudge> = (0..10)
        .map(|i| Nudge {
            id: format!("n{i}"),
            at: utc("2026-03-02T23:00:00+01:00") + Duration::hours(i * 3),
            title: "Check in".into(),
            body: "How are you?".into(),
        })
        .collect();
    let meds = [late];
    let input = PlanInput {
        audience: companion_core::reminders::Audience::Patient,
        profile: &profile,
        medications: &meds,
        doses: &[],
        refills: &[],
        appointments: &[],
        plans: &[],
        nudges: &nudges,
        alerts: &[],
    };
    let zone: companion_core::zone::Zone = "Europe/Berlin".parse().expect("zone");
    let out = plan(
        &input,
        utc("2026-03-02T12:00:00+01:00"),
        &zone,
        Duration::days(3),
        500,
    );
    let kept: Vec<&companion_core::reminders::PlannedNotification> = out
        .iter()
        .filter(|n| n.kind == NotificationKind::Nudge)
        .collect();
    assert_eq!(kept.len(), 5, "the weekly budget");
    for n in &kept {
        let hour = chrono::Timelike::hour(&zone::local(&zone, n.fire_at));
        assert!((7..22).contains(&hour), "{}", n.fire_at);
    }
    assert_eq!(
        kept[0].fire_at,
        utc("2026-03-03T07:00:00+01:00"),
        "23:00 moves to the end of quiet hours"
    );
    let doses: Vec<DateTime<Utc>> = out
        .iter()
        .filter(|n| n.kind == NotificationKind::Dose)
        .map(|n| n.fire_at)
        .collect();
    assert!(
        doses.contains(&utc("2026-03-02T23:30:00+01:00")),
        "a dose in quiet hours still fires"
    );
}

#[test]
fn a_medication_added_at_noon_has_no_missed_morning_dose() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let mut m = daily("Metformin", &[(8, 0), (20, 0)], date(2026, 3, 2));
    m.recorded_at = Some(utc("2026-03-02T12:00:00+01:00"));
    record.add_medication(&m).expect("add");
    let missed = record
        .missed_doses(
            utc("2026-03-02T00:00:00+01:00"),
            utc("2026-03-02T23:00:00+01:00"),
            "Europe/Berlin",
        )
        .expect("missed");
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0].occurrence.at, utc("2026-03-02T20:00:00+01:00"));
}

#[test]
fn a_dose_logged_without_its_time_answers_the_nearest_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let m = daily("Metformin", &[(8, 0), (20, 0)], date(2026, 3, 1));
    record.add_medication(&m).expect("add");
    let answer = |record: &HealthRecord, now: &str| {
        record
            .dose_to_answer(&m.id, utc(now), "Europe/Berlin")
            .expect("answer")
    };
    // Due (within the grace window): that one.
    assert_eq!(
        answer(&record, "2026-03-02T08:30:00+01:00"),
        Some(utc("2026-03-02T08:00:00+01:00"))
    );
    // Early, within two hours: the coming one.
    assert_eq!(
        answer(&record, "2026-03-02T18:30:00+01:00"),
        Some(utc("2026-03-02T20:00:00+01:00"))
    );
    // Late, after the grace window: the missed one.
    assert_eq!(
        answer(&record, "2026-03-02T13:00:00+01:00"),
        Some(utc("2026-03-02T08:00:00+01:00"))
    );
    // Once it is taken, a later take still answers it, so that the take is refused as a
    // second one (issue 27: it was logged silently as an extra dose).
    let d = at("2026-03-02T08:00:00+01:00");
    record
        .log_dose(
            &DoseEvent::new(
                &m.id,
                DoseStatus::Taken,
                at("2026-03-02T08:10:00+01:00"),
                Some(d),
            )
            .expect("dose"),
        )
        .expect("log");
    assert_eq!(
        answer(&record, "2026-03-02T13:00:00+01:00"),
        Some(utc("2026-03-02T08:00:00+01:00"))
    );
}

fn occurrences_of(m: &Medication, taken: &[(&str, &str)], from: &str, to: &str) -> Vec<String> {
    use companion_core::reminders::{OccurrenceContext, occurrences};
    let mut map = std::collections::HashMap::new();
    for (id, when) in taken {
        map.entry(id.to_string())
            .or_insert_with(Vec::new)
            .push(utc(when));
    }
    let ctx = OccurrenceContext {
        device_zone: "Europe/Berlin".parse().expect("zone"),
        zones: &[],
        meal_times: Default::default(),
        taken: &map,
    };
    occurrences(m, &ctx, utc(from), utc(to))
        .into_iter()
        .map(|o| o.slot.format("%d %H:%M").to_string())
        .collect()
}

#[test]
fn interval_windows_linked_doses_and_meals() {
    let mut every4 = daily("Antibiotic", &[(8, 0)], date(2026, 3, 1));
    every4.schedule = Schedule::EveryNHours {
        hours: 4,
        first: t(8, 0),
        from_last_taken: false,
        window: Some(companion_core::model::DailyWindow {
            start: t(8, 0),
            end: t(20, 0),
        }),
    };
    assert_eq!(
        occurrences_of(
            &every4,
            &[],
            "2026-03-02T00:00:00+01:00",
            "2026-03-03T00:00:00+01:00"
        ),
        vec!["02 08:00", "02 12:00", "02 16:00", "02 20:00"]
    );

    // Counted from the last dose taken: taken at 09:30, the next is due at 13:30.
    let mut from_last = every4.clone();
    from_last.schedule = Schedule::EveryNHours {
        hours: 4,
        first: t(8, 0),
        from_last_taken: true,
        window: None,
    };
    let id = from_last.id.clone();
    assert_eq!(
        occurrences_of(
            &from_last,
            &[(&id, "2026-03-02T09:30:00+01:00")],
            "2026-03-02T09:00:00+01:00",
            "2026-03-02T18:00:00+01:00"
        ),
        vec!["02 13:30", "02 17:30"]
    );

    // Thirty minutes after the thyroid tablet is taken.
    let mut after = daily("Calcium", &[(8, 0)], date(2026, 3, 1));
    after.schedule = Schedule::AfterDose {
        medication_id: "thyroid".into(),
        offset_minutes: 30,
    };
    assert_eq!(
        occurrences_of(
            &after,
            &[("thyroid", "2026-03-02T06:40:00+01:00")],
            "2026-03-02T00:00:00+01:00",
            "2026-03-03T00:00:00+01:00"
        ),
        vec!["02 07:10"]
    );

    // Fifteen minutes before breakfast and dinner (07:30 and 18:30 by default).
    let mut meals = daily("Insulin", &[(8, 0)], date(2026, 3, 1));
    meals.schedule = Schedule::MealRelative {
        meals: vec![
            companion_core::model::Meal::Breakfast,
            companion_core::model::Meal::Dinner,
        ],
        offset_minutes: -15,
    };
    assert_eq!(
        occurrences_of(
            &meals,
            &[],
            "2026-03-02T00:00:00+01:00",
            "2026-03-03T00:00:00+01:00"
        ),
        vec!["02 07:15", "02 18:15"]
    );

    // A course ends on its end date.
    let mut course = daily("Amoxicillin", &[(8, 0), (20, 0)], date(2026, 3, 1));
    course.end = Some(date(2026, 3, 2));
    assert_eq!(
        occurrences_of(
            &course,
            &[],
            "2026-02-28T00:00:00+01:00",
            "2026-03-05T00:00:00+01:00"
        ),
        vec!["01 08:00", "01 20:00", "02 08:00", "02 20:00"]
    );
}

#[test]
fn reminders_and_alerts_speak_the_record_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let mut profile = record.profile().expect("profile");
    profile.language = companion_core::model::Language::SimplifiedChinese;
    record.set_profile(&profile).expect("set");
    record
        .add_medication(&daily("二甲双胍", &[(8, 0)], date(2026, 3, 1)))
        .expect("add");
    let plan = record
        .plan_reminders(
            utc("2026-03-02T07:00:00+01:00"),
            "Asia/Shanghai",
            Duration::hours(24),
            64,
        )
        .expect("plan");
    let dose = plan
        .iter()
        .find(|n| n.kind == NotificationKind::Dose)
        .expect("dose");
    assert_eq!(dose.title, "该服用二甲双胍了");
    let missed = plan
        .iter()
        .find(|n| n.kind == NotificationKind::MissedDose)
        .expect("missed");
    assert!(missed.body.contains("原定 08:00 服用"), "{}", missed.body);
    let bp = companion_core::model::Measurement::BloodPressure {
        systolic: 190,
        diastolic: 100,
        pulse: None,
    };
    let outcome = record
        .record_reading(
            &companion_core::model::Reading::new(bp, at("2026-03-02T08:00:00+08:00"))
                .expect("reading"),
        )
        .expect("store");
    let text = companion_core::clinical::alerts::render(
        &outcome.alerts[0],
        companion_core::model::Language::SimplifiedChinese,
        &companion_core::model::UnitPreferences::default(),
    );
    assert_eq!(text.title, "血压非常高");
    assert!(text.advice.contains("急救电话"));
}

/// Issue 13: who logged a dose and how late it was reach `today`, adherence and the visit
/// report, in the reader's language.
#[test]
fn who_logged_a_dose_and_how_late_reach_the_report_in_both_languages() {
    let dir = tempfile::tempdir().expect("dir");
    let mut r = new_record(&dir);
    let m = daily("Amlodipine", &[(8, 0)], date(2026, 11, 1));
    r.add_medication(&m).expect("med");
    let mut dose = DoseEvent::new(
        &m.id,
        DoseStatus::Taken,
        at("2026-11-02T08:25:00+01:00"),
        Some(at("2026-11-02T08:00:00+01:00")),
    )
    .expect("dose");
    dose.logged_by = Some("Ben".into());
    r.log_dose(&dose).expect("log");
    let now = utc("2026-11-02T12:00:00+01:00");
    let today = r.today(now, "Europe/Berlin").expect("today");
    let done = today.done.first().expect("the dose taken today");
    assert_eq!(done.minutes_late(), Some(25));
    assert_eq!(done.logged_by(), Some("Ben"));
    let (from, to) = (
        utc("2026-11-01T00:00:00+01:00"),
        utc("2026-11-03T00:00:00+01:00"),
    );
    let en = r
        .report_html(
            from,
            to,
            now,
            "Europe/Berlin",
            Some(companion_core::model::Language::English),
        )
        .expect("report");
    assert!(en.contains("25 min late") && en.contains("by Ben"));
    let zh = r
        .report_html(
            from,
            to,
            now,
            "Europe/Berlin",
            Some(companion_core::model::Language::SimplifiedChinese),
        )
        .expect("report");
    assert!(zh.contains("晚 25 分钟") && zh.contains("由 Ben 记录"));
}
