//! Continuous glucose monitoring metrics (docs/clinical-sources.md, "CGM / time-in-range
//! targets"): time in ranges, mean, GMI and CV (International Consensus on Time in Range,
//! Battelino et al., Diabetes Care 2019; Bergenstal et al., Diabetes Care 2018), the Glycemia
//! Risk Index (Klonoff et al., J Diabetes Sci Technol 2022) and hypo- and hyperglycaemia
//! episodes (Battelino et al., Lancet Diabetes Endocrinol 2023). Only readings from a sensor
//! count, over the days it was worn, judged against the sensor's own interval.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::glucose::{HYPO_LEVEL_1_MG_DL, HYPO_LEVEL_2_MG_DL, RANGE_HIGH_MG_DL, VERY_HIGH_MG_DL};
use crate::model::{Measurement, Reading};

/// Days of sensor data the consensus asks for.
pub const MIN_DAYS: f64 = 14.0;
/// Share of the expected sensor readings the consensus asks for.
pub const MIN_ACTIVE: f64 = 0.7;
/// Minutes a glucose must stay beyond a threshold to make an episode, and back to end it.
pub const EPISODE_MINUTES: i64 = 15;

/// The Glycemia Risk Index and its zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gri {
    /// 3.0 x VLow + 2.4 x Low + 1.6 x VHigh + 0.8 x High, capped at 100.
    pub score: f64,
    /// Zone `A` (0-20, lowest risk) to `E` (81-100).
    pub zone: String,
}

/// The GRI of the shares (percent) below 54, below 70 (including below 54), above 180
/// (including above 250) and above 250.
pub fn gri(below_54: f64, below_70: f64, above_180: f64, above_250: f64) -> Gri {
    let (vlow, low) = (below_54, below_70 - below_54);
    let (vhigh, high) = (above_250, above_180 - above_250);
    let score = (3.0 * vlow + 2.4 * low + 1.6 * vhigh + 0.8 * high).min(100.0);
    let zone = match score {
        s if s <= 20.0 => "A",
        s if s <= 40.0 => "B",
        s if s <= 60.0 => "C",
        s if s <= 80.0 => "D",
        _ => "E",
    };
    Gri {
        score,
        zone: zone.to_string(),
    }
}

/// Episodes over the sensor trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Episodes {
    /// >= 15 minutes below 70 mg/dL (those that went below 54 included).
    pub hypo_level1: u32,
    /// >= 15 minutes below 54 mg/dL, ended by 15 minutes at or above 54.
    pub hypo_level2: u32,
    /// >= 15 minutes above 250 mg/dL.
    pub hyper_level2: u32,
}

/// CGM metrics over the days the sensor was worn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GlucoseMetrics {
    /// Sensor readings.
    pub count: u64,
    /// The first sensor reading.
    pub first: DateTime<Utc>,
    /// The last sensor reading.
    pub last: DateTime<Utc>,
    /// Days from the first reading to the end of the last one's interval.
    pub days: f64,
    /// The sensor's interval, minutes (the most common among its readings).
    pub interval_minutes: u16,
    /// Percent time active: readings received over readings expected in those days, 0-100.
    pub active_percent: f64,
    /// Mean glucose, mg/dL.
    pub mean_mg_dl: f64,
    /// Glucose management indicator, %; only with enough data.
    pub gmi_percent: Option<f64>,
    /// Coefficient of variation, % (sample SD over mean); only with enough data. Goal <= 36 %.
    pub cv_percent: Option<f64>,
    /// Share 70-180 mg/dL, %; goal > 70 %.
    pub in_range: f64,
    /// Share < 70 mg/dL (including < 54), %; goal < 4 %.
    pub below_70: f64,
    /// Share < 54 mg/dL, %; goal < 1 %.
    pub below_54: f64,
    /// Share > 180 mg/dL (including > 250), %; goal < 25 %.
    pub above_180: f64,
    /// Share > 250 mg/dL, %; goal < 5 %.
    pub above_250: f64,
    /// The Glycemia Risk Index.
    pub gri: Gri,
    /// Hypo- and hyperglycaemia episodes.
    pub episodes: Episodes,
    /// Enough data: >= 14 days worn (less half an interval, for clock jitter) and >= 70 %
    /// active. Without it every metric here is
    /// indicative only, and GMI and CV are not given.
    pub sufficient: bool,
}

/// The CGM metrics of the sensor readings taken in `[from, to)`; `None` without any.
pub fn metrics(
    readings: &[Reading],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<GlucoseMetrics> {
    let mut trace: Vec<(DateTime<Utc>, f64, u16)> = readings
        .iter()
        .filter(|r| (from..to).contains(&r.at.to_utc()))
        .filter_map(|r| match (&r.measurement, r.sensor_interval_minutes) {
            (Measurement::Glucose { mg_dl, .. }, Some(i)) => Some((r.at.to_utc(), *mg_dl, i)),
            _ => None,
        })
        .collect();
    if trace.is_empty() {
        return None;
    }
    trace.sort_by_key(|p| p.0);
    let interval = most_common(trace.iter().map(|p| p.2));
    let values: Vec<f64> = trace.iter().map(|p| p.1).collect();
    let n = values.len() as f64;
    let (first, last) = (trace[0].0, trace[trace.len() - 1].0);
    let step = Duration::minutes(i64::from(interval));
    let days = (last + step - first).num_seconds() as f64 / 86_400.0;
    let expected = days * 1440.0 / f64::from(interval);
    let active = (n / expected).min(1.0);
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.len() > 1)
        .then(|| (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    let share =
        |f: &dyn Fn(f64) -> bool| values.iter().filter(|v| f(**v)).count() as f64 / n * 100.0;
    let below_70 = share(&|v| v < HYPO_LEVEL_1_MG_DL);
    let below_54 = share(&|v| v < HYPO_LEVEL_2_MG_DL);
    let above_180 = share(&|v| v > RANGE_HIGH_MG_DL);
    let above_250 = share(&|v| v > VERY_HIGH_MG_DL);
    // Receivers stamp readings with a few seconds of jitter: 14 days worn may measure a
    // minute short of 14 days. Half an interval of tolerance absorbs it.
    let tolerance = f64::from(interval) / 2.0 / 1440.0;
    let sufficient = days + tolerance >= MIN_DAYS && active >= MIN_ACTIVE;
    let points: Vec<(DateTime<Utc>, f64)> = trace.iter().map(|p| (p.0, p.1)).collect();
    Some(GlucoseMetrics {
        count: values.len() as u64,
        first,
        last,
        days,
        interval_minutes: interval,
        active_percent: active * 100.0,
        mean_mg_dl: mean,
        gmi_percent: sufficient.then(|| super::stats::gmi_percent(mean)),
        cv_percent: sd.filter(|_| sufficient).map(|sd| sd / mean * 100.0),
        in_range: share(&|v| (HYPO_LEVEL_1_MG_DL..=RANGE_HIGH_MG_DL).contains(&v)),
        below_70,
        below_54,
        above_180,
        above_250,
        gri: gri(below_54, below_70, above_180, above_250),
        episodes: Episodes {
            hypo_level1: episodes(
                &points,
                step,
                |v| v < HYPO_LEVEL_1_MG_DL,
                |v| v >= HYPO_LEVEL_1_MG_DL,
            ),
            hypo_level2: episodes(
                &points,
                step,
                |v| v < HYPO_LEVEL_2_MG_DL,
                |v| v >= HYPO_LEVEL_2_MG_DL,
            ),
            hyper_level2: episodes(
                &points,
                step,
                |v| v > VERY_HIGH_MG_DL,
                |v| v <= VERY_HIGH_MG_DL,
            ),
        },
        sufficient,
    })
}

fn most_common(values: impl Iterator<Item = u16>) -> u16 {
    let mut counts = std::collections::BTreeMap::new();
    for v in values {
        *counts.entry(v).or_insert(0u64) += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(v, c)| (*c, std::cmp::Reverse(*v)))
        .map_or(5, |(v, _)| v)
}

/// Episodes in a sorted trace (the 2023 consensus, as iglu computes it): `inside` for at least
/// [`EPISODE_MINUTES`] starts one, and it ends once `recovered` (back across the same
/// threshold) holds for as long. Each reading stands for one `step`. A gap of more than two
/// steps breaks a run; a gap with more than [`EPISODE_MINUTES`] missing ends an episode unseen
/// (the sensor was off: what happened then is not known, and the episode does not last
/// through it).
fn episodes(
    trace: &[(DateTime<Utc>, f64)],
    step: Duration,
    inside: impl Fn(f64) -> bool,
    recovered: impl Fn(f64) -> bool,
) -> u32 {
    let need = Duration::minutes(EPISODE_MINUTES);
    let mut count = 0;
    let mut in_episode = false;
    let mut run_start: Option<DateTime<Utc>> = None;
    let mut previous: Option<DateTime<Utc>> = None;
    for &(t, v) in trace {
        if let Some(p) = previous {
            if t - p - step > need {
                in_episode = false;
            }
            if t - p > step * 2 {
                run_start = None;
            }
        }
        previous = Some(t);
        let counts = if in_episode { recovered(v) } else { inside(v) };
        if !counts {
            run_start = None;
            continue;
        }
        let start = *run_start.get_or_insert(t);
        if t + step - start >= need {
            if !in_episode {
                count += 1;
            }
            in_episode = !in_episode;
            run_start = None;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MealContext;

    fn at(minutes: i64) -> chrono::DateTime<chrono::FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-01T00:00:00+01:00").expect("t")
            + Duration::minutes(minutes)
    }

    fn sensor(mg_dl: f64, minutes: i64, interval: u16) -> Reading {
        let mut r = Reading::new(
            Measurement::Glucose {
                mg_dl,
                context: MealContext::Random,
            },
            at(minutes),
        )
        .expect("reading");
        r.sensor_interval_minutes = Some(interval);
        r
    }

    /// `days` of a sensor reading every `interval` minutes, keeping the readings `keep`
    /// selects by index.
    fn trace(days: i64, interval: u16, keep: impl Fn(i64) -> bool) -> Vec<Reading> {
        let per_day = 1440 / i64::from(interval);
        (0..days * per_day)
            .filter(|i| keep(*i))
            .map(|i| sensor(100.0 + (i % 50) as f64, i * i64::from(interval), interval))
            .collect()
    }

    #[test]
    fn a_five_minute_sensor_worn_a_third_of_the_time_is_not_enough() {
        let from = at(0).to_utc();
        let to = from + Duration::days(14);
        // Worn one hour in three, every day for 14 days.
        let third = trace(14, 5, |i| i % 36 < 12);
        let m = metrics(&third, from, to).expect("metrics");
        assert!(
            (m.active_percent - 100.0 / 3.0).abs() < 0.5,
            "{}",
            m.active_percent
        );
        assert_eq!(m.interval_minutes, 5);
        assert!(!m.sufficient);
        assert_eq!((m.gmi_percent, m.cv_percent), (None, None));
        // Just over 70 % of a 15-minute sensor's readings is enough; just under is not.
        let over = trace(14, 15, |i| i % 10 < 7);
        let m = metrics(&over, from, to).expect("m");
        assert!(
            m.sufficient && m.active_percent < 70.2,
            "{}",
            m.active_percent
        );
        let under = trace(14, 15, |i| i % 100 < 68);
        let m = metrics(&under, from, to).expect("m");
        assert!(
            !m.sufficient && m.active_percent > 69.0,
            "{}",
            m.active_percent
        );
    }

    #[test]
    fn a_complete_trace_is_judged_over_the_days_worn_not_the_window() {
        let from = at(0).to_utc() - Duration::days(76);
        let to = at(0).to_utc() + Duration::days(14);
        let m = metrics(&trace(14, 5, |_| true), from, to).expect("metrics");
        assert!((m.days - 14.0).abs() < 1e-9 && (m.active_percent - 100.0).abs() < 1e-9);
        assert!(m.sufficient && m.gmi_percent.is_some() && m.cv_percent.is_some());
        let short = metrics(&trace(13, 5, |_| true), from, to).expect("metrics");
        assert!(!short.sufficient, "13 days");
    }

    #[test]
    fn time_in_ranges_with_the_boundary_values() {
        let values = [
            53.9, 54.0, 69.9, 70.0, 180.0, 180.1, 250.0, 250.1, 100.0, 120.0,
        ];
        let readings: Vec<Reading> = values
            .iter()
            .enumerate()
            .map(|(i, v)| sensor(*v, i as i64 * 5, 5))
            .collect();
        let from = readings[0].at.to_utc();
        let m = metrics(&readings, from, from + Duration::days(1)).expect("metrics");
        assert_eq!(m.count, 10);
        assert!((m.below_54 - 10.0).abs() < 1e-9, "53.9");
        assert!((m.below_70 - 30.0).abs() < 1e-9, "53.9, 54, 69.9");
        assert!((m.in_range - 40.0).abs() < 1e-9, "70, 180, 100, 120");
        assert!((m.above_180 - 30.0).abs() < 1e-9, "180.1, 250, 250.1");
        assert!((m.above_250 - 10.0).abs() < 1e-9, "250.1");
        assert!(!m.sufficient, "50 minutes of sensor");
        // Fingersticks do not make CGM metrics.
        let mut sticks = readings.clone();
        for r in &mut sticks {
            r.sensor_interval_minutes = None;
        }
        assert_eq!(metrics(&sticks, from, from + Duration::days(1)), None);
    }

    #[test]
    fn cv_uses_the_sample_sd() {
        // 14 days alternating 50 and 150: mean 100, sample SD slightly above 50.
        let mut readings = trace(14, 15, |_| true);
        for (i, r) in readings.iter_mut().enumerate() {
            r.measurement = Measurement::Glucose {
                mg_dl: if i % 2 == 0 { 50.0 } else { 150.0 },
                context: MealContext::Random,
            };
        }
        let n = readings.len() as f64;
        let from = readings[0].at.to_utc();
        let m = metrics(&readings, from, from + Duration::days(14)).expect("m");
        let want = (50.0_f64.powi(2) * n / (n - 1.0)).sqrt();
        assert!((m.cv_percent.expect("cv") - want).abs() < 1e-9);
    }

    #[test]
    fn gri_formula_and_zone_boundaries() {
        // Klonoff 2022: every component weighted; capped at 100.
        let g = gri(1.0, 4.0, 25.0, 5.0);
        assert!((g.score - (3.0 + 2.4 * 3.0 + 1.6 * 5.0 + 0.8 * 20.0)).abs() < 1e-9);
        assert_eq!(g.zone, "B");
        assert_eq!(gri(0.0, 0.0, 25.0, 0.0).zone, "A", "20 is zone A");
        assert_eq!(gri(0.0, 0.0, 25.1, 0.0).zone, "B");
        assert_eq!(gri(0.0, 0.0, 50.0, 0.0).zone, "B", "40");
        assert_eq!(gri(0.0, 0.0, 75.0, 0.0).zone, "C", "60");
        assert_eq!(gri(0.0, 0.0, 100.0, 0.0).zone, "D", "80");
        assert_eq!(gri(0.0, 0.0, 100.0, 1.0).zone, "E");
        assert_eq!(gri(40.0, 40.0, 0.0, 0.0).score, 100.0, "capped");
    }

    #[test]
    fn episodes_need_fifteen_minutes_in_and_fifteen_out() {
        let from = at(0).to_utc();
        let day = |values: &[f64]| -> Episodes {
            let readings: Vec<Reading> = values
                .iter()
                .enumerate()
                .map(|(i, v)| sensor(*v, i as i64 * 5, 5))
                .collect();
            metrics(&readings, from, from + Duration::days(1))
                .expect("m")
                .episodes
        };
        // 10 minutes below 70: no episode; 15 minutes: one.
        assert_eq!(
            day(&[100.0, 65.0, 65.0, 100.0, 100.0, 100.0]).hypo_level1,
            0
        );
        assert_eq!(
            day(&[100.0, 65.0, 65.0, 65.0, 100.0, 100.0, 100.0]).hypo_level1,
            1
        );
        // Back above 70 for only 10 minutes: still one episode.
        let e = day(&[
            65.0, 65.0, 65.0, 80.0, 80.0, 50.0, 50.0, 50.0, 80.0, 80.0, 80.0,
        ]);
        assert_eq!((e.hypo_level1, e.hypo_level2), (1, 1));
        // Back for 15 minutes, then low again: two.
        let e = day(&[65.0, 65.0, 65.0, 80.0, 80.0, 80.0, 65.0, 65.0, 65.0]);
        assert_eq!(e.hypo_level1, 2);
        let e = day(&[260.0, 260.0, 260.0, 250.0, 250.0, 250.0, 251.0, 251.0]);
        assert_eq!(
            e.hyper_level2, 1,
            "250 is not above 250; two readings are 10 minutes"
        );
    }
}
