//! Whether a dose event fits its medication's schedule: a scheduled time must be one of the
//! medication's occurrences, and a snooze must end before the next one (issue 13: a snooze of
//! 100,000,000 minutes silently swallowed tonight's reminder and its missed-dose follow-up).

use chrono::{DateTime, Duration, Utc};

use super::dose_states::{DoseState, ScheduledDose};
use super::occurrences::{OccurrenceContext, occurrences};
use crate::model::{DoseEvent, DoseStatus, Medication, Schedule};

/// How far around a scheduled time occurrences are looked for (the nearest ones are listed).
const AROUND_DAYS: i64 = 3;
/// How far past a snoozed dose its next one is looked for: every schedule type has one within
/// a year (every 52 weeks, every 365 days), so a snooze of centuries costs no more than this.
const NEXT_WITHIN_DAYS: i64 = 400;
/// How many of the nearest occurrences a refusal lists.
const NEAREST: usize = 3;

/// Why a dose event does not fit its medication's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    /// The scheduled time is no occurrence of the medication; the nearest ones, soonest first.
    NotAnOccurrence {
        /// The occurrences nearest to the time given.
        nearest: Vec<DateTime<Utc>>,
    },
    /// The snooze ends at or after the medication's next occurrence.
    SnoozePastNextDose {
        /// The next occurrence after the snoozed one.
        next: DateTime<Utc>,
    },
}

/// Checks `event` against `med`'s occurrences as `ctx` gives them. An as-needed medication
/// has no scheduled times to check; an event without a scheduled time is an extra dose.
pub fn check_answer(
    med: &Medication,
    ctx: &OccurrenceContext<'_>,
    event: &DoseEvent,
) -> Result<(), Misfit> {
    let Some(scheduled) = event.scheduled_at.map(|s| s.to_utc()) else {
        return Ok(());
    };
    if matches!(med.schedule, Schedule::AsNeeded(_)) {
        return Ok(());
    }
    // A dose taken before the medication entered the record (this morning's, logged when the
    // patient adds the medication at noon) still answers its occurrence.
    let mut med = med.clone();
    med.recorded_at = None;
    let med = &med;
    let around = Duration::days(AROUND_DAYS);
    let list = occurrences(med, ctx, scheduled - around, scheduled + around);
    if !list.iter().any(|o| o.at == scheduled) {
        let mut nearest: Vec<DateTime<Utc>> = list.iter().map(|o| o.at).collect();
        crate::sorting::sort_by_key(&mut nearest, |at| (*at - scheduled).abs());
        nearest.truncate(NEAREST);
        crate::sorting::sort(&mut nearest);
        return Err(Misfit::NotAnOccurrence { nearest });
    }
    if event.status == DoseStatus::Snoozed
        && let Some(until) = event.snoozed_until.map(|u| u.to_utc())
    {
        // The next occurrence, looked for as far as the snooze reaches (within a year or so).
        let reach =
            (until + Duration::seconds(1)).min(scheduled + Duration::days(NEXT_WITHIN_DAYS));
        let next = occurrences(med, ctx, scheduled + Duration::seconds(1), reach)
            .into_iter()
            .map(|o| o.at)
            .find(|at| *at > scheduled);
        if let Some(next) = next {
            return Err(Misfit::SnoozePastNextDose { next });
        }
    }
    Ok(())
}

/// How far ahead of its time a dose may be taken and still answer it: two hours, or half the
/// gap since the dose before it when that is shorter (a dose every 90 minutes).
const EARLY_HOURS: i64 = 2;

/// The scheduled dose that a dose logged at `now` without a scheduled time answers, from the
/// states of the medication's doses around `now` (oldest first, reaching back at least one
/// whole interval): the earliest one due or snoozed; else the next one when it is due within
/// the early window and not yet answered (taken early); else the latest one whose time has
/// come, whatever its state, so that a weekly dose taken days late is still that week's dose,
/// and a second take of a dose already taken answers that dose (and is refused as a double
/// take). `None` when the medication has no dose at or before `now` nor one due soon: the
/// dose is then an extra one.
pub fn matching_dose(states: &[ScheduledDose], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let previous = states.iter().rev().find(|d| d.occurrence.at <= now);
    let next = states.iter().find(|d| d.occurrence.at > now);
    let early = previous.map_or(Duration::hours(EARLY_HOURS), |p| {
        next.map_or(Duration::hours(EARLY_HOURS), |n| {
            ((n.occurrence.at - p.occurrence.at) / 2).min(Duration::hours(EARLY_HOURS))
        })
    });
    let due = states
        .iter()
        .filter(|d| d.occurrence.at <= now + early)
        .find(|d| matches!(d.state, DoseState::Due | DoseState::Snoozed { .. }));
    if let Some(d) = due {
        return Some(d.occurrence.at);
    }
    if let Some(n) =
        next.filter(|n| n.occurrence.at - now <= early && matches!(n.state, DoseState::Upcoming))
    {
        return Some(n.occurrence.at);
    }
    previous.map(|p| p.occurrence.at)
}
