//! The report's medication sections: the current list (dose, schedule, instructions) for the
//! header, and adherence as a per-drug summary with a compact day grid, late doses marked.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use super::svg::esc;
use super::{ReportData, section};
use crate::i18n::Texts;
use crate::model::{MedicationStatus, Schedule};
use crate::reminders::DoseState;

/// Days the adherence grid shows.
const GRID_DAYS: i64 = 28;

fn times(t: &[NaiveTime]) -> String {
    t.iter()
        .map(|t| t.format("%H:%M").to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn day_name(d: Weekday, t: &Texts) -> String {
    t.text(&format!("day-{}", d.to_string().to_lowercase()))
}

/// A schedule in the reader's words.
pub fn schedule_words(s: &Schedule, t: &Texts) -> String {
    let days = |d: &[Weekday]| {
        d.iter()
            .map(|d| day_name(*d, t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match s {
        Schedule::FixedTimes { times: ts } => t.get("sched-times", &[("times", times(ts))]),
        Schedule::EveryNHours { hours, first, .. } => t.get(
            "sched-interval",
            &[
                ("every", format!("{hours} h")),
                ("first", first.format("%H:%M").to_string()),
            ],
        ),
        Schedule::EveryNMinutes { minutes, first, .. } => t.get(
            "sched-interval",
            &[
                ("every", format!("{minutes} min")),
                ("first", first.format("%H:%M").to_string()),
            ],
        ),
        Schedule::Weekdays { days: d, times: ts } => {
            t.get("sched-weekdays", &[("days", days(d)), ("times", times(ts))])
        }
        Schedule::EveryNWeeks {
            weeks,
            days: d,
            times: ts,
        } => t.get(
            "sched-weeks",
            &[
                ("n", weeks.to_string()),
                ("days", days(d)),
                ("times", times(ts)),
            ],
        ),
        Schedule::DaysOfMonth { days: d, times: ts } => t.get(
            "sched-monthly",
            &[
                (
                    "days",
                    d.iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                ("times", times(ts)),
            ],
        ),
        Schedule::EveryNDays { days: n, times: ts } => {
            t.get("sched-days", &[("n", n.to_string()), ("times", times(ts))])
        }
        Schedule::Cyclic {
            on_days,
            off_days,
            times: ts,
        } => t.get(
            "sched-cyclic",
            &[
                ("on", on_days.to_string()),
                ("off", off_days.to_string()),
                ("times", times(ts)),
            ],
        ),
        Schedule::Tapering { steps } => t.get("sched-tapering", &[("n", steps.len().to_string())]),
        Schedule::AsNeeded(limits) => {
            t.get("sched-as-needed", &[("n", limits.max_per_day.to_string())])
        }
        Schedule::MealRelative { offset_minutes, .. } => {
            t.get("sched-meals", &[("minutes", format!("{offset_minutes:+}"))])
        }
        Schedule::AfterDose { offset_minutes, .. } => t.get(
            "sched-after-dose",
            &[("minutes", offset_minutes.to_string())],
        ),
    }
}

/// The current medications (active and paused): name and strength, dose, schedule and
/// instructions.
pub fn current(data: &ReportData, t: &Texts) -> String {
    let current: Vec<_> = data
        .medications
        .iter()
        .filter(|m| m.status != MedicationStatus::Stopped)
        .collect();
    if current.is_empty() {
        return String::new();
    }
    let mut body = format!(
        "<table id=\"medications\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&t.text("col-medication")),
        esc(&t.text("col-dose")),
        esc(&t.text("col-schedule")),
        esc(&t.text("col-instructions"))
    );
    for m in current {
        let name = match &m.strength {
            Some(s) => format!("{} {s}", m.name),
            None => m.name.clone(),
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&name),
            esc(&m.dose.to_string()),
            esc(&schedule_words(&m.schedule, t)),
            esc(m.instructions.as_deref().unwrap_or(""))
        );
    }
    body.push_str("</tbody></table>");
    section("medications", t.text("section-medications"), body)
}

/// Late or caregiver-logged doses the report names, latest first.
const NOTABLE_DOSES: usize = 5;

/// One dose as the report names it: `11-02 08:25 (25 min late, by Ben)`.
fn dose_note(d: &crate::reminders::ScheduledDose, data: &ReportData, t: &Texts) -> String {
    let mut parts = Vec::new();
    if let Some(m) = d.minutes_late().filter(|m| *m > 0) {
        parts.push(t.get("dose-late", &[("minutes", m.to_string())]));
    }
    if let Some(by) = d.logged_by() {
        parts.push(t.get("dose-by", &[("name", by.to_string())]));
    }
    let at = match &d.state {
        DoseState::Taken { at, .. } | DoseState::Skipped { at, .. } => at.to_utc(),
        _ => d.occurrence.at,
    };
    format!(
        "{} ({})",
        at.with_timezone(&data.zone).format("%m-%d %H:%M"),
        parts.join(", ")
    )
}

/// How a day went for one medication, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Day {
    Missed,
    Late,
    Skipped,
    OnTime,
}

impl Day {
    fn class(self) -> &'static str {
        match self {
            Self::Missed => "day-missed",
            Self::Late => "day-late",
            Self::Skipped => "day-skipped",
            Self::OnTime => "day-ok",
        }
    }
}

/// Adherence per medication: the shares, the late doses, and a day grid of the last
/// [`GRID_DAYS`] days of the period.
pub fn adherence(data: &ReportData, t: &Texts) -> String {
    if data.adherence.is_empty() {
        return String::new();
    }
    let last_day = (data.to - Duration::seconds(1))
        .with_timezone(&data.zone)
        .date_naive();
    let first_day = last_day - Duration::days(GRID_DAYS - 1);
    let percent = |s: Option<f64>| s.map_or("-".to_string(), |s| format!("{:.0}", s * 100.0));
    let mut body = format!(
        "<table id=\"adherence\"><thead><tr><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
        esc(&t.text("col-medication")),
        esc(&t.text("col-adherence")),
    );
    for a in &data.adherence {
        let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
        let mut late = 0;
        for d in &a.doses {
            let state = match &d.state {
                DoseState::Taken { on_time: true, .. } => Day::OnTime,
                DoseState::Taken { .. } => {
                    late += 1;
                    Day::Late
                }
                DoseState::Skipped { .. } => Day::Skipped,
                DoseState::Missed => Day::Missed,
                _ => continue,
            };
            let day = d.occurrence.at.with_timezone(&data.zone).date_naive();
            let e = days.entry(day).or_insert(state);
            *e = (*e).min(state);
        }
        let mut grid = String::from("<div class=\"grid-days\">");
        for i in 0..GRID_DAYS {
            let day = first_day + Duration::days(i);
            let class = days.get(&day).map_or("day-none", |d| d.class());
            let _ = write!(
                grid,
                "<span class=\"{class}\" title=\"{}\"></span>",
                day.format("%Y-%m-%d")
            );
            if day.weekday() == Weekday::Sun {
                grid.push_str("<span class=\"week\"></span>");
            }
        }
        grid.push_str("</div>");
        let summary = t.get(
            "adherence-row",
            &[
                ("taken", percent(a.share_taken)),
                ("ontime", percent(a.share_on_time)),
                ("count", a.counted.to_string()),
            ],
        );
        // "Late" as the count means it: beyond the medication's grace window, which the line
        // names, so that a dose listed a few minutes after its time does not contradict it.
        let grace = data
            .medications
            .iter()
            .find(|m| m.id == a.medication_id)
            .map_or(0, |m| m.grace_minutes);
        let mut late_line = t.get(
            "adherence-late",
            &[
                ("late", late.to_string()),
                ("taken", a.taken.to_string()),
                ("grace", grace.to_string()),
            ],
        );
        // The latest doses worth a look: taken late, or logged by someone on the patient's
        // behalf.
        let notable: Vec<String> = a
            .doses
            .iter()
            .filter(|d| d.minutes_late().is_some_and(|m| m > 0) || d.logged_by().is_some())
            .rev()
            .take(NOTABLE_DOSES)
            .map(|d| dose_note(d, data, t))
            .collect();
        if !notable.is_empty() {
            late_line.push_str(&format!(" {}", notable.join("; ")));
        }
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}<br><span class=\"note\">{}</span></td><td>{grid}</td></tr>",
            esc(&a.name),
            esc(&summary),
            esc(&late_line)
        );
    }
    let _ = write!(
        body,
        "</tbody></table><p class=\"note\">{}</p>",
        esc(&t.get("adherence-grid", &[("days", GRID_DAYS.to_string())]))
    );
    section("adherence", t.text("section-adherence"), body)
}
