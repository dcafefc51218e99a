//! Travel (issue 13): the record keeps where the patient's phone was, so past doses of a
//! local-time medication are judged in the zone that applied then, and texts give times in the
//! phone's zone now (a fixed-zone medication's home time beside it).

mod common;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use common::{at, new_record};
use companion_core::model::{
    DoseAmount, DoseEvent, DoseStatus, Medication, Schedule, TimeZonePolicy,
};
use companion_core::reminders::{DoseState, NotificationKind};

fn twice_daily() -> Medication {
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("time");
    let mut m = Medication::new(
        "Metformin",
        DoseAmount::parse("500 mg").expect("dose"),
        Schedule::FixedTimes {
            times: vec![t(8), t(20)],
        },
        NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    )
    .expect("med");
    m.recorded_at = None;
    m
}

fn log(r: &mut companion_core::HealthRecord, m: &Medication, due: &str, status: DoseStatus) {
    let d =
        DoseEvent::new(&m.id, status, at(due) + Duration::minutes(3), Some(at(due))).expect("dose");
    r.log_dose(&d).expect("log");
}

#[test]
fn travelling_west_does_not_turn_the_doses_taken_at_home_into_missed_ones() {
    let dir = tempfile::tempdir().expect("dir");
    let mut r = new_record(&dir);
    let m = twice_daily();
    r.add_medication(&m).expect("med");
    log(&mut r, &m, "2026-11-02T08:00:00+01:00", DoseStatus::Taken);
    log(&mut r, &m, "2026-11-02T20:00:00+01:00", DoseStatus::Taken);
    log(&mut r, &m, "2026-11-03T08:00:00+01:00", DoseStatus::Skipped);
    // The phone lands in New York at 12:00 Berlin time and says so.
    assert!(
        r.record_device_zone("America/New_York", at("2026-11-03T12:00:00+01:00").to_utc())
            .expect("zone")
    );
    assert!(
        !r.record_device_zone("America/New_York", at("2026-11-03T13:00:00+01:00").to_utc())
            .expect("zone"),
        "the same zone again writes nothing"
    );
    assert_eq!(r.zone_history().expect("history").len(), 1);
    // 08:30 in New York: nothing from Berlin is missed; the 08:00 New York dose is due.
    let now: DateTime<Utc> = at("2026-11-03T08:30:00-05:00").to_utc();
    let today = r.today(now, "America/New_York").expect("today");
    assert!(today.missed.is_empty(), "{:?}", today.missed);
    let due = &today.due.first().expect("the New York dose").dose;
    assert_eq!(due.occurrence.at, at("2026-11-03T08:00:00-05:00").to_utc());
    // Adherence over the trip: the Berlin doses taken, skipped; judged where they were due.
    let a = r
        .adherence(
            at("2026-11-02T00:00:00+01:00").to_utc(),
            now,
            now,
            "America/New_York",
        )
        .expect("adherence")
        .pop()
        .expect("one medication");
    let states: Vec<&DoseState> = a.doses.iter().map(|d| &d.state).collect();
    assert!(matches!(states[0], DoseState::Taken { .. }));
    assert!(matches!(states[1], DoseState::Taken { .. }));
    assert!(matches!(states[2], DoseState::Skipped { .. }));
    // A dose logged in New York answers the New York occurrence.
    log(&mut r, &m, "2026-11-03T08:00:00-05:00", DoseStatus::Taken);
    // A zone the database does not know is refused, writing nothing.
    assert!(r.record_device_zone("Mars/Olympus", now).is_err());
    assert_eq!(r.zone_history().expect("history").len(), 1);
}

#[test]
fn a_fixed_zone_missed_dose_text_gives_the_phones_time_and_the_home_time_beside_it() {
    let dir = tempfile::tempdir().expect("dir");
    let mut r = new_record(&dir);
    let mut m = twice_daily();
    m.schedule = Schedule::FixedTimes {
        times: vec![NaiveTime::from_hms_opt(22, 0, 0).expect("time")],
    };
    m.time_zone = TimeZonePolicy::Fixed {
        zone: "Europe/Berlin".into(),
    };
    r.add_medication(&m).expect("med");
    let now = at("2026-11-03T15:00:00-05:00").to_utc();
    let plan = r
        .plan_reminders(now, "America/New_York", Duration::hours(24), 64)
        .expect("plan");
    let missed = plan
        .iter()
        .find(|n| n.kind == NotificationKind::MissedDose)
        .expect("a missed-dose follow-up");
    assert!(
        missed.body.contains("16:00 (22:00 Europe/Berlin)"),
        "{}",
        missed.body
    );
}
