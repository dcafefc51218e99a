//! Blood-pressure classification (docs/clinical-sources.md, "Blood pressure"):
//! ACC/AHA 2017 (Whelton et al., Hypertension 2018;71:e13) and ESH 2023 (Mancia et al.,
//! J Hypertens 2023;41:1874), office thresholds and the home-reading equivalents, and the AHA
//! hypertensive-crisis threshold. When systolic and diastolic fall in different categories the
//! higher applies.
//!
//! Checked here: the office categories and the AHA/ACC home equivalents as docs/clinical-sources.md gives
//! them. Not checked against the primary ESH 2023 document (docs/clinical-sources.md marks it "verify"): the
//! ESH home hypertension threshold of 135/85.

use crate::model::BpGuideline;
pub use crate::model::BpSetting;
use crate::vocabulary::vocabulary;
use serde::{Deserialize, Serialize};

/// A blood-pressure category. Which ones occur depends on the guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BpCategory {
    /// ESH: < 120 and < 80.
    Optimal,
    /// ACC/AHA: < 120 and < 80. ESH: 120-129 and/or 80-84.
    Normal,
    /// ACC/AHA: 120-129 and < 80.
    Elevated,
    /// ESH: 130-139 and/or 85-89.
    HighNormal,
    /// ACC/AHA: 130-139 or 80-89 (home 130-134 or 80-84).
    Stage1,
    /// ACC/AHA: >= 140 or >= 90 (home >= 135 or >= 85).
    Stage2,
    /// ESH at home: below the home hypertension threshold 135/85.
    BelowHomeThreshold,
    /// ESH at home: >= 135 and/or >= 85.
    HomeHypertension,
    /// ESH: 140-159 and/or 90-99.
    Grade1,
    /// ESH: 160-179 and/or 100-109.
    Grade2,
    /// ESH: >= 180 and/or >= 110.
    Grade3,
    /// ESH: systolic >= 140 and diastolic < 90.
    IsolatedSystolicHypertension,
}

vocabulary!(BpCategory, "blood-pressure category", {
    Optimal => "optimal",
    Normal => "normal",
    Elevated => "elevated",
    HighNormal => "high_normal",
    Stage1 => "stage1",
    Stage2 => "stage2",
    BelowHomeThreshold => "below_home_threshold",
    HomeHypertension => "home_hypertension",
    Grade1 => "grade1",
    Grade2 => "grade2",
    Grade3 => "grade3",
    IsolatedSystolicHypertension => "isolated_systolic_hypertension",
});

/// A classified reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BpClassification {
    /// The guideline used.
    pub guideline: BpGuideline,
    /// The setting used.
    pub setting: BpSetting,
    /// The category.
    pub category: BpCategory,
    /// A hypertensive crisis: >= 180 systolic and/or >= 120 diastolic (AHA). Urgent, whatever
    /// the guideline.
    pub crisis: bool,
}

/// The hypertensive-crisis thresholds (AHA; docs/clinical-sources.md): systolic, diastolic, mmHg.
pub const CRISIS: (u16, u16) = (180, 120);

/// Classifies `systolic`/`diastolic` (mmHg).
pub fn classify(
    systolic: u16,
    diastolic: u16,
    guideline: BpGuideline,
    setting: BpSetting,
) -> BpClassification {
    let (s, d) = (systolic, diastolic);
    let category = match (guideline, setting) {
        (BpGuideline::AccAha2017, BpSetting::Office) => acc_aha(s, d, (130, 80), (140, 90)),
        // Home equivalents (docs/clinical-sources.md): 130/80 -> 130/80, 140/90 -> 135/85.
        (BpGuideline::AccAha2017, BpSetting::Home) => acc_aha(s, d, (130, 80), (135, 85)),
        (BpGuideline::Esh2023, BpSetting::Office) => esh_office(s, d),
        (BpGuideline::Esh2023, BpSetting::Home) => {
            if s >= 135 || d >= 85 {
                BpCategory::HomeHypertension
            } else {
                BpCategory::BelowHomeThreshold
            }
        }
    };
    BpClassification {
        guideline,
        setting,
        category,
        crisis: s >= CRISIS.0 || d >= CRISIS.1,
    }
}

fn acc_aha(s: u16, d: u16, stage1: (u16, u16), stage2: (u16, u16)) -> BpCategory {
    if s >= stage2.0 || d >= stage2.1 {
        BpCategory::Stage2
    } else if s >= stage1.0 || d >= stage1.1 {
        BpCategory::Stage1
    } else if s >= 120 {
        BpCategory::Elevated
    } else {
        BpCategory::Normal
    }
}

fn esh_office(s: u16, d: u16) -> BpCategory {
    if s >= 140 && d < 90 {
        return BpCategory::IsolatedSystolicHypertension;
    }
    let rank = |v: u16, cuts: [u16; 5]| cuts.iter().filter(|c| v >= **c).count();
    let level = rank(s, [120, 130, 140, 160, 180]).max(rank(d, [80, 85, 90, 100, 110]));
    [
        BpCategory::Optimal,
        BpCategory::Normal,
        BpCategory::HighNormal,
        BpCategory::Grade1,
        BpCategory::Grade2,
        BpCategory::Grade3,
    ][level]
}

#[cfg(test)]
mod tests {
    use super::BpCategory::*;
    use super::*;

    fn office(g: BpGuideline, s: u16, d: u16) -> BpCategory {
        classify(s, d, g, BpSetting::Office).category
    }

    #[test]
    fn acc_aha_2017_office_boundaries() {
        let g = BpGuideline::AccAha2017;
        for (s, d, want) in [
            (119, 79, Normal),
            (120, 79, Elevated),
            (129, 79, Elevated),
            (129, 80, Stage1),
            (130, 79, Stage1),
            (139, 89, Stage1),
            (140, 89, Stage2),
            (139, 90, Stage2),
            (140, 90, Stage2),
            (180, 120, Stage2),
        ] {
            assert_eq!(office(g, s, d), want, "{s}/{d}");
        }
    }

    #[test]
    fn esh_2023_office_boundaries() {
        let g = BpGuideline::Esh2023;
        for (s, d, want) in [
            (119, 79, Optimal),
            (120, 79, Normal),
            (129, 80, Normal),
            (129, 84, Normal),
            (130, 79, HighNormal),
            (125, 85, HighNormal),
            (139, 89, HighNormal),
            (140, 90, Grade1),
            (159, 99, Grade1),
            (160, 100, Grade2),
            (179, 109, Grade2),
            (180, 110, Grade3),
            (180, 120, Grade3),
            (150, 95, Grade1),
            (140, 89, IsolatedSystolicHypertension),
            (185, 85, IsolatedSystolicHypertension),
        ] {
            assert_eq!(office(g, s, d), want, "{s}/{d}");
        }
    }

    #[test]
    fn home_thresholds() {
        let home = |g, s, d| classify(s, d, g, BpSetting::Home).category;
        let acc = BpGuideline::AccAha2017;
        assert_eq!(home(acc, 119, 79), Normal);
        assert_eq!(home(acc, 129, 79), Elevated);
        assert_eq!(home(acc, 134, 84), Stage1);
        assert_eq!(home(acc, 135, 84), Stage2);
        assert_eq!(home(acc, 130, 85), Stage2);
        let esh = BpGuideline::Esh2023;
        assert_eq!(home(esh, 134, 84), BelowHomeThreshold);
        assert_eq!(home(esh, 135, 84), HomeHypertension);
        assert_eq!(home(esh, 134, 85), HomeHypertension);
    }

    #[test]
    fn hypertensive_crisis_under_both_guidelines() {
        for g in [BpGuideline::AccAha2017, BpGuideline::Esh2023] {
            for setting in [BpSetting::Office, BpSetting::Home] {
                assert!(!classify(179, 119, g, setting).crisis);
                assert!(classify(180, 119, g, setting).crisis);
                assert!(classify(179, 120, g, setting).crisis);
                assert!(classify(180, 120, g, setting).crisis);
            }
        }
    }

    #[test]
    fn the_default_guideline_follows_the_home_zone() {
        assert_eq!(
            BpGuideline::default_for("America/New_York"),
            BpGuideline::AccAha2017
        );
        assert_eq!(
            BpGuideline::default_for("Europe/Berlin"),
            BpGuideline::Esh2023
        );
        assert_eq!(
            BpGuideline::default_for("Asia/Shanghai"),
            BpGuideline::Esh2023
        );
    }
}
