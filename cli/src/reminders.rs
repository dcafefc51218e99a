//! `companion reminders`, `today` and `adherence`.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use companion_core::HealthRecord;
use companion_core::reminders::{DoseState, ScheduledDose};

use crate::commands::Ctx;
use crate::error::CliError;
use crate::output;

fn zone_or_home(tz: Option<String>, ctx: &Ctx<'_>) -> String {
    tz.unwrap_or_else(|| ctx.profile.home_time_zone.clone())
}

fn names(record: &HealthRecord) -> Result<HashMap<String, String>, CliError> {
    Ok(record
        .medications(true)?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect())
}

/// A scheduled dose as a line: its wall-clock slot, the medication and dose.
fn dose_line(d: &ScheduledDose, names: &HashMap<String, String>) -> String {
    let name = names
        .get(&d.occurrence.medication_id)
        .map_or("?", String::as_str);
    format!(
        "{}  {name} {}  [scheduled {}]",
        d.occurrence.slot.format("%Y-%m-%d %H:%M"),
        d.occurrence.dose,
        d.occurrence.at.to_rfc3339()
    )
}

/// `companion reminders`.
pub fn plan(
    record: &HealthRecord,
    mut ctx: Ctx<'_>,
    from: Option<DateTime<FixedOffset>>,
    hours: u32,
    tz: Option<String>,
    max: usize,
    json: bool,
) -> Result<(), CliError> {
    let zone = zone_or_home(tz, &ctx);
    let now = from.map_or_else(Utc::now, |f| f.to_utc());
    let plan = record.plan_reminders(now, &zone, Duration::hours(i64::from(hours)), max)?;
    if json {
        return ctx.json(&plan);
    }
    if plan.is_empty() {
        writeln!(ctx.out, "Nothing to remind about in the next {hours} hours")?;
    }
    let tz =
        companion_core::zone::Zone::named(&zone).unwrap_or_else(companion_core::zone::Zone::utc);
    for n in &plan {
        writeln!(
            ctx.out,
            "{} {}  {:<13} {}: {}",
            n.fire_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            tz.abbreviation(n.fire_at),
            format!("{:?}", n.kind),
            n.title,
            n.body.replace('\n', " / ")
        )?;
    }
    Ok(())
}

/// `companion today`.
pub fn today(
    record: &HealthRecord,
    mut ctx: Ctx<'_>,
    tz: Option<String>,
    json: bool,
) -> Result<(), CliError> {
    let zone = zone_or_home(tz, &ctx);
    let today = record.today(Utc::now(), &zone)?;
    if json {
        return ctx.json(&today);
    }
    let names = names(record)?;
    let language = ctx.profile.language;
    let out = &mut ctx.out;
    for a in &today.alerts {
        writeln!(out, "{}", output::alert(a))?;
    }
    writeln!(out, "Due now:")?;
    if today.due.is_empty() {
        writeln!(out, "  nothing")?;
    }
    for d in &today.due {
        writeln!(out, "  {}", dose_line(&d.dose, &names))?;
        writeln!(out, "    {}", d.advice.text(language))?;
    }
    for d in &today.snoozed {
        if let DoseState::Snoozed { until } = d.state {
            writeln!(
                out,
                "  {} (snoozed until {})",
                dose_line(d, &names),
                output::when(&until)
            )?;
        }
    }
    writeln!(out, "Next:")?;
    if today.next.is_empty() {
        writeln!(out, "  nothing scheduled")?;
    }
    for d in &today.next {
        writeln!(out, "  {}", dose_line(d, &names))?;
    }
    if !today.missed.is_empty() {
        writeln!(out, "Missed in the last 24 hours:")?;
        for d in &today.missed {
            writeln!(out, "  {}", dose_line(d, &names))?;
        }
    }
    if !today.refills_due.is_empty() {
        writeln!(out, "Refills due:")?;
        for r in &today.refills_due {
            writeln!(out, "  {}", output::supply(r))?;
        }
    }
    Ok(())
}

/// `companion adherence`.
pub fn adherence(
    record: &HealthRecord,
    mut ctx: Ctx<'_>,
    days: u32,
    tz: Option<String>,
    json: bool,
) -> Result<(), CliError> {
    let zone = zone_or_home(tz, &ctx);
    let now = Utc::now();
    let list = record.adherence(now - Duration::days(i64::from(days)), now, now, &zone)?;
    if json {
        return ctx.json(&list);
    }
    if list.is_empty() {
        writeln!(ctx.out, "No scheduled doses in the last {days} days")?;
    }
    let percent =
        |share: Option<f64>| share.map_or("-".to_string(), |s| format!("{:.0}%", s * 100.0));
    for a in &list {
        writeln!(
            ctx.out,
            "{:<16} taken {:>4} ({:>4} on time) of {:>3} due; {} skipped, {} missed",
            a.name,
            percent(a.share_taken),
            percent(a.share_on_time),
            a.counted,
            a.skipped,
            a.missed
        )?;
        for d in a
            .doses
            .iter()
            .filter(|d| !matches!(d.state, DoseState::Upcoming))
        {
            let what = match &d.state {
                DoseState::Taken { at, on_time } => {
                    let late = (at.to_utc() - d.occurrence.at).num_minutes();
                    format!(
                        "taken {}{}",
                        output::when(at),
                        if *on_time {
                            String::new()
                        } else {
                            format!(" ({late} min late)")
                        }
                    )
                }
                DoseState::Skipped { .. } => "skipped".to_string(),
                DoseState::Missed => "missed".to_string(),
                DoseState::Due => "due now".to_string(),
                DoseState::Snoozed { .. } => "snoozed".to_string(),
                DoseState::Upcoming => String::new(),
            };
            writeln!(
                ctx.out,
                "  scheduled {}  {what}",
                d.occurrence.slot.format("%Y-%m-%d %H:%M")
            )?;
        }
    }
    Ok(())
}
