//! The home screen: what a patient sees today, computed by a pure function of the record's
//! data, so that the facade only gathers inputs and the journey engine and the shells read the
//! same day.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use crate::journey::status::JourneyInput;
use crate::journey::status::JourneyToday;
use crate::model::{
    Alert, Appointment, DoseEvent, MeasurementPlan, Medication, MedicationStatus, Profile,
    QuestionnaireResponse, Reading, ReadingKind, Refill, ZoneChange,
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
    /// Units on hand now, never below zero.
    pub on_hand: f64,
    /// The day it runs out at its schedule (none within 400 days, or as needed, or when it
    /// has run out already).
    pub runs_out_on: Option<NaiveDate>,
    /// The day it ran out, when nothing is left (in the device's zone): until a refill is
    /// logged, the home screen and a daily reminder say so.
    pub ran_out_on: Option<NaiveDate>,
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
    /// The rest of the local day's doses after the next ones, soonest first.
    pub upcoming: Vec<ScheduledDose>,
    /// Doses missed in the last 24 hours, with what to do about each: take it now while that
    /// is still safe, or skip it (never a double dose).
    pub missed: Vec<DueDose>,
    /// Doses taken or skipped in the last 24 hours, oldest first, with who logged them and
    /// how late ([`ScheduledDose::minutes_late`]).
    pub done: Vec<ScheduledDose>,
    /// Tracked medications whose refill reminder has started.
    pub refills_due: Vec<RefillStatus>,
    /// The alerts shown until a member acknowledges them or a day after a reading back in
    /// range, newest first (improving ones with their later reading).
    pub alerts: Vec<crate::model::Alert>,
    /// The measurements a measurement plan asks for today, in order.
    pub measurements_due: Vec<MeasurementDue>,
    /// Share of the last seven days' settled doses that were taken; none without any.
    pub adherence_week: Option<f64>,
    /// The next appointment.
    pub next_appointment: Option<Appointment>,
    /// The journeys that run: stage, progress, tasks, unread cards, milestones.
    pub journeys: Vec<JourneyToday>,
    /// The one missing profile item that matters for safety to ask about next, if any (one
    /// at a time, never blocking).
    pub profile_prompt: Option<ProfilePrompt>,
}

/// A measurement a plan asks for at a time today.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MeasurementDue {
    /// The plan.
    pub plan_id: String,
    /// What to measure.
    pub kind: ReadingKind,
    /// When, on the home clock.
    pub at: NaiveDateTime,
    /// A reading of the kind was logged for it (the day's readings fill the plan's times in
    /// order).
    pub done: bool,
}

/// A profile item the app asks for, one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfilePrompt {
    /// No allergy is recorded: ask whether there are any.
    Allergies,
    /// No medication is recorded: ask what the patient takes.
    Medications,
    /// No condition is recorded: ask what the patient lives with.
    Conditions,
}

impl ProfilePrompt {
    /// Its name (`allergies`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allergies => "allergies",
            Self::Medications => "medications",
            Self::Conditions => "conditions",
        }
    }
}

/// What the home screen reads besides [`Inputs`].
pub struct TodayInputs<'a> {
    /// The record's data as the reminder functions read it.
    pub data: &'a Inputs,
    /// Where the patient was, and their meal times and doses, for dose times.
    pub ctx: &'a OccurrenceContext<'a>,
    /// The phone's zone now.
    pub zone: &'a Zone,
    /// Open alerts, newest first.
    pub alerts: Vec<Alert>,
    /// Readings of the span the journeys read (at least the last seven days).
    pub readings: &'a [Reading],
    /// The journeys that run.
    pub journeys: &'a [JourneyInput],
    /// Questionnaire responses.
    pub responses: &'a [QuestionnaireResponse],
    /// The latest thing logged, of any kind.
    pub last_activity: Option<DateTime<Utc>>,
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

/// What a home screen shows at `now`, in one call: the day's doses, refills, alerts,
/// measurements, journeys and the next appointment. The data must hold dose events of at
/// least the last eight days.
pub fn today(inputs: &TodayInputs<'_>, now: DateTime<Utc>) -> Today {
    let (data, ctx, zone) = (inputs.data, inputs.ctx, inputs.zone);
    let mut today = Today {
        due: Vec::new(),
        snoozed: Vec::new(),
        next: Vec::new(),
        upcoming: Vec::new(),
        missed: Vec::new(),
        done: Vec::new(),
        refills_due: Vec::new(),
        alerts: inputs.alerts.clone(),
        measurements_due: Vec::new(),
        adherence_week: None,
        next_appointment: None,
        journeys: Vec::new(),
        profile_prompt: None,
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
                    let next = list.get(i + 1).map(|o| o.at);
                    let advice =
                        reminders::late_dose_advice(med.late_dose, sd.occurrence.at, next, now);
                    today.missed.push(DueDose { dose: sd, advice });
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
    crate::sorting::sort_by_key(&mut upcoming, |d| d.occurrence.at);
    let local_today = reminders::zone::local(zone, now).date();
    if let Some(first) = upcoming.first().map(|d| d.occurrence.at.timestamp() / 60) {
        let (next, rest): (Vec<_>, Vec<_>) = upcoming
            .into_iter()
            .partition(|d| d.occurrence.at.timestamp() / 60 == first);
        today.next = next;
        today.upcoming = rest
            .into_iter()
            .filter(|d| reminders::zone::local(zone, d.occurrence.at).date() == local_today)
            .collect();
    }
    crate::sorting::sort_by_key(&mut today.missed, |d| d.dose.occurrence.at);
    crate::sorting::sort_by_key(&mut today.done, |d| d.occurrence.at);
    today.refills_due = refills(data, ctx, now)
        .into_iter()
        .filter(|r| r.remind_on.is_some_and(|d| d <= local_today))
        .collect();
    let home = Zone::named(&data.profile.home_time_zone).unwrap_or_else(|| zone.clone());
    today.measurements_due = measurements_due(&data.plans, inputs.readings, &home, now);
    let settled = settled_doses(data, ctx, now - Duration::days(7), now);
    today.adherence_week = (!settled.is_empty())
        .then(|| settled.iter().filter(|(_, t)| *t).count() as f64 / settled.len() as f64);
    today.next_appointment = data
        .appointments
        .iter()
        .filter(|a| a.at.to_utc() > now)
        .min_by_key(|a| a.at)
        .cloned();
    today.journeys = journeys(inputs, &today, &home, now);
    today.profile_prompt = profile_prompt(&data.profile, &data.medications);
    today
}

/// The doses settled in `[from, to)` of the active medications: when each was due and whether
/// it was taken (the engine's adherence input).
pub fn settled_doses(
    data: &Inputs,
    ctx: &OccurrenceContext<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, bool)> {
    let active: Vec<Medication> = data
        .medications
        .iter()
        .filter(|m| m.status == MedicationStatus::Active)
        .cloned()
        .collect();
    reminders::adherence(&active, &data.doses, ctx, from, to, to)
        .into_iter()
        .flat_map(|a| a.doses)
        .filter_map(|d| match d.state {
            DoseState::Taken { .. } => Some((d.occurrence.at, true)),
            DoseState::Skipped { .. } | DoseState::Missed => Some((d.occurrence.at, false)),
            _ => None,
        })
        .collect()
}

/// Today's measurements of the plans that run today: each plan time, done when a reading of
/// the kind was logged from two hours before it to four hours after (a morning session
/// taken late still counts; the evening one is not filled by the morning's pair).
fn measurements_due(
    plans: &[MeasurementPlan],
    readings: &[Reading],
    home: &Zone,
    now: DateTime<Utc>,
) -> Vec<MeasurementDue> {
    let day = reminders::zone::local(home, now).date();
    let mut out = Vec::new();
    for p in plans {
        if day < p.start || day >= p.start + Duration::days(i64::from(p.days)) {
            continue;
        }
        let logged: Vec<NaiveDateTime> = readings
            .iter()
            .filter(|r| r.measurement.kind() == p.kind && r.setting.is_none())
            .map(|r| reminders::zone::local(home, r.at.to_utc()))
            .collect();
        out.extend(p.times.iter().map(|t| {
            let at = day.and_time(*t);
            MeasurementDue {
                plan_id: p.id.clone(),
                kind: p.kind,
                at,
                done: logged
                    .iter()
                    .any(|l| *l >= at - Duration::hours(2) && *l < at + Duration::hours(4)),
            }
        }));
    }
    crate::sorting::sort_by_key(&mut out, |m| m.at);
    out
}

/// Each running journey as the home screen shows it.
fn journeys(
    inputs: &TodayInputs<'_>,
    today: &Today,
    home: &Zone,
    now: DateTime<Utc>,
) -> Vec<JourneyToday> {
    use crate::journey::engine::Data;
    use crate::journey::status::{self, TaskContext};
    if inputs.journeys.is_empty() {
        return Vec::new();
    }
    let data = inputs.data;
    let window = crate::journey::status::longest_window(inputs.journeys);
    let doses = settled_doses(
        data,
        inputs.ctx,
        now - Duration::days(i64::from(window)),
        now,
    );
    let answered = status::answered(inputs.responses);
    let declined: Vec<String> = crate::journey::builtin::questionnaires()
        .unwrap_or_default()
        .into_iter()
        .filter(|q| q.declined_for(&data.profile.conditions))
        .map(|q| q.id)
        .collect();
    let ctx = TaskContext {
        plans: &data.plans,
        doses_on_track: today.due.is_empty() && today.missed.is_empty(),
        language: data.profile.language,
        declined: &declined,
    };
    inputs
        .journeys
        .iter()
        .map(|j| {
            let done = status::tasks_done(&j.template, &j.steps, inputs.responses);
            let engine_data = Data {
                readings: inputs.readings,
                doses: &doses,
                answered: &answered,
                appointments: &data.appointments,
                tasks_done: &done,
                last_activity: inputs.last_activity,
                zone: home,
            };
            status::journey_today(j, &engine_data, &ctx, now)
        })
        .collect()
}

/// The first missing profile item of allergies, medications and conditions that the patient has
/// not said there are none of ([`Profile::none_known`]).
pub fn profile_prompt(profile: &Profile, medications: &[Medication]) -> Option<ProfilePrompt> {
    let missing = |item: ProfilePrompt, empty: bool| {
        (empty && !profile.says_none(item.as_str())).then_some(item)
    };
    missing(ProfilePrompt::Allergies, profile.allergies.is_empty())
        .or_else(|| missing(ProfilePrompt::Medications, medications.is_empty()))
        .or_else(|| missing(ProfilePrompt::Conditions, profile.conditions.is_empty()))
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
            let supply = reminders::supply(m, &data.doses, &data.refills, now)?;
            let ran_out_on = supply
                .ran_out_at
                .map(|t| reminders::zone::local(&ctx.device_zone, t).date());
            let runs_out_on = match ran_out_on {
                Some(_) => None,
                None => {
                    let upcoming = reminders::occurrences(m, ctx, now, now + Duration::days(400));
                    reminders::run_out(m, Some(supply.left), &upcoming)
                }
            };
            Some(RefillStatus {
                medication_id: m.id.clone(),
                name: m.name.clone(),
                on_hand: supply.left,
                runs_out_on,
                ran_out_on,
                remind_on: ran_out_on.or_else(|| {
                    runs_out_on.map(|d| d - Duration::days(i64::from(m.refill_days_ahead)))
                }),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Validate;

    /// One item at a time, allergies first; "none known" answers an item as an entry does.
    #[test]
    fn the_profile_prompt_moves_on_when_an_item_is_answered_none() {
        let mut p = Profile::new("Ana", "Europe/Berlin").expect("profile");
        assert_eq!(profile_prompt(&p, &[]), Some(ProfilePrompt::Allergies));
        p.none_known.push("allergies".into());
        assert_eq!(profile_prompt(&p, &[]), Some(ProfilePrompt::Medications));
        p.none_known.push("medications".into());
        assert_eq!(profile_prompt(&p, &[]), Some(ProfilePrompt::Conditions));
        p.conditions.push("hypertension".into());
        assert_eq!(profile_prompt(&p, &[]), None);
        p.none_known = vec!["medications".into()];
        p.allergies.push("penicillin".into());
        assert_eq!(profile_prompt(&p, &[]), None);
        p.none_known.push("pets".into());
        assert!(p.validate().is_err(), "only the three items can be none");
    }
}
