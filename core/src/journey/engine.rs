//! The journey engine: pure functions of a template, what the record says happened so far
//! (stages entered, milestones reached, check-ins sent) and the patient's data, at a moment.
//! It decides stage transitions, milestones and check-ins; the record stores what it decides,
//! so that every replica and every member sees the same journey after sync.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::condition::{Answered, Facts};
use super::template::{TaskKind, Template};
use crate::model::{Appointment, Language, Reading};
use crate::zone::Zone;

/// Days without any activity after which the engine sends one check-in.
pub const LAPSE_DAYS: i64 = 30;
/// Days past an appointment task's due day, with no appointment in the record, after which
/// the engine sends one check-in about it.
pub const OVERDUE_GRACE_DAYS: i64 = 7;

/// What the record says about one journey so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// The stages entered, in order, with when.
    pub stages: Vec<(String, DateTime<Utc>)>,
    /// Milestones reached, with when.
    pub milestones: Vec<(String, DateTime<Utc>)>,
    /// Check-ins sent, with when.
    pub check_ins: Vec<DateTime<Utc>>,
}

/// Why a check-in was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckInReason {
    /// Nothing logged for [`LAPSE_DAYS`] days.
    Inactive,
    /// An appointment the journey asks for is overdue.
    AppointmentOverdue,
}

impl CheckInReason {
    /// Its name, as a check-in step's key begins (`inactive`, `appointment_overdue`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inactive => "inactive",
            Self::AppointmentOverdue => "appointment_overdue",
        }
    }

    /// The reason a check-in step's key (`inactive/2026-11-10`) names.
    pub fn of_key(key: &str) -> Self {
        match key.split_once('/').map_or(key, |(r, _)| r) {
            "appointment_overdue" => Self::AppointmentOverdue,
            _ => Self::Inactive,
        }
    }
}

/// What the engine decided at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Decision {
    /// A stage was entered.
    StageEntered {
        /// The stage.
        stage: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// A milestone was reached.
    MilestoneReached {
        /// The milestone.
        milestone: String,
        /// The stage it belongs to.
        stage: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// A check-in is due: one gentle word, then silence until the patient is back.
    CheckIn {
        /// Why.
        reason: CheckInReason,
        /// When.
        at: DateTime<Utc>,
    },
}

/// The patient's data the engine reads.
#[derive(Debug, Clone, Copy)]
pub struct Data<'a> {
    /// Readings.
    pub readings: &'a [Reading],
    /// Settled doses: when each was due, and whether it was taken.
    pub doses: &'a [(DateTime<Utc>, bool)],
    /// Questionnaires answered.
    pub answered: &'a [Answered],
    /// Appointments.
    pub appointments: &'a [Appointment],
    /// Tasks done (cards read, photos taken), with when.
    pub tasks_done: &'a [(String, DateTime<Utc>)],
    /// The latest thing the patient (or a caregiver for them) logged, of any kind.
    pub last_activity: Option<DateTime<Utc>>,
    /// The home zone.
    pub zone: &'a Zone,
}

impl<'a> Data<'a> {
    fn facts(&self, h: &History, stage_start: DateTime<Utc>, now: DateTime<Utc>) -> Facts<'a> {
        Facts {
            now,
            journey_start: h.started_at,
            stage_start,
            readings: self.readings,
            doses: self.doses,
            answered: self.answered,
            appointments: self.appointments,
            tasks_done: self.tasks_done,
            zone: self.zone,
        }
    }
}

/// What happens at `now`, given the history so far: the stages entered (the first at the
/// start), the milestones reached in each stage before it is left, and at most one
/// check-in. Decisions already in the history are never made again.
pub fn step(
    template: &Template,
    history: &History,
    data: &Data<'_>,
    now: DateTime<Utc>,
) -> Vec<Decision> {
    let mut out = Vec::new();
    let mut h = history.clone();
    if h.stages.is_empty() {
        let Some(first) = template.stages.first() else {
            return out;
        };
        h.stages.push((first.id.clone(), h.started_at));
        out.push(Decision::StageEntered {
            stage: first.id.clone(),
            at: h.started_at,
        });
    }
    // At most one transition per stage per step: a template can never loop.
    for _ in 0..template.stages.len() {
        let Some((current, entered)) = h.stages.last().cloned() else {
            break;
        };
        let Some((index, stage)) = template.stage(&current) else {
            break;
        };
        let facts = data.facts(&h, entered, now);
        for m in &stage.milestones {
            if !h.milestones.iter().any(|(id, _)| id == &m.id) && m.when.holds(&facts) {
                h.milestones.push((m.id.clone(), now));
                out.push(Decision::MilestoneReached {
                    milestone: m.id.clone(),
                    stage: stage.id.clone(),
                    at: now,
                });
            }
        }
        let Some(next) = template.stages.get(index + 1) else {
            break;
        };
        let exits = stage.exit.as_ref().is_some_and(|c| c.holds(&facts));
        let enters = next
            .enter
            .as_ref()
            .is_none_or(|c| c.holds(&data.facts(&h, now, now)));
        if !(exits && enters) {
            break;
        }
        h.stages.push((next.id.clone(), now));
        out.push(Decision::StageEntered {
            stage: next.id.clone(),
            at: now,
        });
    }
    if let Some(reason) = check_in_due(template, &h, data, now) {
        out.push(Decision::CheckIn { reason, at: now });
    }
    out
}

/// A check-in is due when the patient has been away [`LAPSE_DAYS`] days, or an appointment
/// task is overdue, and no check-in was sent since the patient was last active (one word,
/// then silence until they return).
fn check_in_due(
    template: &Template,
    h: &History,
    data: &Data<'_>,
    now: DateTime<Utc>,
) -> Option<CheckInReason> {
    let last_seen = data.last_activity.unwrap_or(h.started_at).max(h.started_at);
    if h.check_ins.iter().any(|c| *c >= last_seen) {
        return None;
    }
    if now - last_seen >= Duration::days(LAPSE_DAYS) {
        return Some(CheckInReason::Inactive);
    }
    // An overdue appointment is mentioned once, however active the patient is.
    let overdue_since = template
        .stages
        .iter()
        .flat_map(|s| &s.tasks)
        .filter_map(|t| match &t.kind {
            TaskKind::Appointment { due_day, .. } => {
                let due = h.started_at + Duration::days(i64::from(*due_day));
                let booked = data
                    .appointments
                    .iter()
                    .any(|a| a.at.to_utc() >= due - Duration::days(30));
                let late = due + Duration::days(OVERDUE_GRACE_DAYS);
                (now >= late && !booked).then_some(late)
            }
            _ => None,
        })
        .min()?;
    (!h.check_ins.iter().any(|c| *c >= overdue_since)).then_some(CheckInReason::AppointmentOverdue)
}

/// Where a journey stands: its stage, and progress through it and through the journey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyProgress {
    /// The current stage's id.
    pub stage: String,
    /// Its title in the reader's language.
    pub stage_title: String,
    /// Its position, 1-based.
    pub step: u32,
    /// The number of stages.
    pub steps: u32,
    /// Day of the stage, 1-based.
    pub day_of_stage: i64,
    /// Days the stage is expected to take.
    pub stage_days: u16,
    /// Share of the journey's expected days behind the patient, 0 to 1.
    pub journey_share: f64,
    /// Days to the next check-up the journey asks for, if one is ahead: to the appointment
    /// booked for it (whole days, rounded up), else to the day the template asks for it by.
    pub days_to_checkup: Option<i64>,
}

/// The progress of a journey at `now` (after [`step`]'s decisions are in `history`), with the
/// record's `appointments` for the check-ups.
pub fn progress(
    template: &Template,
    history: &History,
    appointments: &[Appointment],
    language: Language,
    now: DateTime<Utc>,
) -> Option<JourneyProgress> {
    let (current, entered) = history.stages.last()?;
    let (index, stage) = template.stage(current)?;
    let day_of_stage = (now - *entered).num_days() + 1;
    let total: i64 = template
        .stages
        .iter()
        .map(|s| i64::from(s.expected_days))
        .sum();
    let before: i64 = template.stages[..index]
        .iter()
        .map(|s| i64::from(s.expected_days))
        .sum();
    let done = before + day_of_stage.min(i64::from(stage.expected_days)) - 1;
    let journey_day = (now - history.started_at).num_days();
    let days_to_checkup = template
        .stages
        .iter()
        .flat_map(|s| &s.tasks)
        .filter_map(|t| match t.kind {
            TaskKind::Appointment { due_day, .. } => {
                let due = history.started_at + Duration::days(i64::from(due_day));
                // Booked for it: the same rule as the task's (at most 30 days before it is due).
                let booked = appointments
                    .iter()
                    .map(|a| a.at.to_utc())
                    .filter(|at| *at >= due - Duration::days(30) && *at >= now)
                    .min();
                match booked {
                    Some(at) => Some(((at - now).num_minutes() + 1439) / 1440),
                    None => Some(i64::from(due_day) - journey_day).filter(|d| *d >= 0),
                }
            }
            _ => None,
        })
        .min();
    Some(JourneyProgress {
        stage: stage.id.clone(),
        stage_title: stage.title.get(language).to_string(),
        step: u32::try_from(index + 1).unwrap_or(u32::MAX),
        steps: u32::try_from(template.stages.len()).unwrap_or(u32::MAX),
        day_of_stage,
        stage_days: stage.expected_days,
        journey_share: (done as f64 / total.max(1) as f64).clamp(0.0, 1.0),
        days_to_checkup,
    })
}
