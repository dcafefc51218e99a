//! Query parameters and results of the facade.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{
    Appointment, DoseEvent, JournalEntry, Medication, Profile, Reading, ReadingKind,
    ValidationError,
};

/// A half-open time range `[from, to)`; an open end is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// Inclusive start.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive end.
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Every time.
    pub const ALL: TimeRange = TimeRange {
        from: None,
        to: None,
    };

    /// `[from, to)`.
    pub fn between(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self {
            from: Some(from),
            to: Some(to),
        }
    }

    pub(crate) fn millis(&self) -> (Option<i64>, Option<i64>) {
        (
            self.from.map(|t| t.timestamp_millis()),
            self.to.map(|t| t.timestamp_millis()),
        )
    }
}

/// Which readings to list: newest first, a page at a time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadingQuery {
    /// Only this kind; every kind when `None`.
    pub kind: Option<ReadingKind>,
    /// Only readings taken in this range.
    pub range: TimeRange,
    /// At most this many readings (`None`: all).
    pub limit: Option<u32>,
    /// Continue after the page that returned this cursor.
    pub after: Option<PageCursor>,
}

/// A position in a listing, returned with a page to ask for the next one. Opaque to callers;
/// its text form ([`PageCursor::as_str`]) can travel through the FFI or a command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor(String);

impl PageCursor {
    pub(crate) fn new(at_ms: i64, id: &str) -> Self {
        Self(format!("{at_ms}/{id}"))
    }

    /// Reads a cursor back from its text form; refuses text that no page returned.
    pub fn parse(text: &str) -> Result<Self> {
        let cursor = Self(text.to_string());
        cursor.position()?;
        Ok(cursor)
    }

    /// The cursor's text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn position(&self) -> Result<(i64, &str)> {
        const BAD: ValidationError = ValidationError::Invalid {
            field: "page cursor",
            reason: "is not a cursor returned by a listing",
        };
        let (at, id) = self.0.split_once('/').ok_or(Error::Invalid(BAD))?;
        let at = at.parse().map_err(|_| Error::Invalid(BAD))?;
        Ok((at, id))
    }
}

/// One page of readings.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadingPage {
    /// The readings, newest first.
    pub readings: Vec<Reading>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<PageCursor>,
}

/// Everything a record holds (live entries only), for `export --json` and backups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    /// The record's id.
    pub record_id: String,
    /// The profile.
    pub profile: Profile,
    /// Every medication, stopped ones included.
    pub medications: Vec<Medication>,
    /// Appointments, newest first.
    pub appointments: Vec<Appointment>,
    /// Readings, newest first.
    pub readings: Vec<Reading>,
    /// Dose events, newest first.
    pub doses: Vec<DoseEvent>,
    /// Journal entries, newest first.
    pub journal: Vec<JournalEntry>,
    /// Care journeys, newest first, stopped ones included.
    #[serde(default)]
    pub journeys: Vec<crate::model::Journey>,
    /// What was recorded along them, oldest first per journey.
    #[serde(default)]
    pub journey_steps: Vec<crate::model::JourneyStep>,
    /// Questionnaires answered, newest first.
    #[serde(default)]
    pub questionnaire_responses: Vec<crate::model::QuestionnaireResponse>,
    /// The clinic's journey templates.
    #[serde(default)]
    pub journey_templates: Vec<crate::model::StoredTemplate>,
    /// The clinician's targets, when set (none: the defaults apply).
    #[serde(default)]
    pub targets: Option<crate::model::ClinicalTargets>,
    /// Measurement plans.
    #[serde(default)]
    pub measurement_plans: Vec<crate::model::MeasurementPlan>,
    /// Refills, newest first.
    #[serde(default)]
    pub refills: Vec<crate::model::Refill>,
    /// Alerts, newest first, with who saw them and their course.
    #[serde(default)]
    pub alerts: Vec<crate::model::Alert>,
    /// The zone history: where the patient lived and travelled, and since when.
    #[serde(default)]
    pub zones: Vec<crate::model::ZoneChange>,
}
