//! Clinical rules across the FFI: classification, targets, alerts, statistics and series
//! (remote types of the core's).

use companion_core::clinical::alerts::AlertText;
use companion_core::clinical::alerts::Assessment;
use companion_core::clinical::blood_pressure::{
    self as bp, BpCategory, BpClassification, BpSetting,
};
use companion_core::clinical::cgm::{Episodes, GlucoseMetrics, Gri};
use companion_core::clinical::fingersticks::ContextSummary;
use companion_core::clinical::glucose::{
    self as gl, GlucoseClassification, Hyperglycaemia, Hypoglycaemia, RangeBand, TargetStatus,
};
use companion_core::clinical::stats::{HomeBpAverage, SeriesPoint, Summary};
use companion_core::model::{
    Alert, AlertCourse, AlertKind, BpGuideline, BpTarget, ClinicalTargets, DoseLog, FollowUp,
    GlucoseTargets, Language, MealContext, Measurement, ReadingKind, UnitPreferences,
};
use companion_core::{ReadingOutcome, Stats};

use crate::types::{CalendarDate, Timestamp, UtcTimestamp};

/// The guideline a patient's readings are classified by (a clinician's setting).
#[uniffi::remote(Enum)]
pub enum BpGuideline {
    /// American College of Cardiology / American Heart Association 2017.
    AccAha2017,
    /// European Society of Hypertension 2023.
    Esh2023,
}

/// Where the reading was taken: home readings use the home thresholds.
#[uniffi::remote(Enum)]
pub enum BpSetting {
    /// Measured by a clinician in the office.
    Office,
    /// Measured by the patient at home (every reading the patient logs).
    Home,
}

/// A blood-pressure category. Which ones occur depends on the guideline.
#[uniffi::remote(Enum)]
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

/// A classified reading.
#[uniffi::remote(Record)]
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

/// Hypoglycaemia levels (level 3 is an event needing help, not a threshold).
#[uniffi::remote(Enum)]
pub enum Hypoglycaemia {
    /// < 70 and >= 54 mg/dL.
    Level1,
    /// < 54 mg/dL: clinically significant, urgent.
    Level2,
}

/// The consensus bands used for time in range.
#[uniffi::remote(Enum)]
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
#[uniffi::remote(Enum)]
pub enum TargetStatus {
    /// Below the target.
    Below,
    /// Within the target.
    InTarget,
    /// Above the target.
    Above,
}

/// Hyperglycaemia levels (International Consensus on Time in Range 2019).
#[uniffi::remote(Enum)]
pub enum Hyperglycaemia {
    /// > 180 and <= 250 mg/dL.
    Level1,
    /// > 250 mg/dL: very high.
    Level2,
}

/// A classified glucose reading.
#[uniffi::remote(Record)]
pub struct GlucoseClassification {
    /// Hypoglycaemia, if any.
    #[uniffi(default)]
    pub hypoglycaemia: Option<Hypoglycaemia>,
    /// Hyperglycaemia, if any.
    #[uniffi(default)]
    pub hyperglycaemia: Option<Hyperglycaemia>,
    /// At or above 600 mg/dL: urgent.
    #[uniffi(default)]
    pub crisis: bool,
    /// The time-in-range band.
    pub band: RangeBand,
    /// Against the patient's targets.
    pub target: TargetStatus,
}

/// Glucose targets, a clinician's per-patient setting (mg/dL).
#[uniffi::remote(Record)]
pub struct GlucoseTargets {
    /// Fasting and before meals: lower bound (default 80).
    pub pre_meal_low: f64,
    /// Fasting and before meals: upper bound (default 130).
    pub pre_meal_high: f64,
    /// One to two hours after a meal: below this (default 180).
    pub post_meal_below: f64,
}

/// What a reading means.
#[uniffi::remote(Enum)]
pub enum Assessment {
    /// A blood pressure, classified (home setting) by the patient's guideline.
    BloodPressure(BpClassification),
    /// A glucose, against the patient's targets.
    Glucose(GlucoseClassification),
    /// A temperature, against the fever threshold when one is set, and its NEWS2 score.
    Temperature {
        /// At or above the threshold.
        fever: bool,
        /// NEWS2 single-parameter score, 0 to 3.
        news2: u8,
    },
    /// An oxygen saturation and its NEWS2 score (on the patient's scale).
    Spo2 {
        /// NEWS2 single-parameter score, 0 to 3.
        news2: u8,
    },
    /// A pulse and its NEWS2 score.
    HeartRate {
        /// NEWS2 single-parameter score, 0 to 3.
        news2: u8,
    },
    /// No classification for this kind.
    Unclassified,
}

/// A blood-pressure target: readings below it are at target.
#[uniffi::remote(Record)]
pub struct BpTarget {
    /// Systolic, mmHg.
    pub systolic: u16,
    /// Diastolic, mmHg.
    pub diastolic: u16,
}

/// The patient's clinical targets: a clinician's settings, kept in the record with who set them
/// and when, so the patient sees both.
#[uniffi::remote(Record)]
pub struct ClinicalTargets {
    /// The guideline blood pressure is classified by.
    pub bp_guideline: BpGuideline,
    /// The blood-pressure target (default < 130/80: ACC/AHA 2017 and ESH 2023 for most adults).
    pub bp_target: BpTarget,
    /// Glucose targets.
    pub glucose: GlucoseTargets,
    /// A temperature at or above this (°C) raises a fever alert (set for recovery after
    /// surgery; none by default).
    #[uniffi(default)]
    pub fever_threshold_c: Option<f64>,
    /// SpO2 judged on NEWS2 scale 2 (COPD; a clinician's per-patient setting).
    #[uniffi(default)]
    pub spo2_scale2: bool,
    /// Who set them (none: the defaults).
    #[uniffi(default)]
    pub set_by: Option<String>,
    /// When.
    #[uniffi(default)]
    pub set_at: Option<Timestamp>,
}

/// An urgent finding.
#[uniffi::remote(Enum)]
pub enum AlertKind {
    /// Glucose < 54 mg/dL (ADA level 2).
    Level2Hypoglycaemia,
    /// >= 180 systolic and/or >= 120 diastolic (AHA).
    HypertensiveCrisis,
    /// A temperature at or above the threshold set for recovery after surgery.
    Fever,
    /// One scheduled dose logged as taken twice, on two devices offline.
    DoseLoggedTwice,
    /// Glucose >= 600 mg/dL or a meter's "HI" (hyperosmolar hyperglycaemic state threshold).
    HyperglycaemicCrisis,
    /// SpO2 scoring 3 in NEWS2.
    LowOxygen,
    /// Pulse scoring 3 in NEWS2 (<= 40 or >= 131).
    PulseRedFlag,
    /// Systolic <= 90 mmHg (NEWS2 score 3).
    LowSystolic,
    /// Temperature <= 35.0 °C (NEWS2 score 3).
    LowTemperature,
    /// Glucose > 250 mg/dL: level 2 hyperglycaemia, not urgent (check for ketones).
    Level2Hyperglycaemia,
}

/// A later reading of the kind an alert is about, which its course was judged by.
#[uniffi::remote(Record)]
pub struct FollowUp {
    /// The later reading's id.
    pub reading_id: String,
    /// When it was taken.
    pub at: Timestamp,
    /// Its value.
    pub value: Measurement,
}

/// Where an alert stands, as a home screen shows it ([`alert_course`]).
#[uniffi::remote(Enum)]
pub enum AlertCourse {
    /// Nothing since.
    Open,
    /// A later reading is better but still abnormal.
    Improving,
    /// A later reading is back in range: shown for a day after it.
    BackInRange,
    /// Its reading was corrected to a value that does not raise it.
    Corrected,
    /// A member acknowledged it.
    Seen,
}

/// Where `alert` stands: open, improving, back in range, corrected or seen.
#[uniffi::export]
pub fn alert_course(alert: Alert) -> AlertCourse {
    alert.course()
}

/// One take of a dose logged twice.
#[uniffi::remote(Record)]
pub struct DoseLog {
    /// Who logged it, when known.
    #[uniffi(default)]
    pub who: Option<String>,
    /// When it was logged as taken.
    pub at: Timestamp,
}

/// An urgent alert raised when a reading was stored, or when a merge found one dose logged
/// twice. It is part of the record, so caregivers' devices see it after sync. It holds no
/// text: [`render_alert`] words it in the reader's language and units.
#[uniffi::remote(Record)]
pub struct Alert {
    /// The entry id (UUID v7).
    pub id: String,
    /// The reading that raised it (empty for an alert about doses).
    pub reading_id: String,
    /// The doses it is about (a dose logged twice), in the order they were taken.
    #[uniffi(default)]
    pub dose_ids: Vec<String>,
    /// What was found.
    pub kind: AlertKind,
    /// When the reading was taken.
    pub at: Timestamp,
    /// The value that raised it.
    #[uniffi(default)]
    pub value: Option<Measurement>,
    /// The medication's name (a dose logged twice).
    #[uniffi(default)]
    pub medication: Option<String>,
    /// Each take of a dose logged twice.
    #[uniffi(default)]
    pub logs: Vec<DoseLog>,
    /// When someone acknowledged it.
    #[uniffi(default)]
    pub acknowledged_at: Option<Timestamp>,
    /// Who acknowledged it.
    #[uniffi(default)]
    pub acknowledged_by: Option<String>,
    /// The latest later reading of its kind: better but abnormal (improving), or back in
    /// range (then `resolved_by` names it too).
    #[uniffi(default)]
    pub follow_up: Option<FollowUp>,
    /// When it stopped applying (a later reading back in range, or a correction).
    #[uniffi(default)]
    pub resolved_at: Option<Timestamp>,
    /// What resolved it: the later reading's id, or `corrected`.
    #[uniffi(default)]
    pub resolved_by: Option<String>,
}

/// What storing a reading did.
#[uniffi::remote(Record)]
pub struct ReadingOutcome {
    /// The stored reading's id (an earlier import's, for a duplicate import).
    pub id: String,
    /// True when an identical import was already stored (nothing new was written).
    pub duplicate: bool,
    /// What the reading means.
    pub assessment: Assessment,
    /// The urgent alerts it raised, stored with it in the same transaction.
    #[uniffi(default)]
    pub alerts: Vec<Alert>,
}

/// Statistics of a period.
#[uniffi::remote(Record)]
pub struct Stats {
    /// Start of the period.
    pub from: UtcTimestamp,
    /// End of the period.
    pub to: UtcTimestamp,
    /// Per kind with readings (blood pressure: the home readings).
    #[uniffi(default)]
    pub summaries: Vec<Summary>,
    /// Blood pressures taken in the office, on their own.
    #[uniffi(default)]
    pub office_bp: Option<Summary>,
    /// The home blood-pressure protocol over the last 7 days measured in the period.
    #[uniffi(default)]
    pub home_bp: Option<HomeBpAverage>,
    /// CGM metrics, from sensor readings only, over the days the sensor was worn.
    #[uniffi(default)]
    pub glucose: Option<GlucoseMetrics>,
    /// Fingersticks by meal context, against the patient's targets.
    #[uniffi(default)]
    pub fingersticks: Vec<ContextSummary>,
}

/// Summary of one kind over a period (primary value: systolic for blood pressure).
#[uniffi::remote(Record)]
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
    #[uniffi(default)]
    pub mean_secondary: Option<f64>,
    /// Lowest secondary value (diastolic).
    #[uniffi(default)]
    pub min_secondary: Option<f64>,
    /// Highest secondary value (diastolic).
    #[uniffi(default)]
    pub max_secondary: Option<f64>,
    /// Least-squares slope of the primary value, per week; only over at least 14 days and
    /// 6 readings.
    #[uniffi(default)]
    pub trend_per_week: Option<f64>,
}

/// The home blood-pressure protocol average (docs/clinical-sources.md, "Home BP monitoring protocol
/// (ESH)": 7 days, morning and evening, two readings each; discard day 1; average the rest).
#[uniffi::remote(Record)]
pub struct HomeBpAverage {
    /// Mean systolic of the readings used, mmHg.
    pub systolic: f64,
    /// Mean diastolic, mmHg.
    pub diastolic: f64,
    /// The protocol's first day (its readings are discarded).
    pub first_day: CalendarDate,
    /// The protocol's last day.
    pub last_day: CalendarDate,
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

/// The Glycemia Risk Index and its zone.
#[uniffi::remote(Record)]
pub struct Gri {
    /// 3.0 x VLow + 2.4 x Low + 1.6 x VHigh + 0.8 x High, capped at 100.
    pub score: f64,
    /// Zone `A` (0-20, lowest risk) to `E` (81-100).
    pub zone: String,
}

/// Hypo- and hyperglycaemia episodes of 15 minutes or more.
#[uniffi::remote(Record)]
pub struct Episodes {
    /// Below 70 mg/dL.
    pub hypo_level1: u32,
    /// Below 54 mg/dL.
    pub hypo_level2: u32,
    /// Above 250 mg/dL.
    pub hyper_level2: u32,
}

/// CGM metrics over the days the sensor was worn (sensor readings only).
#[uniffi::remote(Record)]
pub struct GlucoseMetrics {
    /// Sensor readings.
    pub count: u64,
    /// The first sensor reading.
    pub first: UtcTimestamp,
    /// The last sensor reading.
    pub last: UtcTimestamp,
    /// Days from the first reading to the end of the last one's interval.
    pub days: f64,
    /// The sensor's interval, minutes.
    pub interval_minutes: u16,
    /// Percent time active, 0-100.
    pub active_percent: f64,
    /// Mean glucose, mg/dL.
    pub mean_mg_dl: f64,
    /// GMI, %; only with enough data.
    #[uniffi(default)]
    pub gmi_percent: Option<f64>,
    /// Coefficient of variation, % (sample SD); only with enough data.
    #[uniffi(default)]
    pub cv_percent: Option<f64>,
    /// Share 70-180 mg/dL, %.
    pub in_range: f64,
    /// Share < 70 mg/dL, %.
    pub below_70: f64,
    /// Share < 54 mg/dL, %.
    pub below_54: f64,
    /// Share > 180 mg/dL, %.
    pub above_180: f64,
    /// Share > 250 mg/dL, %.
    pub above_250: f64,
    /// The Glycemia Risk Index.
    pub gri: Gri,
    /// Episodes.
    pub episodes: Episodes,
    /// >= 14 days worn and >= 70 % active.
    pub sufficient: bool,
}

/// The fingersticks of one meal context.
#[uniffi::remote(Record)]
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
    /// Within the patient's target for this context.
    pub in_target: u64,
    /// Below 70 mg/dL.
    pub hypo: u64,
    /// Below 54 mg/dL.
    pub hypo_level2: u64,
    /// Above 180 mg/dL.
    pub hyper: u64,
    /// Above 250 mg/dL.
    pub hyper_level2: u64,
}

/// A point of a chart series.
#[uniffi::remote(Record)]
pub struct SeriesPoint {
    /// Time, ms since the epoch.
    pub t_ms: i64,
    /// Primary value.
    pub value: f64,
    /// Secondary value (diastolic), if any.
    #[uniffi(default)]
    pub secondary: Option<f64>,
}

/// An alert as a reader sees it.
#[uniffi::remote(Record)]
pub struct AlertText {
    /// A short title.
    pub title: String,
    /// The guideline's advice.
    pub advice: String,
    /// The guideline the advice comes from.
    pub source: String,
    /// The value that raised it, in the reader's units.
    #[uniffi(default)]
    pub value: Option<String>,
    /// Its course since, with the later reading ("Improving: 150/94 mmHg at ..."), when there
    /// is one.
    #[uniffi(default)]
    pub course: Option<String>,
}

/// `alert` worded in `language`, with its value and thresholds in `units`: call it when
/// showing an alert, so that each reader sees it in their own language.
#[uniffi::export]
pub fn render_alert(alert: Alert, language: Language, units: UnitPreferences) -> AlertText {
    companion_core::clinical::alerts::render(&alert, language, &units)
}

/// Classifies a blood pressure (mmHg) by `guideline` in `setting`.
#[uniffi::export]
pub fn classify_blood_pressure(
    systolic: u16,
    diastolic: u16,
    guideline: BpGuideline,
    setting: BpSetting,
) -> BpClassification {
    bp::classify(systolic, diastolic, guideline, setting)
}

/// Classifies a glucose (mg/dL) taken in `context` against the glucose `targets`.
#[uniffi::export]
pub fn classify_glucose(
    mg_dl: f64,
    context: MealContext,
    targets: GlucoseTargets,
) -> GlucoseClassification {
    gl::classify(mg_dl, context, &targets)
}
