//! Questionnaires as data (docs/journeys.md): items answered by choosing an option (each worth
//! points) or by a number (scored by bands), a total, and risk bands over the total with
//! their advice. FINDRISC is the first built-in; a pain score or PHQ-2 is data only.

use serde::{Deserialize, Serialize};

use super::template::{Source, TemplateError, Text, text};
pub use crate::error::AnswerError;
pub use crate::model::Given;

/// One option of a choice item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// Its id, as answers name it (`45-54`, `yes`).
    pub id: String,
    /// What the patient reads.
    pub label: Text,
    /// Points it scores.
    pub points: f64,
}

/// A band of a numeric item: values from `from` (inclusive) up to the next band score `points`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberBand {
    /// The lowest value of the band.
    pub from: f64,
    /// Points it scores.
    pub points: f64,
}

/// How an item is answered (read from JSON through `RawItem`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// One of the options.
    Choice {
        /// The options.
        options: Vec<Choice>,
    },
    /// A number within `min..=max`, scored by bands (ascending); without bands it scores its
    /// own value (a pain score 0-10).
    Number {
        /// The lowest value accepted.
        min: f64,
        /// The highest.
        max: f64,
        /// The unit shown (`kg/m²`, `cm`).
        #[serde(default)]
        unit: String,
        /// The bands, ascending by `from`.
        #[serde(default)]
        bands: Vec<NumberBand>,
    },
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawItem")]
pub struct Item {
    /// Its id, as answers name it (`age`, `bmi`).
    pub id: String,
    /// The question.
    pub text: Text,
    /// How it is answered.
    #[serde(flatten)]
    pub answer: Answer,
}

/// An item as JSON holds it, flat (see `RawTask` in the template module for why).
#[derive(Deserialize)]
struct RawItem {
    id: String,
    text: Text,
    #[serde(rename = "type")]
    kind: AnswerKind,
    options: Option<Vec<Choice>>,
    min: Option<f64>,
    max: Option<f64>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    bands: Vec<NumberBand>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum AnswerKind {
    Choice,
    Number,
}

impl TryFrom<RawItem> for Item {
    type Error = &'static str;

    fn try_from(raw: RawItem) -> Result<Self, Self::Error> {
        let answer = match raw.kind {
            AnswerKind::Choice => Answer::Choice {
                options: raw.options.ok_or("a choice item needs `options`")?,
            },
            AnswerKind::Number => Answer::Number {
                min: raw.min.ok_or("a number item needs `min`")?,
                max: raw.max.ok_or("a number item needs `max`")?,
                unit: raw.unit,
                bands: raw.bands,
            },
        };
        Ok(Self {
            id: raw.id,
            text: raw.text,
            answer,
        })
    }
}

/// A band of the total: from `from` (inclusive) up to the next band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskBand {
    /// Its id (`low`, `high`).
    pub id: String,
    /// The lowest total in it.
    pub from: f64,
    /// Its name.
    pub label: Text,
    /// What the patient should do.
    pub advice: Text,
    /// The band asks to see a doctor.
    #[serde(default)]
    pub see_doctor: bool,
}

/// A questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    /// Its id (`findrisc`).
    pub id: String,
    /// Title.
    pub title: Text,
    /// Where it comes from.
    pub source: Source,
    /// The questions.
    pub items: Vec<Item>,
    /// The bands of the total, ascending by `from`.
    pub bands: Vec<RiskBand>,
    /// The conditions it is not meant for (codes of [`crate::model::condition::Condition`]:
    /// FINDRISC screens people without diabetes). A patient with one of them is not asked, and
    /// an answer is declined with `not_for_reason`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_for: Vec<String>,
    /// Why it is not meant for them, in the reader's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_for_reason: Option<Text>,
}

/// A scored questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The total.
    pub total: f64,
    /// The band it falls in.
    pub band: RiskBand,
    /// Points per item, in the questionnaire's order.
    pub points: Vec<(String, f64)>,
}

impl Questionnaire {
    /// Parses and checks a questionnaire from JSON.
    pub fn from_json(json: &str) -> Result<Self, TemplateError> {
        let q: Self = super::template::parse(json)?;
        q.check()?;
        Ok(q)
    }

    /// Whether it is not meant for a patient with `conditions` (the profile's, as typed): one
    /// of them is a condition it names in `not_for`.
    pub fn declined_for(&self, conditions: &[String]) -> bool {
        conditions.iter().any(|c| {
            crate::model::condition::Condition::of(c)
                .is_some_and(|c| self.not_for.iter().any(|n| n == c.as_str()))
        })
    }

    /// Checks texts, ids and bands.
    pub fn check(&self) -> Result<(), TemplateError> {
        if self.id.trim().is_empty() {
            return Err(TemplateError::Empty { path: "id".into() });
        }
        for (i, code) in self.not_for.iter().enumerate() {
            if code
                .parse::<crate::model::condition::Condition>()
                .ok()
                .map(|c| c.as_str())
                != Some(code.as_str())
            {
                return Err(TemplateError::Structure {
                    path: format!("not_for[{i}]"),
                    reason: "a condition code (type_2_diabetes, hypertension, ...)",
                });
            }
        }
        match &self.not_for_reason {
            Some(reason) => text("not_for_reason", reason)?,
            None if !self.not_for.is_empty() => {
                return Err(TemplateError::Empty {
                    path: "not_for_reason".into(),
                });
            }
            None => {}
        }
        text("title", &self.title)?;
        if self.source.publisher.trim().is_empty() || self.source.title.trim().is_empty() {
            return Err(TemplateError::NoSource {
                path: "source".into(),
            });
        }
        for (i, item) in self.items.iter().enumerate() {
            let path = format!("items[{i}]");
            text(&format!("{path}.text"), &item.text)?;
            if self.items[..i].iter().any(|o| o.id == item.id) {
                return Err(TemplateError::DuplicateId {
                    path: format!("{path}.id"),
                    id: item.id.clone(),
                });
            }
            match &item.answer {
                Answer::Choice { options } => {
                    if options.is_empty() {
                        return Err(TemplateError::Structure {
                            path: format!("{path}.options"),
                            reason: "a choice needs options",
                        });
                    }
                    for (j, o) in options.iter().enumerate() {
                        text(&format!("{path}.options[{j}].label"), &o.label)?;
                    }
                }
                Answer::Number {
                    min, max, bands, ..
                } => {
                    if min >= max || bands.windows(2).any(|w| w[0].from >= w[1].from) {
                        return Err(TemplateError::OutOfRange {
                            path: format!("{path}.bands"),
                            reason: "min below max, bands ascending",
                        });
                    }
                }
            }
        }
        if self.bands.is_empty() || self.bands.windows(2).any(|w| w[0].from >= w[1].from) {
            return Err(TemplateError::Structure {
                path: "bands".into(),
                reason: "at least one band, ascending by from",
            });
        }
        for (i, b) in self.bands.iter().enumerate() {
            text(&format!("bands[{i}].label"), &b.label)?;
            text(&format!("bands[{i}].advice"), &b.advice)?;
        }
        Ok(())
    }

    /// Scores `answers` (item id, answer). Every item must be answered, once.
    pub fn score(&self, answers: &[(String, Given)]) -> Result<Score, AnswerError> {
        let q = || self.id.clone();
        if let Some((id, _)) = answers
            .iter()
            .find(|(id, _)| !self.items.iter().any(|i| &i.id == id))
        {
            return Err(AnswerError::Unknown {
                questionnaire: q(),
                item: id.clone(),
            });
        }
        let mut points = Vec::new();
        for item in &self.items {
            let Some((_, given)) = answers.iter().find(|(id, _)| id == &item.id) else {
                return Err(AnswerError::Missing {
                    questionnaire: q(),
                    item: item.id.clone(),
                });
            };
            let invalid = |expected: String| AnswerError::Invalid {
                questionnaire: q(),
                item: item.id.clone(),
                expected,
            };
            let p = match (&item.answer, given) {
                (Answer::Choice { options }, Given::Choice(c)) => options
                    .iter()
                    .find(|o| &o.id == c)
                    .map(|o| o.points)
                    .ok_or_else(|| invalid(choices(options)))?,
                (Answer::Choice { options }, Given::Number(n)) => options
                    .iter()
                    .find(|o| o.id == n.to_string())
                    .map(|o| o.points)
                    .ok_or_else(|| invalid(choices(options)))?,
                (
                    Answer::Number {
                        min, max, bands, ..
                    },
                    Given::Number(n),
                ) => {
                    if !(min..=max).contains(&n) || !n.is_finite() {
                        return Err(invalid(format!("a number from {min} to {max}")));
                    }
                    match bands.iter().rev().find(|b| *n >= b.from) {
                        Some(b) => b.points,
                        None if bands.is_empty() => *n,
                        None => 0.0,
                    }
                }
                (Answer::Number { min, max, .. }, Given::Choice(_)) => {
                    return Err(invalid(format!("a number from {min} to {max}")));
                }
            };
            points.push((item.id.clone(), p));
        }
        let total: f64 = points.iter().map(|p| p.1).sum();
        // Below the first band (a negative total) is in the first band; a questionnaire
        // without bands never passed `check`.
        let band = self
            .bands
            .iter()
            .rev()
            .find(|b| total >= b.from)
            .or_else(|| self.bands.first())
            .ok_or_else(|| AnswerError::NoBands { questionnaire: q() })?
            .clone();
        Ok(Score {
            total,
            band,
            points,
        })
    }
}

fn choices(options: &[Choice]) -> String {
    let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
    format!("one of: {}", ids.join(", "))
}
