use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::amount::DoseAmount;
use super::schedule::{LateDosePolicy, Schedule, TimeZonePolicy};
use super::validation::{Validate, ValidationError, check_not_empty, check_range};
use crate::vocabulary::vocabulary;

/// The form a medication comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MedicationForm {
    /// A tablet.
    #[default]
    Tablet,
    /// A capsule.
    Capsule,
    /// A liquid to swallow.
    Liquid,
    /// An injection (insulin pen, syringe).
    Injection,
    /// An inhaler.
    Inhaler,
    /// A skin patch.
    Patch,
    /// Drops (eye, ear).
    Drops,
    /// A cream or ointment.
    Topical,
    /// Anything else.
    Other,
}

vocabulary!(MedicationForm, "form", {
    Tablet => "tablet",
    Capsule => "capsule",
    Liquid => "liquid",
    Injection => "injection",
    Inhaler => "inhaler",
    Patch => "patch",
    Drops => "drops",
    Topical => "topical" | "cream" | "ointment",
    Other => "other",
});

/// Whether a medication is being taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MedicationStatus {
    /// Being taken: reminders run.
    #[default]
    Active,
    /// Paused: no reminders, and resuming does not replay the doses the pause skipped.
    Paused,
    /// Stopped for good; kept for the history.
    Stopped,
}

vocabulary!(MedicationStatus, "medication status", {
    Active => "active",
    Paused => "paused",
    Stopped => "stopped",
});

/// A medication the patient takes, with its schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Medication {
    /// The entry id (UUID v7).
    pub id: String,
    /// The name on the pack (`Metformin`).
    pub name: String,
    /// The strength of one unit (`500 mg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<String>,
    /// The form.
    #[serde(default)]
    pub form: MedicationForm,
    /// The dose taken at each scheduled time (a tapering schedule gives its own per step).
    pub dose: DoseAmount,
    /// Instructions (`with food`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Who prescribed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescriber: Option<String>,
    /// The first day it is taken.
    pub start: NaiveDate,
    /// The last day it is taken, if the course ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// Whether it is being taken.
    #[serde(default)]
    pub status: MedicationStatus,
    /// What was on hand when last counted, if the patient tracks it. What is on hand now is
    /// derived from it, the refills logged and the doses taken since, so that doses logged on
    /// two devices offline both count after a merge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    /// Days before the projected run-out date that the refill reminder fires.
    #[serde(default = "default_refill_days")]
    pub refill_days_ahead: u32,
    /// When the medication was paused or stopped: no dose is due, or missed, inside a pause.
    /// Kept by the record when the status changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<Pause>,
    /// Earlier schedules, each with the instant it was replaced. Kept by the record when the
    /// schedule, dose or time-zone policy is edited, so that the doses of the day of an edit are
    /// neither lost nor doubled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ScheduleVersion>,
    /// No dose is due before this instant: when the medication entered the record (the shell
    /// that adds it sets it, with the time it has: the model reads no clock), so that a
    /// medication added at noon has no missed morning dose. `None`: doses are due from the
    /// start date on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<DateTime<Utc>>,
    /// When it is due.
    pub schedule: Schedule,
    /// Which clock the schedule follows.
    #[serde(default)]
    pub time_zone: TimeZonePolicy,
    /// Minutes after the scheduled time before an untaken dose counts as missed.
    #[serde(default = "default_grace_minutes")]
    pub grace_minutes: u32,
    /// What to do with a dose remembered late.
    #[serde(default)]
    pub late_dose: LateDosePolicy,
}

fn default_grace_minutes() -> u32 {
    60
}

fn default_refill_days() -> u32 {
    3
}

fn one() -> f64 {
    1.0
}

/// A count of a medication on hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Units on hand (tablets, ml, puffs) when counted.
    pub count: f64,
    /// When they were counted.
    pub counted_at: DateTime<FixedOffset>,
    /// Units used by one dose of the medication's own dose (1 tablet); a tapering step's dose
    /// uses its amount in proportion.
    #[serde(default = "one")]
    pub per_dose: f64,
}

/// An interval in which a medication was paused or stopped (`until` is open while it lasts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// Start of the pause.
    pub from: DateTime<Utc>,
    /// End of the pause, when resumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// A schedule that applied until `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleVersion {
    /// When it was replaced.
    pub until: DateTime<Utc>,
    /// The schedule.
    pub schedule: Schedule,
    /// Its time-zone policy.
    pub time_zone: TimeZonePolicy,
    /// Its dose.
    pub dose: DoseAmount,
}

impl Medication {
    /// A new active medication with a fresh id, local-time policy and default grace window,
    /// validated; due from `start` on (set [`Medication::recorded_at`] to when it is added).
    pub fn new(
        name: &str,
        dose: DoseAmount,
        schedule: Schedule,
        start: NaiveDate,
    ) -> Result<Self, ValidationError> {
        let medication = Self {
            id: super::new_id(),
            name: name.trim().to_string(),
            strength: None,
            form: MedicationForm::default(),
            dose,
            instructions: None,
            prescriber: None,
            start,
            end: None,
            status: MedicationStatus::Active,
            inventory: None,
            refill_days_ahead: default_refill_days(),
            pauses: Vec::new(),
            history: Vec::new(),
            recorded_at: None,
            schedule,
            time_zone: TimeZonePolicy::Local,
            grace_minutes: default_grace_minutes(),
            late_dose: LateDosePolicy::HalfInterval,
        };
        medication.validate()?;
        Ok(medication)
    }
}

impl Validate for Medication {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        check_not_empty("medication name", &self.name)?;
        self.dose.validate()?;
        if let Some(end) = self.end
            && end < self.start
        {
            return Err(ValidationError::Invalid {
                field: "end date",
                reason: "must not be before the start date",
            });
        }
        if let Some(inventory) = &self.inventory {
            check_range("inventory", inventory.count, 0.0, 1_000_000.0, "")?;
            check_range("units per dose", inventory.per_dose, 0.001, 1000.0, "")?;
        }
        check_range(
            "refill days ahead",
            f64::from(self.refill_days_ahead),
            0.0,
            60.0,
            "days",
        )?;
        check_range(
            "grace minutes",
            f64::from(self.grace_minutes),
            0.0,
            24.0 * 60.0,
            "minutes",
        )?;
        if let super::schedule::LateDosePolicy::Within { minutes } = self.late_dose {
            check_range(
                "late-dose window",
                f64::from(minutes),
                0.0,
                24.0 * 60.0,
                "minutes",
            )?;
        }
        self.schedule.validate()?;
        if let Schedule::AfterDose { medication_id, .. } = &self.schedule
            && medication_id == &self.id
        {
            return Err(ValidationError::Invalid {
                field: "linked medication",
                reason: "a medication cannot follow its own dose",
            });
        }
        self.time_zone.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_course_cannot_end_before_it_starts() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let schedule = Schedule::FixedTimes {
            times: vec![chrono::NaiveTime::MIN],
        };
        let mut m = Medication::new(
            "Amoxicillin",
            DoseAmount::parse("500 mg").expect("dose"),
            schedule,
            start,
        )
        .expect("valid");
        m.end = NaiveDate::from_ymd_opt(2026, 2, 1);
        assert!(matches!(
            m.validate(),
            Err(ValidationError::Invalid {
                field: "end date",
                ..
            })
        ));
        m.end = None;
        m.name = "  ".into();
        assert!(m.validate().is_err());
    }
}
