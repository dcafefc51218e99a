//! Journey templates as data (docs/journeys.md): stages with entry and exit conditions, tasks,
//! milestones and education cards, each card with its source and both languages. A template
//! is checked when it is loaded; every problem names the path of the field at fault.

pub use crate::error::TemplateError;
use serde::{Deserialize, Serialize};

use super::condition::Condition;
use crate::model::{Language, ReadingKind};

/// A text in every language the app speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// English.
    #[serde(default)]
    pub en: String,
    /// Simplified Chinese.
    #[serde(default, rename = "zh-Hans")]
    pub zh_hans: String,
}

impl Text {
    /// The text in `language`.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::English => &self.en,
            Language::SimplifiedChinese => &self.zh_hans,
        }
    }
}

/// Where an education card's content comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Who published it (`European Society of Hypertension`).
    #[serde(default)]
    pub publisher: String,
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// The year it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    /// Where to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// An education card: a short text with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// Its id within the template.
    pub id: String,
    /// Title.
    pub title: Text,
    /// The text.
    pub body: Text,
    /// Where it comes from; a card without one is refused.
    pub source: Option<Source>,
}

/// What a task asks of the patient (read from JSON through `RawTask`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskKind {
    /// Log readings of a kind, `per_day` a day (or `per_week` a week).
    LogReading {
        /// The kind.
        reading: ReadingKind,
        /// Readings a day.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        per_day: Option<u8>,
        /// Readings a week (when not daily).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        per_week: Option<u8>,
    },
    /// Take the medications as scheduled.
    TakeMedications,
    /// Read an education card.
    ReadCard {
        /// The card's id.
        card: String,
    },
    /// Answer a questionnaire (FINDRISC, a pain score).
    Questionnaire {
        /// The questionnaire's id.
        questionnaire: String,
    },
    /// Book, or attend, an appointment.
    Appointment {
        /// What it is for (`follow-up visit`, `HbA1c test`).
        purpose: Text,
        /// Days after the journey's start it is due by.
        due_day: u16,
    },
    /// Follow a measurement plan (the home blood-pressure week).
    MeasurementPlan {
        /// The plan (`home_bp`).
        plan: String,
    },
    /// Check the wound and take a photo.
    WoundPhoto,
    /// Score a symptom with a questionnaire (pain 0-10).
    SymptomScore {
        /// The questionnaire's id.
        questionnaire: String,
    },
}

/// A task of a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawTask")]
pub struct Task {
    /// Its id within the template.
    pub id: String,
    /// What the patient sees.
    pub title: Text,
    /// What it asks.
    #[serde(flatten)]
    pub kind: TaskKind,
}

/// A task as JSON holds it: its kind's name and every kind's fields, flat. Read this way (not
/// as a flattened, internally tagged enum) so that no value is buffered and the phone library
/// carries one small visitor.
#[derive(Deserialize)]
struct RawTask {
    id: String,
    title: Text,
    kind: TaskKindName,
    reading: Option<ReadingKind>,
    per_day: Option<u8>,
    per_week: Option<u8>,
    card: Option<String>,
    questionnaire: Option<String>,
    purpose: Option<Text>,
    due_day: Option<u16>,
    plan: Option<String>,
}

/// The name of a task's kind.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum TaskKindName {
    LogReading,
    TakeMedications,
    ReadCard,
    Questionnaire,
    Appointment,
    MeasurementPlan,
    WoundPhoto,
    SymptomScore,
}

impl TryFrom<RawTask> for Task {
    type Error = &'static str;

    fn try_from(raw: RawTask) -> Result<Self, Self::Error> {
        let kind = match raw.kind {
            TaskKindName::LogReading => TaskKind::LogReading {
                reading: raw.reading.ok_or("a log_reading task needs `reading`")?,
                per_day: raw.per_day,
                per_week: raw.per_week,
            },
            TaskKindName::TakeMedications => TaskKind::TakeMedications,
            TaskKindName::ReadCard => TaskKind::ReadCard {
                card: raw.card.ok_or("a read_card task needs `card`")?,
            },
            TaskKindName::Questionnaire => TaskKind::Questionnaire {
                questionnaire: raw
                    .questionnaire
                    .ok_or("a questionnaire task needs `questionnaire`")?,
            },
            TaskKindName::Appointment => TaskKind::Appointment {
                purpose: raw.purpose.ok_or("an appointment task needs `purpose`")?,
                due_day: raw.due_day.ok_or("an appointment task needs `due_day`")?,
            },
            TaskKindName::MeasurementPlan => TaskKind::MeasurementPlan {
                plan: raw.plan.ok_or("a measurement_plan task needs `plan`")?,
            },
            TaskKindName::WoundPhoto => TaskKind::WoundPhoto,
            TaskKindName::SymptomScore => TaskKind::SymptomScore {
                questionnaire: raw
                    .questionnaire
                    .ok_or("a symptom_score task needs `questionnaire`")?,
            },
        };
        Ok(Self {
            id: raw.id,
            title: raw.title,
            kind,
        })
    }
}

/// A milestone: reached once, when its condition first holds in the stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// Its id within the template.
    pub id: String,
    /// When it is reached.
    pub when: Condition,
    /// The message shown (and sent, as a nudge) when it is reached.
    pub message: Text,
}

/// A stage of a journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// Its id within the template.
    pub id: String,
    /// Title.
    pub title: Text,
    /// What must hold to enter it (besides the previous stage's exit); none: entered at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enter: Option<Condition>,
    /// What ends it; none: the journey's last stage, kept until the journey is stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<Condition>,
    /// Days it is expected to take, for progress ("day 3 of 7").
    pub expected_days: u16,
    /// Its tasks.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Its milestones.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// The cards offered in it.
    #[serde(default)]
    pub cards: Vec<String>,
}

/// A journey template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Its id (`hypertension-12w`).
    pub id: String,
    /// Its version: a clinic's edit raises it.
    pub version: u32,
    /// Title.
    pub title: Text,
    /// Who authored it (`built-in` or the clinic's name).
    pub author: String,
    /// The stages, in order.
    pub stages: Vec<Stage>,
    /// The education cards.
    #[serde(default)]
    pub cards: Vec<Card>,
    /// A temperature at or above this (°C, 37 to 40) raises a fever alert while the journey
    /// runs; starting the journey sets it in the targets when the care team has set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fever_threshold_c: Option<f64>,
}

/// Reads JSON of a template's or a questionnaire's shape. A [`TemplateError::Shape`] names
/// the path of the bad field (`stages[1].tasks[0].kind`) in a core built with the
/// `template-paths` feature (the CLI, where templates are written), and the line and column in
/// one built without it (the phone library, which only reads what was checked on import).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, TemplateError> {
    #[cfg(feature = "template-paths")]
    {
        let de = &mut serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            TemplateError::Shape {
                path: if path == "." { "(root)".into() } else { path },
                message: e.into_inner().to_string(),
            }
        })
    }
    #[cfg(not(feature = "template-paths"))]
    serde_json::from_str(json).map_err(|e| TemplateError::Shape {
        path: format!("line {}, column {}", e.line(), e.column()),
        message: e.to_string(),
    })
}

/// The measurement plans a task may name.
pub const PLANS: &[&str] = &["home_bp"];

impl Template {
    /// Parses and checks a template from JSON. `questionnaires` are the ids a task may name.
    pub fn from_json(json: &str, questionnaires: &[&str]) -> Result<Self, TemplateError> {
        let template: Self = parse(json)?;
        template.check(questionnaires)?;
        Ok(template)
    }

    /// Checks a template: every error kind of [`TemplateError`] but `Shape`.
    pub fn check(&self, questionnaires: &[&str]) -> Result<(), TemplateError> {
        nonempty("id", &self.id)?;
        nonempty("author", &self.author)?;
        text("title", &self.title)?;
        if self
            .fever_threshold_c
            .is_some_and(|t| !(37.0..=40.0).contains(&t))
        {
            return Err(TemplateError::OutOfRange {
                path: "fever_threshold_c".into(),
                reason: "a fever threshold is between 37 and 40 °C",
            });
        }
        if self.stages.is_empty() {
            return Err(TemplateError::Structure {
                path: "stages".into(),
                reason: "a template needs at least one stage",
            });
        }
        let mut cards = Vec::new();
        for (i, c) in self.cards.iter().enumerate() {
            let path = format!("cards[{i}]");
            nonempty(&format!("{path}.id"), &c.id)?;
            unique(&format!("{path}.id"), &mut cards, &c.id)?;
            text(&format!("{path}.title"), &c.title)?;
            text(&format!("{path}.body"), &c.body)?;
            match &c.source {
                Some(s) if !s.publisher.trim().is_empty() && !s.title.trim().is_empty() => {}
                _ => return Err(TemplateError::NoSource { path }),
            }
        }
        let mut stages = Vec::new();
        let mut tasks = Vec::new();
        let mut milestones = Vec::new();
        let last = self.stages.len() - 1;
        for (i, s) in self.stages.iter().enumerate() {
            let path = format!("stages[{i}]");
            nonempty(&format!("{path}.id"), &s.id)?;
            unique(&format!("{path}.id"), &mut stages, &s.id)?;
            text(&format!("{path}.title"), &s.title)?;
            if s.exit.is_none() && i != last {
                return Err(TemplateError::Structure {
                    path: format!("{path}.exit"),
                    reason: "every stage but the last needs an exit condition",
                });
            }
            if !(1..=730).contains(&s.expected_days) {
                return Err(TemplateError::OutOfRange {
                    path: format!("{path}.expected_days"),
                    reason: "expected days must be 1 to 730",
                });
            }
            for (j, card) in s.cards.iter().enumerate() {
                known(&format!("{path}.cards[{j}]"), "card", card, &cards)?;
            }
            for (j, t) in s.tasks.iter().enumerate() {
                let tp = format!("{path}.tasks[{j}]");
                nonempty(&format!("{tp}.id"), &t.id)?;
                unique(&format!("{tp}.id"), &mut tasks, &t.id)?;
                text(&format!("{tp}.title"), &t.title)?;
                match &t.kind {
                    TaskKind::ReadCard { card } => {
                        known(&format!("{tp}.card"), "card", card, &cards)?
                    }
                    TaskKind::Questionnaire { questionnaire }
                    | TaskKind::SymptomScore { questionnaire }
                        if !questionnaires.contains(&questionnaire.as_str()) =>
                    {
                        return Err(TemplateError::UnknownReference {
                            path: format!("{tp}.questionnaire"),
                            what: "questionnaire",
                            id: questionnaire.clone(),
                        });
                    }
                    TaskKind::MeasurementPlan { plan } if !PLANS.contains(&plan.as_str()) => {
                        return Err(TemplateError::UnknownReference {
                            path: format!("{tp}.plan"),
                            what: "plan",
                            id: plan.clone(),
                        });
                    }
                    TaskKind::LogReading {
                        per_day, per_week, ..
                    } => {
                        let ok = match (per_day, per_week) {
                            (Some(d), None) => (1..=24).contains(d),
                            (None, Some(w)) => (1..=50).contains(w),
                            _ => false,
                        };
                        if !ok {
                            return Err(TemplateError::OutOfRange {
                                path: format!("{tp}.per_day"),
                                reason: "give per_day (1-24) or per_week (1-50), not both",
                            });
                        }
                    }
                    TaskKind::Appointment { purpose, .. } => {
                        text(&format!("{tp}.purpose"), purpose)?;
                    }
                    _ => {}
                }
            }
            for (j, m) in s.milestones.iter().enumerate() {
                let mp = format!("{path}.milestones[{j}]");
                nonempty(&format!("{mp}.id"), &m.id)?;
                unique(&format!("{mp}.id"), &mut milestones, &m.id)?;
                text(&format!("{mp}.message"), &m.message)?;
                m.when.check(&format!("{mp}.when"), questionnaires)?;
            }
            for (name, c) in [("enter", &s.enter), ("exit", &s.exit)] {
                if let Some(c) = c {
                    c.check(&format!("{path}.{name}"), questionnaires)?;
                }
            }
        }
        // Tasks referred to by conditions exist (checked once every task is known).
        for (i, s) in self.stages.iter().enumerate() {
            let conditions = s
                .enter
                .iter()
                .map(|c| (format!("stages[{i}].enter"), c))
                .chain(s.exit.iter().map(|c| (format!("stages[{i}].exit"), c)))
                .chain(
                    s.milestones
                        .iter()
                        .enumerate()
                        .map(|(j, m)| (format!("stages[{i}].milestones[{j}].when"), &m.when)),
                );
            for (path, c) in conditions {
                for task in c.tasks() {
                    known(&path, "task", task, &tasks)?;
                }
            }
        }
        Ok(())
    }

    /// Every condition of the template: entries, exits and milestones.
    pub fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.stages.iter().flat_map(|s| {
            s.enter
                .iter()
                .chain(s.exit.iter())
                .chain(s.milestones.iter().map(|m| &m.when))
        })
    }

    /// How many days of data back from now its conditions read (at least 7, for the week's
    /// tasks).
    pub fn window_days(&self) -> u16 {
        self.conditions()
            .map(Condition::window_days)
            .fold(7, u16::max)
    }

    /// The kinds of reading its conditions and tasks read, each with the days back from now
    /// they read it over (a task counts today's readings, or the last 7 days').
    pub fn reading_windows(&self) -> Vec<(ReadingKind, u16)> {
        let tasks = self
            .stages
            .iter()
            .flat_map(|s| &s.tasks)
            .filter_map(|t| match &t.kind {
                TaskKind::LogReading { reading, .. } => Some((*reading, 7)),
                _ => None,
            });
        self.conditions()
            .flat_map(Condition::reading_windows)
            .chain(tasks)
            .collect()
    }

    /// The stage `id`, with its index.
    pub fn stage(&self, id: &str) -> Option<(usize, &Stage)> {
        self.stages.iter().enumerate().find(|(_, s)| s.id == id)
    }

    /// The card `id`.
    pub fn card(&self, id: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.id == id)
    }
}

fn nonempty(path: &str, value: &str) -> Result<(), TemplateError> {
    if value.trim().is_empty() {
        return Err(TemplateError::Empty { path: path.into() });
    }
    Ok(())
}

/// Both languages present.
pub(crate) fn text(path: &str, t: &Text) -> Result<(), TemplateError> {
    for (language, value) in [("en", &t.en), ("zh-Hans", &t.zh_hans)] {
        if value.trim().is_empty() {
            return Err(TemplateError::MissingLanguage {
                path: path.into(),
                language,
            });
        }
    }
    Ok(())
}

fn unique(path: &str, seen: &mut Vec<String>, id: &str) -> Result<(), TemplateError> {
    if seen.iter().any(|s| s == id) {
        return Err(TemplateError::DuplicateId {
            path: path.into(),
            id: id.into(),
        });
    }
    seen.push(id.into());
    Ok(())
}

fn known(path: &str, what: &'static str, id: &str, ids: &[String]) -> Result<(), TemplateError> {
    if ids.iter().any(|s| s == id) {
        Ok(())
    } else {
        Err(TemplateError::UnknownReference {
            path: path.into(),
            what,
            id: id.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shape error says where the bad field is: its path where templates are written, its
    /// line and column in the phone library.
    #[test]
    fn shape_errors_say_where() {
        let e = Template::from_json("{\n  \"id\": 3\n}", &[]).expect_err("id is a number");
        let TemplateError::Shape { path, .. } = e else {
            panic!("not a shape error: {e}")
        };
        if cfg!(feature = "template-paths") {
            assert_eq!(path, "id");
        } else {
            assert_eq!(path, "line 2, column 9");
        }
    }
}
