//! Glucose classification (docs/clinical-sources.md, "Blood glucose"): hypoglycaemia levels (ADA Standards
//! of Care, Table 6.3; International Hypoglycaemia Study Group 2017), the consensus time-in-range
//! bands (Battelino et al., Diabetes Care 2019) and per-patient targets whose defaults are ADA's
//! for many non-pregnant adults.

use serde::{Deserialize, Serialize};

use crate::model::GlucoseTargets;
use crate::model::MealContext;

/// Below this (mg/dL): level 1 hypoglycaemia.
pub const HYPO_LEVEL_1_MG_DL: f64 = 70.0;
/// Below this (mg/dL): level 2, clinically significant.
pub const HYPO_LEVEL_2_MG_DL: f64 = 54.0;
/// Upper bound of the target range for time in range (inclusive), mg/dL.
pub const RANGE_HIGH_MG_DL: f64 = 180.0;
/// Above this: very high, mg/dL.
pub const VERY_HIGH_MG_DL: f64 = 250.0;
/// Above this (mg/dL, 13.3 mmol/L) the ADA's patient guidance advises checking for ketones,
/// especially with type 1 diabetes or when ill ("Hyperglycemia (High Blood Glucose)").
pub const KETONES_MG_DL: f64 = 240.0;
/// At or above this (mg/dL, 33.3 mmol/L): the threshold of the hyperosmolar hyperglycaemic
/// state in adults (ADA/EASD/JBDS/AACE/DTS consensus on hyperglycaemic crises, 2024): urgent.
/// Most meters show "HI" above it.
pub const CRISIS_MG_DL: f64 = 600.0;

/// Hyperglycaemia levels (International Consensus on Time in Range, Battelino et al. 2019).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hyperglycaemia {
    /// > 180 and <= 250 mg/dL.
    Level1,
    /// > 250 mg/dL: very high.
    Level2,
}

/// Hypoglycaemia levels (level 3 is an event needing help, not a threshold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hypoglycaemia {
    /// < 70 and >= 54 mg/dL.
    Level1,
    /// < 54 mg/dL: clinically significant, urgent.
    Level2,
}

/// The consensus bands used for time in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeBand {
    /// < 54 mg/dL.
    VeryLow,
    /// 54 to < 70 mg/dL.
    Low,
    /// 70 to 180 mg/dL.
    InRange,
    /// > 180 to 250 mg/dL.
    High,
    /// > 250 mg/dL.
    VeryHigh,
}

/// Against the patient's own targets for the meal context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    /// Below the target.
    Below,
    /// Within the target.
    InTarget,
    /// Above the target.
    Above,
}

/// A classified glucose reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlucoseClassification {
    /// Hypoglycaemia, if any.
    pub hypoglycaemia: Option<Hypoglycaemia>,
    /// Hyperglycaemia, if any.
    #[serde(default)]
    pub hyperglycaemia: Option<Hyperglycaemia>,
    /// At or above [`CRISIS_MG_DL`]: urgent.
    #[serde(default)]
    pub crisis: bool,
    /// The time-in-range band.
    pub band: RangeBand,
    /// Against the patient's targets.
    pub target: TargetStatus,
}

/// The time-in-range band of `mg_dl`.
pub fn band(mg_dl: f64) -> RangeBand {
    if mg_dl < HYPO_LEVEL_2_MG_DL {
        RangeBand::VeryLow
    } else if mg_dl < HYPO_LEVEL_1_MG_DL {
        RangeBand::Low
    } else if mg_dl <= RANGE_HIGH_MG_DL {
        RangeBand::InRange
    } else if mg_dl <= VERY_HIGH_MG_DL {
        RangeBand::High
    } else {
        RangeBand::VeryHigh
    }
}

/// Classifies a glucose value taken in `context` against `targets`. Bedtime and random readings
/// are held to the consensus range 70-180.
pub fn classify(
    mg_dl: f64,
    context: MealContext,
    targets: &GlucoseTargets,
) -> GlucoseClassification {
    let hypoglycaemia = if mg_dl < HYPO_LEVEL_2_MG_DL {
        Some(Hypoglycaemia::Level2)
    } else if mg_dl < HYPO_LEVEL_1_MG_DL {
        Some(Hypoglycaemia::Level1)
    } else {
        None
    };
    let (low, high_ok) = match context {
        MealContext::Fasting | MealContext::BeforeMeal => {
            (targets.pre_meal_low, mg_dl <= targets.pre_meal_high)
        }
        MealContext::AfterMeal => (HYPO_LEVEL_1_MG_DL, mg_dl < targets.post_meal_below),
        MealContext::Bedtime | MealContext::Random => {
            (HYPO_LEVEL_1_MG_DL, mg_dl <= RANGE_HIGH_MG_DL)
        }
    };
    let target = if mg_dl < low {
        TargetStatus::Below
    } else if high_ok {
        TargetStatus::InTarget
    } else {
        TargetStatus::Above
    };
    let hyperglycaemia = if mg_dl > VERY_HIGH_MG_DL {
        Some(Hyperglycaemia::Level2)
    } else if mg_dl > RANGE_HIGH_MG_DL {
        Some(Hyperglycaemia::Level1)
    } else {
        None
    };
    GlucoseClassification {
        hypoglycaemia,
        hyperglycaemia,
        crisis: mg_dl >= CRISIS_MG_DL,
        band: band(mg_dl),
        target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each side of each hyperglycaemia threshold (CLINICAL: > 180, > 250, >= 600 mg/dL).
    #[test]
    fn hyperglycaemia_levels_and_the_crisis_at_their_edges() {
        let t = GlucoseTargets::default();
        let c = |v| classify(v, MealContext::Random, &t);
        assert_eq!(c(180.0).hyperglycaemia, None);
        assert_eq!(c(181.0).hyperglycaemia, Some(Hyperglycaemia::Level1));
        assert_eq!(c(250.0).hyperglycaemia, Some(Hyperglycaemia::Level1));
        assert_eq!(c(251.0).hyperglycaemia, Some(Hyperglycaemia::Level2));
        assert!(!c(599.0).crisis);
        assert!(c(600.0).crisis);
        assert!(c(1117.0).crisis);
    }

    #[test]
    fn hypoglycaemia_and_range_boundaries() {
        let t = GlucoseTargets::default();
        let c = |v| classify(v, MealContext::Random, &t);
        assert_eq!(c(53.9).hypoglycaemia, Some(Hypoglycaemia::Level2));
        assert_eq!(c(54.0).hypoglycaemia, Some(Hypoglycaemia::Level1));
        assert_eq!(c(69.9).hypoglycaemia, Some(Hypoglycaemia::Level1));
        assert_eq!(c(70.0).hypoglycaemia, None);
        assert_eq!(c(53.9).band, RangeBand::VeryLow);
        assert_eq!(c(54.0).band, RangeBand::Low);
        assert_eq!(c(69.9).band, RangeBand::Low);
        assert_eq!(c(70.0).band, RangeBand::InRange);
        assert_eq!(c(180.0).band, RangeBand::InRange);
        assert_eq!(c(180.1).band, RangeBand::High);
        assert_eq!(c(250.0).band, RangeBand::High);
        assert_eq!(c(250.1).band, RangeBand::VeryHigh);
    }

    #[test]
    fn targets_by_meal_context() {
        let t = GlucoseTargets::default();
        let c = |v, ctx| classify(v, ctx, &t).target;
        assert_eq!(c(79.9, MealContext::Fasting), TargetStatus::Below);
        assert_eq!(c(80.0, MealContext::Fasting), TargetStatus::InTarget);
        assert_eq!(c(130.0, MealContext::BeforeMeal), TargetStatus::InTarget);
        assert_eq!(c(130.1, MealContext::BeforeMeal), TargetStatus::Above);
        assert_eq!(c(179.9, MealContext::AfterMeal), TargetStatus::InTarget);
        assert_eq!(c(180.0, MealContext::AfterMeal), TargetStatus::Above);
        assert_eq!(c(180.0, MealContext::Random), TargetStatus::InTarget);
        let strict = GlucoseTargets {
            pre_meal_low: 90.0,
            pre_meal_high: 150.0,
            post_meal_below: 200.0,
        };
        assert_eq!(
            classify(140.0, MealContext::Fasting, &strict).target,
            TargetStatus::InTarget
        );
    }
}
