//! Statistics over readings, each with its source and data-sufficiency rule:
//! the ESH home blood-pressure protocol average, the consensus glucose metrics (time in ranges,
//! GMI, coefficient of variation; Battelino et al., Diabetes Care 2019; Bergenstal et al.,
//! Diabetes Care 2018), summaries and trends per kind, ambulatory glucose profile percentiles,
//! and chart series downsampled for a phone screen.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use serde::Serialize;

use super::glucose::{HYPO_LEVEL_1_MG_DL, HYPO_LEVEL_2_MG_DL, RANGE_HIGH_MG_DL, VERY_HIGH_MG_DL};
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
    /// Least-squares slope of the primary value, per week; `None` with fewer than two readings
    /// or no time between them.
    pub trend_per_week: Option<f64>,
}

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
        trend_per_week: (values.len() >= 2 && sxx > 0.0).then(|| sxy / sxx * 7.0),
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

/// Glucose metrics over a period (docs/clinical-sources.md, "CGM / time-in-range targets", "GMI").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GlucoseMetrics {
    /// Readings.
    pub count: u64,
    /// Days in the period.
    pub period_days: f64,
    /// Mean glucose, mg/dL.
    pub mean_mg_dl: f64,
    /// Glucose management indicator, % = 3.31 + 0.02392 x mean (mg/dL) (Bergenstal 2018).
    pub gmi_percent: f64,
    /// Coefficient of variation, % (population SD / mean); target <= 36 %.
    pub cv_percent: f64,
    /// Share 70-180 mg/dL, %; target > 70 %.
    pub in_range: f64,
    /// Share < 70 mg/dL (including < 54), %; target < 4 %.
    pub below_70: f64,
    /// Share < 54 mg/dL, %; target < 1 %.
    pub below_54: f64,
    /// Share > 180 mg/dL (including > 250), %; target < 25 %.
    pub above_180: f64,
    /// Share > 250 mg/dL, %; target < 5 %.
    pub above_250: f64,
    /// Readings over those a sensor would give in the period, 0 to 1.
    pub coverage: f64,
    /// Enough data for these metrics: >= 14 days and >= 70 % of expected readings.
    pub sufficient: bool,
}

/// Readings a day from a sensor reading every 15 minutes: the expectation behind the
/// 70 % rule. Fingerstick data never reaches it, and the metrics then say so.
pub const SENSOR_READINGS_PER_DAY: f64 = 96.0;

/// Glucose metrics of the glucose readings in `[from, to)`; `None` when there are none.
pub fn glucose_metrics(
    readings: &[Reading],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<GlucoseMetrics> {
    let values: Vec<f64> = readings
        .iter()
        .filter(|r| (from..to).contains(&r.at.to_utc()))
        .filter_map(|r| match r.measurement {
            Measurement::Glucose { mg_dl, .. } => Some(mg_dl),
            _ => None,
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let share =
        |f: &dyn Fn(f64) -> bool| values.iter().filter(|v| f(**v)).count() as f64 / n * 100.0;
    let period_days = (to - from).num_seconds() as f64 / 86_400.0;
    let coverage = (n / (period_days * SENSOR_READINGS_PER_DAY)).min(1.0);
    Some(GlucoseMetrics {
        count: values.len() as u64,
        period_days,
        mean_mg_dl: mean,
        gmi_percent: gmi_percent(mean),
        cv_percent: sd / mean * 100.0,
        in_range: share(&|v| (HYPO_LEVEL_1_MG_DL..=RANGE_HIGH_MG_DL).contains(&v)),
        below_70: share(&|v| v < HYPO_LEVEL_1_MG_DL),
        below_54: share(&|v| v < HYPO_LEVEL_2_MG_DL),
        above_180: share(&|v| v > RANGE_HIGH_MG_DL),
        above_250: share(&|v| v > VERY_HIGH_MG_DL),
        coverage,
        sufficient: period_days >= 14.0 && coverage >= 0.7,
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
    fn time_in_ranges_with_the_boundary_values() {
        let values = [
            53.9, 54.0, 69.9, 70.0, 180.0, 180.1, 250.0, 250.1, 100.0, 120.0,
        ];
        let readings: Vec<Reading> = values
            .iter()
            .enumerate()
            .map(|(i, v)| glucose(*v, i as i64))
            .collect();
        let from = readings[0].at.to_utc();
        let m = glucose_metrics(&readings, from, from + Duration::days(1)).expect("metrics");
        assert_eq!(m.count, 10);
        assert!((m.below_54 - 10.0).abs() < 1e-9, "53.9");
        assert!((m.below_70 - 30.0).abs() < 1e-9, "53.9, 54, 69.9");
        assert!((m.in_range - 40.0).abs() < 1e-9, "70, 180, 100, 120");
        assert!((m.above_180 - 30.0).abs() < 1e-9, "180.1, 250, 250.1");
        assert!((m.above_250 - 10.0).abs() < 1e-9, "250.1");
        assert!(!m.sufficient, "one day of fingersticks");
    }

    #[test]
    fn glucose_sufficiency_needs_14_days_and_70_percent() {
        let per_day = SENSOR_READINGS_PER_DAY as i64;
        let make = |days: i64, keep_every: i64| -> Vec<Reading> {
            (0..days * per_day)
                .filter(|i| i % keep_every == 0)
                .map(|i| glucose(100.0 + (i % 50) as f64, i * 15))
                .collect()
        };
        let from = glucose(100.0, 0).at.to_utc();
        let full = glucose_metrics(&make(14, 1), from, from + Duration::days(14)).expect("m");
        assert!(full.sufficient && (full.coverage - 1.0).abs() < 1e-9);
        let thin = glucose_metrics(&make(14, 2), from, from + Duration::days(14)).expect("m");
        assert!(!thin.sufficient && (thin.coverage - 0.5).abs() < 1e-9);
        let short = glucose_metrics(&make(13, 1), from, from + Duration::days(13)).expect("m");
        assert!(!short.sufficient);
        // CV of a constant series is 0; of 50/150 it is 50 %.
        let cv = glucose_metrics(
            &[glucose(50.0, 0), glucose(150.0, 1)],
            from,
            from + Duration::days(1),
        )
        .expect("m");
        assert!((cv.cv_percent - 50.0).abs() < 1e-9);
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
