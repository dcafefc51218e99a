//! The record's reminder operations: they gather what the pure functions of
//! [`crate::reminders`] need from the store, and call them.

use crate::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::HealthRecord;
use crate::error::{Error, Result};
use crate::model::{
    Appointment, DoseEvent, MeasurementPlan, Medication, MedicationStatus, Profile, Refill,
    Schedule, parse_time_zone,
};
use crate::query::TimeRange;
use crate::reminders::SafetyAlert;
use crate::reminders::{
    self, Adherence, DoseState, LateDoseAdvice, OccurrenceContext, PlanInput, PlannedNotification,
    ScheduledDose,
};
use crate::store::{Read, in_range};

/// How long an unacknowledged alert stays in the plan and on the home screen, in hours.
const ALERT_HOURS: i64 = 24;

/// How far back dose events are read for states, snoozes and interval schedules.
const LOOK_BACK_DAYS: i64 = 8;

/// What is on hand of a tracked medication and when it runs out.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RefillStatus {
    /// The medication.
    pub medication_id: String,
    /// Its name.
    pub name: String,
    /// Units on hand now.
    pub on_hand: f64,
    /// The day it runs out at its schedule (none within 400 days, or as needed).
    pub runs_out_on: Option<NaiveDate>,
    /// The day the refill reminder starts.
    pub remind_on: Option<NaiveDate>,
}

/// A dose due now and what to do about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DueDose {
    /// The dose.
    pub dose: ScheduledDose,
    /// Take it now, or skip it if too late (never a double dose).
    pub advice: LateDoseAdvice,
}

/// What a home screen shows now.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Today {
    /// Doses due now (within their grace window, or back from a snooze), with the advice for a
    /// late dose.
    pub due: Vec<DueDose>,
    /// Doses snoozed and not yet due again.
    pub snoozed: Vec<ScheduledDose>,
    /// The next doses (those of the soonest upcoming minute).
    pub next: Vec<ScheduledDose>,
    /// Doses missed in the last 24 hours.
    pub missed: Vec<ScheduledDose>,
    /// Doses taken or skipped in the last 24 hours, oldest first, with who logged them and
    /// how late ([`ScheduledDose::minutes_late`]).
    pub done: Vec<ScheduledDose>,
    /// Tracked medications whose refill reminder has started.
    pub refills_due: Vec<RefillStatus>,
    /// Urgent alerts of the last 24 hours not yet acknowledged, newest first.
    pub alerts: Vec<crate::model::Alert>,
}

/// Everything the reminder functions read, loaded once.
struct Inputs {
    profile: Profile,
    medications: Vec<Medication>,
    doses: Vec<DoseEvent>,
    refills: Vec<Refill>,
    appointments: Vec<Appointment>,
    plans: Vec<MeasurementPlan>,
}

/// The reminder functions' inputs as `r` reads them: from the store, or inside a write.
fn inputs_in(r: &impl Read, since: DateTime<Utc>) -> Result<Inputs> {
    let medications = super::medications_in(r, true)?;
    // Inventory arithmetic needs every event since the oldest tracked count.
    let since = medications
        .iter()
        .filter_map(|m| m.inventory.as_ref().map(|i| i.counted_at.to_utc()))
        .fold(since, DateTime::min);
    let after = TimeRange {
        from: Some(since),
        to: None,
    };
    Ok(Inputs {
        profile: super::profile_in(r)?,
        doses: in_range(r, None, after)?,
        refills: in_range(r, None, after)?,
        appointments: in_range(r, None, TimeRange::ALL)?,
        plans: crate::store::all(r, &crate::store::Filter::default())?,
        medications,
    })
}

/// The scheduled time a dose of `med` logged at `now` without one answers, as `r` reads the
/// record: the due (or snoozed) one, else the next upcoming, else the latest missed.
fn answer_in(
    r: &impl Read,
    med: &Medication,
    now: DateTime<Utc>,
    zone: &Zone,
) -> Result<Option<DateTime<Utc>>> {
    let data = inputs_in(r, now - Duration::days(LOOK_BACK_DAYS))?;
    let taken = reminders::taken_by_medication(&data.doses);
    let ctx = context(zone, &data.profile, &taken);
    let list = reminders::occurrences(
        med,
        &ctx,
        now - Duration::hours(12),
        now + Duration::hours(2),
    );
    let states = reminders::dose_states(med, list, &data.doses, now);
    let pick = |f: fn(&DoseState) -> bool| -> Vec<DateTime<Utc>> {
        states
            .iter()
            .filter(|d| f(&d.state))
            .map(|d| d.occurrence.at)
            .collect()
    };
    Ok(
        pick(|s| matches!(s, DoseState::Due | DoseState::Snoozed { .. }))
            .into_iter()
            .min()
            .or_else(|| pick(|s| *s == DoseState::Upcoming).into_iter().min())
            .or_else(|| pick(|s| *s == DoseState::Missed).into_iter().max()),
    )
}

impl HealthRecord {
    fn reminder_inputs(&self, since: DateTime<Utc>) -> Result<Inputs> {
        inputs_in(&self.store, since)
    }

    /// The notifications to schedule at `now` for the next `horizon`, soonest first, at most
    /// `max` (64 on iOS), for a phone in `device_zone` (IANA name). See
    /// [`reminders::plan`] for what it guarantees.
    pub fn plan_reminders(
        &self,
        now: DateTime<Utc>,
        device_zone: &str,
        horizon: Duration,
        max: usize,
    ) -> Result<Vec<PlannedNotification>> {
        let zone = zone(device_zone)?;
        let data = self.reminder_inputs(now - Duration::days(LOOK_BACK_DAYS))?;
        let alerts: Vec<SafetyAlert> = self
            .open_alerts(now - Duration::hours(ALERT_HOURS))?
            .into_iter()
            .map(|a| SafetyAlert {
                id: a.id,
                at: a.at.to_utc(),
                title: a.title,
                body: a.advice,
            })
            .collect();
        let input = PlanInput {
            profile: &data.profile,
            medications: &data.medications,
            doses: &data.doses,
            refills: &data.refills,
            appointments: &data.appointments,
            plans: &data.plans,
            nudges: &[],
            alerts: &alerts,
        };
        Ok(reminders::plan(&input, now, &zone, horizon, max))
    }

    /// Doses missed in `[since, now)`, oldest first: what a caregiver's device alerts about.
    pub fn missed_doses(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        device_zone: &str,
    ) -> Result<Vec<ScheduledDose>> {
        let zone = zone(device_zone)?;
        let data = self.reminder_inputs(since - Duration::days(LOOK_BACK_DAYS))?;
        let taken = reminders::taken_by_medication(&data.doses);
        let ctx = context(&zone, &data.profile, &taken);
        Ok(reminders::missed_doses(
            &data.medications,
            &data.doses,
            &ctx,
            since,
            now,
        ))
    }

    /// Adherence per medication over `[from, to)` as it stands at `now`.
    pub fn adherence(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
        device_zone: &str,
    ) -> Result<Vec<Adherence>> {
        let zone = zone(device_zone)?;
        let data = self.reminder_inputs(from - Duration::days(LOOK_BACK_DAYS))?;
        let taken = reminders::taken_by_medication(&data.doses);
        let ctx = context(&zone, &data.profile, &taken);
        let mut list = reminders::adherence(&data.medications, &data.doses, &ctx, from, to, now);
        list.retain(|a| a.counted > 0 || !a.doses.is_empty());
        Ok(list)
    }

    /// What is on hand of each tracked medication, and when it runs out.
    pub fn refill_status(
        &self,
        now: DateTime<Utc>,
        device_zone: &str,
    ) -> Result<Vec<RefillStatus>> {
        let zone = zone(device_zone)?;
        let data = self.reminder_inputs(now - Duration::days(LOOK_BACK_DAYS))?;
        let taken = reminders::taken_by_medication(&data.doses);
        Ok(refills(&data, &context(&zone, &data.profile, &taken), now))
    }

    /// What a home screen shows at `now` for a phone in `device_zone`.
    pub fn today(&self, now: DateTime<Utc>, device_zone: &str) -> Result<Today> {
        let zone = zone(device_zone)?;
        let data = self.reminder_inputs(now - Duration::days(LOOK_BACK_DAYS))?;
        let taken = reminders::taken_by_medication(&data.doses);
        let ctx = context(&zone, &data.profile, &taken);
        let mut today = Today {
            due: Vec::new(),
            snoozed: Vec::new(),
            next: Vec::new(),
            missed: Vec::new(),
            done: Vec::new(),
            refills_due: Vec::new(),
            alerts: self.open_alerts(now - Duration::hours(ALERT_HOURS))?,
        };
        let mut upcoming = Vec::new();
        for med in data
            .medications
            .iter()
            .filter(|m| m.status == MedicationStatus::Active)
        {
            let list =
                reminders::occurrences(med, &ctx, now - Duration::days(1), now + Duration::days(3));
            let states = reminders::dose_states(med, list.clone(), &data.doses, now);
            for (i, sd) in states.into_iter().enumerate() {
                match sd.state {
                    DoseState::Due => {
                        let next = list.get(i + 1).map(|o| o.at);
                        let advice =
                            reminders::late_dose_advice(med.late_dose, sd.occurrence.at, next, now);
                        today.due.push(DueDose { dose: sd, advice });
                    }
                    DoseState::Snoozed { .. } => today.snoozed.push(sd),
                    DoseState::Missed if sd.occurrence.at >= now - Duration::days(1) => {
                        today.missed.push(sd);
                    }
                    DoseState::Upcoming => upcoming.push(sd),
                    DoseState::Taken { .. } | DoseState::Skipped { .. }
                        if sd.occurrence.at >= now - Duration::days(1) =>
                    {
                        today.done.push(sd);
                    }
                    _ => {}
                }
            }
        }
        upcoming.sort_by_key(|d| d.occurrence.at);
        if let Some(first) = upcoming.first().map(|d| d.occurrence.at.timestamp() / 60) {
            today.next = upcoming
                .into_iter()
                .take_while(|d| d.occurrence.at.timestamp() / 60 == first)
                .collect();
        }
        today.missed.sort_by_key(|d| d.occurrence.at);
        today.done.sort_by_key(|d| d.occurrence.at);
        let local_today = reminders::zone::local(&zone, now).date();
        today.refills_due = refills(&data, &ctx, now)
            .into_iter()
            .filter(|r| r.remind_on.is_some_and(|d| d <= local_today))
            .collect();
        Ok(today)
    }

    /// The scheduled dose that a dose of `medication_id` logged at `now` without a scheduled
    /// time answers: the earliest one due or snoozed; else one due within the next two hours
    /// (taken early); else the latest one missed in the last twelve hours (logged late). `None`
    /// for an as-needed medication or when no dose is near.
    pub fn dose_to_answer(
        &self,
        medication_id: &str,
        now: DateTime<Utc>,
        device_zone: &str,
    ) -> Result<Option<DateTime<Utc>>> {
        let zone = zone(device_zone)?;
        let med = self.medication(medication_id)?;
        answer_in(&self.store, &med, now, &zone)
    }

    /// Logs a dose taken or skipped now-ish, as [`HealthRecord::log_dose`] does; when it names
    /// no scheduled time, the dose answers the one due (or the next, or the latest missed) at
    /// its time, chosen inside the write from what is committed, so two devices logging at once
    /// see each other's doses. Returns the event as stored.
    pub fn log_dose_answering(&mut self, dose: &DoseEvent, device_zone: &str) -> Result<DoseEvent> {
        let zone = zone(device_zone)?;
        let mut event = dose.clone();
        self.store.write(|w| {
            let med: Medication = w.get(&event.medication_id)?.ok_or(Error::NotFound {
                entity: "medication",
            })?;
            if event.scheduled_at.is_none() && !matches!(med.schedule, Schedule::AsNeeded(_)) {
                event.scheduled_at = answer_in(w, &med, event.at.to_utc(), &zone)?
                    .map(|s| s.with_timezone(event.at.offset()));
            }
            super::log_dose_in(w, &med, &event)?;
            Ok(event)
        })
    }

    /// The advice for a dose of `medication_id` scheduled at `scheduled_at` and not taken by
    /// `now`: take it, or skip it (never a double dose).
    pub fn late_dose_advice(
        &self,
        medication_id: &str,
        scheduled_at: DateTime<Utc>,
        now: DateTime<Utc>,
        device_zone: &str,
    ) -> Result<LateDoseAdvice> {
        let zone = zone(device_zone)?;
        let med = self.medication(medication_id)?;
        let data = self.reminder_inputs(scheduled_at - Duration::days(LOOK_BACK_DAYS))?;
        let taken = reminders::taken_by_medication(&data.doses);
        let ctx = context(&zone, &data.profile, &taken);
        let next = reminders::occurrences(
            &med,
            &ctx,
            scheduled_at + Duration::seconds(1),
            scheduled_at + Duration::days(60),
        )
        .first()
        .map(|o| o.at);
        Ok(reminders::late_dose_advice(
            med.late_dose,
            scheduled_at,
            next,
            now,
        ))
    }
}

/// What is on hand of each active tracked medication, and when it runs out.
fn refills(data: &Inputs, ctx: &OccurrenceContext<'_>, now: DateTime<Utc>) -> Vec<RefillStatus> {
    data.medications
        .iter()
        .filter(|m| m.status == MedicationStatus::Active)
        .filter_map(|m| {
            let on_hand = reminders::on_hand(m, &data.doses, &data.refills, now)?;
            let upcoming = reminders::occurrences(m, ctx, now, now + Duration::days(400));
            let runs_out_on = reminders::run_out(m, Some(on_hand), &upcoming);
            Some(RefillStatus {
                medication_id: m.id.clone(),
                name: m.name.clone(),
                on_hand,
                runs_out_on,
                remind_on: runs_out_on.map(|d| d - Duration::days(i64::from(m.refill_days_ahead))),
            })
        })
        .collect()
}

fn zone(name: &str) -> Result<Zone> {
    Ok(parse_time_zone("device time zone", name)?)
}

fn context<'a>(
    zone: &Zone,
    profile: &Profile,
    taken: &'a std::collections::HashMap<String, Vec<DateTime<Utc>>>,
) -> OccurrenceContext<'a> {
    OccurrenceContext {
        device_zone: zone.clone(),
        meal_times: profile.meal_times,
        taken,
    }
}
