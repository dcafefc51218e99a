//! Mood along the journey (the emotion curve): the journal's mood scores (1-5) averaged per
//! local week (Monday to Sunday) and per journey stage, for the visit report and the clinic.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::status::{JourneyInput, history};
use crate::model::{JournalEntry, Language};
use crate::reminders::zone::local;
use crate::zone::Zone;

/// The mean mood of one local week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodWeek {
    /// Its Monday.
    pub week_start: NaiveDate,
    /// Mean mood, 1 (very bad) to 5 (very good).
    pub mean: f64,
    /// Entries with a mood.
    pub entries: u32,
}

/// The mean mood while a journey was in one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodStage {
    /// The journey.
    pub journey_id: String,
    /// Its template.
    pub template_id: String,
    /// The stage.
    pub stage: String,
    /// The stage's title in the reader's language.
    pub stage_title: String,
    /// When the stage was entered.
    pub from: DateTime<Utc>,
    /// When it was left (none: it runs).
    pub to: Option<DateTime<Utc>>,
    /// Mean mood, 1 to 5.
    pub mean: f64,
    /// Entries with a mood.
    pub entries: u32,
}

/// The emotion curve: per week and per stage, each only where moods were logged.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MoodCurve {
    /// Weeks, oldest first.
    pub weeks: Vec<MoodWeek>,
    /// Stages, in the order entered, per journey.
    pub stages: Vec<MoodStage>,
}

/// The curve of `entries` (the patient's own with a mood count; a caregiver's impression is
/// not the patient's mood) along `journeys`, weeks in `zone`.
pub fn mood_curve(
    entries: &[JournalEntry],
    journeys: &[JourneyInput],
    zone: &Zone,
    language: Language,
) -> MoodCurve {
    let moods: Vec<(DateTime<Utc>, f64)> = entries
        .iter()
        .filter(|e| e.is_patients())
        .filter_map(|e| e.mood.map(|m| (e.at.to_utc(), f64::from(m))))
        .collect();
    let mean = |list: &[f64]| list.iter().sum::<f64>() / list.len() as f64;
    let mut weeks: std::collections::BTreeMap<NaiveDate, Vec<f64>> = Default::default();
    for (at, m) in &moods {
        let day = local(zone, *at).date();
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        weeks.entry(monday).or_default().push(*m);
    }
    let mut curve = MoodCurve {
        weeks: weeks
            .into_iter()
            .map(|(week_start, list)| MoodWeek {
                week_start,
                mean: mean(&list),
                entries: list.len() as u32,
            })
            .collect(),
        stages: Vec::new(),
    };
    for j in journeys {
        let h = history(&j.journey, &j.steps);
        for (i, (stage, from)) in h.stages.iter().enumerate() {
            let to = h
                .stages
                .get(i + 1)
                .map(|(_, at)| *at)
                .or(j.journey.stopped_at.map(|s| s.to_utc()));
            let list: Vec<f64> = moods
                .iter()
                .filter(|(at, _)| at >= from && to.is_none_or(|t| *at < t))
                .map(|(_, m)| *m)
                .collect();
            if list.is_empty() {
                continue;
            }
            curve.stages.push(MoodStage {
                journey_id: j.journey.id.clone(),
                template_id: j.template.id.clone(),
                stage: stage.clone(),
                stage_title: j
                    .template
                    .stage(stage)
                    .map_or(stage.clone(), |(_, s)| s.title.get(language).to_string()),
                from: *from,
                to,
                mean: mean(&list),
                entries: list.len() as u32,
            });
        }
    }
    curve
}
