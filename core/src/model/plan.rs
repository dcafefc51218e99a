use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::reading::ReadingKind;
use super::validation::{Validate, ValidationError, check_not_empty, check_range};

/// A plan to measure at set times for a number of days: the home blood-pressure protocol before a
/// visit (docs/clinical-sources.md, "Home BP monitoring protocol (ESH)": 7 days, morning and evening, two
/// readings 1-2 minutes apart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementPlan {
    /// The entry id (UUID v7).
    pub id: String,
    /// What to measure.
    pub kind: ReadingKind,
    /// The first day.
    pub start: NaiveDate,
    /// How many days, 1 to 90.
    pub days: u32,
    /// Local times of day to measure at.
    pub times: Vec<NaiveTime>,
    /// What to tell the patient, as the care team typed it (`two readings, one minute apart,
    /// before medication`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// The protocol it follows, whose instructions are worded in the reader's language when
    /// `instructions` says nothing ([`crate::i18n::Texts::plan_instructions`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<MeasurementProtocol>,
}

/// A measurement protocol the core knows, with instructions in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasurementProtocol {
    /// The ESH home blood-pressure week: sit quietly for 5 minutes, two readings 1-2 minutes
    /// apart, before medication and meals.
    HomeBloodPressure,
}

impl MeasurementPlan {
    /// The ESH home blood-pressure protocol ending the day before `visit`: 7 days, at 07:00 and
    /// 19:00, two readings 1-2 minutes apart (docs/clinical-sources.md, "Home BP monitoring protocol").
    pub fn home_blood_pressure_before(visit: NaiveDate) -> Self {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
        Self {
            id: super::new_id(),
            kind: ReadingKind::BloodPressure,
            start: visit - chrono::Days::new(7),
            days: 7,
            times: vec![at(7), at(19)],
            instructions: None,
            protocol: Some(MeasurementProtocol::HomeBloodPressure),
        }
    }
}

impl Validate for MeasurementPlan {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        check_range("plan days", f64::from(self.days), 1.0, 90.0, "days")?;
        if self.times.is_empty() {
            return Err(ValidationError::Empty { field: "times" });
        }
        Ok(())
    }
}
