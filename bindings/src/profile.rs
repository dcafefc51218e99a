//! The patient's profile across the FFI: the core's types, declared here as remote types so
//! that a change in the core that this mirror does not follow fails to compile.

use companion_core::model::units::{GlucoseUnit, HbA1cUnit, TemperatureUnit, WeightUnit};
use companion_core::model::{Language, MealTimes, Profile, ReminderSettings, Sex, UnitPreferences};

use crate::error::CompanionError;
use crate::types::{CalendarDate, TimeOfDay};

/// Sex as recorded for clinical reference values.
#[uniffi::remote(Enum)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Other or not stated.
    Other,
}

/// The language the record's texts (reminders, reports) are written in.
#[uniffi::remote(Enum)]
pub enum Language {
    /// English.
    English,
    /// Simplified Chinese.
    SimplifiedChinese,
}

/// A glucose unit.
#[uniffi::remote(Enum)]
pub enum GlucoseUnit {
    /// Milligrams per decilitre (canonical; UCUM `mg/dL`).
    MgDl,
    /// Millimoles per litre (UCUM `mmol/L`).
    MmolL,
}

/// A body-weight unit.
#[uniffi::remote(Enum)]
pub enum WeightUnit {
    /// Kilograms (canonical).
    Kg,
    /// Avoirdupois pounds.
    Lb,
}

/// A body-temperature unit.
#[uniffi::remote(Enum)]
pub enum TemperatureUnit {
    /// Degrees Celsius (canonical; UCUM `Cel`).
    Celsius,
    /// Degrees Fahrenheit (UCUM `[degF]`).
    Fahrenheit,
}

/// An HbA1c unit.
#[uniffi::remote(Enum)]
pub enum HbA1cUnit {
    /// NGSP/DCCT percent (canonical; LOINC 4548-4).
    Percent,
    /// IFCC mmol/mol.
    MmolMol,
}

/// The units the patient prefers to see and type.
#[uniffi::remote(Record)]
pub struct UnitPreferences {
    /// Glucose unit.
    pub glucose: GlucoseUnit,
    /// Weight unit.
    pub weight: WeightUnit,
    /// Temperature unit.
    pub temperature: TemperatureUnit,
    /// HbA1c unit.
    pub hba1c: HbA1cUnit,
}

/// How reminders behave. Medication reminders and safety alerts ignore quiet hours and the
/// nudge budget: only non-critical nudges respect them (docs/clinical-sources.md, "Safety principles").
#[uniffi::remote(Record)]
pub struct ReminderSettings {
    /// Quiet hours start (local time).
    pub quiet_start: TimeOfDay,
    /// Quiet hours end (local time, the next day when earlier than the start).
    pub quiet_end: TimeOfDay,
    /// The most non-critical nudges in one week (Monday to Sunday).
    pub weekly_nudge_budget: u32,
    /// Hours before an appointment for its second reminder (the first is the evening before).
    pub appointment_hours_before: u32,
}

/// Who the record is about.
#[uniffi::remote(Record)]
pub struct Profile {
    /// The patient's name as they want to be addressed.
    pub name: String,
    /// Date of birth.
    #[uniffi(default)]
    pub birth_date: Option<CalendarDate>,
    /// Sex, for reference values.
    #[uniffi(default)]
    pub sex: Option<Sex>,
    /// Height in cm.
    #[uniffi(default)]
    pub height_cm: Option<f64>,
    /// Conditions (`hypertension`, `type 2 diabetes`).
    #[uniffi(default)]
    pub conditions: Vec<String>,
    /// Allergies.
    #[uniffi(default)]
    pub allergies: Vec<String>,
    /// What the patient said there are none of (`allergies`, `medications`, `conditions`).
    #[uniffi(default)]
    pub none_known: Vec<String>,
    /// Preferred units.
    pub units: UnitPreferences,
    /// Language of texts.
    pub language: Language,
    /// The home IANA time zone (`Europe/Berlin`).
    pub home_time_zone: String,
    /// Usual meal times, for meal-relative schedules.
    pub meal_times: MealTimes,
    /// How reminders behave.
    pub reminders: ReminderSettings,
}

/// The patient's usual meal times, for meal-relative schedules.
#[uniffi::remote(Record)]
pub struct MealTimes {
    /// Usual breakfast time.
    pub breakfast: TimeOfDay,
    /// Usual lunch time.
    pub lunch: TimeOfDay,
    /// Usual dinner time.
    pub dinner: TimeOfDay,
    /// Usual bedtime.
    pub bedtime: TimeOfDay,
}

/// A profile with a name and home zone, every other field at its default.
#[uniffi::export]
pub fn default_profile(name: String, home_time_zone: String) -> Result<Profile, CompanionError> {
    Ok(Profile::new(&name, &home_time_zone)?)
}
