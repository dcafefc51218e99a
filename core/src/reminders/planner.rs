//! The notification planner: a pure function from the record's state to the notifications the
//! phone should have scheduled. The shell calls it on every launch, change and notification
//! action, and replaces its scheduled notifications with the plan, matching them by id.

use std::collections::{BTreeMap, HashMap};

use crate::zone::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::dose_states::{DoseState, dose_states, late_dose_advice};
use super::occurrences::{Occurrence, OccurrenceContext, occurrences};
use super::refills::{run_out, supply};
use super::zone::{local, resolve};
use crate::i18n::Texts;
use crate::model::{
    Appointment, DoseEvent, DoseStatus, MeasurementPlan, Medication, MedicationStatus, Profile,
    Refill,
};

/// How far ahead refills are projected.
const RUN_OUT_HORIZON_DAYS: i64 = 400;
/// Days before a prescription's end date that its follow-up reminder fires.
pub const PRESCRIPTION_END_DAYS_AHEAD: i64 = 3;

/// A non-critical nudge (a journey's check-in, a tip): subject to quiet hours and the weekly
/// budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Nudge {
    /// Its stable id.
    pub id: String,
    /// When it would like to be shown.
    pub at: DateTime<Utc>,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
}

/// A safety alert (level 2 hypoglycaemia, hypertensive crisis): shown at once, never held back.
#[derive(Debug, Clone, PartialEq)]
pub struct SafetyAlert {
    /// Its stable id.
    pub id: String,
    /// When it was raised.
    pub at: DateTime<Utc>,
    /// Title.
    pub title: String,
    /// Body with the guideline's advice.
    pub body: String,
    /// Urgent (critical); else time-sensitive (level 2 hyperglycaemia).
    pub urgent: bool,
}

/// Whose device the plan is for: what it tells, and in whose words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    /// The patient's own device: every reminder, in words to the patient.
    #[default]
    Patient,
    /// A caregiver's device (or a viewer's who chose to be told): a dose not logged
    /// `grace_minutes` after its time ("Mei's 08:00 Metformin is not logged yet", gone once a
    /// sync shows it taken) and every safety alert, named for the patient; never "take your
    /// dose".
    Caregiver {
        /// How long after a dose's time the caregiver is told it is not logged.
        grace_minutes: u32,
    },
    /// Nothing (a clinician's device, a viewer who chose none).
    Silent,
}

/// Everything the planner reads.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// Whose device it is.
    pub audience: Audience,
    /// The profile (meal times, reminder settings).
    pub profile: &'a Profile,
    /// Every medication.
    pub medications: &'a [Medication],
    /// Dose events: at least those of the last eight days, and all since each tracked
    /// medication's last inventory count.
    pub doses: &'a [DoseEvent],
    /// Refills since each tracked medication's last inventory count.
    pub refills: &'a [Refill],
    /// Appointments.
    pub appointments: &'a [Appointment],
    /// Measurement plans.
    pub plans: &'a [MeasurementPlan],
    /// Non-critical nudges.
    pub nudges: &'a [Nudge],
    /// Open safety alerts.
    pub alerts: &'a [SafetyAlert],
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum NotificationKind {
    /// Doses due.
    Dose,
    /// Doses not logged once their grace window passed.
    MissedDose,
    /// A medication runs out soon.
    Refill,
    /// A prescription ends soon: time for a follow-up.
    PrescriptionEnd,
    /// An appointment.
    Appointment,
    /// A planned measurement.
    Measurement,
    /// A non-critical nudge.
    Nudge,
    /// A safety alert.
    SafetyAlert,
}

/// How insistently the phone presents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Importance {
    /// An ordinary notification.
    Normal,
    /// Breaks through focus modes (doses).
    TimeSensitive,
    /// Critical (safety alerts).
    Critical,
}

/// An action offered on a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum NotificationAction {
    /// Log the doses as taken.
    Take,
    /// Put them off.
    Snooze,
    /// Log them as skipped.
    Skip,
}

/// One dose a notification is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlannedDose {
    /// The medication.
    pub medication_id: String,
    /// The occurrence (pass it back as the dose event's `scheduled_at`).
    pub scheduled_at: DateTime<Utc>,
}

/// A notification to schedule.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlannedNotification {
    /// Stable id, derived from what it is about, its instant and its kind.
    pub id: String,
    /// When to show it.
    pub fire_at: DateTime<Utc>,
    /// What it is about.
    pub kind: NotificationKind,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Actions to offer.
    pub actions: Vec<NotificationAction>,
    /// How insistently to present it.
    pub importance: Importance,
    /// The doses it is about (dose and missed-dose notifications).
    pub doses: Vec<PlannedDose>,
}

/// The notifications to schedule at `now` for the next `horizon`, soonest first, at most `max`
/// (64 is the iOS limit). Doses due in the same minute share one notification. Medication
/// reminders and safety alerts are never dropped for quiet hours or the nudge budget; when more
/// than `max` are due, the soonest are kept. Pure and deterministic.
pub fn plan(
    input: &PlanInput<'_>,
    now: DateTime<Utc>,
    device_zone: &Zone,
    horizon: Duration,
    max: usize,
) -> Vec<PlannedNotification> {
    let end = now + horizon;
    let mut out = Vec::new();
    let taken = taken_by_medication(input.doses);
    // What is planned lies ahead: in the zone the phone is in now.
    let ctx = OccurrenceContext {
        device_zone: device_zone.clone(),
        zones: &[],
        meal_times: input.profile.meal_times,
        taken: &taken,
    };
    let t = Texts::new(input.profile.language);
    match input.audience {
        Audience::Silent => return out,
        Audience::Caregiver { grace_minutes } => {
            caregiver_notifications(&t, input, &ctx, now, end, grace_minutes, &mut out);
            alert_notifications(input, now, Some(&t), &mut out);
            crate::sorting::sort_by(&mut out, |a, b| {
                a.fire_at.cmp(&b.fire_at).then_with(|| a.id.cmp(&b.id))
            });
            out.truncate(max);
            return out;
        }
        Audience::Patient => {}
    }
    dose_notifications(&t, input, &ctx, now, end, max, &mut out);
    refill_notifications(&t, input, &ctx, now, end, &mut out);
    for a in input.appointments {
        appointment_notifications(&t, a, input.profile, device_zone, now, end, &mut out);
    }
    for p in input.plans {
        measurement_notifications(&t, p, device_zone, now, end, &mut out);
    }
    nudge_notifications(input, device_zone, now, end, &mut out);
    alert_notifications(input, now, None, &mut out);
    crate::sorting::sort_by(&mut out, |a, b| {
        a.fire_at.cmp(&b.fire_at).then_with(|| a.id.cmp(&b.id))
    });
    out.truncate(max);
    out
}

/// The safety alerts, at once; on a caregiver's device (`about`) named for the patient.
fn alert_notifications(
    input: &PlanInput<'_>,
    now: DateTime<Utc>,
    about: Option<&Texts>,
    out: &mut Vec<PlannedNotification>,
) {
    for alert in input.alerts {
        let title = match about {
            Some(t) => t.get(
                "carer-alert-title",
                &[
                    ("patient", input.profile.name.clone()),
                    ("title", alert.title.clone()),
                ],
            ),
            None => alert.title.clone(),
        };
        out.push(PlannedNotification {
            id: format!("alert:{}", alert.id),
            fire_at: alert.at.max(now),
            kind: NotificationKind::SafetyAlert,
            title,
            body: alert.body.clone(),
            actions: Vec::new(),
            importance: if alert.urgent {
                Importance::Critical
            } else {
                Importance::TimeSensitive
            },
            doses: Vec::new(),
        });
    }
}

/// A caregiver's notifications of doses: each dose not taken or skipped, `grace_minutes`
/// after its time, grouped by minute, named for the patient. A dose logged (on any device)
/// drops out of the next plan, so the shell withdraws it.
fn caregiver_notifications(
    t: &Texts,
    input: &PlanInput<'_>,
    ctx: &OccurrenceContext<'_>,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
    grace_minutes: u32,
    out: &mut Vec<PlannedNotification>,
) {
    let grace = Duration::minutes(i64::from(grace_minutes));
    let mut open: BTreeMap<i64, Vec<(&Medication, Occurrence)>> = BTreeMap::new();
    for med in input
        .medications
        .iter()
        .filter(|m| m.status == MedicationStatus::Active)
    {
        let list = occurrences(med, ctx, now - grace - Duration::days(1), end);
        for sd in dose_states(med, list, input.doses, now) {
            if matches!(
                sd.state,
                DoseState::Taken { .. } | DoseState::Skipped { .. }
            ) {
                continue;
            }
            let tell = sd.occurrence.at + grace;
            if tell >= now && tell < end {
                open.entry(minute(tell))
                    .or_default()
                    .push((med, sd.occurrence));
            }
        }
    }
    let patient = input.profile.name.clone();
    for (min, group) in open {
        let fire_at = DateTime::from_timestamp(min * 60, 0).unwrap_or(now);
        let time = group
            .first()
            .map(|(m, o)| shown_time(m, o, &ctx.device_zone))
            .unwrap_or_default();
        let title = match group.as_slice() {
            [(med, _)] => t.get(
                "carer-missed-one",
                &[
                    ("patient", patient.clone()),
                    ("time", time),
                    ("name", med.name.clone()),
                ],
            ),
            _ => t.get(
                "carer-missed-many",
                &[("patient", patient.clone()), ("time", time)],
            ),
        };
        let body = t.get(
            "carer-missed-body",
            &[
                ("patient", patient.clone()),
                (
                    "doses",
                    group
                        .iter()
                        .map(|(m, o)| dose_line(m, o))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        );
        out.push(PlannedNotification {
            id: group_id(
                "carer-missed",
                min,
                group.iter().map(|(m, _)| m.id.as_str()),
            ),
            fire_at,
            kind: NotificationKind::MissedDose,
            title,
            body,
            actions: Vec::new(),
            importance: Importance::TimeSensitive,
            doses: planned(group.iter().map(|(m, o)| (*m, o))),
        });
    }
}

/// Instants of taken doses by medication, sorted.
pub fn taken_by_medication(doses: &[DoseEvent]) -> HashMap<String, Vec<DateTime<Utc>>> {
    let mut taken: HashMap<String, Vec<DateTime<Utc>>> = HashMap::new();
    for d in doses.iter().filter(|d| d.status == DoseStatus::Taken) {
        taken
            .entry(d.medication_id.clone())
            .or_default()
            .push(d.at.to_utc());
    }
    for list in taken.values_mut() {
        crate::sorting::sort(list);
    }
    taken
}

fn minute(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

fn hhmm(slot: NaiveDateTime) -> String {
    slot.format("%H:%M").to_string()
}

/// The time of `o` as the phone in `device` shows it; for a medication kept on a fixed zone
/// that shows another time, that zone's time beside it ("17:00 (22:00 Europe/Berlin)").
fn shown_time(med: &Medication, o: &Occurrence, device: &Zone) -> String {
    let here = hhmm(super::zone::local(device, o.at));
    match &med.time_zone {
        crate::model::TimeZonePolicy::Fixed { zone } if hhmm(o.slot) != here => {
            format!("{here} ({} {zone})", hhmm(o.slot))
        }
        _ => here,
    }
}

fn dose_line(med: &Medication, o: &Occurrence) -> String {
    format!("{} {}", med.name, o.dose)
}

/// Dose groups by the minute they fire in.
type Groups<T> = BTreeMap<i64, Vec<T>>;
/// A dose due, with its medication.
type DueDose<'m> = (&'m Medication, Occurrence);
/// A missed-dose check, with the instant of the dose after it for the late-dose advice.
type LateDose<'m> = (&'m Medication, Occurrence, Option<DateTime<Utc>>);

/// How far ahead (days) the planner first looks for doses. The plan keeps only the `max` soonest
/// notifications: when this span already holds that many dose notifications, nothing later
/// can make the plan, and the rest of the horizon is not walked (a phone plans on every launch).
const FIRST_LOOK_DAYS: i64 = 1;

fn dose_notifications(
    t: &Texts,
    input: &PlanInput<'_>,
    ctx: &OccurrenceContext<'_>,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
    max: usize,
    out: &mut Vec<PlannedNotification>,
) {
    let first_look = now + Duration::days(FIRST_LOOK_DAYS);
    let groups = Some(first_look)
        .filter(|until| *until < end)
        .map(|until| dose_groups(input, ctx, now, until))
        .filter(|(due, missed)| enough(due, missed, max))
        .unwrap_or_else(|| dose_groups(input, ctx, now, end));
    word_dose_groups(t, ctx, now, max, groups, out);
}

/// Whether the dose groups found before some instant settle the plan's dose notifications:
/// at least `max` of them, and every missed-dose check among the `max` soonest knows the dose
/// after it (else its advice could depend on a dose beyond the span).
fn enough(due: &Groups<DueDose<'_>>, missed: &Groups<LateDose<'_>>, max: usize) -> bool {
    if due.len() + missed.len() < max {
        return false;
    }
    let last = cutoff(due, missed, max);
    missed
        .range(..=last)
        .all(|(_, group)| group.iter().all(|(_, _, next)| next.is_some()))
}

/// The minute of the `max`-th soonest dose notification (due and missed together): no later
/// one can make a plan of `max`.
fn cutoff(due: &Groups<DueDose<'_>>, missed: &Groups<LateDose<'_>>, max: usize) -> i64 {
    let mut minutes: Vec<i64> = due.keys().chain(missed.keys()).copied().collect();
    crate::sorting::sort(&mut minutes);
    minutes
        .get(max.saturating_sub(1))
        .copied()
        .unwrap_or(i64::MAX)
}

/// The doses due, and the missed-dose checks, that fire in `[now, end)`, grouped by minute.
fn dose_groups<'m>(
    input: &PlanInput<'m>,
    ctx: &OccurrenceContext<'_>,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (Groups<DueDose<'m>>, Groups<LateDose<'m>>) {
    let mut due: Groups<DueDose<'m>> = BTreeMap::new();
    let mut missed: Groups<LateDose<'m>> = BTreeMap::new();
    for med in input
        .medications
        .iter()
        .filter(|m| m.status == MedicationStatus::Active)
    {
        let grace = Duration::minutes(i64::from(med.grace_minutes));
        // Look back for doses still due or snoozed, and ahead for each dose's successor.
        let list = occurrences(
            med,
            ctx,
            now - grace - Duration::days(1),
            end + Duration::days(2),
        );
        let mut states = dose_states(med, list, input.doses, now)
            .into_iter()
            .peekable();
        while let Some(sd) = states.next() {
            // The dose's successor, for the late-dose advice.
            let next = states.peek().map(|n| n.occurrence.at);
            let fire = match sd.state {
                DoseState::Upcoming => Some(sd.occurrence.at),
                DoseState::Snoozed { until } => Some(until.to_utc()),
                DoseState::Due => None,
                _ => continue,
            };
            if let Some(fire) = fire.filter(|f| *f >= now && *f < end) {
                due.entry(minute(fire))
                    .or_default()
                    .push((med, sd.occurrence.clone()));
            }
            let check = match sd.state {
                DoseState::Snoozed { until } => until.to_utc() + grace,
                _ => sd.occurrence.at + grace,
            };
            if check >= now && check < end {
                missed
                    .entry(minute(check))
                    .or_default()
                    .push((med, sd.occurrence, next));
            }
        }
    }
    (due, missed)
}

/// The dose and missed-dose notifications of `groups` that can make a plan of `max`.
fn word_dose_groups(
    t: &Texts,
    ctx: &OccurrenceContext<'_>,
    now: DateTime<Utc>,
    max: usize,
    (due, missed): (Groups<DueDose<'_>>, Groups<LateDose<'_>>),
    out: &mut Vec<PlannedNotification>,
) {
    // A group later than the `max` soonest dose groups of either kind cannot make the plan
    // (the plan keeps the `max` soonest of all): only those are worded.
    let last = cutoff(&due, &missed, max);
    for (min, group) in due.into_iter().take_while(|(min, _)| *min <= last) {
        let fire_at = DateTime::from_timestamp(min * 60, 0).unwrap_or(now);
        let title = match group.as_slice() {
            [(med, _)] => t.get("dose-title-one", &[("name", med.name.clone())]),
            _ => t.text("dose-title-many"),
        };
        let body = group
            .iter()
            .map(|(m, o)| match &m.instructions {
                Some(i) => format!("{} ({i})", dose_line(m, o)),
                None => dose_line(m, o),
            })
            .collect::<Vec<_>>()
            .join(", ");
        out.push(PlannedNotification {
            id: group_id("dose", min, group.iter().map(|(m, _)| m.id.as_str())),
            fire_at,
            kind: NotificationKind::Dose,
            title,
            body,
            actions: vec![
                NotificationAction::Take,
                NotificationAction::Snooze,
                NotificationAction::Skip,
            ],
            importance: Importance::TimeSensitive,
            doses: planned(group.iter().map(|(m, o)| (*m, o))),
        });
    }
    for (min, group) in missed.into_iter().take_while(|(min, _)| *min <= last) {
        let fire_at = DateTime::from_timestamp(min * 60, 0).unwrap_or(now);
        let lines = group
            .iter()
            .map(|(m, o, next)| {
                let advice = late_dose_advice(m.late_dose, o.at, *next, fire_at);
                t.get(
                    "missed-line",
                    &[
                        ("dose", dose_line(m, o)),
                        ("time", shown_time(m, o, &ctx.device_zone)),
                        ("advice", t.text(advice.message_id())),
                    ],
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        out.push(PlannedNotification {
            id: group_id("missed", min, group.iter().map(|(m, _, _)| m.id.as_str())),
            fire_at,
            kind: NotificationKind::MissedDose,
            title: t.text("missed-title"),
            body: lines,
            actions: vec![NotificationAction::Take, NotificationAction::Skip],
            importance: Importance::TimeSensitive,
            doses: planned(group.iter().map(|(m, o, _)| (*m, o))),
        });
    }
}

fn planned<'a>(items: impl Iterator<Item = (&'a Medication, &'a Occurrence)>) -> Vec<PlannedDose> {
    items
        .map(|(m, o)| PlannedDose {
            medication_id: m.id.clone(),
            scheduled_at: o.at,
        })
        .collect()
}

fn group_id<'a>(kind: &str, min: i64, ids: impl Iterator<Item = &'a str>) -> String {
    let mut ids: Vec<&str> = ids.collect();
    crate::sorting::sort(&mut ids);
    ids.dedup();
    format!("{kind}:{min}:{}", ids.join("+"))
}

/// `time` on `date` in `zone`, or on the next day when that moment has passed.
fn at_local(zone: &Zone, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    resolve(zone, date.and_time(time))
}

fn ten_am() -> NaiveTime {
    NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN)
}

fn refill_notifications(
    t: &Texts,
    input: &PlanInput<'_>,
    ctx: &OccurrenceContext<'_>,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
    out: &mut Vec<PlannedNotification>,
) {
    let zone = &ctx.device_zone;
    let today = local(zone, now).date();
    for med in input
        .medications
        .iter()
        .filter(|m| m.status == MedicationStatus::Active)
    {
        course_end_notification(t, med, zone, now, end, out);
        let Some(have) = supply(med, input.doses, input.refills, now) else {
            continue;
        };
        if let Some(since) = have.ran_out_at {
            // Out of it: daily at 10:00 until a refill is logged.
            let since = local(zone, since).date();
            let mut day = today;
            while at_local(zone, day, ten_am()) < end {
                let fire_at = at_local(zone, day, ten_am());
                if fire_at >= now {
                    out.push(PlannedNotification {
                        id: format!("out:{}:{day}", med.id),
                        fire_at,
                        kind: NotificationKind::Refill,
                        title: t.get("out-title", &[("name", med.name.clone())]),
                        body: t.get(
                            "out-body",
                            &[("name", med.name.clone()), ("date", since.to_string())],
                        ),
                        actions: Vec::new(),
                        importance: Importance::Normal,
                        doses: Vec::new(),
                    });
                }
                day += Duration::days(1);
            }
            continue;
        }
        let upcoming = occurrences(med, ctx, now, now + Duration::days(RUN_OUT_HORIZON_DAYS));
        let out_on = run_out(med, Some(have.left), &upcoming);
        if let Some(out_on) = out_on {
            let remind_on = out_on - Duration::days(i64::from(med.refill_days_ahead));
            // Daily at 10:00 from the reminder day until the medication is refilled.
            let mut day = remind_on.max(today);
            if at_local(zone, day, ten_am()) < now {
                day += Duration::days(1);
            }
            let fire_at = at_local(zone, day, ten_am());
            if fire_at < end && day <= out_on {
                out.push(PlannedNotification {
                    id: format!("refill:{}:{day}", med.id),
                    fire_at,
                    kind: NotificationKind::Refill,
                    title: t.get("refill-title", &[("name", med.name.clone())]),
                    body: t.get(
                        "refill-body",
                        &[("name", med.name.clone()), ("date", out_on.to_string())],
                    ),
                    actions: Vec::new(),
                    importance: Importance::Normal,
                    doses: Vec::new(),
                });
            }
        }
    }
}

/// The reminder that a course ends soon, three days ahead at 10:00.
fn course_end_notification(
    t: &Texts,
    med: &crate::model::Medication,
    zone: &crate::zone::Zone,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
    out: &mut Vec<PlannedNotification>,
) {
    if let Some(course_end) = med.end {
        let day = course_end - Duration::days(PRESCRIPTION_END_DAYS_AHEAD);
        let fire_at = at_local(zone, day, ten_am());
        if fire_at >= now && fire_at < end {
            out.push(PlannedNotification {
                id: format!("end:{}:{course_end}", med.id),
                fire_at,
                kind: NotificationKind::PrescriptionEnd,
                title: t.get(
                    "end-title",
                    &[("name", med.name.clone()), ("date", course_end.to_string())],
                ),
                body: t.text("end-body"),
                actions: Vec::new(),
                importance: Importance::Normal,
                doses: Vec::new(),
            });
        }
    }
}

fn appointment_notifications(
    t: &Texts,
    a: &Appointment,
    profile: &Profile,
    zone: &Zone,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
    out: &mut Vec<PlannedNotification>,
) {
    let at = a.at.to_utc();
    let when = a.at.format("%Y-%m-%d %H:%M");
    let hours = i64::from(profile.reminders.appointment_hours_before);
    let evening = NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN);
    let day_before = at_local(zone, local(zone, at).date() - Duration::days(1), evening);
    for (tag, fire_at) in [("day", day_before), ("hours", at - Duration::hours(hours))] {
        if fire_at >= now && fire_at < end && fire_at < at {
            let when = ("when", when.to_string());
            let body = match &a.location {
                Some(place) => t.get("appointment-body-place", &[when, ("place", place.clone())]),
                None => t.get("appointment-body", &[when]),
            };
            out.push(PlannedNotification {
                id: format!("appt:{}:{tag}:{}", a.id, at.timestamp()),
                fire_at,
                kind: NotificationKind::Appointment,
                title: a.title.clone(),
                body,
                actions: Vec::new(),
                importance: Importance::Normal,
                doses: Vec::new(),
            });
        }
    }
}

fn measurement_notifications(
    t: &Texts,
    p: &MeasurementPlan,
    zone: &Zone,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
    out: &mut Vec<PlannedNotification>,
) {
    for day in p.start.iter_days().take(p.days as usize) {
        for time in &p.times {
            let fire_at = at_local(zone, day, *time);
            if fire_at >= now && fire_at < end {
                out.push(PlannedNotification {
                    id: format!("measure:{}:{}", p.id, fire_at.timestamp()),
                    fire_at,
                    kind: NotificationKind::Measurement,
                    title: t.get(
                        "measure-title",
                        &[("kind", t.text(&format!("kind-{}", p.kind.as_str())))],
                    ),
                    body: t.plan_instructions(p),
                    actions: Vec::new(),
                    importance: Importance::Normal,
                    doses: Vec::new(),
                });
            }
        }
    }
}

/// Nudges: moved out of quiet hours, then at most the weekly budget per week (Monday to Sunday),
/// the soonest first.
fn nudge_notifications(
    input: &PlanInput<'_>,
    zone: &Zone,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
    out: &mut Vec<PlannedNotification>,
) {
    let settings = input.profile.reminders;
    let mut shifted: Vec<(DateTime<Utc>, &Nudge)> = input
        .nudges
        .iter()
        .map(|n| {
            (
                out_of_quiet_hours(
                    n.at.max(now),
                    zone,
                    settings.quiet_start,
                    settings.quiet_end,
                ),
                n,
            )
        })
        .filter(|(at, _)| *at < end)
        .collect();
    crate::sorting::sort_by(&mut shifted, |a, b| {
        a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id))
    });
    let mut per_week: HashMap<(i32, u32), u32> = HashMap::new();
    for (fire_at, n) in shifted {
        let week = local(zone, fire_at).date().iso_week();
        let used = per_week.entry((week.year(), week.week())).or_default();
        if *used >= settings.weekly_nudge_budget {
            continue;
        }
        *used += 1;
        out.push(PlannedNotification {
            id: format!("nudge:{}", n.id),
            fire_at,
            kind: NotificationKind::Nudge,
            title: n.title.clone(),
            body: n.body.clone(),
            actions: Vec::new(),
            importance: Importance::Normal,
            doses: Vec::new(),
        });
    }
}

/// `at`, or the end of the quiet hours it falls in.
pub fn out_of_quiet_hours(
    at: DateTime<Utc>,
    zone: &Zone,
    start: NaiveTime,
    end: NaiveTime,
) -> DateTime<Utc> {
    let l = local(zone, at);
    let t = l.time();
    let quiet = if start <= end {
        start <= t && t < end
    } else {
        t >= start || t < end
    };
    if !quiet {
        return at;
    }
    let day = if start > end && t >= start {
        l.date() + Duration::days(1)
    } else {
        l.date()
    };
    resolve(zone, day.and_time(end))
}
