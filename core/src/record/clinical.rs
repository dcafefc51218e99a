//! The record's clinical operations: targets, what a reading means, and urgent alerts.

use chrono::{DateTime, Utc};

use super::HealthRecord;
use crate::clinical::alerts::Assessment;
use crate::error::{Error, Result};
use crate::model::{Alert, ClinicalTargets, Reading, ValidationError};
use crate::query::TimeRange;
use crate::store::{Filter, TARGETS_ID};

/// What storing a reading did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReadingOutcome {
    /// The stored reading's id (an earlier import's, for a duplicate import).
    pub id: String,
    /// True when an identical import was already stored (nothing new was written).
    pub duplicate: bool,
    /// What the reading means.
    pub assessment: Assessment,
    /// The urgent alerts it raised, stored with it in the same transaction.
    pub alerts: Vec<Alert>,
}

impl HealthRecord {
    /// Stores a reading and any urgent alerts it raises, in one transaction, and says what the
    /// reading means: the category and the alerts (with the guideline's advice) to show at once.
    pub fn record_reading(&mut self, reading: &Reading) -> Result<ReadingOutcome> {
        self.store_readings(std::slice::from_ref(reading))?
            .pop()
            .ok_or(Error::Corrupt {
                detail: "a stored reading has no outcome",
            })
    }

    /// The patient's clinical targets: the clinician's, or the defaults for the home zone.
    pub fn targets(&self) -> Result<ClinicalTargets> {
        match self.store.get::<ClinicalTargets>(TARGETS_ID)? {
            Some(t) => Ok(t),
            None => Ok(ClinicalTargets::defaults_for(
                &self.profile()?.home_time_zone,
            )),
        }
    }

    /// Sets the clinical targets. `set_by` is required (the patient sees who set them); `set_at`
    /// defaults to now.
    pub fn set_targets(&mut self, targets: &ClinicalTargets) -> Result<()> {
        let mut t = targets.clone();
        if t.set_by.as_deref().is_none_or(|s| s.trim().is_empty()) {
            return Err(ValidationError::Empty { field: "set by" }.into());
        }
        if t.set_at.is_none() {
            t.set_at = Some(Utc::now().fixed_offset());
        }
        self.store.put(&t)
    }

    /// Alerts raised by readings taken in `range`, newest first.
    pub fn alerts(&self, range: TimeRange) -> Result<Vec<Alert>> {
        let (from_ms, to_ms) = range.millis();
        self.all(&Filter {
            from_ms,
            to_ms,
            ..Filter::default()
        })
    }

    /// Alerts not yet acknowledged, raised by readings taken since `since`.
    pub fn open_alerts(&self, since: DateTime<Utc>) -> Result<Vec<Alert>> {
        let mut list = self.alerts(TimeRange {
            from: Some(since),
            to: None,
        })?;
        list.retain(|a| a.acknowledged_at.is_none());
        Ok(list)
    }

    /// Marks an alert seen by `by` now.
    pub fn acknowledge_alert(&mut self, id: &str, by: &str) -> Result<Alert> {
        let mut alert: Alert = self.get(id)?;
        alert.acknowledged_at = Some(Utc::now().fixed_offset());
        alert.acknowledged_by = Some(by.to_string());
        self.store.update(&alert)?;
        Ok(alert)
    }
}
