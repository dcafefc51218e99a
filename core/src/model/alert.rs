use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::Measurement;
use super::validation::{Validate, ValidationError, check_not_empty};
use crate::vocabulary::vocabulary;

/// An urgent finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Glucose < 54 mg/dL (ADA level 2).
    Level2Hypoglycaemia,
    /// >= 180 systolic and/or >= 120 diastolic (AHA).
    HypertensiveCrisis,
    /// A temperature at or above the threshold set for recovery after surgery.
    Fever,
    /// One scheduled dose logged as taken twice, on two devices offline (found when their
    /// records merged): was it taken once or twice?
    DoseLoggedTwice,
    /// Glucose >= 600 mg/dL (33.3 mmol/L), or a meter's "HI": the threshold of the
    /// hyperosmolar hyperglycaemic state (ADA/EASD/JBDS/AACE/DTS consensus 2024).
    HyperglycaemicCrisis,
    /// SpO2 scoring 3 in NEWS2 (<= 91 %, or <= 83 % on scale 2).
    LowOxygen,
    /// Pulse scoring 3 in NEWS2 (<= 40 or >= 131 per minute).
    PulseRedFlag,
    /// Systolic <= 90 mmHg (NEWS2 score 3).
    LowSystolic,
    /// Temperature <= 35.0 °C (NEWS2 score 3).
    LowTemperature,
}

vocabulary!(AlertKind, "alert kind", {
    Level2Hypoglycaemia => "level2_hypoglycaemia",
    HypertensiveCrisis => "hypertensive_crisis",
    Fever => "fever",
    DoseLoggedTwice => "dose_logged_twice",
    HyperglycaemicCrisis => "hyperglycaemic_crisis",
    LowOxygen => "low_oxygen",
    PulseRedFlag => "pulse_red_flag",
    LowSystolic => "low_systolic",
    LowTemperature => "low_temperature",
});

/// One take of a dose logged twice: who logged it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseLog {
    /// Who logged it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
    /// When it was logged as taken, in the offset it was logged in.
    pub at: DateTime<FixedOffset>,
}

/// An urgent alert raised when a reading was stored, or when a merge found one dose logged
/// twice. It is part of the record, so caregivers' devices see it after sync. It is stored as
/// its kind and the values it is about, never as text: [`crate::clinical::alerts::render`]
/// words it in the reader's language and units when it is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The entry id (UUID v7).
    pub id: String,
    /// The reading that raised it (empty for an alert about doses).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reading_id: String,
    /// The doses it is about (a dose logged twice), in the order they were taken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dose_ids: Vec<String>,
    /// What was found.
    pub kind: AlertKind,
    /// When the reading was taken (for doses: the scheduled time).
    pub at: DateTime<FixedOffset>,
    /// The value that raised it (the reading's measurement; its latest, after a correction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Measurement>,
    /// The medication's name (a dose logged twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medication: Option<String>,
    /// Each take of a dose logged twice, in the order they were taken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<DoseLog>,
    /// When someone acknowledged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    /// Who acknowledged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// When it stopped applying: a later reading of the same kind was normal, or its reading
    /// was corrected to a value that does not raise it. Kept in the history, no longer open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<FixedOffset>>,
    /// What resolved it: the later reading's id, or `corrected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
}

impl Validate for Alert {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        if self.dose_ids.is_empty() {
            check_not_empty("reading", &self.reading_id)
        } else {
            Ok(())
        }
    }
}
