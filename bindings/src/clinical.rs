//! Clinical rules across the FFI: classification, targets, alerts, statistics and series.

use companion_core::clinical::{alerts as core_alerts, blood_pressure as bp, glucose as gl, stats};
use companion_core::model as core;

use crate::convert::{instant, instant_text};
use crate::error::CompanionError;
use crate::readings::{MealContext, ReadingKind};

/// The blood-pressure guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BpGuideline {
    /// ACC/AHA 2017.
    AccAha2017,
    /// ESH 2023.
    Esh2023,
}

/// Where a blood pressure was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BpSetting {
    /// In the office.
    Office,
    /// At home.
    Home,
}

/// A blood-pressure category (see the core's `BpCategory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BpCategory {
    /// ESH optimal.
    Optimal,
    /// Normal.
    Normal,
    /// ACC/AHA elevated.
    Elevated,
    /// ESH high-normal.
    HighNormal,
    /// ACC/AHA stage 1.
    Stage1,
    /// ACC/AHA stage 2.
    Stage2,
    /// ESH home: below 135/85.
    BelowHomeThreshold,
    /// ESH home: at or above 135/85.
    HomeHypertension,
    /// ESH grade 1.
    Grade1,
    /// ESH grade 2.
    Grade2,
    /// ESH grade 3.
    Grade3,
    /// ESH isolated systolic hypertension.
    IsolatedSystolicHypertension,
}

/// A classified blood pressure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct BpClassification {
    /// Guideline used.
    pub guideline: BpGuideline,
    /// Setting used.
    pub setting: BpSetting,
    /// Category.
    pub category: BpCategory,
    /// Hypertensive crisis (>= 180 and/or >= 120): urgent.
    pub crisis: bool,
}

/// Hypoglycaemia level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Hypoglycaemia {
    /// < 70 mg/dL.
    Level1,
    /// < 54 mg/dL.
    Level2,
}

/// Time-in-range band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RangeBand {
    /// < 54.
    VeryLow,
    /// 54-69.
    Low,
    /// 70-180.
    InRange,
    /// 181-250.
    High,
    /// > 250.
    VeryHigh,
}

/// Against the patient's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TargetStatus {
    /// Below.
    Below,
    /// Within.
    InTarget,
    /// Above.
    Above,
}

/// A classified glucose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct GlucoseClassification {
    /// Hypoglycaemia, if any.
    pub hypoglycaemia: Option<Hypoglycaemia>,
    /// Time-in-range band.
    pub band: RangeBand,
    /// Against targets.
    pub target: TargetStatus,
}

/// What a reading means.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Enum)]
pub enum Assessment {
    /// Blood pressure.
    BloodPressure {
        /// Its classification.
        classification: BpClassification,
    },
    /// Glucose.
    Glucose {
        /// Its classification.
        classification: GlucoseClassification,
    },
    /// Temperature.
    Temperature {
        /// At or above the fever threshold.
        fever: bool,
    },
    /// No classification.
    Unclassified,
}

/// The clinician's targets.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ClinicalTargets {
    /// Guideline.
    pub bp_guideline: BpGuideline,
    /// Target systolic, mmHg.
    pub bp_target_systolic: u16,
    /// Target diastolic, mmHg.
    pub bp_target_diastolic: u16,
    /// Pre-meal glucose low, mg/dL.
    pub pre_meal_low: f64,
    /// Pre-meal glucose high, mg/dL.
    pub pre_meal_high: f64,
    /// Post-meal glucose: below, mg/dL.
    pub post_meal_below: f64,
    /// Fever threshold, °C.
    pub fever_threshold_c: Option<f64>,
    /// Who set them.
    pub set_by: Option<String>,
    /// When (RFC 3339).
    pub set_at: Option<String>,
}

/// What was urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AlertKind {
    /// Glucose < 54 mg/dL.
    Level2Hypoglycaemia,
    /// >= 180 and/or >= 120 mmHg.
    HypertensiveCrisis,
    /// Fever after surgery.
    Fever,
}

/// An urgent alert, with the advice shown.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Alert {
    /// Id.
    pub id: String,
    /// The reading.
    pub reading_id: String,
    /// Kind.
    pub kind: AlertKind,
    /// When the reading was taken (RFC 3339).
    pub at: String,
    /// Title.
    pub title: String,
    /// Advice.
    pub advice: String,
    /// Guideline source.
    pub source: String,
    /// When acknowledged.
    pub acknowledged_at: Option<String>,
    /// By whom.
    pub acknowledged_by: Option<String>,
}

/// What storing a reading did.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReadingOutcome {
    /// The stored id.
    pub id: String,
    /// An identical import was already stored.
    pub duplicate: bool,
    /// What the reading means.
    pub assessment: Assessment,
    /// Urgent alerts raised (show them at once).
    pub alerts: Vec<Alert>,
}

/// Summary of one kind.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Summary {
    /// Kind.
    pub kind: ReadingKind,
    /// Readings.
    pub count: u64,
    /// Mean (systolic for blood pressure).
    pub mean: f64,
    /// Lowest.
    pub min: f64,
    /// Highest.
    pub max: f64,
    /// Mean diastolic.
    pub mean_secondary: Option<f64>,
    /// Slope per week.
    pub trend_per_week: Option<f64>,
}

/// The home blood-pressure protocol average.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HomeBpAverage {
    /// Mean systolic.
    pub systolic: f64,
    /// Mean diastolic.
    pub diastolic: f64,
    /// Day 1 (discarded), `YYYY-MM-DD`.
    pub first_day: String,
    /// Last day.
    pub last_day: String,
    /// Readings used.
    pub readings_used: u64,
    /// Days used.
    pub days_used: u64,
    /// Share of the 24 readings asked for.
    pub completeness: f64,
    /// At least 3 days after day 1.
    pub sufficient: bool,
}

/// Glucose metrics.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct GlucoseMetrics {
    /// Readings.
    pub count: u64,
    /// Mean, mg/dL.
    pub mean_mg_dl: f64,
    /// GMI, %.
    pub gmi_percent: f64,
    /// CV, %.
    pub cv_percent: f64,
    /// 70-180, %.
    pub in_range: f64,
    /// < 70, %.
    pub below_70: f64,
    /// < 54, %.
    pub below_54: f64,
    /// > 180, %.
    pub above_180: f64,
    /// > 250, %.
    pub above_250: f64,
    /// >= 14 days and >= 70 % of sensor readings.
    pub sufficient: bool,
}

/// Statistics of a period.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Stats {
    /// Per kind.
    pub summaries: Vec<Summary>,
    /// Home BP protocol.
    pub home_bp: Option<HomeBpAverage>,
    /// Glucose.
    pub glucose: Option<GlucoseMetrics>,
}

/// A chart point.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct SeriesPoint {
    /// ms since the epoch.
    pub t_ms: i64,
    /// Value.
    pub value: f64,
    /// Secondary value (diastolic).
    pub secondary: Option<f64>,
}

fn guideline_in(g: BpGuideline) -> bp::BpGuideline {
    match g {
        BpGuideline::AccAha2017 => bp::BpGuideline::AccAha2017,
        BpGuideline::Esh2023 => bp::BpGuideline::Esh2023,
    }
}

fn guideline_out(g: bp::BpGuideline) -> BpGuideline {
    match g {
        bp::BpGuideline::AccAha2017 => BpGuideline::AccAha2017,
        bp::BpGuideline::Esh2023 => BpGuideline::Esh2023,
    }
}

impl From<bp::BpClassification> for BpClassification {
    fn from(c: bp::BpClassification) -> Self {
        use bp::BpCategory as C;
        Self {
            guideline: guideline_out(c.guideline),
            setting: match c.setting {
                bp::BpSetting::Office => BpSetting::Office,
                bp::BpSetting::Home => BpSetting::Home,
            },
            category: match c.category {
                C::Optimal => BpCategory::Optimal,
                C::Normal => BpCategory::Normal,
                C::Elevated => BpCategory::Elevated,
                C::HighNormal => BpCategory::HighNormal,
                C::Stage1 => BpCategory::Stage1,
                C::Stage2 => BpCategory::Stage2,
                C::BelowHomeThreshold => BpCategory::BelowHomeThreshold,
                C::HomeHypertension => BpCategory::HomeHypertension,
                C::Grade1 => BpCategory::Grade1,
                C::Grade2 => BpCategory::Grade2,
                C::Grade3 => BpCategory::Grade3,
                C::IsolatedSystolicHypertension => BpCategory::IsolatedSystolicHypertension,
            },
            crisis: c.crisis,
        }
    }
}

impl From<gl::GlucoseClassification> for GlucoseClassification {
    fn from(c: gl::GlucoseClassification) -> Self {
        Self {
            hypoglycaemia: c.hypoglycaemia.map(|h| match h {
                gl::Hypoglycaemia::Level1 => Hypoglycaemia::Level1,
                gl::Hypoglycaemia::Level2 => Hypoglycaemia::Level2,
            }),
            band: match c.band {
                gl::RangeBand::VeryLow => RangeBand::VeryLow,
                gl::RangeBand::Low => RangeBand::Low,
                gl::RangeBand::InRange => RangeBand::InRange,
                gl::RangeBand::High => RangeBand::High,
                gl::RangeBand::VeryHigh => RangeBand::VeryHigh,
            },
            target: match c.target {
                gl::TargetStatus::Below => TargetStatus::Below,
                gl::TargetStatus::InTarget => TargetStatus::InTarget,
                gl::TargetStatus::Above => TargetStatus::Above,
            },
        }
    }
}

impl From<core_alerts::Assessment> for Assessment {
    fn from(a: core_alerts::Assessment) -> Self {
        match a {
            core_alerts::Assessment::BloodPressure(c) => Self::BloodPressure {
                classification: c.into(),
            },
            core_alerts::Assessment::Glucose(c) => Self::Glucose {
                classification: c.into(),
            },
            core_alerts::Assessment::Temperature { fever } => Self::Temperature { fever },
            core_alerts::Assessment::Unclassified => Self::Unclassified,
        }
    }
}

impl From<core::ClinicalTargets> for ClinicalTargets {
    fn from(t: core::ClinicalTargets) -> Self {
        Self {
            bp_guideline: guideline_out(t.bp_guideline),
            bp_target_systolic: t.bp_target.systolic,
            bp_target_diastolic: t.bp_target.diastolic,
            pre_meal_low: t.glucose.pre_meal_low,
            pre_meal_high: t.glucose.pre_meal_high,
            post_meal_below: t.glucose.post_meal_below,
            fever_threshold_c: t.fever_threshold_c,
            set_by: t.set_by,
            set_at: t.set_at.as_ref().map(instant_text),
        }
    }
}

impl TryFrom<ClinicalTargets> for core::ClinicalTargets {
    type Error = CompanionError;

    fn try_from(t: ClinicalTargets) -> Result<Self, CompanionError> {
        Ok(Self {
            bp_guideline: guideline_in(t.bp_guideline),
            bp_target: core::BpTarget {
                systolic: t.bp_target_systolic,
                diastolic: t.bp_target_diastolic,
            },
            glucose: gl::GlucoseTargets {
                pre_meal_low: t.pre_meal_low,
                pre_meal_high: t.pre_meal_high,
                post_meal_below: t.post_meal_below,
            },
            fever_threshold_c: t.fever_threshold_c,
            set_by: t.set_by,
            set_at: t.set_at.map(|s| instant("set at", &s)).transpose()?,
        })
    }
}

impl From<core::Alert> for Alert {
    fn from(a: core::Alert) -> Self {
        Self {
            id: a.id,
            reading_id: a.reading_id,
            kind: match a.kind {
                core::AlertKind::Level2Hypoglycaemia => AlertKind::Level2Hypoglycaemia,
                core::AlertKind::HypertensiveCrisis => AlertKind::HypertensiveCrisis,
                core::AlertKind::Fever => AlertKind::Fever,
            },
            at: instant_text(&a.at),
            title: a.title,
            advice: a.advice,
            source: a.source,
            acknowledged_at: a.acknowledged_at.as_ref().map(instant_text),
            acknowledged_by: a.acknowledged_by,
        }
    }
}

impl From<companion_core::ReadingOutcome> for ReadingOutcome {
    fn from(o: companion_core::ReadingOutcome) -> Self {
        Self {
            id: o.id,
            duplicate: o.duplicate,
            assessment: o.assessment.into(),
            alerts: o.alerts.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<companion_core::Stats> for Stats {
    fn from(s: companion_core::Stats) -> Self {
        Self {
            summaries: s
                .summaries
                .into_iter()
                .map(|k| Summary {
                    kind: k.kind.into(),
                    count: k.count as u64,
                    mean: k.mean,
                    min: k.min,
                    max: k.max,
                    mean_secondary: k.mean_secondary,
                    trend_per_week: k.trend_per_week,
                })
                .collect(),
            home_bp: s.home_bp.map(|p| HomeBpAverage {
                systolic: p.systolic,
                diastolic: p.diastolic,
                first_day: p.first_day.to_string(),
                last_day: p.last_day.to_string(),
                readings_used: p.readings_used as u64,
                days_used: p.days_used as u64,
                completeness: p.completeness,
                sufficient: p.sufficient,
            }),
            glucose: s.glucose.map(|g| GlucoseMetrics {
                count: g.count as u64,
                mean_mg_dl: g.mean_mg_dl,
                gmi_percent: g.gmi_percent,
                cv_percent: g.cv_percent,
                in_range: g.in_range,
                below_70: g.below_70,
                below_54: g.below_54,
                above_180: g.above_180,
                above_250: g.above_250,
                sufficient: g.sufficient,
            }),
        }
    }
}

impl From<stats::SeriesPoint> for SeriesPoint {
    fn from(p: stats::SeriesPoint) -> Self {
        Self {
            t_ms: p.t_ms,
            value: p.value,
            secondary: p.secondary,
        }
    }
}

/// Classifies a blood pressure (mmHg) by `guideline` in `setting`.
#[uniffi::export]
pub fn classify_blood_pressure(
    systolic: u16,
    diastolic: u16,
    guideline: BpGuideline,
    setting: BpSetting,
) -> BpClassification {
    let setting = match setting {
        BpSetting::Office => bp::BpSetting::Office,
        BpSetting::Home => bp::BpSetting::Home,
    };
    bp::classify(systolic, diastolic, guideline_in(guideline), setting).into()
}

/// Classifies a glucose (mg/dL) taken in `context` against `targets`.
#[uniffi::export]
pub fn classify_glucose(
    mg_dl: f64,
    context: MealContext,
    targets: ClinicalTargets,
) -> Result<GlucoseClassification, CompanionError> {
    let targets: core::ClinicalTargets = targets.try_into()?;
    let context = crate::readings::context_in(context);
    Ok(gl::classify(mg_dl, context, &targets.glucose).into())
}
