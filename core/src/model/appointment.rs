use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::validation::{Validate, ValidationError, check_not_empty};

/// A visit to a clinician.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appointment {
    /// The entry id (UUID v7).
    pub id: String,
    /// When it starts, with the UTC offset of the place.
    pub at: DateTime<FixedOffset>,
    /// What it is (`Diabetes check-up`).
    pub title: String,
    /// With whom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinician: Option<String>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// A note (`bring the glucose meter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Appointment {
    /// A new appointment with a fresh id, validated.
    pub fn new(at: DateTime<FixedOffset>, title: &str) -> Result<Self, ValidationError> {
        let appointment = Self {
            id: super::new_id(),
            at,
            title: title.trim().to_string(),
            clinician: None,
            location: None,
            note: None,
        };
        appointment.validate()?;
        Ok(appointment)
    }
}

impl Validate for Appointment {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        check_not_empty("appointment title", &self.title)
    }
}
