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
    let w = ctx.words();
    // Said first: what is below may lack what another member wrote.
    let missing = record.missing_data()?;
    if let Some(since) = missing.iter().map(|m| m.since_ms).min() {
        let since = chrono::DateTime::from_timestamp_millis(since)
            .map(|t| output::when(&t.with_timezone(&names.device).fixed_offset()))
            .unwrap_or_default();
        let line = w.get(
            "today-missing",
            &[("count", missing.len().to_string()), ("since", since)],
        );
        writeln!(ctx.out, "{line}")?;
    }
    for a in &today.alerts {
        writeln!(ctx.out, "{}", output::alert(a, &ctx.profile))?;
    }
    let out = &mut ctx.out;
    writeln!(out, "{}", w.text("today-due"))?;
    if today.due.is_empty() {
        writeln!(out, "  {}", w.text("today-nothing"))?;
    }
    for d in &today.due {
        writeln!(out, "  {}", dose_line(&d.dose, &names, w))?;
        writeln!(out, "    {}", d.advice.text(language))?;
    }
    for d in &today.snoozed {
        if let DoseState::Snoozed { until } = d.state {
            let line = w.get(
                "today-snoozed",
                &[
                    ("dose", dose_line(d, &names, w)),
                    ("until", output::when(&until)),
                ],
            );
            writeln!(out, "  {line}")?;
        }
    }
    writeln!(out, "{}", w.text("today-next"))?;
    if today.next.is_empty() {
        writeln!(out, "  {}", w.text("today-nothing-scheduled"))?;
    }
    for d in &today.next {
        writeln!(out, "  {}", dose_line(d, &names, w))?;
    }
    if !today.missed.is_empty() {
        writeln!(out, "{}", w.text("today-missed"))?;
        for d in &today.missed {
            writeln!(out, "  {}", dose_line(&d.dose, &names, w))?;
            writeln!(out, "    {}", d.advice.text(language))?;
        }
    }
    if !today.done.is_empty() {
        writeln!(out, "{}", w.text("today-done"))?;
        for d in &today.done {
            let what = if matches!(d.state, DoseState::Taken { .. }) {
                w.text("today-taken")
            } else {
                w.text("today-skipped")
            };
            writeln!(
                out,
                "  {} {what}{}",
                dose_line(d, &names, w),
                output::done_by(d, w)
            )?;
        }
    }
    if !today.upcoming.is_empty() {
        writeln!(out, "{}", w.text("today-later"))?;
        for d in &today.upcoming {
            writeln!(out, "  {}", dose_line(d, &names, w))?;
        }
    }
    if !today.refills_due.is_empty() {
        writeln!(out, "{}", w.text("today-refills"))?;
        for r in &today.refills_due {
            writeln!(out, "  {}", output::supply(r, w))?;
        }
    }
    if !today.measurements_due.is_empty() {
        writeln!(out, "{}", w.text("today-measurements"))?;
        for m in &today.measurements_due {
            let mark = if m.done { "[x]" } else { "[ ]" };
            writeln!(
                out,
                "  {mark} {} {}",
                m.at.format("%H:%M"),
                w.text(&format!("kind-{}", m.kind.as_str()))
            )?;
        }
    }
    for j in &today.journeys {
        super::journey::print_journey(&mut **out, j, true, w)?;
    }
    if let Some(share) = today.adherence_week {
        let percent = format!("{:.0}", share * 100.0);
        writeln!(out, "{}", w.get("today-adherence", &[("percent", percent)]))?;
    }
    if let Some(a) = &today.next_appointment {
        let line = super::appointment::line(a, w);
        writeln!(
            out,
            "{}",
            w.get("today-appointment", &[("appointment", line)])
        )?;
    }
    if let Some(p) = today.profile_prompt {
        let (question, how) = match p {
            ProfilePrompt::Allergies => ("prompt-allergies", "prompt-allergies-how"),
            ProfilePrompt::Medications => ("prompt-medications", "prompt-medications-how"),
            ProfilePrompt::Conditions => ("prompt-conditions", "prompt-conditions-how"),
        };
        let line = w.get(
            "today-prompt",
            &[("question", w.text(question)), ("how", w.text(how))],
        );
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A scheduled dose as a line: its time on the phone's clock (for a medication kept on another
/// zone, that zone's time beside it), the medication and dose.
fn dose_line(d: &ScheduledDose, meds: &Meds, w: &companion_core::i18n::Texts) -> String {
    let id = &d.occurrence.medication_id;
    let name = meds.names.get(id).map_or("?", String::as_str);
    let here = d.occurrence.at.with_timezone(&meds.device).fixed_offset();
    let mut shown = here.format("%Y-%m-%d %H:%M").to_string();
    if let Some(zone) = meds.fixed.get(id)
        && here.naive_local() != d.occurrence.slot
    {
        let there = format!("{} {zone}", d.occurrence.slot.format("%H:%M"));
        shown.push_str(&format!(" {}", w.get("paren", &[("text", there)])));
    }
    format!(
        "{shown}  {name} {}  [{} {}]",
        d.occurrence.dose,
        w.text("dose-scheduled"),
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
