//! `companion adherence`.

use chrono::Duration;
use companion_core::HealthRecord;
use companion_core::reminders::DoseState;

use crate::context::{Ctx, zone_or_home};
use crate::error::CliError;
use crate::output;

/// `companion adherence`.
pub fn run(
    record: &HealthRecord,
    mut ctx: Ctx<'_>,
    days: u32,
    tz: Option<String>,
    json: bool,
) -> Result<(), CliError> {
    let zone = zone_or_home(tz, &ctx);
    let now = companion_core::clock::now()?;
    let list = record.adherence(now - Duration::days(i64::from(days)), now, now, &zone)?;
    if json {
        return ctx.json(&list);
    }
    if list.is_empty() {
        ctx.say("none-doses", &[("days", days.to_string())])?;
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
                DoseState::Taken { at, .. } => {
                    format!(
                        "taken {}{}",
                        output::when(at),
                        output::done_by(d, &ctx.words())
                    )
                }
                DoseState::Skipped { .. } => format!("skipped{}", output::done_by(d, &ctx.words())),
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
