//! CGM episodes and sufficiency as the 2023 international consensus on CGM metrics defines
//! them (Battelino et al., Lancet Diabetes Endocrinol 2023; docs/clinical.md), cross-checked
//! against iglu's definitions (`episode_calculation`, `event_class`) on the same traces: an
//! event starts with 15 consecutive minutes beyond its threshold and ends with 15 consecutive
//! minutes back across the same threshold; a sensor gap ends it.

use chrono::{DateTime, Duration, Utc};
use companion_core::clinical::cgm::{Episodes, metrics};
use companion_core::model::{MealContext, Measurement, Reading};
use proptest::prelude::*;

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T00:00:00+01:00")
        .expect("t")
        .to_utc()
}

fn sensor(mg_dl: f64, at: DateTime<Utc>, interval: u16) -> Reading {
    let mut r = Reading::new(
        Measurement::Glucose {
            mg_dl,
            context: MealContext::Random,
        },
        at.fixed_offset(),
    )
    .expect("reading");
    r.sensor_interval_minutes = Some(interval);
    r
}

/// Segments of 5-minute readings, each segment `gap_minutes` after the end of the one before.
fn readings(segments: &[Vec<f64>], gap_minutes: i64) -> Vec<Reading> {
    let mut at = start();
    let mut out = Vec::new();
    for segment in segments {
        for v in segment {
            out.push(sensor(*v, at, 5));
            at += Duration::minutes(5);
        }
        at += Duration::minutes(gap_minutes);
    }
    out
}

fn episodes(segments: &[Vec<f64>], gap_minutes: i64) -> Episodes {
    let r = readings(segments, gap_minutes);
    metrics(&r, start(), start() + Duration::days(30))
        .expect("metrics")
        .episodes
}

/// iglu's `event_class` on one contiguous segment of a regular grid: runs of `level` at least
/// `dur` points long are possible starts, runs of not-`level` at least `end` points long are
/// possible ends (and so is the segment's end); each start is paired with the first possible
/// end after it, and starts sharing an end are one event.
fn iglu_events(segment: &[f64], level: impl Fn(f64) -> bool, dur: usize, end: usize) -> u32 {
    let mut runs: Vec<(bool, usize, usize)> = Vec::new(); // (level, first index, length)
    for (i, v) in segment.iter().enumerate() {
        let l = level(*v);
        match runs.last_mut() {
            Some((rl, _, n)) if *rl == l => *n += 1,
            _ => runs.push((l, i, 1)),
        }
    }
    let starts: Vec<usize> = runs
        .iter()
        .filter(|(l, _, n)| *l && *n >= dur)
        .map(|(_, i, _)| *i)
        .collect();
    let mut ends: Vec<usize> = vec![0];
    ends.extend(
        runs.iter()
            .filter(|(l, _, n)| !*l && *n >= end)
            .map(|(_, i, _)| *i),
    );
    ends.push(segment.len());
    let mut paired: Vec<usize> = starts
        .iter()
        .filter_map(|s| ends.iter().copied().filter(|e| e > s).min())
        .collect();
    paired.dedup();
    paired.len() as u32
}

/// The consensus episodes by iglu's rules, per segment (iglu splits at gaps it does not
/// interpolate, longer than 45 minutes).
fn iglu(segments: &[Vec<f64>]) -> Episodes {
    let count = |level: &dyn Fn(f64) -> bool| -> u32 {
        segments.iter().map(|s| iglu_events(s, level, 3, 3)).sum()
    };
    Episodes {
        hypo_level1: count(&|v| v < 70.0),
        hypo_level2: count(&|v| v < 54.0),
        hyper_level2: count(&|v| v > 250.0),
    }
}

#[test]
fn a_level_2_low_ends_after_15_minutes_at_or_above_54() {
    // 20 minutes at 50, 20 at 60 (level 1, not level 2), 20 at 50 again.
    let day = vec![
        100.0, 100.0, 50.0, 50.0, 50.0, 50.0, 60.0, 60.0, 60.0, 60.0, 50.0, 50.0, 50.0, 50.0,
        100.0, 100.0, 100.0, 100.0,
    ];
    let e = episodes(std::slice::from_ref(&day), 0);
    assert_eq!(
        (e.hypo_level1, e.hypo_level2),
        (1, 2),
        "one level 1 low, two level 2 lows"
    );
    assert_eq!(e, iglu(&[day]));
}

#[test]
fn a_sensor_gap_longer_than_an_episode_ends_it() {
    // Low, then the sensor is off for an hour, then low again: two episodes, not one that
    // lasted through the gap.
    let low = vec![100.0, 50.0, 50.0, 50.0, 50.0];
    let again = vec![50.0, 50.0, 50.0, 50.0, 100.0, 100.0, 100.0];
    let e = episodes(&[low.clone(), again.clone()], 60);
    assert_eq!((e.hypo_level1, e.hypo_level2), (2, 2));
    assert_eq!(e, iglu(&[low, again]));
    // A reading missed (10 minutes without one) does not end it.
    let e = episodes(
        &[vec![100.0, 50.0, 50.0, 50.0, 50.0], vec![50.0, 50.0, 100.0]],
        5,
    );
    assert_eq!(e.hypo_level2, 1);
}

#[test]
fn a_sensor_worn_14_days_with_clock_jitter_is_enough_data() {
    // Timestamps jittered by up to 40 seconds either way, as receivers stamp them.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for run in 0..20 {
        let mut trace = Vec::new();
        for i in 0..14 * 288 {
            let jitter = (next() % 81) as i64 - 40;
            let at = start() + Duration::minutes(5 * i) + Duration::seconds(jitter);
            trace.push(sensor(100.0 + (i % 40) as f64, at, 5));
        }
        let m = metrics(
            &trace,
            start() - Duration::days(1),
            start() + Duration::days(15),
        )
        .expect("metrics");
        assert!(
            m.sufficient,
            "run {run}: {} days, {} % active",
            m.days, m.active_percent
        );
        assert!(m.gmi_percent.is_some() && m.cv_percent.is_some());
    }
    // Thirteen and a half days is still not enough.
    let short: Vec<Reading> = (0..13 * 288 + 144)
        .map(|i| sensor(100.0, start() + Duration::minutes(5 * i), 5))
        .collect();
    let m = metrics(&short, start(), start() + Duration::days(15)).expect("metrics");
    assert!(!m.sufficient, "{} days", m.days);
}

/// Traces built of runs of values near the thresholds, in segments an hour apart.
fn traces() -> impl Strategy<Value = Vec<Vec<f64>>> {
    let value = prop::sample::select(vec![
        40.0, 50.0, 53.9, 54.0, 60.0, 69.9, 70.0, 100.0, 180.0, 250.0, 250.1, 320.0,
    ]);
    let run = (value, 1usize..7).prop_map(|(v, n)| vec![v; n]);
    let segment = prop::collection::vec(run, 1..25).prop_map(|runs| runs.concat());
    prop::collection::vec(segment, 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The same trace gives the same episodes here and by iglu's definitions.
    #[test]
    fn episodes_match_iglus_definitions(segments in traces()) {
        prop_assert_eq!(episodes(&segments, 60), iglu(&segments));
    }
}
