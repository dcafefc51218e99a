//! Conditions from a small coded vocabulary, named in the reader's language; anything else
//! the patient or clinician types stays free text.

use serde::{Deserialize, Serialize};

use crate::vocabulary::vocabulary;

/// A condition the core knows by code (its SNOMED CT concept in the doc comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Essential hypertension (SNOMED CT 59621000).
    Hypertension,
    /// Type 2 diabetes mellitus (SNOMED CT 44054006).
    Type2Diabetes,
    /// Type 1 diabetes mellitus (SNOMED CT 46635009).
    Type1Diabetes,
    /// Chronic obstructive pulmonary disease (SNOMED CT 13645005).
    Copd,
    /// Heart failure (SNOMED CT 84114007).
    HeartFailure,
    /// Chronic kidney disease (SNOMED CT 709044004).
    ChronicKidneyDisease,
    /// Atrial fibrillation (SNOMED CT 49436004).
    AtrialFibrillation,
    /// Coronary heart disease (SNOMED CT 53741008).
    CoronaryHeartDisease,
    /// Asthma (SNOMED CT 195967001).
    Asthma,
    /// Recovering after surgery (SNOMED CT 385949008, "postoperative state").
    RecoveryAfterSurgery,
}

vocabulary!(Condition, "condition", {
    Hypertension => "hypertension" | "high_blood_pressure" | "htn",
    Type2Diabetes => "type_2_diabetes" | "t2d" | "type2_diabetes" | "diabetes_type_2",
    Type1Diabetes => "type_1_diabetes" | "t1d" | "type1_diabetes" | "diabetes_type_1",
    Copd => "copd",
    HeartFailure => "heart_failure",
    ChronicKidneyDisease => "chronic_kidney_disease" | "ckd",
    AtrialFibrillation => "atrial_fibrillation" | "afib" | "af",
    CoronaryHeartDisease => "coronary_heart_disease" | "chd" | "coronary_artery_disease",
    Asthma => "asthma",
    RecoveryAfterSurgery => "recovery_after_surgery" | "post_surgery" | "after_surgery",
});

impl Condition {
    /// The coded condition a typed one names (`Type 2 diabetes`, `t2d`), if any.
    pub fn of(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}
