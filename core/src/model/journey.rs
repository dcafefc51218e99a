//! What the record keeps of care journeys (docs/journeys.md): the journeys started, what the
//! engine recorded along each (stages entered, milestones reached, check-ins sent, tasks done,
//! cards read), the questionnaires answered, and the templates a clinic authored. Everything
//! here lives in the `journeys` document, so a caregiver and the clinic see it after sync.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::validation::{Validate, ValidationError, check_not_empty};

/// A journey the patient is on (or was on, once stopped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journey {
    /// The entry id (UUID v7).
    pub id: String,
    /// The template it follows (`hypertension-12w`).
    pub template_id: String,
    /// When it started.
    pub started_at: DateTime<FixedOffset>,
    /// When it was stopped; none while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<DateTime<FixedOffset>>,
}

impl Journey {
    /// A new journey on `template_id` from `at`.
    pub fn new(template_id: &str, at: DateTime<FixedOffset>) -> Result<Self, ValidationError> {
        let journey = Self {
            id: super::new_id(),
            template_id: template_id.trim().to_string(),
            started_at: at,
            stopped_at: None,
        };
        journey.validate()?;
        Ok(journey)
    }

    /// Whether it runs at `at`.
    pub fn active_at(&self, at: DateTime<FixedOffset>) -> bool {
        self.started_at <= at && self.stopped_at.is_none_or(|s| s > at)
    }
}

impl Validate for Journey {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        check_not_empty("template", &self.template_id)?;
        if self.stopped_at.is_some_and(|s| s < self.started_at) {
            return Err(ValidationError::Invalid {
                field: "stopped at",
                reason: "a journey cannot stop before it started",
            });
        }
        Ok(())
    }
}

/// What a journey step records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A stage was entered (`key`: the stage).
    Stage,
    /// A milestone was reached (`key`: the milestone).
    Milestone,
    /// A check-in was sent (`key`: the reason and the day).
    CheckIn,
    /// A task was done (`key`: the task), such as a wound photo check.
    Task,
    /// An education card was read (`key`: the card).
    CardRead,
}

impl StepKind {
    /// Its name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stage => "stage",
            Self::Milestone => "milestone",
            Self::CheckIn => "check_in",
            Self::Task => "task",
            Self::CardRead => "card_read",
        }
    }
}

/// One thing that happened along a journey. Its id derives from the journey, the kind and the
/// key, so two replicas that record the same step converge on one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneyStep {
    /// The entry id, [`JourneyStep::id_for`].
    pub id: String,
    /// The journey.
    pub journey_id: String,
    /// What happened.
    pub kind: StepKind,
    /// To what: the stage, milestone, task or card id; for a check-in its reason and day.
    pub key: String,
    /// When.
    pub at: DateTime<FixedOffset>,
}

impl JourneyStep {
    /// The step `kind` of `key` on `journey_id` at `at`.
    pub fn new(journey_id: &str, kind: StepKind, key: &str, at: DateTime<FixedOffset>) -> Self {
        Self {
            id: Self::id_for(journey_id, kind, key),
            journey_id: journey_id.to_string(),
            kind,
            key: key.to_string(),
            at,
        }
    }

    /// The id every replica gives the step `kind` of `key` on `journey_id`.
    pub fn id_for(journey_id: &str, kind: StepKind, key: &str) -> String {
        super::derived_id(&["journey-step", journey_id, kind.as_str(), key])
    }
}

impl Validate for JourneyStep {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("journey", &self.journey_id)?;
        check_not_empty("step", &self.key)?;
        if self.id != Self::id_for(&self.journey_id, self.kind, &self.key) {
            return Err(ValidationError::Invalid {
                field: "id",
                reason: "a journey step's id derives from its journey, kind and key",
            });
        }
        Ok(())
    }
}

/// One answer of a questionnaire response: the item and what was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseItem {
    /// The item's id (`age`).
    pub item: String,
    /// The option's id or the number given.
    pub value: Given,
    /// Points it scored.
    pub points: f64,
}

/// A questionnaire answered, scored on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireResponse {
    /// The entry id (UUID v7).
    pub id: String,
    /// The questionnaire (`findrisc`).
    pub questionnaire_id: String,
    /// When it was answered.
    pub at: DateTime<FixedOffset>,
    /// The answers, in the questionnaire's order.
    pub answers: Vec<ResponseItem>,
    /// The total score.
    pub total: f64,
    /// The risk band's id (`moderate`).
    pub band: String,
    /// The band asks the patient to see a doctor.
    pub see_doctor: bool,
}

impl Validate for QuestionnaireResponse {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        check_not_empty("questionnaire", &self.questionnaire_id)?;
        check_not_empty("band", &self.band)?;
        if !self.total.is_finite() {
            return Err(ValidationError::Invalid {
                field: "score",
                reason: "must be a number",
            });
        }
        Ok(())
    }
}

/// A journey template a clinic authored, kept as its JSON (docs/journeys.md) so that every
/// replica loads and checks it the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTemplate {
    /// The template's id; a built-in id may not be reused.
    pub id: String,
    /// The template, as JSON.
    pub json: String,
}

impl Validate for StoredTemplate {
    /// The id and the text are there. The template itself is checked where it is written
    /// (`HealthRecord::add_template`) and where it is loaded (a template this version cannot
    /// read is left out), not on every merge.
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("template id", &self.id)?;
        super::validation::check_present("template", &self.json)
    }
}

/// An answer to one item: an option's id or a number. In JSON, a number or a string.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Given {
    /// A number.
    Number(f64),
    /// An option's id.
    Choice(String),
}

impl<'de> Deserialize<'de> for Given {
    /// A number or a string, read directly (an untagged derive would buffer the value).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Given;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number or an option's id")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Given, E> {
                Ok(Given::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Given, E> {
                Ok(Given::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Given, E> {
                Ok(Given::Number(v as f64))
            }
            fn visit_str<E>(self, v: &str) -> Result<Given, E> {
                Ok(Given::Choice(v.to_string()))
            }
        }
        d.deserialize_any(Visit)
    }
}
