//! `companion today`: what is due, missed and next.

use std::collections::HashMap;
use std::io::Write;

use companion_core::reminders::{DoseState, ScheduledDose};

use companion_core::HealthRecord;

use crate::context::{Ctx, names, zone_or_home};
use crate::error::CliError;
use crate::output;

/// `companion today`.
pub fn run(
    record: &HealthRecord,
    mut ctx: Ctx<'_>,
    tz: Option<String>,
    json: bool,
) -> Result<(), CliError> {
    let zone = zone_or_home(tz, &ctx);
    let today = record.today(companion_core::clock::now()?, &zone)?;
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
    if !today.done.is_empty() {
        writeln!(out, "Done in the last 24 hours:")?;
        for d in &today.done {
            let what = if matches!(d.state, DoseState::Taken { .. }) {
                "taken"
            } else {
                "skipped"
            };
            writeln!(
                out,
                "  {} {what}{}",
                dose_line(d, &names),
                output::done_by(d)
            )?;
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
