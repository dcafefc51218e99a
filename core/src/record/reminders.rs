//! The record's reminder operations: they gather what the pure functions of
//! [`crate::reminders`] need from the store, and call them.

use crate::zone::Zone;
use chrono::{DateTime, Duration, Utc};

use super::HealthRecord;
use crate::error::{Error, Result};
use crate::model::{
    DoseEvent, DoseStatus, Medication, Profile, Schedule, ZoneChange, parse_time_zone,
};
use crate::query::TimeRange;
use crate::reminders::SafetyAlert;
use crate::reminders::zone::timeline;
use crate::reminders::{
    self, Adherence, Audience, LateDoseAdvice, OccurrenceContext, PlanInput, PlannedNotification,
    ScheduledDose,
};
use crate::store::{Read, in_range};
use crate::today::{Inputs, RefillStatus, Today};

/// How long an unacknowledged alert stays in the plan and on the home screen, in hours.
const ALERT_HOURS: i64 = 24;
/// How long after a dose's time a caregiver's device says it is not logged, unless the
/// caregiver chose otherwise.
pub const CAREGIVER_GRACE_MINUTES: u32 = 30;

/// How far back dose events are read for states, snoozes and interval schedules.
const LOOK_BACK_DAYS: i64 = 8;

/// The reminder functions' inputs as `r` reads them: from the store, or inside a write.
pub(crate) fn inputs_in(r: &impl Read, since: DateTime<Utc>) -> Result<Inputs> {
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
        zones: crate::store::all(r, &crate::store::Filter::default())?,
        medications,
    })
}

/// How far back a dose logged without a scheduled time looks for the dose it answers: first
/// a few days, then (for a monthly or yearly schedule with no dose in them) a year.
const ANSWER_LOOK_BACK_DAYS: [i64; 2] = [LOOK_BACK_DAYS, 400];

/// The scheduled time a dose of `med` logged at `now` without one answers, as `r` reads the
/// record (`reminders::matching_dose`).
fn answer_in(
    r: &impl Read,
    med: &Medication,
    now: DateTime<Utc>,
    zone: &Zone,
) -> Result<Option<DateTime<Utc>>> {
    // A dose taken before the medication entered the record (logged afterwards) still
    // answers its occurrence, as `reminders::check_answer` allows.
    let mut med = med.clone();
    med.recorded_at = None;
    let med = &med;
    let mut answer = None;
    for days in ANSWER_LOOK_BACK_DAYS {
        let since = now - Duration::days(days);
        let data = inputs_in(r, since)?;
        let taken = reminders::taken_by_medication(&data.doses);
        let zones = timeline(&data.profile, &data.zones, zone, now);
        let ctx = context(zone, &data.profile, &taken, &zones);
        let list = reminders::occurrences(med, &ctx, since, now + Duration::days(2));
        let reaches_back = list.iter().any(|o| o.at <= now);
        let states = reminders::dose_states(med, list, &data.doses, now);
        answer = reminders::matching_dose(&states, now);
        if reaches_back {
            break;
        }
    }
    Ok(answer)
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
            .map(|a| {
                let text =
                    crate::clinical::alerts::render(&a, data.profile.language, &data.profile.units);
                SafetyAlert {
                    urgent: a.kind.is_urgent(),
                    id: a.id,
                    at: a.at.to_utc(),
                    title: text.title,
                    body: match text.value {
                        Some(value) => format!("{value}. {}", text.advice),
                        None => text.advice,
                    },
                }
            })
            .collect();
        let nudges = super::journeys::recent_nudges(&self.store, &data.profile, now)?;
        let input = PlanInput {
            audience: self.notification_audience()?,
            profile: &data.profile,
            medications: &data.medications,
            doses: &data.doses,
            refills: &data.refills,
            appointments: &data.appointments,
            plans: &data.plans,
            nudges: &nudges,
            alerts: &alerts,
        };
        Ok(reminders::plan(&input, now, &zone, horizon, max))
    }

    /// Whose notifications this device plans: the patient's own on the patient's device; on a
    /// member's, what its role and its choice ([`HealthRecord::set_notifications`]) say: a
    /// caregiver is told of doses not logged ([`CAREGIVER_GRACE_MINUTES`] after their time,
    /// unless chosen otherwise) and of safety alerts; a viewer and a clinician of nothing,
    /// unless they chose to be told as a caregiver is.
    pub fn notification_audience(&self) -> Result<Audience> {
        let (role, choice) = self
            .store
            .sync_read(|c| Ok((crate::store::local_role(c)?, crate::sync::notify_choice(c)?)))?;
        use crate::sync::Role;
        Ok(match (role, choice) {
            (None | Some(Role::Owner), _) => Audience::Patient,
            (_, Some(None)) => Audience::Silent,
            (_, Some(Some(grace_minutes))) => Audience::Caregiver { grace_minutes },
            (Some(Role::Caregiver), None) => Audience::Caregiver {
                grace_minutes: CAREGIVER_GRACE_MINUTES,
            },
            (Some(_), None) => Audience::Silent,
        })
    }

    /// This device's choice of notifications for a record shared with it: `Some(minutes)` to
    /// be told as a caregiver is (a dose not logged `minutes` after its time, up to a day, and
    /// safety alerts), `None` for none. The patient's own device always plans the patient's.
    pub fn set_notifications(&mut self, grace_minutes: Option<u32>) -> Result<()> {
        if grace_minutes.is_some_and(|m| m > 24 * 60) {
            return Err(crate::model::ValidationError::OutOfRange {
                field: "notification grace",
                min: 0.0,
                max: 1440.0,
                unit: "min",
            }
            .into());
        }
        self.store.sync_tx(|c| {
            if crate::store::local_role(c)?.is_none_or(|r| r == crate::sync::Role::Owner) {
                return Err(crate::model::ValidationError::Invalid {
                    field: "notifications",
                    reason: "are chosen on a device the record is shared with; the patient's own device plans the patient's",
                }
                .into());
            }
            crate::sync::set_notify_choice(c, grace_minutes)
        })
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
        let zones = timeline(&data.profile, &data.zones, &zone, now);
        let ctx = context(&zone, &data.profile, &taken, &zones);
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
        let zones = timeline(&data.profile, &data.zones, &zone, now);
        let ctx = context(&zone, &data.profile, &taken, &zones);
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
        let zones = timeline(&data.profile, &data.zones, &zone, now);
        Ok(crate::today::refills(
            &data,
            &context(&zone, &data.profile, &taken, &zones),
            now,
        ))
    }

    /// Records that the patient's phone is in `zone` from `at` on, unless the zone history
    /// already says so then; returns whether it wrote. The shell calls it at launch and when
    /// the system's zone changes (the CLI's `--tz` does): past doses of local-time medications
    /// are then judged in the zone that applied at their time, so travelling does not turn
    /// doses taken at home into missed ones. Errors: [`Error::Invalid`] for a zone the database
    /// does not know; [`Error::NotPermitted`] on a member's device whose role does not write
    /// the patient's whereabouts (a caregiver's phone is not where the patient is).
    pub fn record_device_zone(&mut self, zone: &str, at: DateTime<Utc>) -> Result<bool> {
        let named = parse_time_zone("device time zone", zone)?;
        self.store.write(|w| {
            let profile = super::profile_in(w)?;
            let changes: Vec<ZoneChange> = crate::store::all(w, &crate::store::Filter::default())?;
            let now_zone = timeline(&profile, &changes, &named, DateTime::<Utc>::MAX_UTC)
                .into_iter()
                .rev()
                .find(|(since, _)| *since <= at)
                .map(|(_, z)| z);
            if now_zone.is_some_and(|z| z.name() == named.name()) {
                return Ok(false);
            }
            let change = ZoneChange::new(named.name(), at.with_timezone(&named).fixed_offset())?;
            w.insert(&change)?;
            Ok(true)
        })
    }

    /// Where the patient's phone has been: the recorded zone changes, oldest first.
    pub fn zone_history(&self) -> Result<Vec<ZoneChange>> {
        let mut all: Vec<ZoneChange> =
            crate::store::all(&self.store, &crate::store::Filter::default())?;
        crate::sorting::sort_by(&mut all, |a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        Ok(all)
    }

    /// What a home screen shows at `now` for a phone in `device_zone` ([`crate::today`]).
    pub fn today(&self, now: DateTime<Utc>, device_zone: &str) -> Result<Today> {
        let zone = zone(device_zone)?;
        let data = self.reminder_inputs(now - Duration::days(LOOK_BACK_DAYS))?;
        let taken = reminders::taken_by_medication(&data.doses);
        let zones = timeline(&data.profile, &data.zones, &zone, now);
        let ctx = context(&zone, &data.profile, &taken, &zones);
        let alerts = self.alerts_shown(now)?;
        // Today's measurement plans read their kind's readings of the day.
        let planned: Vec<_> = data.plans.iter().map(|p| (p.kind, 1)).collect();
        let gathered = super::journeys::gather_in(&self.store, now, &planned)?;
        let inputs = crate::today::TodayInputs {
            data: &data,
            ctx: &ctx,
            zone: &zone,
            alerts,
            readings: &gathered.readings,
            journeys: &gathered.journeys,
            responses: &gathered.responses,
            last_activity: gathered.last_activity,
        };
        Ok(crate::today::today(&inputs, now))
    }

    /// The scheduled dose that a dose of `medication_id` logged at `now` without a scheduled
    /// time answers (`reminders::matching_dose`): the earliest one due or snoozed; else the
    /// next one due within two hours (taken early); else the latest one whose time has come,
    /// taken or not (a second take of it is refused as a double take). `None` for an as-needed
    /// medication or when no dose is at or before `now` nor due soon.
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
        self.store.write(|w| {
            let mut event = super::with_logger(w, dose)?;
            let med: Medication = w.get(&event.medication_id)?.ok_or(Error::NotFound {
                entity: "medication",
            })?;
            if event.scheduled_at.is_none() && !matches!(med.schedule, Schedule::AsNeeded(_)) {
                // In the offset the device's clock had at that instant (not the take's: the
                // clocks may have changed in between).
                event.scheduled_at = answer_in(w, &med, event.at.to_utc(), &zone)?
                    .map(|s| s.with_timezone(&zone).fixed_offset());
                // A skip answers a dose that is pending, never one already taken (a skip with
                // none to answer is refused by the dose's rules, `store::rules`).
                if event.status == DoseStatus::Skipped
                    && let Some(first) = crate::store::taken_before(w, &event)?
                {
                    return Err(Error::DoseAlreadyTaken {
                        logged_by: first.logged_by,
                        at: first.at,
                    });
                }
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
        let zones = timeline(&data.profile, &data.zones, &zone, now);
        let ctx = context(&zone, &data.profile, &taken, &zones);
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

fn zone(name: &str) -> Result<Zone> {
    Ok(parse_time_zone("device time zone", name)?)
}

pub(crate) fn context<'a>(
    zone: &Zone,
    profile: &Profile,
    taken: &'a std::collections::HashMap<String, Vec<DateTime<Utc>>>,
    zones: &'a [(DateTime<Utc>, Zone)],
) -> OccurrenceContext<'a> {
    OccurrenceContext {
        device_zone: zone.clone(),
        zones,
        meal_times: profile.meal_times,
        taken,
    }
}
