//! `companion reminders`: the notifications a phone shell schedules.

use chrono::Duration;
use companion_core::HealthRecord;

use crate::context::{Ctx, zone_or_home};
use crate::error::CliError;
use crate::when::When;

/// `companion reminders`.
pub fn run(
    record: &HealthRecord,
    mut ctx: Ctx<'_>,
    from: Option<When>,
    hours: u32,
    tz: Option<String>,
    max: usize,
    json: bool,
) -> Result<(), CliError> {
    let zone = zone_or_home(tz, &ctx);
    let now = ctx.time(from.as_ref())?.to_utc();
    let plan = record.plan_reminders(now, &zone, Duration::hours(i64::from(hours)), max)?;
    if json {
        return ctx.json(&plan);
    }
    if plan.is_empty() {
        ctx.say("none-reminders", &[("hours", hours.to_string())])?;
    }
    let tz =
        companion_core::zone::Zone::named(&zone).unwrap_or_else(companion_core::zone::Zone::utc);
    for n in &plan {
        writeln!(
            ctx.out,
            "{} {}  {:<13} {}: {}",
            n.fire_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            tz.abbreviation(n.fire_at),
            ctx.words().text(&format!("nkind-{:?}", n.kind)),
            n.title,
            n.body.replace('\n', " / ")
        )?;
    }
    Ok(())
}

/// `companion notify [--after MINUTES | --off]`: this device's choice of notifications for a
/// record shared with it, then what it is told.
pub fn notify(
    record: &mut HealthRecord,
    mut ctx: Ctx<'_>,
    after: Option<u32>,
    off: bool,
) -> Result<(), CliError> {
    if off {
        record.set_notifications(None)?;
    } else if after.is_some() {
        record.set_notifications(after)?;
    }
    match record.notification_audience()? {
        companion_core::reminders::Audience::Patient => ctx.say("notify-patient", &[]),
        companion_core::reminders::Audience::Caregiver { grace_minutes } => ctx.say(
            "notify-caregiver",
            &[
                ("patient", ctx.profile.name.clone()),
                ("minutes", grace_minutes.to_string()),
            ],
        ),
        companion_core::reminders::Audience::Silent => ctx.say("notify-silent", &[]),
    }
}
