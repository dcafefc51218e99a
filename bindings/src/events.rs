//! Dose events, refills, journal entries, appointments and measurement plans across the FFI
//! (remote types of the core's).

use companion_core::model::{
    Appointment, Author, DoseAmount, DoseEvent, DoseStatus, JournalEntry, MeasurementPlan,
    MeasurementProtocol, ReadingKind, Refill, ZoneChange,
};

use crate::error::CompanionError;
use crate::types::{CalendarDate, TimeOfDay, Timestamp};

/// What happened to a dose. "Missed" is never stored: it is derived from the schedule and the
/// absence of an event once the grace window has passed, so every device derives it alike.
#[uniffi::remote(Enum)]
pub enum DoseStatus {
    /// Taken, at [`DoseEvent::at`].
    Taken,
    /// Deliberately not taken.
    Skipped,
    /// Put off until [`DoseEvent::snoozed_until`]; due again then.
    Snoozed,
}

/// The patient's phone moved to `zone` at `at` (the record's zone history).
#[uniffi::remote(Record)]
pub struct ZoneChange {
    /// The entry id (UUID v7).
    pub id: String,
    /// When the phone found itself in the zone.
    pub at: Timestamp,
    /// The IANA zone.
    pub zone: String,
}

/// A dose taken or skipped: one entry in the dose log.
#[uniffi::remote(Record)]
pub struct DoseEvent {
    /// The entry id (UUID v7).
    pub id: String,
    /// The medication it belongs to.
    pub medication_id: String,
    /// The scheduled occurrence it answers; `None` for an as-needed dose.
    #[uniffi(default)]
    pub scheduled_at: Option<Timestamp>,
    /// Taken or skipped.
    pub status: DoseStatus,
    /// When it was taken (or skipped), with the UTC offset of the place.
    pub at: Timestamp,
    /// The amount, when it differs from the medication's dose.
    #[uniffi(default)]
    pub amount: Option<DoseAmount>,
    /// Who logged it (the patient, a caregiver's name).
    #[uniffi(default)]
    pub logged_by: Option<String>,
    /// A free-text note.
    #[uniffi(default)]
    pub note: Option<String>,
    /// For a snooze: when the dose is due again.
    #[uniffi(default)]
    pub snoozed_until: Option<Timestamp>,
    /// The person confirmed a dose beyond an as-needed limit; kept as part of the record.
    pub confirmed_over_limit: bool,
    /// The person confirmed a second take of a dose already logged as taken; kept.
    #[uniffi(default)]
    pub confirmed_double: bool,
}

/// A refill of a medication: units added to what is on hand.
#[uniffi::remote(Record)]
pub struct Refill {
    /// The entry id (UUID v7).
    pub id: String,
    /// The medication refilled.
    pub medication_id: String,
    /// When.
    pub at: Timestamp,
    /// Units added (tablets, ml).
    pub amount: f64,
}

/// A journal entry: how the day went, a mood, symptoms.
#[uniffi::remote(Record)]
pub struct JournalEntry {
    /// The entry id (UUID v7).
    pub id: String,
    /// When it was written, with the UTC offset of the place.
    pub at: Timestamp,
    /// The text (may be empty when a mood or symptoms are given).
    pub text: String,
    /// Mood from 1 (very bad) to 5 (very good).
    #[uniffi(default)]
    pub mood: Option<u8>,
    /// Symptom tags (`headache`, `dizziness`).
    #[uniffi(default)]
    pub symptoms: Vec<String>,
    /// Who wrote it.
    #[uniffi(default)]
    pub logged_by: Option<String>,
    /// The patient chose to include it in the visit report.
    pub highlight: bool,
    /// The patient or a caregiver, stamped by the record from the writing device's role.
    #[uniffi(default)]
    pub author: Option<Author>,
}

/// Who wrote a journal entry.
#[uniffi::remote(Enum)]
pub enum Author {
    /// The patient, on their own device.
    Patient,
    /// A family caregiver, on theirs.
    Caregiver,
}

/// A visit to a clinician.
#[uniffi::remote(Record)]
pub struct Appointment {
    /// The entry id (UUID v7).
    pub id: String,
    /// When it starts, with the UTC offset of the place.
    pub at: Timestamp,
    /// What it is (`Diabetes check-up`).
    pub title: String,
    /// With whom.
    #[uniffi(default)]
    pub clinician: Option<String>,
    /// Where.
    #[uniffi(default)]
    pub location: Option<String>,
    /// A note (`bring the glucose meter`).
    #[uniffi(default)]
    pub note: Option<String>,
}

/// A plan to measure at set times for a number of days: the home blood-pressure protocol before a
/// visit (docs/clinical-sources.md, "Home BP monitoring protocol (ESH)": 7 days, morning and evening, two
/// readings 1-2 minutes apart).
#[uniffi::remote(Record)]
pub struct MeasurementPlan {
    /// The entry id (UUID v7).
    pub id: String,
    /// What to measure.
    pub kind: ReadingKind,
    /// The first day.
    pub start: CalendarDate,
    /// How many days, 1 to 90.
    pub days: u32,
    /// Local times of day to measure at.
    #[uniffi(default)]
    pub times: Vec<TimeOfDay>,
    /// What to tell the patient, as the care team typed it.
    #[uniffi(default)]
    pub instructions: Option<String>,
    /// The protocol it follows: without `instructions`, its instructions are worded in the
    /// reader's language (the notification's body says them).
    #[uniffi(default)]
    pub protocol: Option<MeasurementProtocol>,
}

/// A measurement protocol the core words in every language.
#[uniffi::remote(Enum)]
pub enum MeasurementProtocol {
    /// The ESH home blood-pressure week.
    HomeBloodPressure,
}

/// The ESH home blood-pressure protocol for the week before a visit on `visit`.
#[uniffi::export]
pub fn home_blood_pressure_plan(visit: CalendarDate) -> Result<MeasurementPlan, CompanionError> {
    Ok(MeasurementPlan::home_blood_pressure_before(visit))
}
