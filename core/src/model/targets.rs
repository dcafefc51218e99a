use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::validation::{Validate, ValidationError, check_not_empty, check_range};
use crate::vocabulary::vocabulary;

/// A blood-pressure target: readings below it are at target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BpTarget {
    /// Systolic, mmHg.
    pub systolic: u16,
    /// Diastolic, mmHg.
    pub diastolic: u16,
}

/// The patient's clinical targets: a clinician's settings, kept in the record with who set them
/// and when, so the patient sees both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicalTargets {
    /// The guideline blood pressure is classified by.
    pub bp_guideline: BpGuideline,
    /// The blood-pressure target (default < 130/80: ACC/AHA 2017 and ESH 2023 for most adults).
    pub bp_target: BpTarget,
    /// Glucose targets.
    pub glucose: GlucoseTargets,
    /// A temperature at or above this (°C) raises a fever alert (set for recovery after
    /// surgery; none by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fever_threshold_c: Option<f64>,
    /// SpO2 is judged on NEWS2 scale 2 (hypercapnic respiratory failure, such as COPD: a
    /// clinician's per-patient setting; default scale 1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spo2_scale2: bool,
    /// Who set them (none: the defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_at: Option<DateTime<FixedOffset>>,
}

impl ClinicalTargets {
    /// The defaults for a patient living in `home_time_zone` (see
    /// [`BpGuideline::default_for`]).
    pub fn defaults_for(home_time_zone: &str) -> Self {
        Self {
            bp_guideline: BpGuideline::default_for(home_time_zone),
            bp_target: BpTarget {
                systolic: 130,
                diastolic: 80,
            },
            glucose: GlucoseTargets::default(),
            fever_threshold_c: None,
            spo2_scale2: false,
            set_by: None,
            set_at: None,
        }
    }
}

impl Validate for ClinicalTargets {
    fn validate(&self) -> Result<(), ValidationError> {
        let t = &self.bp_target;
        check_range(
            "target systolic",
            f64::from(t.systolic),
            90.0,
            180.0,
            "mmHg",
        )?;
        check_range(
            "target diastolic",
            f64::from(t.diastolic),
            50.0,
            110.0,
            "mmHg",
        )?;
        let g = &self.glucose;
        check_range("pre-meal target low", g.pre_meal_low, 60.0, 200.0, "mg/dL")?;
        check_range(
            "pre-meal target high",
            g.pre_meal_high,
            80.0,
            300.0,
            "mg/dL",
        )?;
        check_range("post-meal target", g.post_meal_below, 100.0, 300.0, "mg/dL")?;
        if g.pre_meal_low >= g.pre_meal_high {
            return Err(ValidationError::Invalid {
                field: "pre-meal target",
                reason: "the low bound must be below the high bound",
            });
        }
        if let Some(fever) = self.fever_threshold_c {
            check_range("fever threshold", fever, 37.0, 40.0, "°C")?;
        }
        if let Some(by) = &self.set_by {
            check_not_empty("set by", by)?;
        }
        Ok(())
    }
}

/// The guideline a patient's readings are classified by (a clinician's setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BpGuideline {
    /// American College of Cardiology / American Heart Association 2017.
    AccAha2017,
    /// European Society of Hypertension 2023.
    Esh2023,
}

vocabulary!(BpGuideline, "guideline", {
    AccAha2017 => "acc_aha2017" | "acc-aha" | "acc/aha",
    Esh2023 => "esh2023" | "esh",
});

impl BpGuideline {
    /// The default for a patient living in `home_time_zone`: ACC/AHA in the Americas, ESH
    /// elsewhere (the zone stands in for the locale; a clinician can change it).
    pub fn default_for(home_time_zone: &str) -> Self {
        if home_time_zone.starts_with("America/") || home_time_zone.starts_with("US/") {
            Self::AccAha2017
        } else {
            Self::Esh2023
        }
    }
}

/// Glucose targets, a clinician's per-patient setting (mg/dL).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GlucoseTargets {
    /// Fasting and before meals: lower bound (default 80).
    pub pre_meal_low: f64,
    /// Fasting and before meals: upper bound (default 130).
    pub pre_meal_high: f64,
    /// One to two hours after a meal: below this (default 180).
    pub post_meal_below: f64,
}

impl Default for GlucoseTargets {
    /// ADA targets for many non-pregnant adults: 80-130 before meals, < 180 after (docs/clinical-sources.md).
    fn default() -> Self {
        Self {
            pre_meal_low: 80.0,
            pre_meal_high: 130.0,
            post_meal_below: 180.0,
        }
    }
}
