//! Dose events, journal entries and appointments across the FFI.

use companion_core::model as core;

use crate::convert::{instant, instant_text};
use crate::error::CompanionError;
use crate::medications::Dose;

/// Taken or skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DoseStatus {
    /// Taken.
    Taken,
    /// Skipped.
    Skipped,
    /// Snoozed until `snoozed_until`.
    Snoozed,
}

/// A dose taken or skipped.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DoseEvent {
    /// Entry id (use `new_id()`).
    pub id: String,
    /// The medication.
    pub medication_id: String,
    /// The scheduled occurrence it answers (RFC 3339); none for as-needed doses.
    pub scheduled_at: Option<String>,
    /// Taken or skipped.
    pub status: DoseStatus,
    /// When (RFC 3339).
    pub at: String,
    /// The amount when it differs from the medication's dose.
    pub amount: Option<Dose>,
    /// Who logged it.
    pub logged_by: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// For a snooze: when it is due again (RFC 3339).
    pub snoozed_until: Option<String>,
    /// A dose beyond an as-needed limit that the person confirmed.
    pub confirmed_over_limit: bool,
}

/// A refill: units added to what is on hand.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Refill {
    /// Entry id (use `new_id()`).
    pub id: String,
    /// The medication.
    pub medication_id: String,
    /// When (RFC 3339).
    pub at: String,
    /// Units added.
    pub amount: f64,
}

impl From<core::Refill> for Refill {
    fn from(r: core::Refill) -> Self {
        Self {
            id: r.id,
            medication_id: r.medication_id,
            at: instant_text(&r.at),
            amount: r.amount,
        }
    }
}

impl TryFrom<Refill> for core::Refill {
    type Error = CompanionError;

    fn try_from(r: Refill) -> Result<Self, CompanionError> {
        Ok(Self {
            id: r.id,
            medication_id: r.medication_id,
            at: instant("refill time", &r.at)?,
            amount: r.amount,
        })
    }
}

/// A journal entry.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct JournalEntry {
    /// Entry id (use `new_id()`).
    pub id: String,
    /// When (RFC 3339).
    pub at: String,
    /// Text.
    pub text: String,
    /// Mood 1-5.
    pub mood: Option<u8>,
    /// Symptom tags.
    pub symptoms: Vec<String>,
    /// Who wrote it.
    pub logged_by: Option<String>,
    /// Include it in the visit report.
    pub highlight: bool,
}

/// An appointment.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Appointment {
    /// Entry id (use `new_id()`).
    pub id: String,
    /// When (RFC 3339).
    pub at: String,
    /// What it is.
    pub title: String,
    /// With whom.
    pub clinician: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// A note.
    pub note: Option<String>,
}

impl From<core::DoseEvent> for DoseEvent {
    fn from(d: core::DoseEvent) -> Self {
        Self {
            id: d.id,
            medication_id: d.medication_id,
            scheduled_at: d.scheduled_at.as_ref().map(instant_text),
            status: match d.status {
                core::DoseStatus::Taken => DoseStatus::Taken,
                core::DoseStatus::Skipped => DoseStatus::Skipped,
                core::DoseStatus::Snoozed => DoseStatus::Snoozed,
            },
            at: instant_text(&d.at),
            amount: d.amount.map(Into::into),
            logged_by: d.logged_by,
            note: d.note,
            snoozed_until: d.snoozed_until.as_ref().map(instant_text),
            confirmed_over_limit: d.confirmed_over_limit,
        }
    }
}

impl TryFrom<DoseEvent> for core::DoseEvent {
    type Error = CompanionError;

    fn try_from(d: DoseEvent) -> Result<Self, CompanionError> {
        Ok(Self {
            id: d.id,
            medication_id: d.medication_id,
            scheduled_at: d
                .scheduled_at
                .map(|s| instant("scheduled time", &s))
                .transpose()?,
            status: match d.status {
                DoseStatus::Taken => core::DoseStatus::Taken,
                DoseStatus::Skipped => core::DoseStatus::Skipped,
                DoseStatus::Snoozed => core::DoseStatus::Snoozed,
            },
            at: instant("dose time", &d.at)?,
            amount: d.amount.map(Into::into),
            logged_by: d.logged_by,
            note: d.note,
            snoozed_until: d
                .snoozed_until
                .map(|s| instant("snoozed until", &s))
                .transpose()?,
            confirmed_over_limit: d.confirmed_over_limit,
        })
    }
}

impl From<core::JournalEntry> for JournalEntry {
    fn from(e: core::JournalEntry) -> Self {
        Self {
            id: e.id,
            at: instant_text(&e.at),
            text: e.text,
            mood: e.mood,
            symptoms: e.symptoms,
            logged_by: e.logged_by,
            highlight: e.highlight,
        }
    }
}

impl TryFrom<JournalEntry> for core::JournalEntry {
    type Error = CompanionError;

    fn try_from(e: JournalEntry) -> Result<Self, CompanionError> {
        Ok(Self {
            id: e.id,
            at: instant("journal time", &e.at)?,
            text: e.text,
            mood: e.mood,
            symptoms: e.symptoms,
            logged_by: e.logged_by,
            highlight: e.highlight,
        })
    }
}

impl From<core::Appointment> for Appointment {
    fn from(a: core::Appointment) -> Self {
        Self {
            id: a.id,
            at: instant_text(&a.at),
            title: a.title,
            clinician: a.clinician,
            location: a.location,
            note: a.note,
        }
    }
}

impl TryFrom<Appointment> for core::Appointment {
    type Error = CompanionError;

    fn try_from(a: Appointment) -> Result<Self, CompanionError> {
        Ok(Self {
            id: a.id,
            at: instant("appointment time", &a.at)?,
            title: a.title,
            clinician: a.clinician,
            location: a.location,
            note: a.note,
        })
    }
}

/// A plan to measure at set times for some days (the home blood-pressure week before a visit).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MeasurementPlan {
    /// Entry id (use `new_id()`).
    pub id: String,
    /// What to measure.
    pub kind: crate::readings::ReadingKind,
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Days.
    pub days: u32,
    /// Times of day, `HH:MM`.
    pub times: Vec<String>,
    /// What to tell the patient.
    pub instructions: Option<String>,
}

/// The ESH home blood-pressure protocol for the week before a visit on `visit` (`YYYY-MM-DD`).
#[uniffi::export]
pub fn home_blood_pressure_plan(visit: String) -> Result<MeasurementPlan, CompanionError> {
    let visit = crate::convert::date("visit date", &visit)?;
    Ok(core::MeasurementPlan::home_blood_pressure_before(visit).into())
}

impl From<core::MeasurementPlan> for MeasurementPlan {
    fn from(p: core::MeasurementPlan) -> Self {
        Self {
            id: p.id,
            kind: p.kind.into(),
            start: p.start.to_string(),
            days: p.days,
            times: crate::convert::times_text(&p.times),
            instructions: p.instructions,
        }
    }
}

impl TryFrom<MeasurementPlan> for core::MeasurementPlan {
    type Error = CompanionError;

    fn try_from(p: MeasurementPlan) -> Result<Self, CompanionError> {
        Ok(Self {
            id: p.id,
            kind: p.kind.into(),
            start: crate::convert::date("plan start", &p.start)?,
            days: p.days,
            times: crate::convert::times("plan times", &p.times)?,
            instructions: p.instructions,
        })
    }
}
