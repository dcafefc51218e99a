use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::validation::{Validate, ValidationError, check_not_empty, check_range};

/// The longest journal text accepted, in characters.
pub const MAX_JOURNAL_CHARS: usize = 20_000;

/// A journal entry: how the day went, a mood, symptoms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The entry id (UUID v7).
    pub id: String,
    /// When it was written, with the UTC offset of the place.
    pub at: DateTime<FixedOffset>,
    /// The text (may be empty when a mood or symptoms are given).
    #[serde(default)]
    pub text: String,
    /// Mood from 1 (very bad) to 5 (very good).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mood: Option<u8>,
    /// Symptom tags (`headache`, `dizziness`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symptoms: Vec<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<String>,
    /// The patient chose to include it in the visit report.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub highlight: bool,
    /// Whether the patient or a caregiver wrote it, stamped by the record from the writing
    /// device's role (none: written before authors were kept, taken as the patient's). Only
    /// the patient's own entries are the patient's mood.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
}

impl JournalEntry {
    /// A new entry with a fresh id, validated.
    pub fn new(
        at: DateTime<FixedOffset>,
        text: &str,
        mood: Option<u8>,
        symptoms: Vec<String>,
    ) -> Result<Self, ValidationError> {
        let entry = Self {
            id: super::new_id(),
            at,
            text: text.to_string(),
            mood,
            symptoms,
            logged_by: None,
            author: None,
            highlight: false,
        };
        entry.validate()?;
        Ok(entry)
    }
}

impl JournalEntry {
    /// Written by the patient (or before authors were kept): its mood is the patient's.
    pub fn is_patients(&self) -> bool {
        self.author != Some(Author::Caregiver)
    }
}

/// Who wrote an entry of the patient's journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The patient, on their own device.
    Patient,
    /// A family caregiver, on theirs.
    Caregiver,
}

impl Validate for JournalEntry {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        if self.text.trim().is_empty() && self.mood.is_none() && self.symptoms.is_empty() {
            return Err(ValidationError::Invalid {
                field: "journal entry",
                reason: "needs a text, a mood or a symptom",
            });
        }
        if self.text.chars().count() > MAX_JOURNAL_CHARS {
            return Err(ValidationError::Invalid {
                field: "journal text",
                reason: "is longer than 20000 characters",
            });
        }
        if let Some(mood) = self.mood {
            check_range("mood", f64::from(mood), 1.0, 5.0, "")?;
        }
        for symptom in &self.symptoms {
            check_not_empty("symptom", symptom)?;
        }
        Ok(())
    }
}
