//! Planner benchmark: planning 64 notifications for 20 medications over 14 days, side by side
//! with a baseline that only enumerates the raw occurrences with chrono-tz (every day, every time
//! of day, `from_local_datetime`), sorts them and keeps the soonest 64; once with fixed times
//! only, once with the newer schedule types in the mix (windowed intervals in minutes, a window
//! across midnight, days of the month, every other week).
//!
//! Run: `cargo bench -p companion-core --bench planner`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use companion_core::model::{DailyWindow, DoseAmount, Medication, Profile, Schedule};
use companion_core::reminders::{NotificationKind, PlanInput, plan};
use companion_core::zone::Zone;

const RUNS: usize = 300;

fn main() {
    let zone: Tz = "Europe/Berlin".parse().unwrap();
    // The planner reads the platform's zone database; the baseline uses chrono-tz's tables.
    let device_zone: Zone = "Europe/Berlin".parse().unwrap();
    let profile = Profile::new("Bench", "Europe/Berlin").unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let now: DateTime<Utc> = "2026-03-20T09:00:00Z".parse().unwrap();
    let horizon = Duration::days(14);
    println!("plan 64 notifications, 20 medications, 14 days (mean of {RUNS}):");
    for mixed in [false, true] {
        let meds: Vec<Medication> = (0..20u32).map(|i| medication(i, start, mixed)).collect();
        let input = PlanInput {
            audience: companion_core::reminders::Audience::Patient,
            profile: &profile,
            medications: &meds,
            doses: &[],
            refills: &[],
            appointments: &[],
            plans: &[],
            nudges: &[],
            alerts: &[],
        };
        let baseline = || -> Vec<DateTime<Utc>> {
            let mut all = Vec::new();
            let first = now.with_timezone(&zone).date_naive() - Duration::days(1);
            for m in &meds {
                for day in first.iter_days().take(16) {
                    for slot in slots(&m.schedule, start, day) {
                        if let Some(at) = zone.from_local_datetime(&slot).earliest() {
                            let at = at.to_utc();
                            if at > now && at < now + horizon {
                                all.push(at);
                            }
                        }
                    }
                }
            }
            all.sort();
            all.truncate(64);
            all
        };

        // Warm up, and check both agree on the first dose (the planner also plans missed-dose
        // follow-ups of doses just before now).
        let planned = plan(&input, now, &device_zone, horizon, 64);
        assert_eq!(planned.len(), 64);
        let first_dose = planned
            .iter()
            .find(|n| n.kind == NotificationKind::Dose)
            .map(|n| n.fire_at);
        assert_eq!(first_dose, baseline().first().copied());

        let (mut planner_t, mut base_t) = (StdDuration::ZERO, StdDuration::ZERO);
        for _ in 0..RUNS {
            let t = Instant::now();
            black_box(plan(black_box(&input), now, &device_zone, horizon, 64));
            planner_t += t.elapsed();
            let t = Instant::now();
            black_box(baseline());
            base_t += t.elapsed();
        }
        let (p, b) = (
            planner_t.as_secs_f64() / RUNS as f64,
            base_t.as_secs_f64() / RUNS as f64,
        );
        println!(
            "  {:<34} planner {:>9.1} us   raw chrono-tz occurrences {:>9.1} us   ratio {:.1}x",
            if mixed {
                "fixed times and the new types:"
            } else {
                "fixed times only:"
            },
            p * 1e6,
            b * 1e6,
            p / b
        );
        let key = if mixed { "planner-mixed" } else { "planner" };
        println!("summary {key} {:.1}us {:.2}x", p * 1e6, p / b);
    }
    println!(
        "  (the planner also computes dose states, missed-dose checks with late-dose advice,\n   refills and grouping; the baseline only enumerates instants)"
    );
}

/// Medication `i`: two to four fixed times a day; with `mixed`, every fourth one of the new
/// types instead (every 90 minutes in a window, every 4 hours across midnight, days of the
/// month, every other week on two weekdays).
fn medication(i: u32, start: NaiveDate, mixed: bool) -> Medication {
    let t = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let times: Vec<NaiveTime> = (0..2 + i % 3).map(|k| t(6 + k * 5, i % 60)).collect();
    let schedule = match (mixed, i % 4, i / 4 % 4) {
        (true, 0, 0) => Schedule::EveryNMinutes {
            minutes: 90,
            first: t(7, 0),
            from_last_taken: false,
            window: Some(DailyWindow {
                start: t(7, 0),
                end: t(19, 0),
            }),
        },
        (true, 0, 1) => Schedule::EveryNHours {
            hours: 4,
            first: t(22, 0),
            from_last_taken: false,
            window: Some(DailyWindow {
                start: t(22, 0),
                end: t(6, 0),
            }),
        },
        (true, 0, 2) => Schedule::DaysOfMonth {
            days: vec![1, 21, 31],
            times,
        },
        (true, 0, 3) => Schedule::EveryNWeeks {
            weeks: 2,
            days: vec![Weekday::Mon, Weekday::Thu],
            times,
        },
        _ => Schedule::FixedTimes { times },
    };
    let mut m = Medication::new(
        &format!("Med {i}"),
        DoseAmount::parse("1 tablet").unwrap(),
        schedule,
        start,
    )
    .unwrap();
    m.recorded_at = None;
    m
}

/// The wall-clock slots of `schedule` in the window opening on `day`, enumerated plainly.
fn slots(schedule: &Schedule, start: NaiveDate, day: NaiveDate) -> Vec<NaiveDateTime> {
    let at = |times: &[NaiveTime]| times.iter().map(|t| day.and_time(*t)).collect();
    match schedule {
        Schedule::FixedTimes { times } => at(times),
        Schedule::DaysOfMonth { days, times } => {
            let last =
                (day.with_day(1).unwrap() + chrono::Months::new(1) - Duration::days(1)).day();
            if days
                .iter()
                .any(|d| *d == day.day() || (day.day() == last && *d > last))
            {
                at(times)
            } else {
                Vec::new()
            }
        }
        Schedule::EveryNWeeks { weeks, days, times } => {
            let monday =
                |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
            let week = (monday(day) - monday(start)).num_days() / 7;
            if days.contains(&day.weekday()) && week % i64::from(*weeks) == 0 {
                at(times)
            } else {
                Vec::new()
            }
        }
        Schedule::EveryNMinutes {
            minutes,
            window: Some(w),
            ..
        } => windowed(day, w, Duration::minutes(i64::from(*minutes))),
        Schedule::EveryNHours {
            hours,
            window: Some(w),
            ..
        } => windowed(day, w, Duration::hours(i64::from(*hours))),
        _ => Vec::new(),
    }
}

fn windowed(day: NaiveDate, w: &DailyWindow, step: Duration) -> Vec<NaiveDateTime> {
    let close_day = if w.end <= w.start {
        day + Duration::days(1)
    } else {
        day
    };
    let (mut slot, close) = (day.and_time(w.start), close_day.and_time(w.end));
    let mut out = Vec::new();
    while slot <= close {
        out.push(slot);
        slot += step;
    }
    out
}
