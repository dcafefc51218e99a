//! Care journeys on the device (docs/journeys.md): templates as data, a pure engine that walks
//! a patient through a template's stages, milestones and check-ins, and questionnaires scored
//! on the device. Nothing here touches storage: the record gathers the inputs and stores what
//! the engine decides.

pub mod builtin;
pub mod condition;
pub mod engine;
pub mod mood;
pub mod nudges;
pub mod questionnaire;
pub mod status;
pub mod template;

pub use condition::{Answered, Condition};
pub use engine::{CheckInReason, Data, Decision, History, JourneyProgress, progress, step};
pub use mood::{MoodCurve, MoodStage, MoodWeek};
pub use questionnaire::{AnswerError, Given, Questionnaire, Score};
pub use status::{CardView, JourneyInput, JourneyToday, MilestoneView, TaskStatus};
pub use template::Source;
pub use template::{Card, Stage, Template, TemplateError, Text};
