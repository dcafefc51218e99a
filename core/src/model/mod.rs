//! The domain: plain serde types with no storage concerns.
//!
//! Every type here validates itself ([`Validate`]); constructors return a [`ValidationError`]
//! instead of building a value that could not be true of a person (a systolic pressure of 400,
//! a weight of two tonnes, a time zone that does not exist). The store validates again before
//! every write, so nothing invalid is ever persisted, whatever built the value.

mod alert;
mod amount;
mod appointment;
pub mod bounds;
pub mod condition;
mod dose_event;
mod id;
mod journal;
mod journey;
mod medication;
pub mod number;
mod plan;
pub mod plausibility;
mod profile;
mod reading;
mod reading_block;
mod rfc3339;
pub(crate) use rfc3339::deserialize as rfc3339_deserialize;
mod schedule;
mod targets;
pub mod units;
mod validation;
mod zone_change;

pub use alert::{
    Alert, AlertCourse, AlertKind, CORRECTED, DoseLog, FollowUp, SHOWN_AFTER_IN_RANGE_HOURS,
};
pub use amount::DoseAmount;
pub use appointment::Appointment;
pub use dose_event::{DoseEvent, DoseStatus, Refill};
pub use id::{
    derived_id, imported_id_head, imported_reading_id, imported_reading_id_of, imported_time,
    new_id,
};
pub use journal::{Author, JournalEntry};
pub use journey::{
    Given, Journey, JourneyStep, QuestionnaireResponse, ResponseItem, StepKind, StoredTemplate,
};
pub use medication::{
    Inventory, Medication, MedicationForm, MedicationStatus, Pause, ScheduleVersion,
};
pub use plan::{MeasurementPlan, MeasurementProtocol};
pub use profile::{Language, NONE_KNOWN_ITEMS, Profile, ReminderSettings, Sex, UnitPreferences};
pub use reading::{BpSetting, MealContext, Measurement, Reading, ReadingKind, ReadingSource};
pub use reading_block::{BLOCK_MAX, BlockRow, ReadingBlock, decode_rows};
pub use schedule::{
    AsNeededLimits, DailyWindow, LateDosePolicy, Meal, MealTimes, Schedule, TaperStep,
    TimeZonePolicy,
};
pub use targets::{BpGuideline, BpTarget, ClinicalTargets, GlucoseTargets};
pub use validation::{Validate, ValidationError, display_name, parse_time_zone};
pub use zone_change::ZoneChange;

/// A field of a flat-read tagged type (docs/storage.md, "Size") whose type depends on the
/// variant (a schedule's `days`): kept as JSON while reading, then
/// read as the variant's type. A missing (`missing`) or ill-typed (`invalid`) field is refused.
pub(crate) fn per_type<T: serde::de::DeserializeOwned>(
    value: Option<serde_json::Value>,
    missing: &'static str,
    invalid: &'static str,
) -> Result<T, &'static str> {
    serde_json::from_value(value.ok_or(missing)?).map_err(|_| invalid)
}
