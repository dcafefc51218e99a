//! Interval schedules as patients are prescribed them (issue 13): inside a daily window each
//! day starts again at the opening, in the zone the medication follows, across clock changes;
//! "from the last dose taken" respects the window; a spring-forward night never puts two doses
//! an hour apart; windows across midnight and intervals in minutes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use companion_core::model::{DailyWindow, DoseAmount, Medication, Schedule, TimeZonePolicy};
use companion_core::reminders::{Occurrence, OccurrenceContext, occurrences, zone};
use companion_core::zone::Zone;

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn med(schedule: Schedule, start: NaiveDate, policy: TimeZonePolicy) -> Medication {
    let mut m = Medication::new(
        "M",
        DoseAmount::parse("1 tablet").expect("dose"),
        schedule,
        start,
    )
    .expect("a valid medication");
    m.time_zone = policy;
    m.recorded_at = None;
    m
}

fn every_hours(hours: u32, window: Option<(NaiveTime, NaiveTime)>, from_last: bool) -> Schedule {
    Schedule::EveryNHours {
        hours,
        first: window.map_or(t(8, 0), |w| w.0),
        from_last_taken: from_last,
        window: window.map(|(start, end)| DailyWindow { start, end }),
    }
}

fn berlin() -> Zone {
    "Europe/Berlin".parse().expect("zone")
}

/// The occurrences of `m` over `days` days from `start` (Berlin midnight), and the takes given.
fn plan(m: &Medication, start: NaiveDate, days: i64, taken: &[DateTime<Utc>]) -> Vec<Occurrence> {
    let tz = berlin();
    let mut by_med = HashMap::new();
    by_med.insert(m.id.clone(), taken.to_vec());
    let ctx = OccurrenceContext {
        device_zone: tz.clone(),
        zones: &[],
        meal_times: Default::default(),
        taken: &by_med,
    };
    let from = zone::resolve(&tz, start.and_time(NaiveTime::MIN));
    let to = zone::resolve(&tz, (start + Duration::days(days)).and_time(NaiveTime::MIN));
    occurrences(m, &ctx, from, to)
}

/// Wall-clock times shown in Berlin, by day.
fn by_day(found: &[Occurrence]) -> BTreeMap<NaiveDate, Vec<NaiveTime>> {
    let tz = berlin();
    let mut out: BTreeMap<NaiveDate, Vec<NaiveTime>> = BTreeMap::new();
    for o in found {
        let shown: NaiveDateTime = zone::local(&tz, o.at);
        out.entry(shown.date()).or_default().push(shown.time());
    }
    out
}

#[test]
fn every_5_hours_between_8_and_20_gives_3_doses_every_day() {
    let m = med(
        every_hours(5, Some((t(8, 0), t(20, 0))), false),
        date(2026, 6, 1),
        TimeZonePolicy::Local,
    );
    let days = by_day(&plan(&m, date(2026, 6, 1), 5, &[]));
    assert_eq!(days.len(), 5);
    for (day, times) in days {
        assert_eq!(times, vec![t(8, 0), t(13, 0), t(18, 0)], "{day}");
    }
}

#[test]
fn every_6_hours_between_8_and_20_in_a_fixed_berlin_zone_keeps_3_doses_across_the_march_change() {
    let m = med(
        every_hours(6, Some((t(8, 0), t(20, 0))), false),
        date(2026, 3, 25),
        TimeZonePolicy::Fixed {
            zone: "Europe/Berlin".into(),
        },
    );
    let days = by_day(&plan(&m, date(2026, 3, 25), 10, &[]));
    assert_eq!(days.len(), 10);
    for (day, times) in days {
        assert_eq!(times, vec![t(8, 0), t(14, 0), t(20, 0)], "{day}");
    }
}

#[test]
fn counted_from_the_last_dose_the_next_day_starts_at_the_window_opening() {
    let m = med(
        every_hours(6, Some((t(8, 0), t(20, 0))), true),
        date(2026, 6, 1),
        TimeZonePolicy::Local,
    );
    let last = zone::resolve(&berlin(), date(2026, 6, 1).and_time(t(18, 10)));
    let days = by_day(&plan(&m, date(2026, 6, 2), 3, &[last]));
    for (day, times) in days {
        assert_eq!(times, vec![t(8, 0), t(14, 0), t(20, 0)], "{day}");
    }
    // A dose taken late inside the window moves the rest of that day, never past its end.
    let late = zone::resolve(&berlin(), date(2026, 6, 2).and_time(t(9, 30)));
    let days = by_day(&plan(&m, date(2026, 6, 2), 2, &[last, late]));
    assert_eq!(days[&date(2026, 6, 2)], vec![t(8, 0), t(15, 30)]);
    assert_eq!(days[&date(2026, 6, 3)], vec![t(8, 0), t(14, 0), t(20, 0)]);
}

#[test]
fn every_2_hours_on_the_spring_forward_night_never_puts_two_doses_an_hour_apart() {
    let m = med(
        every_hours(2, None, false),
        date(2026, 3, 28),
        TimeZonePolicy::Local,
    );
    let found = plan(&m, date(2026, 3, 28), 3, &[]);
    for pair in found.windows(2) {
        assert!(
            pair[1].at - pair[0].at >= Duration::hours(2),
            "{} and {}",
            pair[0].at,
            pair[1].at
        );
    }
    let night = &by_day(&found)[&date(2026, 3, 29)];
    assert!(
        !(night.contains(&t(3, 0)) && night.contains(&t(4, 0))),
        "{night:?}"
    );
    assert_eq!(
        night.len(),
        11,
        "the night lost an hour, and one dose with it"
    );
}

/// Issue 34: a `fixed` medication steps in absolute time inside its window too, so the
/// spring-forward night keeps 2 real hours between doses (not 3 across the skipped hour).
#[test]
fn a_fixed_zone_window_on_the_spring_forward_night_keeps_2_real_hours_between_doses() {
    let m = med(
        every_hours(2, Some((t(22, 0), t(8, 0))), false),
        date(2026, 3, 27),
        TimeZonePolicy::Fixed {
            zone: "Europe/Berlin".into(),
        },
    );
    let found = plan(&m, date(2026, 3, 27), 4, &[]);
    let shown: Vec<NaiveDateTime> = found.iter().map(|o| zone::local(&berlin(), o.at)).collect();
    let night: Vec<NaiveDateTime> = shown
        .iter()
        .copied()
        .filter(|s| {
            *s >= date(2026, 3, 28).and_time(t(22, 0)) && *s <= date(2026, 3, 29).and_time(t(8, 0))
        })
        .collect();
    assert_eq!(
        night,
        vec![
            date(2026, 3, 28).and_time(t(22, 0)),
            date(2026, 3, 29).and_time(t(0, 0)),
            date(2026, 3, 29).and_time(t(3, 0)),
            date(2026, 3, 29).and_time(t(5, 0)),
            date(2026, 3, 29).and_time(t(7, 0)),
        ]
    );
    for pair in found.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap == Duration::hours(2) || gap >= Duration::hours(12),
            "inside a night, 2 real hours apart: {} and {}",
            pair[0].at,
            pair[1].at
        );
    }
}

#[test]
fn a_night_shift_window_across_midnight_gives_the_whole_night() {
    let m = med(
        every_hours(4, Some((t(22, 0), t(6, 0))), false),
        date(2026, 6, 1),
        TimeZonePolicy::Local,
    );
    let found = plan(&m, date(2026, 6, 1), 4, &[]);
    let shown: Vec<NaiveDateTime> = found.iter().map(|o| zone::local(&berlin(), o.at)).collect();
    let night = |d: u32| {
        vec![
            date(2026, 6, d).and_time(t(22, 0)),
            date(2026, 6, d + 1).and_time(t(2, 0)),
            date(2026, 6, d + 1).and_time(t(6, 0)),
        ]
    };
    assert_eq!(&shown[..6], [night(1), night(2)].concat().as_slice());
}

#[test]
fn every_90_minutes_keeps_90_minutes_and_restarts_at_the_window() {
    let m = med(
        Schedule::EveryNMinutes {
            minutes: 90,
            first: t(8, 0),
            from_last_taken: false,
            window: Some(DailyWindow {
                start: t(8, 0),
                end: t(12, 0),
            }),
        },
        date(2026, 6, 1),
        TimeZonePolicy::Local,
    );
    for (day, times) in by_day(&plan(&m, date(2026, 6, 1), 3, &[])) {
        assert_eq!(times, vec![t(8, 0), t(9, 30), t(11, 0)], "{day}");
    }
}

#[test]
fn days_of_the_month_fall_on_the_last_day_of_a_shorter_month() {
    let m = med(
        Schedule::DaysOfMonth {
            days: vec![1, 31],
            times: vec![t(9, 0)],
        },
        date(2026, 1, 1),
        TimeZonePolicy::Local,
    );
    let days: Vec<NaiveDate> = by_day(&plan(&m, date(2026, 1, 1), 120, &[]))
        .into_keys()
        .collect();
    assert_eq!(
        days,
        vec![
            date(2026, 1, 1),
            date(2026, 1, 31),
            date(2026, 2, 1),
            date(2026, 2, 28),
            date(2026, 3, 1),
            date(2026, 3, 31),
            date(2026, 4, 1),
            date(2026, 4, 30),
        ]
    );
}

#[test]
fn every_other_week_on_monday_and_thursday() {
    // 2026-06-03 is a Wednesday: its week's Thursday, then two weeks on.
    let m = med(
        Schedule::EveryNWeeks {
            weeks: 2,
            days: vec![chrono::Weekday::Mon, chrono::Weekday::Thu],
            times: vec![t(8, 0)],
        },
        date(2026, 6, 3),
        TimeZonePolicy::Local,
    );
    let days: Vec<NaiveDate> = by_day(&plan(&m, date(2026, 6, 1), 29, &[]))
        .into_keys()
        .collect();
    assert_eq!(
        days,
        vec![
            date(2026, 6, 4),
            date(2026, 6, 15),
            date(2026, 6, 18),
            date(2026, 6, 29),
        ]
    );
}
