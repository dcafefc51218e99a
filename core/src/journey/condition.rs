//! Conditions of a journey template: declarative expressions over the patient's data, with no
//! scripting. Each is evaluated by [`Condition::holds`] against [`Facts`], the data the engine
//! gathered for one moment.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::template::TemplateError;
use crate::clinical::stats;
use crate::model::{Appointment, BpSetting, Measurement, Reading, ReadingKind};
use crate::zone::Zone;

/// A lower and an upper bound; either may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Bounds {
    /// At least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
}

impl Bounds {
    fn of(at_least: Option<f64>, below: Option<f64>) -> Self {
        Self { at_least, below }
    }

    fn admit(&self, v: f64) -> bool {
        self.at_least.is_none_or(|l| v >= l) && self.below.is_none_or(|b| v < b)
    }

    fn check(&self, path: &str) -> Result<(), TemplateError> {
        if self.at_least.is_none() && self.below.is_none() {
            return Err(TemplateError::Structure {
                path: path.into(),
                reason: "a bound needs at_least or below",
            });
        }
        Ok(())
    }
}

/// A condition over the patient's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Every one holds.
    All(Vec<Condition>),
    /// At least one holds.
    Any(Vec<Condition>),
    /// It does not hold.
    Not(Box<Condition>),
    /// Days since the stage was entered.
    DaysInStage(Bounds),
    /// Days since the journey started.
    DaysInJourney(Bounds),
    /// Readings of a kind in the last `days` days.
    ReadingCount {
        /// The kind.
        kind: ReadingKind,
        /// The window, days.
        days: u16,
        /// At least this (inclusive).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Below this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        below: Option<f64>,
    },
    /// The mean of a kind's primary value (canonical units: mg/dL, kg, ...) over `days` days.
    ReadingMean {
        /// The kind.
        kind: ReadingKind,
        /// The window, days.
        days: u16,
        /// At least this many readings, or the condition does not hold.
        #[serde(default = "one")]
        min_readings: u16,
        /// At least this (inclusive).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Below this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        below: Option<f64>,
    },
    /// The latest reading of a kind (its primary value).
    LatestReading {
        /// The kind.
        kind: ReadingKind,
        /// At least this (inclusive).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Below this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        below: Option<f64>,
    },
    /// The home blood-pressure protocol average of the last 7 measured days (ESH: at least 3
    /// days after day 1) is below both values.
    HomeBpBelow {
        /// Systolic, mmHg.
        systolic: u16,
        /// Diastolic, mmHg.
        diastolic: u16,
    },
    /// Doses taken of those settled in the last `days` days, 0 to 1.
    Adherence {
        /// The window, days.
        days: u16,
        /// At least this (inclusive).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Below this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        below: Option<f64>,
    },
    /// The latest score of a questionnaire answered since the stage began.
    QuestionnaireScore {
        /// The questionnaire.
        questionnaire: String,
        /// At least this (inclusive).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_least: Option<f64>,
        /// Below this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        below: Option<f64>,
    },
    /// An appointment was attended (its time passed) since the stage began.
    AppointmentAttended,
    /// A task was done (a card read, a questionnaire answered) since the journey started.
    TaskDone {
        /// The task's id.
        task: String,
    },
}

fn one() -> u16 {
    1
}

/// A questionnaire answered: which, when, and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    /// The questionnaire's id.
    pub questionnaire: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The score.
    pub score: f64,
}

/// What conditions are evaluated against, for one moment `now`.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Now.
    pub now: DateTime<Utc>,
    /// When the journey started.
    pub journey_start: DateTime<Utc>,
    /// When the current stage was entered.
    pub stage_start: DateTime<Utc>,
    /// Readings, any order.
    pub readings: &'a [Reading],
    /// Settled doses: when each was due, and whether it was taken.
    pub doses: &'a [(DateTime<Utc>, bool)],
    /// Questionnaires answered.
    pub answered: &'a [Answered],
    /// Appointments.
    pub appointments: &'a [Appointment],
    /// Tasks done, by id, with when.
    pub tasks_done: &'a [(String, DateTime<Utc>)],
    /// The patient's home zone (for local days).
    pub zone: &'a Zone,
}

impl Facts<'_> {
    fn since(&self, days: u16) -> DateTime<Utc> {
        self.now - Duration::days(i64::from(days))
    }

    /// The primary values of the patient's own readings of `kind` (not one taken at the
    /// office) in the last `days` days.
    fn values(&self, kind: ReadingKind, days: u16) -> impl Iterator<Item = f64> + '_ {
        let from = self.since(days);
        self.readings
            .iter()
            .filter(move |r| r.measurement.kind() == kind && r.setting() == BpSetting::Home)
            .filter(move |r| (from..=self.now).contains(&r.at.to_utc()))
            .map(|r| r.measurement.values().0)
    }
}

impl Condition {
    /// Whether it holds for `facts`.
    pub fn holds(&self, f: &Facts<'_>) -> bool {
        let days = |from: DateTime<Utc>| (f.now - from).num_seconds() as f64 / 86_400.0;
        match self {
            Self::All(cs) => cs.iter().all(|c| c.holds(f)),
            Self::Any(cs) => cs.iter().any(|c| c.holds(f)),
            Self::Not(c) => !c.holds(f),
            Self::DaysInStage(b) => b.admit(days(f.stage_start)),
            Self::DaysInJourney(b) => b.admit(days(f.journey_start)),
            Self::ReadingCount {
                kind,
                days,
                at_least,
                below,
            } => Bounds::of(*at_least, *below).admit(f.values(*kind, *days).count() as f64),
            Self::ReadingMean {
                kind,
                days,
                min_readings,
                at_least,
                below,
            } => {
                let v: Vec<f64> = f.values(*kind, *days).collect();
                v.len() >= usize::from(*min_readings)
                    && !v.is_empty()
                    && Bounds::of(*at_least, *below).admit(v.iter().sum::<f64>() / v.len() as f64)
            }
            Self::LatestReading {
                kind,
                at_least,
                below,
            } => f
                .readings
                .iter()
                .filter(|r| r.measurement.kind() == *kind && r.at.to_utc() <= f.now)
                .max_by_key(|r| r.at)
                .is_some_and(|r| Bounds::of(*at_least, *below).admit(r.measurement.values().0)),
            Self::HomeBpBelow {
                systolic,
                diastolic,
            } => {
                let recent: Vec<Reading> = f
                    .readings
                    .iter()
                    .filter(|r| matches!(r.measurement, Measurement::BloodPressure { .. }))
                    .filter(|r| r.setting.is_none() && r.at.to_utc() <= f.now)
                    .filter(|r| r.at.to_utc() >= f.since(14))
                    .cloned()
                    .collect();
                stats::home_bp_average(&recent, f.zone, None).is_some_and(|p| {
                    p.sufficient
                        && p.systolic < f64::from(*systolic)
                        && p.diastolic < f64::from(*diastolic)
                })
            }
            Self::Adherence {
                days,
                at_least,
                below,
            } => {
                let from = f.since(*days);
                let settled: Vec<bool> = f
                    .doses
                    .iter()
                    .filter(|(at, _)| (from..=f.now).contains(at))
                    .map(|(_, taken)| *taken)
                    .collect();
                !settled.is_empty()
                    && Bounds::of(*at_least, *below)
                        .admit(settled.iter().filter(|t| **t).count() as f64 / settled.len() as f64)
            }
            Self::QuestionnaireScore {
                questionnaire,
                at_least,
                below,
            } => f
                .answered
                .iter()
                .filter(|a| &a.questionnaire == questionnaire)
                .filter(|a| a.at >= f.stage_start && a.at <= f.now)
                .max_by_key(|a| a.at)
                .is_some_and(|a| Bounds::of(*at_least, *below).admit(a.score)),
            Self::AppointmentAttended => f
                .appointments
                .iter()
                .any(|a| (f.stage_start..=f.now).contains(&a.at.to_utc())),
            Self::TaskDone { task } => f
                .tasks_done
                .iter()
                .any(|(t, at)| t == task && *at >= f.journey_start && *at <= f.now),
        }
    }

    /// Checks its bounds and references; `path` names it in errors.
    pub fn check(&self, path: &str, questionnaires: &[&str]) -> Result<(), TemplateError> {
        match self {
            Self::All(cs) | Self::Any(cs) => {
                if cs.is_empty() {
                    return Err(TemplateError::Structure {
                        path: path.into(),
                        reason: "all and any need at least one condition",
                    });
                }
                for (i, c) in cs.iter().enumerate() {
                    let name = if matches!(self, Self::All(_)) {
                        "all"
                    } else {
                        "any"
                    };
                    c.check(&format!("{path}.{name}[{i}]"), questionnaires)?;
                }
                Ok(())
            }
            Self::Not(c) => c.check(&format!("{path}.not"), questionnaires),
            Self::DaysInStage(b) | Self::DaysInJourney(b) => b.check(path),
            Self::LatestReading {
                at_least, below, ..
            } => Bounds::of(*at_least, *below).check(path),
            Self::ReadingCount {
                days,
                at_least,
                below,
                ..
            }
            | Self::ReadingMean {
                days,
                at_least,
                below,
                ..
            }
            | Self::Adherence {
                days,
                at_least,
                below,
            } => {
                if !(1..=366).contains(days) {
                    return Err(TemplateError::OutOfRange {
                        path: format!("{path}.days"),
                        reason: "a window is 1 to 366 days",
                    });
                }
                Bounds::of(*at_least, *below).check(path)
            }
            Self::QuestionnaireScore {
                questionnaire,
                at_least,
                below,
            } => {
                if !questionnaires.contains(&questionnaire.as_str()) {
                    return Err(TemplateError::UnknownReference {
                        path: format!("{path}.questionnaire"),
                        what: "questionnaire",
                        id: questionnaire.clone(),
                    });
                }
                Bounds::of(*at_least, *below).check(path)
            }
            Self::HomeBpBelow { .. } | Self::AppointmentAttended | Self::TaskDone { .. } => Ok(()),
        }
    }

    /// How many days of data back from now it reads (readings, doses); 0 for none.
    /// [`Condition::LatestReading`] reads the latest reading of its kind, however old: see
    /// [`Condition::latest_kinds`].
    pub fn window_days(&self) -> u16 {
        match self {
            Self::All(cs) | Self::Any(cs) => cs.iter().map(Self::window_days).max().unwrap_or(0),
            Self::Not(c) => c.window_days(),
            Self::ReadingCount { days, .. }
            | Self::ReadingMean { days, .. }
            | Self::Adherence { days, .. } => *days,
            Self::HomeBpBelow { .. } => 14,
            _ => 0,
        }
    }

    /// The kinds of reading it reads, each with the days back from now it reads them over (0:
    /// only the latest, which is gathered on its own).
    pub fn reading_windows(&self) -> Vec<(ReadingKind, u16)> {
        match self {
            Self::All(cs) | Self::Any(cs) => cs.iter().flat_map(Self::reading_windows).collect(),
            Self::Not(c) => c.reading_windows(),
            Self::ReadingCount { kind, days, .. } | Self::ReadingMean { kind, days, .. } => {
                vec![(*kind, *days)]
            }
            Self::HomeBpBelow { .. } => vec![(ReadingKind::BloodPressure, 14)],
            Self::LatestReading { kind, .. } => vec![(*kind, 0)],
            _ => Vec::new(),
        }
    }

    /// The kinds whose latest reading it reads.
    pub fn latest_kinds(&self) -> Vec<ReadingKind> {
        match self {
            Self::All(cs) | Self::Any(cs) => cs.iter().flat_map(Self::latest_kinds).collect(),
            Self::Not(c) => c.latest_kinds(),
            Self::LatestReading { kind, .. } => vec![*kind],
            _ => Vec::new(),
        }
    }

    /// The tasks it refers to.
    pub fn tasks(&self) -> Vec<&str> {
        match self {
            Self::All(cs) | Self::Any(cs) => cs.iter().flat_map(|c| c.tasks()).collect(),
            Self::Not(c) => c.tasks(),
            Self::TaskDone { task } => vec![task.as_str()],
            _ => Vec::new(),
        }
    }
}
