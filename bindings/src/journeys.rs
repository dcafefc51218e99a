//! Care journeys and questionnaires: the core's types as UniFFI remote types, and the record's
//! journey calls. The home screen's journey part arrives with `today`.

use companion_core::model::ReadingKind;
use companion_core::today::{MeasurementDue, ProfilePrompt};

use crate::types::LocalDateTime;

use companion_core::journey::engine::{CheckInReason, Decision};
use companion_core::journey::{CardView, JourneyProgress, JourneyToday, MilestoneView, TaskStatus};

use crate::types::UtcTimestamp;

pub use calls::*;

/// Why a check-in was sent.
#[uniffi::remote(Enum)]
pub enum CheckInReason {
    /// Nothing logged for 30 days.
    Inactive,
    /// An appointment the journey asks for is overdue.
    AppointmentOverdue,
}

/// What the journey engine decided.
#[uniffi::remote(Enum)]
pub enum Decision {
    /// A stage was entered.
    StageEntered {
        /// The stage.
        stage: String,
        /// When.
        at: UtcTimestamp,
    },
    /// A milestone was reached.
    MilestoneReached {
        /// The milestone.
        milestone: String,
        /// Its stage.
        stage: String,
        /// When.
        at: UtcTimestamp,
    },
    /// One check-in, then silence until the patient is back.
    CheckIn {
        /// Why.
        reason: CheckInReason,
        /// When.
        at: UtcTimestamp,
    },
}

/// Where a journey stands.
#[uniffi::remote(Record)]
pub struct JourneyProgress {
    /// The current stage's id.
    pub stage: String,
    /// Its title.
    pub stage_title: String,
    /// Its position, 1-based ("step n of m").
    pub step: u32,
    /// The number of stages.
    pub steps: u32,
    /// Day of the stage, 1-based.
    pub day_of_stage: i64,
    /// Days the stage is expected to take.
    pub stage_days: u16,
    /// Share of the journey behind the patient, 0 to 1.
    pub journey_share: f64,
    /// Days to the next appointment the journey asks for.
    #[uniffi(default)]
    pub days_to_checkup: Option<i64>,
}

/// A task of the current stage and how far today's share of it is done.
#[uniffi::remote(Record)]
pub struct TaskStatus {
    /// The task's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it asks (`log_reading`, `read_card`, `wound_photo`, ...).
    pub kind: String,
    /// Done for now.
    pub done: bool,
    /// How many so far, for a counted task.
    #[uniffi(default)]
    pub count: Option<u32>,
    /// How many it asks for.
    #[uniffi(default)]
    pub target: Option<u32>,
    /// The card, questionnaire, plan or reading kind it names.
    #[uniffi(default)]
    pub refers_to: Option<String>,
}

/// An education card with its source.
#[uniffi::remote(Record)]
pub struct CardView {
    /// The card's id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The text.
    pub body: String,
    /// Publisher, title and year.
    pub source: String,
    /// Where to read more.
    #[uniffi(default)]
    pub link: Option<String>,
}

/// A milestone reached.
#[uniffi::remote(Record)]
pub struct MilestoneView {
    /// Its id.
    pub id: String,
    /// The message.
    pub message: String,
    /// When.
    pub at: UtcTimestamp,
}

/// One journey on the home screen.
#[uniffi::remote(Record)]
pub struct JourneyToday {
    /// The journey.
    pub journey_id: String,
    /// Its template.
    pub template_id: String,
    /// The template's title.
    pub title: String,
    /// Stage and progress.
    #[uniffi(default)]
    pub progress: Option<JourneyProgress>,
    /// The current stage's tasks.
    pub tasks: Vec<TaskStatus>,
    /// Cards of the stage not yet read.
    pub unread_cards: Vec<CardView>,
    /// Milestones of the last seven days, newest first.
    pub milestones: Vec<MilestoneView>,
    /// What `advance_journeys` would record now.
    pub pending: Vec<Decision>,
}

/// A measurement a plan asks for today.
#[uniffi::remote(Record)]
pub struct MeasurementDue {
    /// The plan.
    pub plan_id: String,
    /// What to measure.
    pub kind: ReadingKind,
    /// When, on the home clock.
    pub at: LocalDateTime,
    /// Logged.
    pub done: bool,
}

/// The profile item to ask about next.
#[uniffi::remote(Enum)]
pub enum ProfilePrompt {
    /// Allergies.
    Allergies,
    /// Current medications.
    Medications,
    /// Conditions.
    Conditions,
}

/// The journey calls and the types only they use.
mod calls {
    use companion_core::journey::questionnaire::{Answer, Choice, Item, NumberBand, RiskBand};
    use companion_core::journey::template::Source;
    use companion_core::journey::{Given, Questionnaire, Text};
    use companion_core::model::{Journey, QuestionnaireResponse, ResponseItem};

    use super::Decision;
    use crate::error::CompanionError;
    use crate::record::HealthRecord;
    use crate::types::{Timestamp, UtcTimestamp};

    /// A journey the patient is on (or was on, once stopped).
    #[uniffi::remote(Record)]
    pub struct Journey {
        /// The entry id.
        pub id: String,
        /// The template it follows (`hypertension-12w`).
        pub template_id: String,
        /// When it started.
        pub started_at: Timestamp,
        /// When it was stopped; none while it runs.
        #[uniffi(default)]
        pub stopped_at: Option<Timestamp>,
    }

    /// A text in both languages.
    #[uniffi::remote(Record)]
    pub struct Text {
        /// English.
        pub en: String,
        /// Simplified Chinese.
        pub zh_hans: String,
    }

    /// Where content comes from.
    #[uniffi::remote(Record)]
    pub struct Source {
        /// Publisher.
        pub publisher: String,
        /// Title.
        pub title: String,
        /// Year.
        #[uniffi(default)]
        pub year: Option<u16>,
        /// Link.
        #[uniffi(default)]
        pub link: Option<String>,
    }

    /// An option of a choice item.
    #[uniffi::remote(Record)]
    pub struct Choice {
        /// Its id, as an answer names it.
        pub id: String,
        /// What the patient sees.
        pub label: Text,
        /// Points.
        pub points: f64,
    }

    /// A band of a number item.
    #[uniffi::remote(Record)]
    pub struct NumberBand {
        /// From this value (inclusive).
        pub from: f64,
        /// Points.
        pub points: f64,
    }

    /// How an item is answered.
    #[uniffi::remote(Enum)]
    pub enum Answer {
        /// One of the options.
        Choice {
            /// The options.
            options: Vec<Choice>,
        },
        /// A number in `min..=max`.
        Number {
            /// Lowest accepted.
            min: f64,
            /// Highest accepted.
            max: f64,
            /// Unit shown.
            unit: String,
            /// Scoring bands.
            bands: Vec<NumberBand>,
        },
    }

    /// One question.
    #[uniffi::remote(Record)]
    pub struct Item {
        /// Its id.
        pub id: String,
        /// The question.
        pub text: Text,
        /// How it is answered.
        pub answer: Answer,
    }

    /// A band of the total score.
    #[uniffi::remote(Record)]
    pub struct RiskBand {
        /// Its id (`low`, `high`).
        pub id: String,
        /// The lowest total in it.
        pub from: f64,
        /// Its name.
        pub label: Text,
        /// What to do.
        pub advice: Text,
        /// See a doctor.
        pub see_doctor: bool,
    }

    /// A questionnaire (FINDRISC, a pain score, PHQ-2).
    #[uniffi::remote(Record)]
    pub struct Questionnaire {
        /// Its id.
        pub id: String,
        /// Title.
        pub title: Text,
        /// Where it comes from.
        pub source: Source,
        /// The questions.
        pub items: Vec<Item>,
        /// The bands of the total.
        pub bands: Vec<RiskBand>,
        /// The conditions it is not meant for (codes: `type_2_diabetes`): a patient with one
        /// is not asked, and an answer is refused with `QuestionnaireDeclined`.
        #[uniffi(default)]
        pub not_for: Vec<String>,
        /// Why it is not meant for them.
        #[uniffi(default)]
        pub not_for_reason: Option<Text>,
    }

    /// An answer: a number or an option's id.
    #[uniffi::remote(Enum)]
    pub enum Given {
        /// A number.
        Number(f64),
        /// An option's id.
        Choice(String),
    }

    /// One answer of a stored response.
    #[uniffi::remote(Record)]
    pub struct ResponseItem {
        /// The item.
        pub item: String,
        /// What was given.
        pub value: Given,
        /// Points.
        pub points: f64,
    }

    /// A questionnaire answered, scored on the device.
    #[uniffi::remote(Record)]
    pub struct QuestionnaireResponse {
        /// The entry id.
        pub id: String,
        /// The questionnaire.
        pub questionnaire_id: String,
        /// When.
        pub at: Timestamp,
        /// The answers.
        pub answers: Vec<ResponseItem>,
        /// The total score.
        pub total: f64,
        /// The risk band's id.
        pub band: String,
        /// The band asks the patient to see a doctor.
        pub see_doctor: bool,
    }

    /// One answer to send: the item's id and what was given.
    #[derive(uniffi::Record)]
    pub struct AnswerGiven {
        /// The item's id (`age`).
        pub item: String,
        /// The number or option.
        pub value: Given,
    }

    /// One decision recorded by `advance_journeys`.
    #[derive(uniffi::Record)]
    pub struct JourneyDecision {
        /// The journey.
        pub journey_id: String,
        /// What was decided.
        pub decision: Decision,
    }

    #[uniffi::export]
    impl HealthRecord {
        /// The ids and titles of the templates a journey can follow, as `(id, title)` in English
        /// and Chinese: built-in ones first, then the clinic's.
        pub fn journey_template_ids(&self) -> Result<Vec<String>, CompanionError> {
            Ok(self
                .lock()
                .journey_templates()?
                .into_iter()
                .map(|t| t.id)
                .collect())
        }

        /// Stores a clinic's template (JSON, docs/journeys.md); returns its id.
        pub fn add_template(&self, json: String) -> Result<String, CompanionError> {
            Ok(self.lock().add_template(&json)?.id)
        }

        /// Starts a journey on a template.
        pub fn start_journey(
            &self,
            template_id: String,
            at: Timestamp,
        ) -> Result<Journey, CompanionError> {
            Ok(self.lock().start_journey(&template_id, at)?)
        }

        /// Stops a running journey.
        pub fn stop_journey(
            &self,
            journey_id: String,
            at: Timestamp,
        ) -> Result<Journey, CompanionError> {
            Ok(self.lock().stop_journey(&journey_id, at)?)
        }

        /// The journeys, newest first.
        pub fn journeys(&self, include_stopped: bool) -> Result<Vec<Journey>, CompanionError> {
            Ok(self.lock().journeys(include_stopped)?)
        }

        /// Records what the journey engine decides at `now` (stages, milestones, check-ins); the
        /// shell calls it at launch and before `today`.
        pub fn advance_journeys(
            &self,
            now: UtcTimestamp,
        ) -> Result<Vec<JourneyDecision>, CompanionError> {
            Ok(self
                .lock()
                .advance_journeys(now)?
                .into_iter()
                .map(|d| JourneyDecision {
                    journey_id: d.journey_id,
                    decision: d.decision,
                })
                .collect())
        }

        /// Records that a journey's card was read.
        pub fn read_card(
            &self,
            journey_id: String,
            card_id: String,
            at: Timestamp,
        ) -> Result<(), CompanionError> {
            Ok(self.lock().read_card(&journey_id, &card_id, at)?)
        }

        /// Records that a journey's task was done today (a wound check).
        pub fn mark_task_done(
            &self,
            journey_id: String,
            task_id: String,
            at: Timestamp,
        ) -> Result<(), CompanionError> {
            Ok(self.lock().mark_task_done(&journey_id, &task_id, at)?)
        }

        /// The built-in questionnaires.
        pub fn questionnaires(&self) -> Result<Vec<Questionnaire>, CompanionError> {
            Ok(self.lock().questionnaires()?)
        }

        /// Scores and stores answers to a questionnaire.
        pub fn answer_questionnaire(
            &self,
            questionnaire_id: String,
            answers: Vec<AnswerGiven>,
            at: Timestamp,
        ) -> Result<QuestionnaireResponse, CompanionError> {
            let answers: Vec<(String, Given)> =
                answers.into_iter().map(|a| (a.item, a.value)).collect();
            Ok(self
                .lock()
                .answer_questionnaire(&questionnaire_id, &answers, at)?)
        }

        /// Questionnaire responses, newest first.
        pub fn responses(
            &self,
            questionnaire_id: Option<String>,
        ) -> Result<Vec<QuestionnaireResponse>, CompanionError> {
            Ok(self.lock().responses(questionnaire_id.as_deref())?)
        }
    }
}
