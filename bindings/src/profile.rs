//! The patient's profile across the FFI.

use companion_core::clinical::units as core_units;
use companion_core::model as core;

use crate::convert::{date, time, time_text};
use crate::error::CompanionError;

/// Sex as recorded for clinical reference values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Other or not stated.
    Other,
}

/// The language of texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    /// English.
    English,
    /// Simplified Chinese.
    SimplifiedChinese,
}

/// A glucose unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GlucoseUnit {
    /// mg/dL.
    MgDl,
    /// mmol/L.
    MmolL,
}

/// A weight unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum WeightUnit {
    /// Kilograms.
    Kg,
    /// Pounds.
    Lb,
}

/// A temperature unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TemperatureUnit {
    /// Degrees Celsius.
    Celsius,
    /// Degrees Fahrenheit.
    Fahrenheit,
}

/// An HbA1c unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HbA1cUnit {
    /// NGSP percent.
    Percent,
    /// IFCC mmol/mol.
    MmolMol,
}

/// Usual meal times, `HH:MM`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MealTimes {
    /// Breakfast.
    pub breakfast: String,
    /// Lunch.
    pub lunch: String,
    /// Dinner.
    pub dinner: String,
    /// Bedtime.
    pub bedtime: String,
}

/// Who the record is about. See the core's `Profile` for what each field guarantees.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Profile {
    /// Name.
    pub name: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Height in cm.
    pub height_cm: Option<f64>,
    /// Conditions.
    pub conditions: Vec<String>,
    /// Allergies.
    pub allergies: Vec<String>,
    /// Language of texts.
    pub language: Language,
    /// Home IANA time zone.
    pub home_time_zone: String,
    /// Preferred glucose unit.
    pub glucose_unit: GlucoseUnit,
    /// Preferred weight unit.
    pub weight_unit: WeightUnit,
    /// Preferred temperature unit.
    pub temperature_unit: TemperatureUnit,
    /// Preferred HbA1c unit.
    pub hba1c_unit: HbA1cUnit,
    /// Usual meal times.
    pub meal_times: MealTimes,
    /// How reminders behave.
    pub reminders: ReminderSettings,
}

/// How reminders behave; medication reminders and safety alerts ignore quiet hours and the
/// budget.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReminderSettings {
    /// Quiet hours start, `HH:MM`.
    pub quiet_start: String,
    /// Quiet hours end, `HH:MM`.
    pub quiet_end: String,
    /// The most non-critical nudges a week.
    pub weekly_nudge_budget: u32,
    /// Hours before an appointment for its second reminder.
    pub appointment_hours_before: u32,
}

/// A profile with a name and home zone, every other field at its default.
#[uniffi::export]
pub fn default_profile(name: String, home_time_zone: String) -> Result<Profile, CompanionError> {
    Ok(core::Profile::new(&name, &home_time_zone)?.into())
}

/// The language in core terms.
pub(crate) fn language_in(l: Language) -> core::Language {
    match l {
        Language::English => core::Language::English,
        Language::SimplifiedChinese => core::Language::SimplifiedChinese,
    }
}

impl From<core::Profile> for Profile {
    fn from(p: core::Profile) -> Self {
        Self {
            name: p.name,
            birth_date: p.birth_date.map(|d| d.to_string()),
            sex: p.sex.map(|s| match s {
                core::Sex::Female => Sex::Female,
                core::Sex::Male => Sex::Male,
                core::Sex::Other => Sex::Other,
            }),
            height_cm: p.height_cm,
            conditions: p.conditions,
            allergies: p.allergies,
            language: match p.language {
                core::Language::English => Language::English,
                core::Language::SimplifiedChinese => Language::SimplifiedChinese,
            },
            home_time_zone: p.home_time_zone,
            glucose_unit: match p.units.glucose {
                core_units::GlucoseUnit::MgDl => GlucoseUnit::MgDl,
                core_units::GlucoseUnit::MmolL => GlucoseUnit::MmolL,
            },
            weight_unit: match p.units.weight {
                core_units::WeightUnit::Kg => WeightUnit::Kg,
                core_units::WeightUnit::Lb => WeightUnit::Lb,
            },
            temperature_unit: match p.units.temperature {
                core_units::TemperatureUnit::Celsius => TemperatureUnit::Celsius,
                core_units::TemperatureUnit::Fahrenheit => TemperatureUnit::Fahrenheit,
            },
            hba1c_unit: match p.units.hba1c {
                core_units::HbA1cUnit::Percent => HbA1cUnit::Percent,
                core_units::HbA1cUnit::MmolMol => HbA1cUnit::MmolMol,
            },
            meal_times: MealTimes {
                breakfast: time_text(&p.meal_times.breakfast),
                lunch: time_text(&p.meal_times.lunch),
                dinner: time_text(&p.meal_times.dinner),
                bedtime: time_text(&p.meal_times.bedtime),
            },
            reminders: ReminderSettings {
                quiet_start: time_text(&p.reminders.quiet_start),
                quiet_end: time_text(&p.reminders.quiet_end),
                weekly_nudge_budget: p.reminders.weekly_nudge_budget,
                appointment_hours_before: p.reminders.appointment_hours_before,
            },
        }
    }
}

impl TryFrom<Profile> for core::Profile {
    type Error = CompanionError;

    fn try_from(p: Profile) -> Result<Self, CompanionError> {
        Ok(Self {
            name: p.name,
            birth_date: p.birth_date.map(|d| date("birth date", &d)).transpose()?,
            sex: p.sex.map(|s| match s {
                Sex::Female => core::Sex::Female,
                Sex::Male => core::Sex::Male,
                Sex::Other => core::Sex::Other,
            }),
            height_cm: p.height_cm,
            conditions: p.conditions,
            allergies: p.allergies,
            units: core::UnitPreferences {
                glucose: match p.glucose_unit {
                    GlucoseUnit::MgDl => core_units::GlucoseUnit::MgDl,
                    GlucoseUnit::MmolL => core_units::GlucoseUnit::MmolL,
                },
                weight: match p.weight_unit {
                    WeightUnit::Kg => core_units::WeightUnit::Kg,
                    WeightUnit::Lb => core_units::WeightUnit::Lb,
                },
                temperature: match p.temperature_unit {
                    TemperatureUnit::Celsius => core_units::TemperatureUnit::Celsius,
                    TemperatureUnit::Fahrenheit => core_units::TemperatureUnit::Fahrenheit,
                },
                hba1c: match p.hba1c_unit {
                    HbA1cUnit::Percent => core_units::HbA1cUnit::Percent,
                    HbA1cUnit::MmolMol => core_units::HbA1cUnit::MmolMol,
                },
            },
            language: language_in(p.language),
            home_time_zone: p.home_time_zone,
            meal_times: core::MealTimes {
                breakfast: time("breakfast time", &p.meal_times.breakfast)?,
                lunch: time("lunch time", &p.meal_times.lunch)?,
                dinner: time("dinner time", &p.meal_times.dinner)?,
                bedtime: time("bedtime", &p.meal_times.bedtime)?,
            },
            reminders: core::ReminderSettings {
                quiet_start: time("quiet hours start", &p.reminders.quiet_start)?,
                quiet_end: time("quiet hours end", &p.reminders.quiet_end)?,
                weekly_nudge_budget: p.reminders.weekly_nudge_budget,
                appointment_hours_before: p.reminders.appointment_hours_before,
            },
        })
    }
}
