//! Planner benchmark: planning 64 notifications for 20 medications over 14 days, side by side
//! with a baseline that only enumerates the raw occurrences with chrono-tz (every day, every time
//! of day, `from_local_datetime`), sorts them and keeps the soonest 64.
//!
//! Run: `cargo bench -p companion-core --bench planner`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use companion_core::model::{DoseAmount, Medication, Profile, Schedule};
use companion_core::reminders::{PlanInput, plan};
use companion_core::zone::Zone;

const RUNS: usize = 300;

fn main() {
    let zone: Tz = "Europe/Berlin".parse().unwrap();
    // The planner reads the platform's zone database; the baseline uses chrono-tz's tables.
    let device_zone: Zone = "Europe/Berlin".parse().unwrap();
    let profile = Profile::new("Bench", "Europe/Berlin").unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    // 20 medications, two to four doses a day, over the spring-forward transition of 29 March.
    let meds: Vec<Medication> = (0..20u32)
        .map(|i| {
            let times: Vec<NaiveTime> = (0..2 + i % 3)
                .map(|k| NaiveTime::from_hms_opt(6 + k * 5, i % 60, 0).unwrap())
                .collect();
            let mut m = Medication::new(
                &format!("Med {i}"),
                DoseAmount::parse("1 tablet").unwrap(),
                Schedule::FixedTimes { times },
                start,
            )
            .unwrap();
            m.recorded_at = None;
            m
        })
        .collect();
    let now: DateTime<Utc> = "2026-03-20T09:00:00Z".parse().unwrap();
    let horizon = Duration::days(14);
    let input = PlanInput {
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
        let first = now.with_timezone(&zone).date_naive();
        for m in &meds {
            let Schedule::FixedTimes { times } = &m.schedule else {
                continue;
            };
            for day in first.iter_days().take(15) {
                for t in times {
                    if let Some(at) = zone.from_local_datetime(&day.and_time(*t)).earliest() {
                        let at = at.to_utc();
                        if at >= now && at < now + horizon {
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

    // Warm up, and check both agree on the first instant.
    let planned = plan(&input, now, &device_zone, horizon, 64);
    assert_eq!(planned.len(), 64);
    assert_eq!(planned[0].fire_at, baseline()[0]);

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
    println!("plan 64 notifications, 20 medications, 14 days (mean of {RUNS}):");
    println!(
        "  planner {:>9.1} us   raw chrono-tz occurrences {:>9.1} us   ratio {:.1}x",
        p * 1e6,
        b * 1e6,
        p / b
    );
    println!(
        "  (the planner also computes dose states, missed-dose checks with late-dose advice,\n   refills and grouping; the baseline only enumerates instants)"
    );
}
