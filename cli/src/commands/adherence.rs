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
    let w = ctx.words();
    for a in &list {
        let line = w.get(
            "adh-line",
            &[
                ("taken", format!("{:>4}", percent(a.share_taken))),
                ("ontime", format!("{:>4}", percent(a.share_on_time))),
                ("due", format!("{:>3}", a.counted)),
                ("skipped", a.skipped.to_string()),
                ("missed", a.missed.to_string()),
            ],
        );
        writeln!(ctx.out, "{:<16} {line}", a.name)?;
        for d in a
            .doses
            .iter()
            .filter(|d| !matches!(d.state, DoseState::Upcoming))
        {
            let what = match &d.state {
                DoseState::Taken { at, .. } => format!(
                    "{} {}{}",
                    w.text("today-taken"),
                    output::when(at),
                    output::done_by(d, w)
                ),
                DoseState::Skipped { .. } => {
                    format!("{}{}", w.text("today-skipped"), output::done_by(d, w))
                }
                DoseState::Missed => w.text("adh-missed"),
                DoseState::Due => w.text("adh-due"),
                DoseState::Snoozed { .. } => w.text("dose-snoozed"),
                DoseState::Upcoming => String::new(),
            };
            let slot = d.occurrence.slot.format("%Y-%m-%d %H:%M").to_string();
            let line = w.get("adh-dose", &[("slot", slot), ("what", what)]);
            writeln!(ctx.out, "  {line}")?;
        }
    }
    Ok(())
}
