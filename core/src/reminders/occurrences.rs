//! Dose occurrences: when each dose of a medication is due, in any window of time.
//!
//! Day-based schedules (fixed times, weekdays, every N days, cyclic, tapering, meal-relative)
//! are walked calendar day by calendar day in the zone the medication follows; interval schedules
//! step in wall-clock hours (`local` policy) or in absolute hours (`fixed` policy). This is
//! calendar arithmetic on chrono dates: an RRULE library would add a dependency for less than
//! this file, and its daylight-saving rules are not the ones in [`super::zone`].

use std::collections::HashMap;

use crate::zone::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};

use super::zone::{day_exists, local, resolve};
use crate::model::{
    DailyWindow, DoseAmount, Meal, MealTimes, Medication, Schedule, TimeZonePolicy,
};

/// Bounds the steps of any one walk, so that no data can make it run away.
const MAX_STEPS: usize = 200_000;

/// One due dose.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Occurrence {
    /// The medication.
    pub medication_id: String,
    /// When it is due.
    pub at: DateTime<Utc>,
    /// The wall-clock slot it was scheduled for (date and time of day in the zone the schedule
    /// follows); `at` shows this time, or the end of a daylight-saving gap that hid it.
    pub slot: NaiveDateTime,
    /// The dose to take.
    pub dose: DoseAmount,
}

/// What occurrences depend on besides the medication itself.
#[derive(Debug, Clone)]
pub struct OccurrenceContext<'a> {
    /// The zone the phone is in: `local` medications follow it (where `zones` says nothing).
    pub device_zone: Zone,
    /// Where the patient was: each zone from its instant on, sorted; `local` medications
    /// follow the zone that applied at each time (empty: `device_zone` throughout).
    pub zones: &'a [(DateTime<Utc>, Zone)],
    /// The patient's meal times.
    pub meal_times: MealTimes,
    /// Instants of doses taken, by medication id, sorted (for schedules counted from the last
    /// dose taken, and doses linked to another medication's).
    pub taken: &'a HashMap<String, Vec<DateTime<Utc>>>,
}

/// The occurrences of `med` in `[from, to)`, sorted by time. Schedules replaced by an edit apply
/// until the edit; no occurrence falls inside a pause.
pub fn occurrences(
    med: &Medication,
    ctx: &OccurrenceContext<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Occurrence> {
    let mut versions: Vec<(&Schedule, &TimeZonePolicy, &DoseAmount, DateTime<Utc>)> = med
        .history
        .iter()
        .map(|v| (&v.schedule, &v.time_zone, &v.dose, v.until))
        .collect();
    crate::sorting::sort_by_key(&mut versions, |v| v.3);
    versions.push((
        &med.schedule,
        &med.time_zone,
        &med.dose,
        DateTime::<Utc>::MAX_UTC,
    ));
    let mut out = Vec::new();
    let mut begin = med.recorded_at.unwrap_or(DateTime::<Utc>::MIN_UTC);
    for (schedule, policy, dose, until) in versions {
        let (a, b) = (from.max(begin), to.min(until));
        begin = begin.max(until);
        if a >= b {
            continue;
        }
        let spans = match policy {
            TimeZonePolicy::Local => zone_spans(ctx, a, b),
            TimeZonePolicy::Fixed { zone } => vec![(
                a,
                b,
                Zone::named(zone).unwrap_or_else(|| ctx.device_zone.clone()),
            )],
        };
        for (from, to, zone) in spans {
            let walk = Walk {
                med,
                ctx,
                zone: &zone,
                fixed: matches!(policy, TimeZonePolicy::Fixed { .. }),
                dose,
                from,
                to,
            };
            walk.run(schedule, &mut out);
        }
    }
    out.retain(|o| {
        !med.pauses
            .iter()
            .any(|p| p.from <= o.at && p.until.is_none_or(|u| o.at < u))
    });
    crate::sorting::sort_by(&mut out, |x, y| x.at.cmp(&y.at).then(x.slot.cmp(&y.slot)));
    out
}

/// `[from, to)` cut where the patient changed zone, each piece with the zone that applied.
fn zone_spans(
    ctx: &OccurrenceContext<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, Zone)> {
    let at = |t: DateTime<Utc>| {
        ctx.zones
            .iter()
            .rev()
            .find(|(since, _)| *since <= t)
            .map_or_else(|| ctx.device_zone.clone(), |(_, z)| z.clone())
    };
    let mut cuts: Vec<DateTime<Utc>> = ctx
        .zones
        .iter()
        .map(|(since, _)| *since)
        .filter(|t| from < *t && *t < to)
        .collect();
    cuts.insert(0, from);
    cuts.push(to);
    cuts.windows(2).map(|w| (w[0], w[1], at(w[0]))).collect()
}

/// One schedule version over one window.
struct Walk<'a> {
    med: &'a Medication,
    ctx: &'a OccurrenceContext<'a>,
    zone: &'a Zone,
    fixed: bool,
    dose: &'a DoseAmount,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Walk<'_> {
    fn run(&self, schedule: &Schedule, out: &mut Vec<Occurrence>) {
        match schedule {
            Schedule::AsNeeded(_) => {}
            Schedule::EveryNHours {
                hours,
                first,
                from_last_taken,
                window,
            } => {
                let step = Duration::hours(i64::from((*hours).max(1)));
                out.extend(self.every(step, *first, *from_last_taken, window.as_ref()));
            }
            Schedule::EveryNMinutes {
                minutes,
                first,
                from_last_taken,
                window,
            } => {
                let step = Duration::minutes(i64::from((*minutes).max(15)));
                out.extend(self.every(step, *first, *from_last_taken, window.as_ref()));
            }
            Schedule::AfterDose {
                medication_id,
                offset_minutes,
            } => {
                let offset = Duration::minutes(i64::from(*offset_minutes));
                for taken in self.ctx.taken.get(medication_id).into_iter().flatten() {
                    let at = *taken + offset;
                    if self.from <= at && at < self.to {
                        out.push(self.occurrence(at, local(self.zone, at), self.dose.clone()));
                    }
                }
            }
            _ => self.days(schedule, out),
        }
    }

    fn occurrence(&self, at: DateTime<Utc>, slot: NaiveDateTime, dose: DoseAmount) -> Occurrence {
        Occurrence {
            medication_id: self.med.id.clone(),
            at,
            slot,
            dose,
        }
    }

    fn in_course(&self, date: NaiveDate) -> bool {
        date >= self.med.start && self.med.end.is_none_or(|end| date <= end)
    }

    /// Day-based schedules: every existing calendar day in the window, its slots.
    fn days(&self, schedule: &Schedule, out: &mut Vec<Occurrence>) {
        let first = local(self.zone, self.from).date() - Duration::days(1);
        let last = local(self.zone, self.to).date() + Duration::days(1);
        let mut day = Vec::new();
        for date in first.iter_days().take_while(|d| *d <= last).take(MAX_STEPS) {
            if !self.in_course(date) || !day_exists(self.zone, date) {
                continue;
            }
            slots(
                schedule,
                date,
                self.med,
                &self.ctx.meal_times,
                self.dose,
                &mut day,
            );
            for (slot, dose) in day.drain(..) {
                let at = resolve(self.zone, slot);
                if self.from <= at && at < self.to {
                    out.push(self.occurrence(at, slot, dose.clone()));
                }
            }
        }
    }

    /// An interval schedule (docs/reminders.md, "Interval schedules"): inside a daily window,
    /// each day starts again at the window's opening and steps in real time until its close;
    /// without one, wall-clock steps (`local`) or absolute steps (`fixed`) from the first dose.
    /// Counted from the last dose taken, the doses after a take follow it. No two doses come
    /// closer than half the interval.
    fn every(
        &self,
        step: Duration,
        first: chrono::NaiveTime,
        from_last_taken: bool,
        window: Option<&DailyWindow>,
    ) -> Vec<Occurrence> {
        let found = match window {
            Some(w) => {
                let days = self.windows(w, first);
                let mut found = Vec::new();
                for (open, close) in days {
                    found.extend(self.in_window(open, close, step, from_last_taken));
                }
                found
            }
            None => {
                let found = self.interval(self.med.start.and_time(first), step);
                if from_last_taken {
                    self.re_anchor(found, step, &|_| true)
                } else {
                    found
                }
            }
        };
        spaced(found, step)
    }

    /// The daily windows (opening and closing slots) whose doses can fall in the span:
    /// one per existing day of the course, the start day opening at `first` when that is
    /// inside the window.
    fn windows(
        &self,
        w: &DailyWindow,
        first: chrono::NaiveTime,
    ) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        let crosses = w.end <= w.start;
        let begin = local(self.zone, self.from).date() - Duration::days(1);
        let last = local(self.zone, self.to).date() + Duration::days(1);
        let mut out = Vec::new();
        for date in begin.iter_days().take_while(|d| *d <= last).take(MAX_STEPS) {
            if !self.in_course(date) || !day_exists(self.zone, date) {
                continue;
            }
            let close_day = if crosses {
                date + Duration::days(1)
            } else {
                date
            };
            let close = close_day.and_time(w.end);
            let first_inside = if crosses {
                first >= w.start || first <= w.end
            } else {
                (w.start..=w.end).contains(&first)
            };
            let open = if date == self.med.start && first_inside {
                let day = if crosses && first < w.start {
                    close_day
                } else {
                    date
                };
                day.and_time(first)
            } else {
                date.and_time(w.start)
            };
            out.push((open, close));
        }
        out
    }

    /// The doses of one day's window: from the opening, one `step` apart until the close, on the
    /// wall clock of the medication's zone for a `local` one (a step the clocks skip is no
    /// dose, but an opening or a close they skip moves to the gap's end), in absolute time for
    /// a `fixed` one. Counted from
    /// the last dose taken: the first at the later of the opening and the last dose before it
    /// plus `step`, and after each dose taken inside the window the next ones follow that take
    /// in real time, never past the close.
    fn in_window(
        &self,
        open: NaiveDateTime,
        close_slot: NaiveDateTime,
        step: Duration,
        from_last_taken: bool,
    ) -> Vec<Occurrence> {
        let open_at = resolve(self.zone, open);
        let close = resolve(self.zone, close_slot);
        let takes: &[DateTime<Utc>] = self
            .ctx
            .taken
            .get(&self.med.id)
            .map_or(&[], |t| t.as_slice());
        let mut start = open_at;
        if from_last_taken && let Some(before) = takes.iter().rev().find(|t| **t < open_at) {
            start = start.max(*before + step);
        }
        let mut series = Vec::new();
        // A `fixed` medication steps in absolute time from the opening (2 real hours stay 2
        // across a clock change); a `local` one on the wall clock.
        if start == open_at && !self.fixed {
            let mut slot = open;
            while slot <= close_slot && series.len() < MAX_STEPS {
                if slot == open || slot == close_slot || exists(self.zone, slot) {
                    series.push(self.occurrence(resolve(self.zone, slot), slot, self.dose.clone()));
                }
                slot += step;
            }
        } else {
            let mut at = start;
            while at <= close && series.len() < MAX_STEPS {
                // The opening and the close keep their own slot when the clocks skipped them
                // (the dose is at the gap's end, but it is still the window's opening or close).
                let slot = if at == open_at {
                    open
                } else if at == close {
                    close_slot
                } else {
                    local(self.zone, at)
                };
                series.push(self.occurrence(at, slot, self.dose.clone()));
                at += step;
            }
        }
        if from_last_taken {
            let inside: Vec<DateTime<Utc>> = takes
                .iter()
                .copied()
                .filter(|t| open_at <= *t && *t <= close)
                .collect();
            if let Some(first_take) = inside.first().copied() {
                series.retain(|o| o.at <= first_take);
                for (i, take) in inside.iter().enumerate() {
                    let next_take = inside.get(i + 1).copied().unwrap_or(close + step);
                    let mut at = *take + step;
                    while at < next_take && at <= close && series.len() < MAX_STEPS {
                        series.push(self.occurrence(at, local(self.zone, at), self.dose.clone()));
                        at += step;
                    }
                }
            }
        }
        series.retain(|o| self.from <= o.at && o.at < self.to);
        series
    }

    /// Interval schedules: wall-clock steps (`local`) or absolute steps (`fixed`) from `anchor`.
    /// A wall-clock step the clocks skip is no dose (moved to the gap's end it would come too
    /// soon before the next one).
    fn interval(&self, anchor: NaiveDateTime, step: Duration) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let anchor_at = resolve(self.zone, anchor);
        // Start a little before the window; both kinds of step are within an hour or so of each
        // other, and `from` filters the rest.
        let behind = local(self.zone, self.from) - anchor - Duration::hours(2);
        let skip = (behind.num_seconds() / step.num_seconds()).max(0);
        for k in (skip..).take(MAX_STEPS) {
            let (at, slot) = if self.fixed {
                let at = anchor_at + step * i32::try_from(k).unwrap_or(i32::MAX);
                (at, local(self.zone, at))
            } else {
                let slot = anchor + step * i32::try_from(k).unwrap_or(i32::MAX);
                if !exists(self.zone, slot) {
                    continue;
                }
                (resolve(self.zone, slot), slot)
            };
            if at >= self.to || self.med.end.is_some_and(|end| slot.date() > end) {
                break;
            }
            if at >= self.from && slot.date() >= self.med.start {
                out.push(self.occurrence(at, slot, self.dose.clone()));
            }
        }
        out
    }

    /// Counted from the last dose taken: after each dose taken, the next ones are due every
    /// `step` from it (absolute), until the next dose taken.
    fn re_anchor(
        &self,
        base: Vec<Occurrence>,
        step: Duration,
        in_window: &dyn Fn(NaiveDateTime) -> bool,
    ) -> Vec<Occurrence> {
        let takes: Vec<DateTime<Utc>> = self
            .ctx
            .taken
            .get(&self.med.id)
            .map(|t| t.iter().copied().filter(|t| *t < self.to).collect())
            .unwrap_or_default();
        let Some(first_take) = takes.first().copied() else {
            return base;
        };
        let mut out: Vec<Occurrence> = base.into_iter().filter(|o| o.at <= first_take).collect();
        for (i, take) in takes.iter().enumerate() {
            let next_take = takes.get(i + 1).copied().unwrap_or(self.to);
            let mut at = *take + step;
            let mut steps = 0;
            while at < next_take && at < self.to && steps < MAX_STEPS {
                let slot = local(self.zone, at);
                if at >= self.from && in_window(slot) && self.in_course(slot.date()) {
                    out.push(self.occurrence(at, slot, self.dose.clone()));
                }
                at += step;
                steps += 1;
            }
        }
        out
    }
}

/// How many days the month of `date` has.
fn month_length(date: NaiveDate) -> u32 {
    let first = date.with_day(1).unwrap_or(date);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first + Duration::days(31));
    u32::try_from((next - first).num_days()).unwrap_or(31)
}

/// Keeps the doses of an interval schedule at least half a `step` apart in real time (the first
/// of two that a clock change or a window's opening brings closer stays).
fn spaced(mut found: Vec<Occurrence>, step: Duration) -> Vec<Occurrence> {
    crate::sorting::sort_by_key(&mut found, |o| o.at);
    let mut out: Vec<Occurrence> = Vec::with_capacity(found.len());
    for o in found {
        if out.last().is_none_or(|p| o.at - p.at >= step / 2) {
            out.push(o);
        }
    }
    out
}

/// Whether the wall clock in `tz` shows `slot` at some instant (not inside a gap).
fn exists(tz: &Zone, slot: NaiveDateTime) -> bool {
    tz.offsets_of_local(&slot).earliest().is_some()
}

/// The wall-clock slots of a day-based schedule on `date`, with their doses, into `out`.
fn slots<'a>(
    schedule: &'a Schedule,
    date: NaiveDate,
    med: &Medication,
    meals: &MealTimes,
    dose: &'a DoseAmount,
    out: &mut Vec<(NaiveDateTime, &'a DoseAmount)>,
) {
    let day = (date - med.start).num_days();
    let mut at = |times: &[chrono::NaiveTime], dose: &'a DoseAmount| {
        out.extend(times.iter().map(|t| (date.and_time(*t), dose)));
    };
    match schedule {
        Schedule::FixedTimes { times } => at(times, dose),
        Schedule::Weekdays { days, times } if days.contains(&date.weekday()) => at(times, dose),
        Schedule::EveryNDays { days, times } if day % i64::from((*days).max(1)) == 0 => {
            at(times, dose)
        }
        Schedule::EveryNWeeks { weeks, days, times } if days.contains(&date.weekday()) => {
            let monday =
                |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
            let week = (monday(date) - monday(med.start)).num_days().div_euclid(7);
            if week.rem_euclid(i64::from((*weeks).max(1))) == 0 {
                at(times, dose)
            }
        }
        Schedule::DaysOfMonth { days, times } => {
            // The month's last day also takes the days it does not have (the 31st in April).
            let last = month_length(date);
            let today = date.day();
            if days
                .iter()
                .any(|d| *d == today || (today == last && *d > last))
            {
                at(times, dose)
            }
        }
        Schedule::Cyclic {
            on_days,
            off_days,
            times,
        } if day % i64::from((on_days + off_days).max(1)) < i64::from(*on_days) => at(times, dose),
        Schedule::Tapering { steps } => {
            let mut begin = 0;
            for step in steps {
                let end = begin + i64::from(step.days);
                if (begin..end).contains(&day) {
                    at(&step.times, &step.dose);
                    return;
                }
                begin = end;
            }
        }
        Schedule::MealRelative {
            meals: which,
            offset_minutes,
        } => out.extend(which.iter().map(|m| {
            let time = match m {
                Meal::Breakfast => meals.breakfast,
                Meal::Lunch => meals.lunch,
                Meal::Dinner => meals.dinner,
                Meal::Bedtime => meals.bedtime,
            };
            (
                date.and_time(time) + Duration::minutes(i64::from(*offset_minutes)),
                dose,
            )
        })),
        _ => {}
    }
}

/// The schedule and the medication's own dose (before any tapering step) that applied at
/// `at`: the version in the medication's history that was current then, or today's.
pub fn version_at(
    med: &Medication,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> (&Schedule, &DoseAmount) {
    let instant = at.to_utc();
    let mut history: Vec<&crate::model::ScheduleVersion> = med.history.iter().collect();
    crate::sorting::sort_by_key(&mut history, |v| v.until);
    history
        .into_iter()
        .find(|v| instant < v.until)
        .map_or((&med.schedule, &med.dose), |v| (&v.schedule, &v.dose))
}

/// The dose due at `at` by the schedule in force then: a tapering step's own dose on the days of
/// that step (read in the calendar of `at`'s own UTC offset), the medication's dose otherwise.
pub fn dose_for(med: &Medication, at: chrono::DateTime<chrono::FixedOffset>) -> DoseAmount {
    let (schedule, dose) = version_at(med, at);
    if let Schedule::Tapering { steps } = schedule {
        let day = (at.date_naive() - med.start).num_days();
        let mut begin = 0;
        for step in steps {
            let end = begin + i64::from(step.days);
            if (begin..end).contains(&day) {
                return step.dose.clone();
            }
            begin = end;
        }
    }
    dose.clone()
}
