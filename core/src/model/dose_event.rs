use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::amount::DoseAmount;
use super::validation::{Validate, ValidationError, check_not_empty};
use crate::vocabulary::vocabulary;

/// What happened to a dose. "Missed" is never stored: it is derived from the schedule and the
/// absence of an event once the grace window has passed, so every device derives it alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoseStatus {
    /// Taken, at [`DoseEvent::at`].
    Taken,
    /// Deliberately not taken.
    Skipped,
    /// Put off until [`DoseEvent::snoozed_until`]; due again then.
    Snoozed,
}

vocabulary!(DoseStatus, "dose status", {
    Taken => "taken",
    Skipped => "skipped",
    Snoozed => "snoozed",
});

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
    #[serde(deserialize_with = "super::rfc3339::deserialize")]
    pub at: DateTime<FixedOffset>,
    /// The amount, when it differs from the medication's dose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<DoseAmount>,
    /// Who logged it (the patient, a caregiver's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<String>,
    /// A free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a snooze: when the dose is due again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<DateTime<FixedOffset>>,
    /// The person confirmed a dose beyond an as-needed limit; kept as part of the record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confirmed_over_limit: bool,
    /// The person confirmed logging a dose already logged as taken for the same scheduled
    /// time (it was really taken twice); kept as part of the record. Such a dose counts against
    /// the supply and raises no "dose logged twice" alert.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confirmed_double: bool,
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
            snoozed_until: None,
            confirmed_over_limit: false,
            confirmed_double: false,
        };
        event.validate()?;
        Ok(event)
    }

    /// A snooze of the dose scheduled at `scheduled_at` until `until`, with a fresh id, validated.
    pub fn snooze(
        medication_id: &str,
        at: DateTime<FixedOffset>,
        scheduled_at: DateTime<FixedOffset>,
        until: DateTime<FixedOffset>,
    ) -> Result<Self, ValidationError> {
        let event = Self {
            id: super::new_id(),
            medication_id: medication_id.to_string(),
            scheduled_at: Some(scheduled_at),
            status: DoseStatus::Snoozed,
            at,
            amount: None,
            logged_by: None,
            note: None,
            snoozed_until: Some(until),
            confirmed_over_limit: false,
            confirmed_double: false,
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
        match (self.status, self.snoozed_until) {
            (DoseStatus::Snoozed, None) => Err(ValidationError::Invalid {
                field: "snoozed until",
                reason: "a snooze needs the time the dose is due again",
            }),
            (DoseStatus::Snoozed, Some(until)) if until <= self.at => {
                Err(ValidationError::Invalid {
                    field: "snoozed until",
                    reason: "must be later than the snooze itself",
                })
            }
            (DoseStatus::Snoozed, Some(_)) if self.scheduled_at.is_none() => {
                Err(ValidationError::Invalid {
                    field: "scheduled time",
                    reason: "only a scheduled dose can be snoozed",
                })
            }
            (DoseStatus::Taken | DoseStatus::Skipped, Some(_)) => Err(ValidationError::Invalid {
                field: "snoozed until",
                reason: "only a snooze has one",
            }),
            _ => Ok(()),
        }
    }
}

/// A refill of a medication: units added to what is on hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refill {
    /// The entry id (UUID v7).
    pub id: String,
    /// The medication refilled.
    pub medication_id: String,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Units added (tablets, ml).
    pub amount: f64,
}

impl Refill {
    /// A new refill with a fresh id, validated.
    pub fn new(
        medication_id: &str,
        at: DateTime<FixedOffset>,
        amount: f64,
    ) -> Result<Self, ValidationError> {
        let refill = Self {
            id: super::new_id(),
            medication_id: medication_id.to_string(),
            at,
            amount,
        };
        refill.validate()?;
        Ok(refill)
    }
}

impl Validate for Refill {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        check_not_empty("medication", &self.medication_id)?;
        super::validation::check_range("refill amount", self.amount, 0.001, 100_000.0, "")
    }
}
