//! Statistics over readings, each with its source and data-sufficiency rule:
//! the ESH home blood-pressure protocol average, the consensus glucose metrics (time in ranges,
//! GMI, coefficient of variation; Battelino et al., Diabetes Care 2019; Bergenstal et al.,
//! Diabetes Care 2018), summaries and trends per kind, ambulatory glucose profile percentiles,
//! and chart series downsampled for a phone screen.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::zone::Zone;
use chrono::{Duration, NaiveDate, Timelike};
use serde::Serialize;

use crate::model::{Measurement, Reading, ReadingKind};

/// Summary of one kind over a period (primary value: systolic for blood pressure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The kind.
    pub kind: ReadingKind,
    /// Readings.
    pub count: u64,
    /// Mean of the primary value.
    pub mean: f64,
    /// Lowest primary value.
    pub min: f64,
    /// Highest primary value.
    pub max: f64,
    /// Mean of the secondary value (diastolic), when the kind has one.
    pub mean_secondary: Option<f64>,
    /// Lowest secondary value (diastolic).
    pub min_secondary: Option<f64>,
    /// Highest secondary value (diastolic).
    pub max_secondary: Option<f64>,
    /// Least-squares slope of the primary value, per week; only over at least
    /// [`TREND_MIN_DAYS`] and [`TREND_MIN_READINGS`].
    pub trend_per_week: Option<f64>,
}

/// The shortest span a weekly trend is given over: two weeks, so that the slope is measured
/// across weeks rather than extrapolated from one (the home protocol's pair of readings a
/// minute apart would otherwise give thousands of mmHg a week).
pub const TREND_MIN_DAYS: f64 = 14.0;
/// The fewest readings a trend is given from: one outlying pair must not make it.
pub const TREND_MIN_READINGS: usize = 6;

/// Summarizes readings of one kind; `None` when there are none.
pub fn summarize(kind: ReadingKind, readings: &[Reading]) -> Option<Summary> {
    let values: Vec<(f64, f64, Option<f64>)> = readings
        .iter()
        .filter(|r| r.measurement.kind() == kind)
        .map(|r| {
            let (v1, v2) = r.measurement.values();
            (r.at.timestamp() as f64 / 86_400.0, v1, v2)
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|v| v.1).sum::<f64>() / n;
    let secondary: Vec<f64> = values.iter().filter_map(|v| v.2).collect();
    let mean_secondary =
        (!secondary.is_empty()).then(|| secondary.iter().sum::<f64>() / secondary.len() as f64);
    let fold = |init: f64, pick: fn(f64, f64) -> f64| {
        (!secondary.is_empty()).then(|| secondary.iter().copied().fold(init, pick))
    };
    let span_days = values.iter().map(|v| v.0).fold(f64::NEG_INFINITY, f64::max)
        - values.iter().map(|v| v.0).fold(f64::INFINITY, f64::min);
    let mean_t = values.iter().map(|v| v.0).sum::<f64>() / n;
    let sxx: f64 = values.iter().map(|v| (v.0 - mean_t).powi(2)).sum();
    let sxy: f64 = values.iter().map(|v| (v.0 - mean_t) * (v.1 - mean)).sum();
    Some(Summary {
        kind,
        count: values.len() as u64,
        mean,
        min: values.iter().map(|v| v.1).fold(f64::INFINITY, f64::min),
        max: values.iter().map(|v| v.1).fold(f64::NEG_INFINITY, f64::max),
        mean_secondary,
        min_secondary: fold(f64::INFINITY, f64::min),
        max_secondary: fold(f64::NEG_INFINITY, f64::max),
        trend_per_week: (values.len() >= TREND_MIN_READINGS
            && span_days >= TREND_MIN_DAYS
            && sxx > 0.0)
            .then(|| sxy / sxx * 7.0),
    })
}

/// The home blood-pressure protocol average (docs/clinical-sources.md, "Home BP monitoring protocol
/// (ESH)": 7 days, morning and evening, two readings each; discard day 1; average the rest).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomeBpAverage {
    /// Mean systolic of the readings used, mmHg.
    pub systolic: f64,
    /// Mean diastolic, mmHg.
    pub diastolic: f64,
    /// The protocol's first day (its readings are discarded).
    pub first_day: NaiveDate,
    /// The protocol's last day.
    pub last_day: NaiveDate,
    /// Readings averaged (days 2 to 7).
    pub readings_used: u64,
    /// Days 2 to 7 with readings.
    pub days_used: u64,
    /// Morning and evening sessions (days 2 to 7) with at least two readings.
    pub complete_sessions: u64,
    /// Readings used out of the 24 the protocol asks for (6 days x 2 sessions x 2), 0 to 1.
    pub completeness: f64,
    /// At least 3 days of readings after day 1 (ESH: 7 days, at least 3).
    pub sufficient: bool,
}

/// Readings per session the protocol asks for.
const PER_SESSION: usize = 2;

/// The protocol average over the 7 local days ending on `last_day` (the day of the latest
/// reading when `None`): day 1 is the first day measured in them, and is discarded. `None` when
/// no reading falls after day 1.
pub fn home_bp_average(
    readings: &[Reading],
    zone: &Zone,
    last_day: Option<NaiveDate>,
) -> Option<HomeBpAverage> {
    let local = |r: &Reading| r.at.with_timezone(zone).naive_local();
    let bps: Vec<(chrono::NaiveDateTime, f64, f64)> = readings
        .iter()
        .filter_map(|r| match r.measurement {
            Measurement::BloodPressure {
                systolic,
                diastolic,
                ..
            } => Some((local(r), f64::from(systolic), f64::from(diastolic))),
            _ => None,
        })
        .collect();
    let last_day = last_day.or_else(|| bps.iter().map(|b| b.0.date()).max())?;
    // Day 1 is the first day measured within the 7 days ending on `last_day`.
    let first_day = bps
        .iter()
        .map(|b| b.0.date())
        .filter(|d| *d <= last_day && *d > last_day - Duration::days(7))
        .min()?;
    let used: Vec<&(chrono::NaiveDateTime, f64, f64)> = bps
        .iter()
        .filter(|b| b.0.date() > first_day && b.0.date() <= last_day)
        .collect();
    if used.is_empty() {
        return None;
    }
    let n = used.len() as f64;
    let days: BTreeSet<NaiveDate> = used.iter().map(|b| b.0.date()).collect();
    let mut sessions: HashMap<(NaiveDate, bool), usize> = HashMap::new();
    for b in &used {
        *sessions.entry((b.0.date(), b.0.hour() < 12)).or_default() += 1;
    }
    Some(HomeBpAverage {
        systolic: used.iter().map(|b| b.1).sum::<f64>() / n,
        diastolic: used.iter().map(|b| b.2).sum::<f64>() / n,
        first_day,
        last_day,
        readings_used: used.len() as u64,
        days_used: days.len() as u64,
        complete_sessions: sessions.values().filter(|c| **c >= PER_SESSION).count() as u64,
        completeness: (used.len() as f64 / 24.0).min(1.0),
        sufficient: days.len() >= 3,
    })
}

/// GMI (%) = 3.31 + 0.02392 x mean glucose (mg/dL) (Bergenstal et al., Diabetes Care 2018).
pub fn gmi_percent(mean_mg_dl: f64) -> f64 {
    3.31 + 0.02392 * mean_mg_dl
}

/// GMI (mmol/mol) = 12.71 + 4.70587 x mean glucose (mmol/L) (Bergenstal et al., 2018).
pub fn gmi_mmol_mol(mean_mmol_l: f64) -> f64 {
    12.71 + 4.70587 * mean_mmol_l
}

/// Percentiles of glucose by hour of the day: the ambulatory glucose profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgpHour {
    /// Local hour, 0 to 23.
    pub hour: u32,
    /// Readings in this hour.
    pub count: u64,
    /// 5th percentile, mg/dL.
    pub p5: f64,
    /// 25th.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th.
    pub p75: f64,
    /// 95th.
    pub p95: f64,
}

/// The percentile `p` (0-100) of sorted `values`, interpolated linearly between ranks.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

/// The ambulatory glucose profile of the glucose readings, by local hour in `zone`; hours
/// without readings are left out.
pub fn agp(readings: &[Reading], zone: &Zone) -> Vec<AgpHour> {
    let mut by_hour: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for r in readings {
        if let Measurement::Glucose { mg_dl, .. } = r.measurement {
            by_hour
                .entry(r.at.with_timezone(zone).hour())
                .or_default()
                .push(mg_dl);
        }
    }
    by_hour
        .into_iter()
        .map(|(hour, mut v)| {
            v.sort_by(f64::total_cmp);
            AgpHour {
                hour,
                count: v.len() as u64,
                p5: percentile(&v, 5.0),
                p25: percentile(&v, 25.0),
                p50: percentile(&v, 50.0),
                p75: percentile(&v, 75.0),
                p95: percentile(&v, 95.0),
            }
        })
        .collect()
}

/// A point of a chart series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Time, ms since the epoch.
    pub t_ms: i64,
    /// Primary value.
    pub value: f64,
    /// Secondary value (diastolic), if any.
    pub secondary: Option<f64>,
}

/// The readings of `kind` as a chart series of at most `max(max_points, 5)` points, oldest
/// first, downsampled by largest-triangle-three-buckets (the `lttb` crate); the first, last,
/// lowest and highest values are always kept.
pub fn series(readings: &[Reading], kind: ReadingKind, max_points: usize) -> Vec<SeriesPoint> {
    let mut points: Vec<SeriesPoint> = readings
        .iter()
        .filter(|r| r.measurement.kind() == kind)
        .map(|r| {
            let (value, secondary) = r.measurement.values();
            SeriesPoint {
                t_ms: r.at.timestamp_millis(),
                value,
                secondary,
            }
        })
        .collect();
    points.sort_by_key(|p| p.t_ms);
    let max_points = max_points.max(3);
    if points.len() <= max_points {
        return points;
    }
    let extreme = |better: fn(f64, f64) -> bool| {
        points.iter().enumerate().fold(0, |best, (i, p)| {
            if better(p.value, points[best].value) {
                i
            } else {
                best
            }
        })
    };
    let (lowest, highest) = (extreme(|a, b| a < b), extreme(|a, b| a > b));
    // Keep room for the extremes; LTTB keeps the first and last points itself.
    let data: Vec<lttb::DataPoint> = points
        .iter()
        .enumerate()
        .map(|(i, p)| lttb::DataPoint::new(i as f64, p.value))
        .collect();
    let mut keep: BTreeSet<usize> = lttb::lttb(data, (max_points - 2).max(3))
        .into_iter()
        .map(|d| d.x as usize)
        .collect();
    keep.insert(lowest);
    keep.insert(highest);
    keep.into_iter().map(|i| points[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MealContext;
    use chrono::DateTime;

    fn glucose(mg_dl: f64, minutes: i64) -> Reading {
        let at = DateTime::parse_from_rfc3339("2026-03-01T00:00:00+01:00").expect("t")
            + Duration::minutes(minutes);
        Reading::new(
            Measurement::Glucose {
                mg_dl,
                context: MealContext::Random,
            },
            at,
        )
        .expect("reading")
    }

    fn bp(s: u16, d: u16, when: &str) -> Reading {
        let at = DateTime::parse_from_rfc3339(when).expect("t");
        Reading::new(
            Measurement::BloodPressure {
                systolic: s,
                diastolic: d,
                pulse: None,
            },
            at,
        )
        .expect("reading")
    }

    #[test]
    fn gmi_check_values() {
        // Bergenstal 2018, Table 1: mean 150 mg/dL -> GMI 6.9 %; 100 -> 5.7 %; 200 -> 8.1 %.
        assert!((gmi_percent(150.0) - 6.9).abs() < 0.05);
        assert!((gmi_percent(100.0) - 5.7).abs() < 0.05);
        assert!((gmi_percent(200.0) - 8.1).abs() < 0.05);
        // The mmol/mol form agrees with the % form through the IFCC-NGSP equation.
        let mmol_mol = gmi_mmol_mol(150.0 / crate::model::units::GLUCOSE_MG_DL_PER_MMOL_L);
        assert!((mmol_mol - (10.93 * gmi_percent(150.0) - 23.5)).abs() < 0.5);
    }

    #[test]
    fn home_bp_protocol_discards_day_one_and_reports_completeness() {
        let zone: Zone = "Europe/Berlin".parse().expect("zone");
        let mut readings = vec![
            bp(180, 110, "2026-03-01T07:00:00+01:00"),
            bp(180, 110, "2026-03-01T07:02:00+01:00"),
        ];
        for day in 2..=7 {
            for (h, s) in [(7, 130), (19, 140)] {
                for k in 0..2 {
                    readings.push(bp(
                        s,
                        80 + k,
                        &format!("2026-03-0{day}T{h:02}:0{k}:00+01:00"),
                    ));
                }
            }
        }
        let avg = home_bp_average(&readings, &zone, None).expect("average");
        assert_eq!(
            avg.first_day,
            NaiveDate::from_ymd_opt(2026, 3, 1).expect("d")
        );
        assert_eq!(
            (avg.readings_used, avg.days_used, avg.complete_sessions),
            (24, 6, 12)
        );
        assert!(
            (avg.systolic - 135.0).abs() < 1e-9,
            "day 1's 180s are discarded"
        );
        assert!((avg.diastolic - 80.5).abs() < 1e-9);
        assert!((avg.completeness - 1.0).abs() < 1e-9 && avg.sufficient);
        // Only two days after day 1: not sufficient.
        let few: Vec<Reading> = readings
            .iter()
            .filter(|r| r.at.format("%d").to_string().as_str() <= "03")
            .cloned()
            .collect();
        let thin = home_bp_average(&few, &zone, None).expect("average");
        assert_eq!(thin.days_used, 2);
        assert!(!thin.sufficient);
    }

    #[test]
    fn a_trend_needs_two_weeks_and_six_readings() {
        // The home protocol's pair, a minute apart, once gave +100,800 mmHg a week.
        let pair = [
            bp(130, 80, "2026-03-01T07:00:00+01:00"),
            bp(132, 81, "2026-03-01T07:01:00+01:00"),
        ];
        let s = summarize(ReadingKind::BloodPressure, &pair).expect("summary");
        assert_eq!(s.trend_per_week, None);
        let every_day = |days: i64| -> Vec<Reading> {
            (0..days)
                .map(|d| {
                    let at = DateTime::parse_from_rfc3339("2026-03-01T07:00:00+01:00").expect("t")
                        + Duration::days(d);
                    bp(130 + d as u16, 80, &at.to_rfc3339())
                })
                .collect()
        };
        let short = summarize(ReadingKind::BloodPressure, &every_day(14)).expect("s");
        assert_eq!(short.trend_per_week, None, "13 days between first and last");
        let long = summarize(ReadingKind::BloodPressure, &every_day(15)).expect("s");
        assert!((long.trend_per_week.expect("trend") - 7.0).abs() < 1e-9);
        let sparse: Vec<Reading> = every_day(15).into_iter().step_by(3).collect();
        assert_eq!(sparse.len(), 5);
        assert_eq!(
            summarize(ReadingKind::BloodPressure, &sparse)
                .expect("s")
                .trend_per_week,
            None,
            "five readings"
        );
    }

    #[test]
    fn blood_pressure_min_and_max_for_both_values() {
        let readings = [
            bp(150, 70, "2026-03-01T07:00:00+01:00"),
            bp(120, 95, "2026-03-02T07:00:00+01:00"),
        ];
        let s = summarize(ReadingKind::BloodPressure, &readings).expect("s");
        assert_eq!((s.min, s.max), (120.0, 150.0));
        assert_eq!((s.min_secondary, s.max_secondary), (Some(70.0), Some(95.0)));
        assert_eq!(s.mean_secondary, Some(82.5));
    }

    #[test]
    fn summaries_trends_and_series() {
        let readings: Vec<Reading> = (0..1000)
            .map(|i| glucose(100.0 + (i % 7) as f64 + i as f64 / 100.0, i * 60))
            .collect();
        let s = summarize(ReadingKind::Glucose, &readings).expect("summary");
        assert_eq!(s.count, 1000);
        // About +0.24 mg/dL per day (1 per 100 hours): +1.68 per week.
        assert!(
            (s.trend_per_week.expect("trend") - 1.68).abs() < 0.05,
            "{:?}",
            s.trend_per_week
        );
        let mut spiky = readings.clone();
        spiky[500].measurement = Measurement::Glucose {
            mg_dl: 40.0,
            context: MealContext::Random,
        };
        spiky[501].measurement = Measurement::Glucose {
            mg_dl: 400.0,
            context: MealContext::Random,
        };
        let down = series(&spiky, ReadingKind::Glucose, 60);
        assert!(down.len() <= 62 && down.len() >= 50);
        assert!(down.iter().any(|p| p.value == 40.0) && down.iter().any(|p| p.value == 400.0));
        assert!(down.windows(2).all(|w| w[0].t_ms < w[1].t_ms));
        let tiny = series(&spiky, ReadingKind::Glucose, 1);
        assert!(
            (3..=5).contains(&tiny.len()),
            "at least 3, plus the extremes"
        );
        assert!(tiny.iter().any(|p| p.value == 40.0) && tiny.iter().any(|p| p.value == 400.0));
        let profile = agp(&readings, &"Europe/Berlin".parse().expect("zone"));
        assert_eq!(profile.len(), 24);
        assert!(
            profile
                .iter()
                .all(|h| h.p5 <= h.p25 && h.p25 <= h.p50 && h.p50 <= h.p75 && h.p75 <= h.p95)
        );
    }
}
