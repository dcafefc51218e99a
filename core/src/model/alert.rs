use chrono::{DateTime, Duration, FixedOffset, Utc};
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
    /// Glucose > 250 mg/dL (13.9 mmol/L), level 2 hyperglycaemia: not urgent, but the ADA's
    /// advice to check for ketones applies (above 240 mg/dL).
    Level2Hyperglycaemia,
}

impl AlertKind {
    /// Urgent: shown and notified at once as critical, with "seek care" advice. Level 2
    /// hyperglycaemia is the one alert that is not.
    pub fn is_urgent(self) -> bool {
        self != Self::Level2Hyperglycaemia
    }
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
    Level2Hyperglycaemia => "level2_hyperglycaemia",
});

/// A later reading of the kind an alert is about, which its course was judged by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The later reading's id.
    pub reading_id: String,
    /// When it was taken.
    pub at: DateTime<FixedOffset>,
    /// Its value.
    pub value: Measurement,
}

/// Where an alert stands, as a home screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertCourse {
    /// Nothing since: no later reading of its kind, nobody has seen it.
    Open,
    /// A later reading of its kind is better but still abnormal ([`Alert::follow_up`]).
    Improving,
    /// A later reading is back in range ([`Alert::follow_up`], also named by `resolved_by`):
    /// still shown for [`SHOWN_AFTER_IN_RANGE_HOURS`] hours after that reading.
    BackInRange,
    /// Its reading was corrected to a value that does not raise it.
    Corrected,
    /// A member acknowledged it.
    Seen,
}

/// How long an alert stays on the home screen after a reading back in range, in hours.
pub const SHOWN_AFTER_IN_RANGE_HOURS: i64 = 24;

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
    /// The latest later reading of the kind it is about: better but still abnormal (the alert
    /// is improving), or back in range (then `resolved_by` names it too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
    /// When it stopped applying: a later reading of its kind was back in range (the time of
    /// that reading), or its reading was corrected to a value that does not raise it (the time
    /// of the correction). Kept in the history, no longer open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<FixedOffset>>,
    /// What resolved it: the later reading's id, or `corrected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
}

impl Alert {
    /// Where it stands.
    pub fn course(&self) -> AlertCourse {
        if self.acknowledged_at.is_some() {
            AlertCourse::Seen
        } else if self.resolved_by.as_deref() == Some(CORRECTED) {
            AlertCourse::Corrected
        } else if self.resolved_at.is_some() {
            AlertCourse::BackInRange
        } else if self.follow_up.is_some() {
            AlertCourse::Improving
        } else {
            AlertCourse::Open
        }
    }

    /// Shown on every member's home screen at `now`: until a member acknowledges it, or until
    /// [`SHOWN_AFTER_IN_RANGE_HOURS`] after a reading back in range. A corrected alert (a typo)
    /// is not shown.
    pub fn shown_at(&self, now: DateTime<Utc>) -> bool {
        match self.course() {
            AlertCourse::Open | AlertCourse::Improving => true,
            AlertCourse::BackInRange => self
                .resolved_at
                .is_some_and(|at| now < at.to_utc() + Duration::hours(SHOWN_AFTER_IN_RANGE_HOURS)),
            AlertCourse::Corrected | AlertCourse::Seen => false,
        }
    }
}

/// What `resolved_by` says of an alert whose reading was corrected.
pub const CORRECTED: &str = "corrected";

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
