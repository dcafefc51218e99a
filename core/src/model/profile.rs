use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::schedule::MealTimes;
use super::validation::{Validate, ValidationError, check_not_empty, check_range, parse_time_zone};
use crate::model::plausibility::HEIGHT_CM;
use crate::model::units::{GlucoseUnit, HbA1cUnit, TemperatureUnit, WeightUnit};
use crate::vocabulary::vocabulary;

/// Sex as recorded for clinical reference values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Other or not stated.
    Other,
}

vocabulary!(Sex, "sex", {
    Female => "female" | "f",
    Male => "male" | "m",
    Other => "other",
});

/// The language the record's texts (reminders, reports) are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Language {
    /// English.
    #[default]
    #[serde(rename = "en")]
    English,
    /// Simplified Chinese.
    #[serde(rename = "zh-Hans")]
    SimplifiedChinese,
}

vocabulary!(Language, "language", {
    English => "en" | "english",
    SimplifiedChinese => "zh-Hans" | "zh" | "zh-cn",
});

impl Language {
    /// The mark this language writes decimals with (`1,000.5` in English and Chinese).
    pub fn decimal_mark(self) -> super::number::DecimalMark {
        match self {
            Self::English | Self::SimplifiedChinese => super::number::DecimalMark::Point,
        }
    }
}

/// The units the patient prefers to see and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

impl Default for UnitPreferences {
    fn default() -> Self {
        Self {
            glucose: GlucoseUnit::MgDl,
            weight: WeightUnit::Kg,
            temperature: TemperatureUnit::Celsius,
            hba1c: HbA1cUnit::Percent,
        }
    }
}

/// Who the record is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The patient's name as they want to be addressed.
    pub name: String,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Sex, for reference values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Height in cm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_cm: Option<f64>,
    /// Conditions (`hypertension`, `type 2 diabetes`).
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Allergies.
    #[serde(default)]
    pub allergies: Vec<String>,
    /// The safety items the patient said there are none of (`allergies`: no known allergies;
    /// `medications`, `conditions`), so that the home screen stops asking
    /// ([`NONE_KNOWN_ITEMS`]). A list that has entries wins over its "none".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub none_known: Vec<String>,
    /// Preferred units.
    #[serde(default)]
    pub units: UnitPreferences,
    /// Language of texts.
    #[serde(default)]
    pub language: Language,
    /// The home IANA time zone (`Europe/Berlin`).
    pub home_time_zone: String,
    /// Usual meal times, for meal-relative schedules.
    #[serde(default)]
    pub meal_times: MealTimes,
    /// How reminders behave.
    #[serde(default)]
    pub reminders: ReminderSettings,
}

/// How reminders behave. Medication reminders and safety alerts ignore quiet hours and the
/// nudge budget: only non-critical nudges respect them (docs/clinical-sources.md, "Safety principles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSettings {
    /// Quiet hours start (local time).
    pub quiet_start: NaiveTime,
    /// Quiet hours end (local time, the next day when earlier than the start).
    pub quiet_end: NaiveTime,
    /// The most non-critical nudges in one week (Monday to Sunday).
    pub weekly_nudge_budget: u32,
    /// Hours before an appointment for its second reminder (the first is the evening before).
    pub appointment_hours_before: u32,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
        Self {
            quiet_start: at(22),
            quiet_end: at(7),
            weekly_nudge_budget: 5,
            appointment_hours_before: 2,
        }
    }
}

/// The items a patient can say there are none of ([`Profile::none_known`]).
pub const NONE_KNOWN_ITEMS: &[&str] = &["allergies", "medications", "conditions"];

impl Profile {
    /// A profile with a name and a home zone and every other field at its default, validated.
    pub fn new(name: &str, home_time_zone: &str) -> Result<Self, ValidationError> {
        let profile = Self {
            name: name.trim().to_string(),
            birth_date: None,
            sex: None,
            height_cm: None,
            conditions: Vec::new(),
            allergies: Vec::new(),
            none_known: Vec::new(),
            units: UnitPreferences::default(),
            language: Language::English,
            home_time_zone: home_time_zone.to_string(),
            meal_times: MealTimes::default(),
            reminders: ReminderSettings::default(),
        };
        profile.validate()?;
        Ok(profile)
    }

    /// Whether the patient said there are none of `item` (one of [`NONE_KNOWN_ITEMS`]).
    pub fn says_none(&self, item: &str) -> bool {
        self.none_known.iter().any(|n| n == item)
    }

    /// Records that the patient has none of `item`, once however often it is said.
    pub fn say_none(&mut self, item: &str) {
        if !self.says_none(item) {
            self.none_known.push(item.to_string());
        }
    }
}

impl Validate for Profile {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("name", &self.name)?;
        parse_time_zone("home time zone", &self.home_time_zone)?;
        if let Some(born) = self.birth_date
            && born.year() < 1880
        {
            return Err(ValidationError::Invalid {
                field: "birth date",
                reason: "must be after 1880",
            });
        }
        if let Some(height) = self.height_cm {
            check_range("height", height, HEIGHT_CM.0, HEIGHT_CM.1, "cm")?;
        }
        for condition in &self.conditions {
            check_not_empty("condition", condition)?;
        }
        for allergy in &self.allergies {
            check_not_empty("allergy", allergy)?;
        }
        if self
            .none_known
            .iter()
            .any(|item| !NONE_KNOWN_ITEMS.contains(&item.as_str()))
        {
            return Err(ValidationError::Invalid {
                field: "none known",
                reason: "must be allergies, medications or conditions",
            });
        }
        check_range(
            "appointment reminder hours",
            f64::from(self.reminders.appointment_hours_before),
            0.0,
            72.0,
            "hours",
        )?;
        check_range(
            "weekly nudge budget",
            f64::from(self.reminders.weekly_nudge_budget),
            0.0,
            100.0,
            "",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_needs_a_name_and_a_real_zone() {
        assert!(Profile::new("Ana", "Europe/Berlin").is_ok());
        assert_eq!(
            Profile::new(" ", "Europe/Berlin"),
            Err(ValidationError::Empty { field: "name" })
        );
        assert!(matches!(
            Profile::new("Ana", "Europe/Atlantis"),
            Err(ValidationError::UnknownTimeZone { .. })
        ));
        let mut p = Profile::new("Ana", "Asia/Shanghai").expect("valid");
        p.height_cm = Some(400.0);
        assert!(p.validate().is_err());
    }
}
