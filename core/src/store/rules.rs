//! What every local write of an entity must obey beyond the value's own validation, checked by
//! [`super::Writer::insert`] and [`super::Writer::update`] inside the write's transaction, on
//! what that transaction reads (issue 27). This is the one place these rules live: an add, an
//! edit, a correction, an import, each goes through the writer, so no path can skip them.
//! Changes merged from another replica are not written through the writer and are not held to
//! them (that device's clock may differ, and what it wrote must merge); the merge rules in
//! `record::replica` handle what two devices wrote at once.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value as Json};

use super::{Filter, Writer};
use crate::error::{Error, Result};
use crate::model::bounds;
use crate::model::{
    Appointment, DoseEvent, DoseStatus, JournalEntry, Medication, Profile, Reading, ReadingBlock,
    Refill, Schedule, ZoneChange,
};

/// The profile: no control characters, no birth date in the future.
pub(crate) fn profile(p: &Profile, fields: &Map<String, Json>) -> Result<()> {
    if let Some(born) = p.birth_date {
        bounds::check_birth_date(born, crate::clock::now()?.date_naive())?;
    }
    Ok(bounds::check_text_of(fields)?)
}

/// A medication: no control characters in its name, instructions or prescriber.
pub(crate) fn medication(fields: &Map<String, Json>) -> Result<()> {
    Ok(bounds::check_text_of(fields)?)
}

/// The clinical targets: no control characters in who set them.
pub(crate) fn targets(fields: &Map<String, Json>) -> Result<()> {
    Ok(bounds::check_text_of(fields)?)
}

/// An appointment: from 1900 to five years ahead, no control characters.
pub(crate) fn appointment(a: &Appointment, fields: &Map<String, Json>) -> Result<()> {
    bounds::check_appointment_time(a.at, crate::clock::now()?)?;
    Ok(bounds::check_text_of(fields)?)
}

/// A reading: dated from 1900 to a few minutes ahead of the clock, no control characters.
pub(crate) fn reading(r: &Reading, fields: &Map<String, Json>) -> Result<()> {
    event(fields, r.at)
}

/// An import block: every reading in it obeys [`reading`]'s rules. Its readings lie between
/// its first and last, so those two are dated; its rows' text, read in place, holds no control
/// character (`bounds::check_json_text`), nor its source's name.
pub(crate) fn reading_block(b: &ReadingBlock) -> Result<()> {
    let now = crate::clock::now()?;
    bounds::check_event_time("time", b.first, now)?;
    bounds::check_event_time("time", b.last, now)?;
    bounds::check_text(&b.system)?;
    Ok(bounds::check_json_text(&b.rows)?)
}

/// A journal entry: dated like a reading, no control characters.
pub(crate) fn journal(j: &JournalEntry, fields: &Map<String, Json>) -> Result<()> {
    event(fields, j.at)
}

/// A refill: dated like a reading.
pub(crate) fn refill(r: &Refill, fields: &Map<String, Json>) -> Result<()> {
    event(fields, r.at)
}

/// A dose event, on what `w` reads: dated like a reading; a scheduled time (of a take or a
/// skip) at most a week ahead that is an occurrence of its medication (a snooze ending before the next one); and
/// one take per scheduled dose: a take of a dose another event already logged as taken is
/// refused with [`Error::DoseAlreadyTaken`] (who logged it, when) unless it is marked
/// `confirmed_double`.
pub(crate) fn dose(w: &Writer<'_>, d: &DoseEvent, fields: &Map<String, Json>) -> Result<()> {
    let now = crate::clock::now()?;
    event(fields, d.at)?;
    let Some(scheduled) = d.scheduled_at else {
        if d.status == DoseStatus::Skipped {
            return Err(Error::NoDosePending);
        }
        return Ok(());
    };
    if d.status != DoseStatus::Snoozed {
        // A snooze is held to the next dose instead (`fits_schedule`).
        bounds::check_scheduled_time(scheduled, now)?;
    }
    let med: Medication = w.get(&d.medication_id)?.ok_or(Error::NotFound {
        entity: "medication",
    })?;
    fits_schedule(w, &med, d)?;
    if d.status == DoseStatus::Taken
        && !d.confirmed_double
        && let Some(first) = taken_before(w, d)?
    {
        return Err(Error::DoseAlreadyTaken {
            logged_by: first.logged_by,
            at: first.at,
        });
    }
    Ok(())
}

/// The earliest other event that logged `d`'s scheduled dose as taken, as `w` reads it.
pub(crate) fn taken_before(w: &Writer<'_>, d: &DoseEvent) -> Result<Option<DoseEvent>> {
    let Some(scheduled) = d.scheduled_at else {
        return Ok(None);
    };
    let ms = scheduled.timestamp_millis();
    Ok(w.list::<DoseEvent>(&Filter {
        tag: Some(&d.medication_id),
        from_ms: Some(ms),
        to_ms: Some(ms + 1),
        ..Filter::default()
    })?
    .into_iter()
    .map(|(_, e)| e)
    .filter(|e| e.id != d.id && e.status == DoseStatus::Taken && e.scheduled_at == Some(scheduled))
    .min_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id))))
}

/// What this device may write of an event: a time neither before 1900 nor ahead of the clock,
/// and texts without control characters.
fn event(fields: &Map<String, Json>, at: chrono::DateTime<chrono::FixedOffset>) -> Result<()> {
    bounds::check_event_time("time", at, crate::clock::now()?)?;
    Ok(bounds::check_text_of(fields)?)
}

/// Refuses a dose whose scheduled time is no occurrence of `med`, or a snooze past the next
/// one, as `w` reads the record (`reminders::check_answer`). A `local` medication's times are
/// read on the clock the scheduled time was written with (its offset), so a dose logged while
/// travelling answers the occurrence the phone showed.
fn fits_schedule(w: &Writer<'_>, med: &Medication, dose: &DoseEvent) -> Result<()> {
    let Some(scheduled) = dose.scheduled_at else {
        return Ok(());
    };
    let profile: Profile = w
        .get(super::PROFILE_ID)?
        .ok_or(Error::NotFound { entity: "profile" })?;
    let mut taken = std::collections::HashMap::new();
    let since = scheduled.to_utc() - Duration::days(4);
    let mut ids = vec![med.id.clone()];
    if let Schedule::AfterDose { medication_id, .. } = &med.schedule {
        ids.push(medication_id.clone());
    }
    let span = crate::query::TimeRange::between(since, scheduled.to_utc() + Duration::days(4));
    for id in ids {
        let events: Vec<DoseEvent> = super::in_range(w, Some(&id), span)?;
        taken.extend(crate::reminders::taken_by_medication(&events));
    }
    // Where the patient was then (the zone history), else the clock the time was written on.
    let changes: Vec<ZoneChange> = super::all(w, &Filter::default())?;
    let written_on = crate::zone::Zone::fixed(*scheduled.offset());
    let zones =
        crate::reminders::zone::timeline(&profile, &changes, &written_on, DateTime::<Utc>::MAX_UTC);
    let by_history = crate::reminders::OccurrenceContext {
        device_zone: written_on.clone(),
        zones: &zones,
        meal_times: profile.meal_times,
        taken: &taken,
    };
    let by_clock = crate::reminders::OccurrenceContext {
        zones: &[],
        ..by_history.clone()
    };
    let checked = crate::reminders::check_answer(med, &by_history, dose);
    let checked = match checked {
        Err(crate::reminders::Misfit::NotAnOccurrence { .. }) => {
            crate::reminders::check_answer(med, &by_clock, dose).or(checked)
        }
        other => other,
    };
    checked.map_err(|m| match m {
        crate::reminders::Misfit::NotAnOccurrence { nearest } => Error::NotAnOccurrence { nearest },
        crate::reminders::Misfit::SnoozePastNextDose { next } => Error::SnoozePastNextDose { next },
    })
}
