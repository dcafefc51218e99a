//! What the journey engine refuses: a template that is not one, answers that do not fit their
//! questionnaire. Kept with the core's errors, below every module that returns them.

/// What is wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Not JSON of the template's shape.
    #[error("template {path}: {message}")]
    Shape {
        /// The path of the bad field (`stages[1].tasks[0].kind`).
        path: String,
        /// What the parser said.
        message: String,
    },
    /// A required text or id is empty.
    #[error("template {path}: must not be empty")]
    Empty {
        /// The field.
        path: String,
    },
    /// A text lacks a language.
    #[error("template {path}: the {language} text is missing")]
    MissingLanguage {
        /// The field.
        path: String,
        /// `en` or `zh-Hans`.
        language: &'static str,
    },
    /// A card has no source.
    #[error("template {path}: an education card must name its source (publisher and title)")]
    NoSource {
        /// The card.
        path: String,
    },
    /// Two items share an id.
    #[error("template {path}: the id {id:?} is used twice")]
    DuplicateId {
        /// The second one.
        path: String,
        /// The id.
        id: String,
    },
    /// A reference to a card, questionnaire or task that does not exist.
    #[error("template {path}: no {what} {id:?}")]
    UnknownReference {
        /// The field.
        path: String,
        /// `card`, `questionnaire`, `task` or `plan`.
        what: &'static str,
        /// The id referred to.
        id: String,
    },
    /// A number out of its range.
    #[error("template {path}: {reason}")]
    OutOfRange {
        /// The field.
        path: String,
        /// The allowed range.
        reason: &'static str,
    },
    /// No stages, or a stage other than the last without an exit.
    #[error("template {path}: {reason}")]
    Structure {
        /// The field.
        path: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// What is wrong with a set of answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// An item was not answered.
    #[error("{questionnaire}: no answer for {item}")]
    Missing {
        /// The questionnaire.
        questionnaire: String,
        /// The item.
        item: String,
    },
    /// An answer that is not one of the item's options, or a number out of its range.
    #[error("{questionnaire}: the answer to {item} must be {expected}")]
    Invalid {
        /// The questionnaire.
        questionnaire: String,
        /// The item.
        item: String,
        /// What it accepts (`one of: yes, no`, `a number from 0 to 10`).
        expected: String,
    },
    /// The questionnaire has no risk bands (it was built without [`crate::journey::Questionnaire::check`]).
    #[error("{questionnaire}: the questionnaire has no bands")]
    NoBands {
        /// The questionnaire.
        questionnaire: String,
    },
    /// An answer to an item the questionnaire does not have.
    #[error("{questionnaire}: there is no question {item}")]
    Unknown {
        /// The questionnaire.
        questionnaire: String,
        /// The id given.
        item: String,
    },
}
