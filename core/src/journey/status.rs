//! Where a journey stands for the home screen: its history as the record keeps it, the tasks
//! of the current stage with whether today's share is done, the cards not yet read, the
//! milestones just reached and the progress. Pure functions of the journey, its template,
//! what the record says happened, and the patient's data.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::condition::Answered;
use super::engine::{self, Data, Decision, History, JourneyProgress};
use super::template::{TaskKind, Template};
use crate::model::{
    BpSetting, Journey, JourneyStep, Language, MeasurementPlan, QuestionnaireResponse, ReadingKind,
    StepKind,
};
use crate::reminders::zone::local;

/// A journey with its template and the steps the record holds of it.
#[derive(Debug, Clone)]
pub struct JourneyInput {
    /// The journey.
    pub journey: Journey,
    /// Its template.
    pub template: Template,
    /// Its steps, any order.
    pub steps: Vec<JourneyStep>,
}

/// The days of data back from now that the running `journeys`' conditions read: the longest
/// window of any of them, a week when none reads further back.
pub fn longest_window(journeys: &[JourneyInput]) -> u16 {
    journeys
        .iter()
        .map(|j| j.template.window_days())
        .max()
        .unwrap_or(7)
}

/// The key of a task done on a local day: a daily task (a wound check) is done once a day.
pub fn task_key(task: &str, day: NaiveDate) -> String {
    format!("{task}/{day}")
}

/// The engine's history of a journey from the steps the record holds: stages in the order
/// entered, milestones and check-ins.
pub fn history(journey: &Journey, steps: &[JourneyStep]) -> History {
    let mut steps: Vec<&JourneyStep> = steps.iter().collect();
    crate::sorting::sort_by(&mut steps, |a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
    let of = |kind: StepKind| {
        steps
            .iter()
            .filter(move |s| s.kind == kind)
            .map(|s| (s.key.clone(), s.at.to_utc()))
    };
    History {
        started_at: journey.started_at.to_utc(),
        stages: of(StepKind::Stage).collect(),
        milestones: of(StepKind::Milestone).collect(),
        check_ins: of(StepKind::CheckIn).map(|(_, at)| at).collect(),
    }
}

/// The tasks done along a journey, by task id, with when: tasks marked done, cards read (as
/// the tasks that ask to read them) and questionnaires answered (as the tasks that ask for
/// them).
pub fn tasks_done(
    template: &Template,
    steps: &[JourneyStep],
    responses: &[QuestionnaireResponse],
) -> Vec<(String, DateTime<Utc>)> {
    let tasks: Vec<_> = template.stages.iter().flat_map(|s| &s.tasks).collect();
    let mut out = Vec::new();
    for s in steps {
        match s.kind {
            StepKind::Task => {
                let id = s.key.split_once('/').map_or(s.key.as_str(), |(t, _)| t);
                out.push((id.to_string(), s.at.to_utc()));
            }
            StepKind::CardRead => out.extend(
                tasks
                    .iter()
                    .filter(|t| matches!(&t.kind, TaskKind::ReadCard { card } if card == &s.key))
                    .map(|t| (t.id.clone(), s.at.to_utc())),
            ),
            _ => {}
        }
    }
    for r in responses {
        out.extend(
            tasks
                .iter()
                .filter(|t| {
                    matches!(&t.kind,
                        TaskKind::Questionnaire { questionnaire }
                        | TaskKind::SymptomScore { questionnaire }
                        if questionnaire == &r.questionnaire_id)
                })
                .map(|t| (t.id.clone(), r.at.to_utc())),
        );
    }
    out
}

/// The engine's view of questionnaire responses.
pub fn answered(responses: &[QuestionnaireResponse]) -> Vec<Answered> {
    responses
        .iter()
        .map(|r| Answered {
            questionnaire: r.questionnaire_id.clone(),
            at: r.at.to_utc(),
            score: r.total,
        })
        .collect()
}

/// A task of the current stage and how far today's share of it is done.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskStatus {
    /// The task's id.
    pub id: String,
    /// Its title in the reader's language.
    pub title: String,
    /// What it asks: `log_reading`, `take_medications`, `read_card`, `questionnaire`,
    /// `appointment`, `measurement_plan`, `wound_photo` or `symptom_score`.
    pub kind: String,
    /// Done for now (today's readings logged, the card read, the appointment booked...).
    pub done: bool,
    /// For a counted task: how many so far (today, or this week for a weekly one).
    pub count: Option<u32>,
    /// For a counted task: how many it asks for.
    pub target: Option<u32>,
    /// The card to read, the questionnaire to answer, the plan to follow, when it names one.
    pub refers_to: Option<String>,
}

/// An education card to read, in the reader's language, with its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardView {
    /// The card's id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The text.
    pub body: String,
    /// Where it comes from: publisher, title and year.
    pub source: String,
    /// Where to read more.
    pub link: Option<String>,
}

/// A milestone reached, with its message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneView {
    /// The milestone's id.
    pub id: String,
    /// The message, in the reader's language.
    pub message: String,
    /// When it was reached.
    pub at: DateTime<Utc>,
}

/// One journey on the home screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyToday {
    /// The journey.
    pub journey_id: String,
    /// Its template.
    pub template_id: String,
    /// The template's title in the reader's language.
    pub title: String,
    /// The current stage and progress through it and the journey.
    pub progress: Option<JourneyProgress>,
    /// The current stage's tasks.
    pub tasks: Vec<TaskStatus>,
    /// The current stage's cards not yet read.
    pub unread_cards: Vec<CardView>,
    /// Milestones reached in the last seven days, newest first.
    pub milestones: Vec<MilestoneView>,
    /// What the engine decides now that the record does not hold yet (the facade's
    /// `advance_journeys` records it).
    pub pending: Vec<Decision>,
}

/// What else the task statuses read.
#[derive(Debug, Clone, Copy)]
pub struct TaskContext<'a> {
    /// The measurement plans.
    pub plans: &'a [MeasurementPlan],
    /// Whether every dose due so far today was taken (none missed, none due).
    pub doses_on_track: bool,
    /// The reader's language.
    pub language: Language,
    /// The questionnaires not meant for this patient ([`super::Questionnaire::declined_for`]):
    /// the tasks that ask for them are not shown.
    pub declined: &'a [String],
}

/// The journey `input` on the home screen at `now`, with `data` as the engine reads it.
pub fn journey_today(
    input: &JourneyInput,
    data: &Data<'_>,
    ctx: &TaskContext<'_>,
    now: DateTime<Utc>,
) -> JourneyToday {
    let template = &input.template;
    let mut history = history(&input.journey, &input.steps);
    let pending = engine::step(template, &history, data, now);
    for d in &pending {
        match d {
            Decision::StageEntered { stage, at } => history.stages.push((stage.clone(), *at)),
            Decision::MilestoneReached { milestone, at, .. } => {
                history.milestones.push((milestone.clone(), *at));
            }
            Decision::CheckIn { at, .. } => history.check_ins.push(*at),
        }
    }
    let language = ctx.language;
    let progress = engine::progress(template, &history, data.appointments, language, now);
    let stage = history
        .stages
        .last()
        .and_then(|(id, entered)| template.stage(id).map(|(_, s)| (s, *entered)));
    let read: Vec<&str> = input
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::CardRead)
        .map(|s| s.key.as_str())
        .collect();
    let (tasks, unread_cards) = match stage {
        Some((stage, entered)) => (
            stage
                .tasks
                .iter()
                .filter(|t| match &t.kind {
                    TaskKind::Questionnaire { questionnaire } => {
                        !ctx.declined.contains(questionnaire)
                    }
                    _ => true,
                })
                .map(|t| task_status(t, &history, data, ctx, entered, now))
                .collect(),
            stage
                .cards
                .iter()
                .filter(|c| !read.contains(&c.as_str()))
                .filter_map(|c| template.card(c))
                .map(|c| card_view(c, language))
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut milestones: Vec<MilestoneView> = history
        .milestones
        .iter()
        .filter(|(_, at)| *at > now - Duration::days(7))
        .filter_map(|(id, at)| {
            let m = template
                .stages
                .iter()
                .flat_map(|s| &s.milestones)
                .find(|m| &m.id == id)?;
            Some(MilestoneView {
                id: id.clone(),
                message: m.message.get(language).to_string(),
                at: *at,
            })
        })
        .collect();
    crate::sorting::sort_by_key(&mut milestones, |m| std::cmp::Reverse(m.at));
    JourneyToday {
        journey_id: input.journey.id.clone(),
        template_id: template.id.clone(),
        title: template.title.get(language).to_string(),
        progress,
        tasks,
        unread_cards,
        milestones,
        pending,
    }
}

/// A card in `language`, its source in one line.
pub fn card_view(card: &super::template::Card, language: Language) -> CardView {
    let source = card.source.as_ref().map_or(String::new(), |s| {
        let mut line = format!("{}, {}", s.publisher, s.title);
        if let Some(year) = s.year {
            line.push_str(&format!(", {year}"));
        }
        line
    });
    CardView {
        id: card.id.clone(),
        title: card.title.get(language).to_string(),
        body: card.body.get(language).to_string(),
        source,
        link: card.source.as_ref().and_then(|s| s.link.clone()),
    }
}

fn task_status(
    task: &super::template::Task,
    history: &History,
    data: &Data<'_>,
    ctx: &TaskContext<'_>,
    stage_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> TaskStatus {
    let today = local(data.zone, now).date();
    let on_today = |at: DateTime<Utc>| local(data.zone, at).date() == today;
    let done_since = |from: DateTime<Utc>| {
        data.tasks_done
            .iter()
            .any(|(id, at)| id == &task.id && *at >= from && *at <= now)
    };
    let done_today = data
        .tasks_done
        .iter()
        .any(|(id, at)| id == &task.id && on_today(*at));
    let mut status = TaskStatus {
        id: task.id.clone(),
        title: task.title.get(ctx.language).to_string(),
        kind: String::new(),
        done: false,
        count: None,
        target: None,
        refers_to: None,
    };
    // What the patient logs at home: a reading taken at the office is not the task's.
    let count = |kind: ReadingKind, from: DateTime<Utc>, daily: bool| {
        data.readings
            .iter()
            .filter(|r| r.measurement.kind() == kind && r.at.to_utc() <= now)
            .filter(|r| r.setting() == BpSetting::Home)
            .filter(|r| {
                if daily {
                    on_today(r.at.to_utc())
                } else {
                    r.at.to_utc() >= from
                }
            })
            .count() as u32
    };
    match &task.kind {
        TaskKind::LogReading {
            reading,
            per_day,
            per_week,
        } => {
            status.kind = "log_reading".into();
            let (n, target) = match (per_day, per_week) {
                (Some(d), _) => (count(*reading, now, true), u32::from(*d)),
                (None, Some(w)) => (
                    count(*reading, now - Duration::days(7), false),
                    u32::from(*w),
                ),
                (None, None) => (count(*reading, now, true), 1),
            };
            status.count = Some(n);
            status.target = Some(target);
            status.done = n >= target;
            status.refers_to = Some(reading.as_str().to_string());
        }
        TaskKind::TakeMedications => {
            status.kind = "take_medications".into();
            status.done = ctx.doses_on_track;
        }
        TaskKind::ReadCard { card } => {
            status.kind = "read_card".into();
            status.done = done_since(history.started_at);
            status.refers_to = Some(card.clone());
        }
        TaskKind::Questionnaire { questionnaire } => {
            status.kind = "questionnaire".into();
            status.done = done_since(stage_start);
            status.refers_to = Some(questionnaire.clone());
        }
        TaskKind::SymptomScore { questionnaire } => {
            status.kind = "symptom_score".into();
            status.done = done_today;
            status.refers_to = Some(questionnaire.clone());
        }
        TaskKind::Appointment { due_day, .. } => {
            status.kind = "appointment".into();
            let due = history.started_at + Duration::days(i64::from(*due_day));
            status.done = data
                .appointments
                .iter()
                .any(|a| a.at.to_utc() >= due - Duration::days(30));
        }
        TaskKind::MeasurementPlan { plan } => {
            status.kind = "measurement_plan".into();
            status.done = ctx.plans.iter().any(|p| {
                p.kind == ReadingKind::BloodPressure
                    && p.start + Duration::days(i64::from(p.days)) > today
            });
            status.refers_to = Some(plan.clone());
        }
        TaskKind::WoundPhoto => {
            status.kind = "wound_photo".into();
            status.done = done_today;
        }
    }
    status
}
