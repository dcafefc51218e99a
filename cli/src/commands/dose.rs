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
            record.log_dose(&event)?;
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
            record.log_dose_answering(&event, zone)?
        }
        other => other?,
    };
    writeln!(ctx.out, "Logged {}", output::dose(&event, &med.name))?;
    Ok(())
}
