//! Fingerstick glucose by meal context (docs/clinical-sources.md, "Fingerstick context
//! matters"): each context against the patient's own targets for it (ADA defaults: fasting and
//! before meals 80-130 mg/dL, after meals below 180), with the readings in hypoglycaemia
//! (< 70, < 54) and above 180 and 250 counted. Sensor readings are left to [`super::cgm`].

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::glucose::{self, Hyperglycaemia, Hypoglycaemia, TargetStatus};
use crate::model::{GlucoseTargets, MealContext, Measurement, Reading};

/// The fingersticks of one meal context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextSummary {
    /// The meal context.
    pub context: MealContext,
    /// Readings.
    pub count: u64,
    /// Mean, mg/dL.
    pub mean_mg_dl: f64,
    /// Lowest, mg/dL.
    pub min_mg_dl: f64,
    /// Highest, mg/dL.
    pub max_mg_dl: f64,
    /// Readings within the patient's target for this context.
    pub in_target: u64,
    /// Readings below 70 mg/dL (level 1 or 2 hypoglycaemia).
    pub hypo: u64,
    /// Readings below 54 mg/dL (level 2).
    pub hypo_level2: u64,
    /// Readings above 180 mg/dL.
    pub hyper: u64,
    /// Readings above 250 mg/dL (level 2).
    pub hyper_level2: u64,
}

/// The fingersticks (glucose readings not from a sensor) taken in `[from, to)`, one summary
/// per meal context that has readings, in the order fasting, before meals, after meals,
/// bedtime, random.
pub fn by_context(
    readings: &[Reading],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    targets: &GlucoseTargets,
) -> Vec<ContextSummary> {
    MealContext::ALL
        .iter()
        .filter_map(|context| {
            let values: Vec<f64> = readings
                .iter()
                .filter(|r| r.sensor_interval_minutes.is_none())
                .filter(|r| (from..to).contains(&r.at.to_utc()))
                .filter_map(|r| match r.measurement {
                    Measurement::Glucose { mg_dl, context: c } if c == *context => Some(mg_dl),
                    _ => None,
                })
                .collect();
            if values.is_empty() {
                return None;
            }
            let classes: Vec<_> = values
                .iter()
                .map(|v| glucose::classify(*v, *context, targets))
                .collect();
            let count = |f: &dyn Fn(&glucose::GlucoseClassification) -> bool| {
                classes.iter().filter(|c| f(c)).count() as u64
            };
            Some(ContextSummary {
                context: *context,
                count: values.len() as u64,
                mean_mg_dl: values.iter().sum::<f64>() / values.len() as f64,
                min_mg_dl: values.iter().copied().fold(f64::INFINITY, f64::min),
                max_mg_dl: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                in_target: count(&|c| c.target == TargetStatus::InTarget),
                hypo: count(&|c| c.hypoglycaemia.is_some()),
                hypo_level2: count(&|c| c.hypoglycaemia == Some(Hypoglycaemia::Level2)),
                hyper: count(&|c| c.hyperglycaemia.is_some()),
                hyper_level2: count(&|c| c.hyperglycaemia == Some(Hyperglycaemia::Level2)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn stick(mg_dl: f64, context: MealContext, minutes: i64) -> Reading {
        let at = DateTime::parse_from_rfc3339("2026-03-01T07:00:00+01:00").expect("t")
            + Duration::minutes(minutes);
        Reading::new(Measurement::Glucose { mg_dl, context }, at).expect("reading")
    }

    #[test]
    fn each_context_against_its_own_target_with_hypo_and_hyper_counts() {
        let targets = GlucoseTargets::default();
        let mut readings = vec![
            stick(79.0, MealContext::Fasting, 0),
            stick(80.0, MealContext::Fasting, 1),
            stick(130.0, MealContext::Fasting, 2),
            stick(131.0, MealContext::Fasting, 3),
            stick(53.0, MealContext::Fasting, 4),
            stick(179.0, MealContext::AfterMeal, 5),
            stick(181.0, MealContext::AfterMeal, 6),
            stick(251.0, MealContext::AfterMeal, 7),
        ];
        let mut sensor = stick(40.0, MealContext::Random, 8);
        sensor.sensor_interval_minutes = Some(5);
        readings.push(sensor);
        let from = readings[0].at.to_utc();
        let s = by_context(&readings, from, from + Duration::days(1), &targets);
        assert_eq!(s.len(), 2, "a sensor reading is not a fingerstick");
        let fasting = &s[0];
        assert_eq!(fasting.context, MealContext::Fasting);
        assert_eq!((fasting.count, fasting.in_target), (5, 2), "80 and 130");
        assert_eq!((fasting.hypo, fasting.hypo_level2), (1, 1));
        assert_eq!((fasting.min_mg_dl, fasting.max_mg_dl), (53.0, 131.0));
        let after = &s[1];
        assert_eq!((after.count, after.in_target), (3, 1), "179 is below 180");
        assert_eq!((after.hyper, after.hyper_level2), (2, 1));
    }
}
