//! `companion dose take|skip|snooze|list`.

use chrono::Duration;
use companion_core::HealthRecord;
use companion_core::model::{DoseEvent, DoseStatus};

use crate::context::{Ctx, find_med};
use crate::error::CliError;
use crate::{DoseArgs, DoseCommand, output};

pub fn run(record: &mut HealthRecord, cmd: DoseCommand, mut ctx: Ctx<'_>) -> Result<(), CliError> {
    let (args, status): (DoseArgs, DoseStatus) = match cmd {
        DoseCommand::Take(a) => (a, DoseStatus::Taken),
        DoseCommand::Skip(a) => (a, DoseStatus::Skipped),
        DoseCommand::Snooze {
            med,
            scheduled,
            minutes,
        } => {
            let med = find_med(record, &med)?;
            let now = ctx.now()?;
            let scheduled = ctx.time(Some(&scheduled))?;
            let until = now.max(scheduled) + Duration::minutes(i64::from(minutes));
            let event = DoseEvent::snooze(&med.id, now, scheduled, until)?;
            record.log_dose(&event).map_err(|e| in_words(e, &ctx))?;
            writeln!(
                ctx.out,
                "Snoozed {} until {}",
                med.name,
                output::when(&until)
            )?;
            return Ok(());
        }
        DoseCommand::List { med, days, json } => {
            let med = med.map(|m| find_med(record, &m)).transpose()?;
            let doses = record.doses(
                med.as_ref().map(|m| m.id.as_str()),
                ctx.last_days(Some(days))?,
            )?;
            if json {
                return ctx.json(&doses);
            }
            let names: std::collections::HashMap<String, String> = record
                .medications(true)?
                .into_iter()
                .map(|m| (m.id, m.name))
                .collect();
            for d in &doses {
                let name = names.get(&d.medication_id).map_or("?", String::as_str);
                writeln!(ctx.out, "{}", output::dose(d, name))?;
            }
            return Ok(());
        }
    };
    let med = find_med(record, &args.med)?;
    let at = ctx.time(args.at.as_ref())?;
    let scheduled = args
        .scheduled
        .as_ref()
        .map(|s| ctx.time(Some(s)))
        .transpose()?;
    let mut event = DoseEvent::new(&med.id, status, at, scheduled)?;
    event.logged_by = args.by;
    event.note = args.note;
    event.confirmed_over_limit = args.confirm;
    // Without --scheduled, the dose answers the one due (or nearest) at that time, chosen
    // inside the write.
    let zone = &ctx.profile.home_time_zone;
    let event = match record.log_dose_answering(&event, zone) {
        // A second take of a dose already taken, confirmed: recorded as such.
        Err(companion_core::Error::DoseAlreadyTaken { .. }) if args.confirm => {
            event.confirmed_double = true;
            record
                .log_dose_answering(&event, zone)
                .map_err(|e| in_words(e, &ctx))?
        }
        other => other.map_err(|e| in_words(e, &ctx))?,
    };
    writeln!(ctx.out, "Logged {}", output::dose(&event, &med.name))?;
    Ok(())
}

/// A refusal about the schedule, with its times on the home zone's clock.
fn in_words(e: companion_core::Error, ctx: &Ctx<'_>) -> CliError {
    let local = |t: &chrono::DateTime<chrono::Utc>| {
        output::when(&t.with_timezone(&ctx.zone()).fixed_offset())
    };
    match e {
        companion_core::Error::NotAnOccurrence { nearest } if nearest.is_empty() => {
            CliError::Failed(
                "no dose of this medication is scheduled near that time (leave out --scheduled to log an extra dose)"
                    .into(),
            )
        }
        companion_core::Error::NotAnOccurrence { nearest } => CliError::Failed(format!(
            "no dose of this medication is scheduled at that time; the nearest: {} (give one to --scheduled, or leave it out to log an extra dose)",
            nearest.iter().map(local).collect::<Vec<_>>().join(", ")
        )),
        companion_core::Error::SnoozePastNextDose { next } => CliError::Failed(format!(
            "a snooze must end before the next dose, due {}; snooze for less",
            local(&next)
        )),
        other => other.into(),
    }
}
