//! Adherence and missed doses, for the patient, caregivers and clinicians, computed only from the
//! record's data (schedules and the dose log), so a caregiver's device computes them from the
//! synced record exactly as the patient's does.

use chrono::{DateTime, Utc};

use super::dose_states::{DoseState, ScheduledDose, dose_states};
use super::occurrences::{OccurrenceContext, occurrences};
use crate::model::{DoseEvent, Medication};

/// Adherence of one medication over a period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Adherence {
    /// The medication.
    pub medication_id: String,
    /// Its name.
    pub name: String,
    /// Doses whose outcome is settled (taken, skipped or missed).
    pub counted: u32,
    /// Taken.
    pub taken: u32,
    /// Taken within the grace window.
    pub on_time: u32,
    /// Skipped.
    pub skipped: u32,
    /// Missed.
    pub missed: u32,
    /// Taken / counted; `None` when nothing was counted.
    pub share_taken: Option<f64>,
    /// Taken on time / counted; `None` when nothing was counted.
    pub share_on_time: Option<f64>,
    /// Every dose of the period with its scheduled time and what happened (the scheduled vs
    /// actual time column doctors ask for).
    pub doses: Vec<ScheduledDose>,
}

/// Adherence per medication over `[from, to)` as it stands at `now`.
pub fn adherence(
    medications: &[Medication],
    events: &[DoseEvent],
    ctx: &OccurrenceContext<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Adherence> {
    medications
        .iter()
        .map(|med| {
            let doses = dose_states(med, occurrences(med, ctx, from, to), events, now);
            let count = |f: &dyn Fn(&DoseState) -> bool| {
                doses.iter().filter(|d| f(&d.state)).count() as u32
            };
            let taken = count(&|s| matches!(s, DoseState::Taken { .. }));
            let on_time = count(&|s| matches!(s, DoseState::Taken { on_time: true, .. }));
            let skipped = count(&|s| matches!(s, DoseState::Skipped { .. }));
            let missed = count(&|s| matches!(s, DoseState::Missed));
            let counted = taken + skipped + missed;
            let share = |n: u32| (counted > 0).then(|| f64::from(n) / f64::from(counted));
            Adherence {
                medication_id: med.id.clone(),
                name: med.name.clone(),
                counted,
                taken,
                on_time,
                skipped,
                missed,
                share_taken: share(taken),
                share_on_time: share(on_time),
                doses,
            }
        })
        .collect()
}

/// Every dose missed in `[since, now)`, oldest first.
pub fn missed_doses(
    medications: &[Medication],
    events: &[DoseEvent],
    ctx: &OccurrenceContext<'_>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<ScheduledDose> {
    let mut missed: Vec<ScheduledDose> = medications
        .iter()
        .flat_map(|med| dose_states(med, occurrences(med, ctx, since, now), events, now))
        .filter(|d| d.state == DoseState::Missed)
        .collect();
    crate::sorting::sort_by_key(&mut missed, |d| d.occurrence.at);
    missed
}
