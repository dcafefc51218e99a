use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::medication::Dose;
use super::validation::{Validate, ValidationError, check_not_empty};

/// What happened to a dose. "Missed" is never stored: it is derived from the schedule and the
/// absence of an event once the grace window has passed, so every device derives it alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoseStatus {
    /// Taken, at [`DoseEvent::at`].
    Taken,
    /// Deliberately not taken.
    Skipped,
}

/// A dose taken or skipped: one entry in the dose log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseEvent {
    /// The entry id (UUID v7).
    pub id: String,
    /// The medication it belongs to.
    pub medication_id: String,
    /// The scheduled occurrence it answers; `None` for an as-needed dose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<DateTime<FixedOffset>>,
    /// Taken or skipped.
    pub status: DoseStatus,
    /// When it was taken (or skipped), with the UTC offset of the place.
    pub at: DateTime<FixedOffset>,
    /// The amount, when it differs from the medication's dose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Dose>,
    /// Who logged it (the patient, a caregiver's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<String>,
    /// A free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The person confirmed a dose beyond an as-needed limit; kept as part of the record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confirmed_over_limit: bool,
}

impl DoseEvent {
    /// A new dose event with a fresh id, validated.
    pub fn new(
        medication_id: &str,
        status: DoseStatus,
        at: DateTime<FixedOffset>,
        scheduled_at: Option<DateTime<FixedOffset>>,
    ) -> Result<Self, ValidationError> {
        let event = Self {
            id: super::new_id(),
            medication_id: medication_id.to_string(),
            scheduled_at,
            status,
            at,
            amount: None,
            logged_by: None,
            note: None,
            confirmed_over_limit: false,
        };
        event.validate()?;
        Ok(event)
    }

    /// The instant the event is filed under: its scheduled time, or when it happened.
    pub fn filed_at(&self) -> DateTime<FixedOffset> {
        self.scheduled_at.unwrap_or(self.at)
    }
}

impl Validate for DoseEvent {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        check_not_empty("medication", &self.medication_id)?;
        if let Some(amount) = &self.amount {
            amount.validate()?;
        }
        Ok(())
    }
}
