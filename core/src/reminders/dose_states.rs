//! The state of each scheduled dose, from the schedule and the dose log alone, so that every
//! replica (the patient's phone, a caregiver's) derives the same states from the same data.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, Utc};

use super::occurrences::Occurrence;
use crate::i18n::Texts;
use crate::model::{DoseEvent, DoseStatus, Language, LateDosePolicy, Medication};

/// Where a scheduled dose stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum DoseState {
    /// Not yet due.
    Upcoming,
    /// Due now, within the grace window.
    Due,
    /// Put off; due again at `until`.
    Snoozed {
        /// When it is due again.
        until: DateTime<FixedOffset>,
    },
    /// Taken; `on_time` when within the grace window after the scheduled time.
    Taken {
        /// When.
        at: DateTime<FixedOffset>,
        /// Taken no later than the grace window allows.
        on_time: bool,
        /// Who logged it (a caregiver on the patient's behalf), when the event says.
        by: Option<String>,
    },
    /// Deliberately skipped.
    Skipped {
        /// When it was logged.
        at: DateTime<FixedOffset>,
        /// Who logged it, when the event says.
        by: Option<String>,
    },
    /// Not taken, and the grace window has passed.
    Missed,
}

impl ScheduledDose {
    /// How many minutes after its scheduled time it was taken (negative: early); `None` unless
    /// taken.
    pub fn minutes_late(&self) -> Option<i64> {
        match &self.state {
            DoseState::Taken { at, .. } => Some((at.to_utc() - self.occurrence.at).num_minutes()),
            _ => None,
        }
    }

    /// Who logged it, when taken or skipped and the event says.
    pub fn logged_by(&self) -> Option<&str> {
        match &self.state {
            DoseState::Taken { by, .. } | DoseState::Skipped { by, .. } => by.as_deref(),
            _ => None,
        }
    }
}

/// A scheduled dose and its state.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScheduledDose {
    /// When it was due.
    pub occurrence: Occurrence,
    /// Where it stands.
    pub state: DoseState,
}

/// The states of `occurrences` of `med` at `now`, from its dose events. An event answers the
/// occurrence whose instant equals its `scheduled_at`; a taken or skipped event settles it (the
/// latest such event wins); otherwise the latest snooze moves it. A dose becomes missed once
/// the grace window has passed after its scheduled time or after its last snooze.
pub fn dose_states(
    med: &Medication,
    occurrences: Vec<Occurrence>,
    events: &[DoseEvent],
    now: DateTime<Utc>,
) -> Vec<ScheduledDose> {
    let grace = Duration::minutes(i64::from(med.grace_minutes));
    // The events of this medication by the occurrence they answer: one pass over the log, so
    // the cost is linear in the doses covered, however long the history.
    let mut by_occurrence: HashMap<DateTime<Utc>, Vec<&DoseEvent>> = HashMap::new();
    for e in events.iter().filter(|e| e.medication_id == med.id) {
        if let Some(s) = e.scheduled_at {
            by_occurrence.entry(s.to_utc()).or_default().push(e);
        }
    }
    occurrences
        .into_iter()
        .map(|occurrence| {
            let answers = by_occurrence
                .get(&occurrence.at)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .copied();
            let settled = answers
                .clone()
                .filter(|e| e.status != DoseStatus::Snoozed)
                .max_by_key(|e| (e.at, e.id.clone()));
            let snoozed = answers
                .filter_map(|e| e.snoozed_until.filter(|_| e.status == DoseStatus::Snoozed))
                .max();
            let state = match (settled, snoozed) {
                (Some(e), _) if e.status == DoseStatus::Taken => DoseState::Taken {
                    at: e.at,
                    on_time: e.at.to_utc() <= occurrence.at + grace,
                    by: e.logged_by.clone(),
                },
                (Some(e), _) => DoseState::Skipped {
                    at: e.at,
                    by: e.logged_by.clone(),
                },
                (None, Some(until)) if now < until.to_utc() => DoseState::Snoozed { until },
                (None, Some(until)) if now < until.to_utc() + grace => DoseState::Due,
                (None, Some(_)) => DoseState::Missed,
                (None, None) if now < occurrence.at => DoseState::Upcoming,
                (None, None) if now < occurrence.at + grace => DoseState::Due,
                (None, None) => DoseState::Missed,
            };
            ScheduledDose { occurrence, state }
        })
        .collect()
}

/// What to do about a dose not taken at its time (docs/clinical-sources.md, "Safety principles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum LateDoseAdvice {
    /// Take it now.
    TakeNow,
    /// Skip it and take the next one at its usual time; never a double dose.
    SkipAndWait,
}

impl LateDoseAdvice {
    /// The advice in `language`. It never suggests a double dose, and sends the patient to the
    /// pharmacist or doctor when unsure.
    pub fn text(self, language: Language) -> String {
        Texts::new(language).text(self.message_id())
    }

    /// The id of its message in the texts.
    pub fn message_id(self) -> &'static str {
        match self {
            Self::TakeNow => "advice-take-now",
            Self::SkipAndWait => "advice-skip",
        }
    }
}

/// The advice for the dose due at `scheduled`, remembered at `now`, when the next dose is due
/// at `next` (none: no next dose in sight, so half an interval never passes).
pub fn late_dose_advice(
    policy: LateDosePolicy,
    scheduled: DateTime<Utc>,
    next: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> LateDoseAdvice {
    let late = now - scheduled;
    let take = match policy {
        LateDosePolicy::HalfInterval => next.is_none_or(|next| late < (next - scheduled) / 2),
        LateDosePolicy::Within { minutes } => late <= Duration::minutes(i64::from(minutes)),
    };
    if take {
        LateDoseAdvice::TakeNow
    } else {
        LateDoseAdvice::SkipAndWait
    }
}
