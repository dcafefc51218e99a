//! `companion dose take|skip|snooze|edit|delete|list`.

use chrono::Duration;
use companion_core::HealthRecord;
use companion_core::model::{DoseEvent, DoseStatus};

use crate::context::{Ctx, by_id, find_med};
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
            ctx.say(
                "said-snoozed",
                &[("name", med.name.clone()), ("until", output::when(&until))],
            )?;
            return Ok(());
        }
        DoseCommand::Edit { id, at, note } => {
            let dose = find(record, &id)?;
            let mut after = dose.clone();
            if at.is_some() {
                after.at = ctx.time(at.as_ref())?;
            }
            if note.is_some() {
                after.note = note;
            }
            record.update_dose(&after).map_err(|e| in_words(e, &ctx))?;
            let name = med_name(record, &after.medication_id)?;
            {
                let what = output::dose(&after, &name, ctx.words());
                ctx.say("said-changed", &[("what", what)])?;
            }
            return Ok(());
        }
        DoseCommand::Delete { id } => {
            let dose = find(record, &id)?;
            record.delete_dose(&dose.id)?;
            let name = med_name(record, &dose.medication_id)?;
            {
                let what = output::dose(&dose, &name, ctx.words());
                ctx.say("said-deleted", &[("what", what)])?;
            }
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
                writeln!(ctx.out, "{}", output::dose(d, name, ctx.words()))?;
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
    // Without --by, the core logs it in the patient's name on the patient's own device.
    event.logged_by = args.by;
    event.note = args.note;
    event.confirmed_over_limit = args.confirm;
    if args.extra {
        // An extra dose, said so: it answers no scheduled time.
        record.log_dose(&event).map_err(|e| in_words(e, &ctx))?;
        // As stored: in the patient's name on her own device.
        let event = find(record, &event.id)?;
        {
            let what = output::dose(&event, &med.name, ctx.words());
            ctx.say("said-logged", &[("what", what)])?;
        }
        return supply_word(record, &med, &mut ctx);
    }
    // Without --scheduled, the dose answers the one due (or the latest whose time has come)
    // at that time, chosen inside the write; a take of a dose already taken is refused.
    let zone = &ctx.profile.home_time_zone;
    let (event, second) = match record.log_dose_answering(&event, zone) {
        // A second take of a dose already taken, confirmed: recorded as such.
        Err(companion_core::Error::DoseAlreadyTaken { .. })
            if args.confirm && status == DoseStatus::Taken =>
        {
            event.confirmed_double = true;
            let logged = record
                .log_dose_answering(&event, zone)
                .map_err(|e| in_words(e, &ctx))?;
            (logged, true)
        }
        // A skip of a dose already taken: there is nothing to skip.
        Err(companion_core::Error::DoseAlreadyTaken { logged_by, at })
            if status == DoseStatus::Skipped =>
        {
            let at = output::when(&at);
            return Err(match logged_by {
                Some(by) => said("err-skip-taken-by", vec![("by", by), ("at", at)]),
                None => said("err-skip-taken", vec![("at", at)]),
            });
        }
        other => (other.map_err(|e| in_words(e, &ctx))?, false),
    };
    let what = output::dose(&event, &med.name, ctx.words());
    let said = if second {
        "said-second-take"
    } else {
        "said-logged"
    };
    ctx.say(said, &[("what", what)])?;
    if status == DoseStatus::Taken {
        supply_word(record, &med, &mut ctx)?;
    }
    Ok(())
}

/// Says so when a take left the medication's supply empty: the dose is logged, the refill due.
fn supply_word(
    record: &HealthRecord,
    med: &companion_core::model::Medication,
    ctx: &mut Ctx<'_>,
) -> Result<(), CliError> {
    if med.inventory.is_none() {
        return Ok(());
    }
    let tz = ctx.profile.home_time_zone.clone();
    let status = record.refill_status(companion_core::clock::now()?, &tz)?;
    if let Some(s) = status.iter().find(|s| s.medication_id == med.id)
        && s.on_hand <= 0.0
    {
        ctx.say("supply-empty", &[("name", med.name.clone())])?;
    }
    Ok(())
}

/// The medication's name, for a line about one of its doses.
fn med_name(record: &HealthRecord, id: &str) -> Result<String, CliError> {
    Ok(record
        .medication(id)
        .map_or_else(|_| "?".to_string(), |m| m.name))
}

/// The dose whose id is `key` or starts with it (any logged in the record).
fn find(record: &HealthRecord, key: &str) -> Result<DoseEvent, CliError> {
    let all = record.doses(None, companion_core::TimeRange::ALL)?;
    by_id(all, |d| d.id.as_str(), key, "dose")
}

/// A refusal about the schedule, with its times on the home zone's clock.
fn in_words(e: companion_core::Error, ctx: &Ctx<'_>) -> CliError {
    let local = |t: &chrono::DateTime<chrono::Utc>| {
        output::when(&t.with_timezone(&ctx.zone()).fixed_offset())
    };
    match e {
        companion_core::Error::NotAnOccurrence { nearest } if nearest.is_empty() => {
            said("err-no-dose-near", vec![])
        }
        companion_core::Error::NotAnOccurrence { nearest } => said(
            "err-no-dose-at",
            vec![(
                "nearest",
                nearest.iter().map(local).collect::<Vec<_>>().join(", "),
            )],
        ),
        companion_core::Error::SnoozePastNextDose { next } => {
            said("err-snooze-past", vec![("next", local(&next))])
        }
        other => other.into(),
    }
}

/// A refusal of the CLI's catalogue, worded in the record's language when it reaches the top.
fn said(id: &'static str, args: Vec<(&'static str, String)>) -> CliError {
    CliError::Said {
        id,
        args,
        usage: false,
    }
}
