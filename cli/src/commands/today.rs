//! `companion today`: what is due, missed and next.

use std::collections::HashMap;
use std::io::Write;

use companion_core::reminders::{DoseState, ScheduledDose};

use companion_core::HealthRecord;
use companion_core::today::ProfilePrompt;

use crate::context::{Ctx, names, zone_or_home};
use crate::error::CliError;
use crate::output;

/// `companion today`.
pub fn run(
    record: &mut HealthRecord,
    mut ctx: Ctx<'_>,
    tz: Option<String>,
    json: bool,
) -> Result<(), CliError> {
    let zone = zone_or_home(tz, &ctx);
    super::journey::advance(record)?;
    let today = record.today(companion_core::clock::now()?, &zone)?;
    if json {
        return ctx.json(&today);
    }
    let all = record.medications(true)?;
    let names = Meds {
        names: names(record)?,
        fixed: all
            .iter()
            .filter_map(|m| match &m.time_zone {
                companion_core::model::TimeZonePolicy::Fixed { zone } => {
                    Some((m.id.clone(), zone.clone()))
                }
                companion_core::model::TimeZonePolicy::Local => None,
            })
            .collect(),
        device: companion_core::zone::Zone::named(&zone).unwrap_or_else(|| ctx.zone()),
    };
    let language = ctx.profile.language;
    for a in &today.alerts {
        writeln!(ctx.out, "{}", output::alert(a, &ctx.profile))?;
    }
    let out = &mut ctx.out;
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
            writeln!(out, "  {}", dose_line(&d.dose, &names))?;
            writeln!(out, "    {}", d.advice.text(language))?;
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
    if !today.upcoming.is_empty() {
        writeln!(out, "Later today:")?;
        for d in &today.upcoming {
            writeln!(out, "  {}", dose_line(d, &names))?;
        }
    }
    if !today.refills_due.is_empty() {
        writeln!(out, "Refills due:")?;
        for r in &today.refills_due {
            writeln!(out, "  {}", output::supply(r))?;
        }
    }
    if !today.measurements_due.is_empty() {
        writeln!(out, "Measurements today:")?;
        for m in &today.measurements_due {
            let mark = if m.done { "[x]" } else { "[ ]" };
            writeln!(
                out,
                "  {mark} {} {}",
                m.at.format("%H:%M"),
                m.kind.as_str().replace('_', " ")
            )?;
        }
    }
    for j in &today.journeys {
        super::journey::print_journey(&mut **out, j, true)?;
    }
    if let Some(share) = today.adherence_week {
        writeln!(out, "This week: {:.0} % of doses taken", share * 100.0)?;
    }
    if let Some(a) = &today.next_appointment {
        writeln!(out, "Next appointment: {}", super::appointment::line(a))?;
    }
    if let Some(p) = today.profile_prompt {
        let (question, how) = match p {
            ProfilePrompt::Allergies => (
                "Do you have any allergies? It matters for every new prescription.",
                "companion profile set --allergy NAME, or --none allergies",
            ),
            ProfilePrompt::Medications => (
                "Which medications do you take? Reminders and your doctor rely on the list.",
                "companion med add ..., or companion profile set --none medications",
            ),
            ProfilePrompt::Conditions => (
                "Which conditions do you live with?",
                "companion profile set --condition NAME, or --none conditions",
            ),
        };
        writeln!(out, "When you have a minute: {question} ({how})")?;
    }
    Ok(())
}

/// A scheduled dose as a line: its wall-clock slot, the medication and dose.
/// A scheduled dose as a line: its time on the phone's clock (for a medication kept on another
/// zone, that zone's time beside it), the medication and dose.
fn dose_line(d: &ScheduledDose, meds: &Meds) -> String {
    let id = &d.occurrence.medication_id;
    let name = meds.names.get(id).map_or("?", String::as_str);
    let here = d.occurrence.at.with_timezone(&meds.device).fixed_offset();
    let mut shown = here.format("%Y-%m-%d %H:%M").to_string();
    if let Some(zone) = meds.fixed.get(id)
        && here.naive_local() != d.occurrence.slot
    {
        shown.push_str(&format!(" ({} {zone})", d.occurrence.slot.format("%H:%M")));
    }
    format!(
        "{shown}  {name} {}  [scheduled {}]",
        d.occurrence.dose,
        here.to_rfc3339()
    )
}

/// What a dose line needs of the medications: names, the zones of the fixed-zone ones, and
/// the phone's zone.
struct Meds {
    names: HashMap<String, String>,
    fixed: HashMap<String, String>,
    device: companion_core::zone::Zone,
}
