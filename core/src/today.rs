//! The home screen: what a patient sees today, computed by a pure function of the record's
//! data, so that the facade only gathers inputs and the journey engine and the shells read the
//! same day.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::model::{
    Alert, Appointment, DoseEvent, MeasurementPlan, Medication, MedicationStatus, Profile, Refill,
    ZoneChange,
};
use crate::reminders::{self, DoseState, LateDoseAdvice, OccurrenceContext, ScheduledDose};
use crate::zone::Zone;

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

/// Everything the home screen and the reminder functions read, loaded once.
pub struct Inputs {
    /// The profile.
    pub profile: Profile,
    /// Every medication, stopped ones too.
    pub medications: Vec<Medication>,
    /// Dose events since the look-back (and since the oldest tracked count).
    pub doses: Vec<DoseEvent>,
    /// Refills over the same span.
    pub refills: Vec<Refill>,
    /// Every appointment.
    pub appointments: Vec<Appointment>,
    /// Every measurement plan.
    pub plans: Vec<MeasurementPlan>,
    /// The recorded zone changes.
    pub zones: Vec<ZoneChange>,
}

/// What a home screen shows at `now` for a phone in `zone`, from `data` (dose events of at
/// least the last eight days) and the open `alerts`.
pub fn today(
    data: &Inputs,
    alerts: Vec<Alert>,
    ctx: &OccurrenceContext<'_>,
    zone: &Zone,
    now: DateTime<Utc>,
) -> Today {
    let mut today = Today {
        due: Vec::new(),
        snoozed: Vec::new(),
        next: Vec::new(),
        missed: Vec::new(),
        done: Vec::new(),
        refills_due: Vec::new(),
        alerts,
    };
    let mut upcoming = Vec::new();
    for med in data
        .medications
        .iter()
        .filter(|m| m.status == MedicationStatus::Active)
    {
        let list =
            reminders::occurrences(med, ctx, now - Duration::days(1), now + Duration::days(3));
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
    let local_today = reminders::zone::local(zone, now).date();
    today.refills_due = refills(data, ctx, now)
        .into_iter()
        .filter(|r| r.remind_on.is_some_and(|d| d <= local_today))
        .collect();
    today
}

/// What is on hand of each active tracked medication, and when it runs out.
pub fn refills(
    data: &Inputs,
    ctx: &OccurrenceContext<'_>,
    now: DateTime<Utc>,
) -> Vec<RefillStatus> {
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
