//! Where the patient's phone was: the time zone it moved to, and when (issue 13). Past doses
//! of a medication that follows local time are judged in the zone that applied then, so
//! travelling does not rewrite the past.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::validation::{Validate, ValidationError};

/// The patient's device moved to `zone` at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneChange {
    /// The entry's id.
    pub id: String,
    /// When the device found itself in the zone.
    pub at: DateTime<FixedOffset>,
    /// The IANA zone (`America/New_York`).
    pub zone: String,
}

impl ZoneChange {
    /// A new zone change; refuses a zone the platform's database does not know.
    pub fn new(zone: &str, at: DateTime<FixedOffset>) -> Result<Self, ValidationError> {
        let change = Self {
            id: super::new_id(),
            at,
            zone: zone.trim().to_string(),
        };
        change.validate()?;
        Ok(change)
    }
}

impl Validate for ZoneChange {
    fn validate(&self) -> Result<(), ValidationError> {
        if crate::zone::Zone::named(&self.zone).is_none() {
            return Err(ValidationError::Invalid {
                field: "time zone",
                reason: "not a time zone of the IANA database (like Europe/Berlin)",
            });
        }
        Ok(())
    }
}
