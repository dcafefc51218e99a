//! `companion reading add|list|edit|delete`.

use companion_core::model::{Measurement, Reading};
use companion_core::{HealthRecord, PageCursor, ReadingQuery};
use serde_json::json;

use crate::context::Ctx;
use crate::error::CliError;
use crate::{ReadingCommand, output, parse};

pub fn run(
    record: &mut HealthRecord,
    cmd: ReadingCommand,
    mut ctx: Ctx<'_>,
) -> Result<(), CliError> {
    match cmd {
        ReadingCommand::Add(add) => {
            let kind = add.kind;
            let v = &add.value_args;
            let (m, unit) = parse::measurement(
                kind,
                &add.value,
                v.unit.as_deref(),
                v.context,
                v.pulse,
                &ctx.profile,
            )?;
            let mut reading = Reading::new(m, ctx.time(add.at.as_ref())?)?;
            reading.entered_unit = unit;
            reading.note = add.note;
            reading.logged_by = add.by;
            reading.setting = add.setting;
            reading.sensor_interval_minutes = add.sensor_minutes;
            let outcome = match record.record_reading(&reading) {
                Err(companion_core::Error::NotPermitted { .. })
                    if record.is_shared()?
                        && record.members()?.role == companion_core::sync::Role::Clinician =>
                {
                    return Err(crate::error::CliError::Said {
                        id: "err-clinician-reading",
                        args: vec![],
                        usage: true,
                    });
                }
                other => other?,
            };
            let stored = ctx.words().get(
                "said-stored",
                &[
                    (
                        "kind",
                        output::kind_words(&reading.measurement, ctx.words()),
                    ),
                    ("value", output::value(&reading.measurement, &ctx.profile)),
                    ("when", output::when(&reading.at)),
                    ("id", outcome.id.clone()),
                ],
            );
            writeln!(ctx.out, "{stored}")?;
            if let Some(line) =
                output::assessment(&outcome.assessment, ctx.profile.units.glucose, ctx.words())
            {
                writeln!(ctx.out, "{line}")?;
            }
            for alert in &outcome.alerts {
                writeln!(ctx.out, "{}", output::alert(alert, &ctx.profile))?;
            }
        }
        ReadingCommand::List {
            kind,
            days,
            limit,
            after,
            json,
        } => {
            let query = ReadingQuery {
                kind,
                range: ctx.last_days(days)?,
                limit,
                after: after.as_deref().map(PageCursor::parse).transpose()?,
            };
            let page = record.readings(&query)?;
            let next = page.next.as_ref().map(|c| c.as_str().to_string());
            if json {
                return ctx.json(&json!({ "readings": page.readings, "next": next }));
            }
            if page.readings.is_empty() {
                ctx.say("none-readings", &[])?;
            }
            for r in &page.readings {
                writeln!(ctx.out, "{}", output::reading(r, &ctx.profile, ctx.words()))?;
            }
            if let Some(next) = next {
                ctx.say("more-after", &[("next", next)])?;
            }
        }
        ReadingCommand::Edit {
            id,
            value,
            value_args,
            at,
            note,
        } => {
            // A reading's kind never changes: the new value is read as that kind.
            let kind = record.reading(&id)?.measurement.kind();
            let (said_context, said_pulse) = (value_args.context, value_args.pulse);
            let value = match value {
                Some(value) => {
                    let v = &value_args;
                    Some(parse::measurement(
                        kind,
                        &value,
                        v.unit.as_deref(),
                        v.context,
                        v.pulse,
                        &ctx.profile,
                    )?)
                }
                None if value_args.unit.is_some()
                    || value_args.context.is_some()
                    || value_args.pulse.is_some() =>
                {
                    return Err(CliError::Said {
                        id: "err-value-again",
                        args: vec![],
                        usage: true,
                    });
                }
                None => None,
            };
            let at = at.map(|at| ctx.time(Some(&at))).transpose()?;
            // Applied to the reading as stored when the write begins: a note added meanwhile
            // by another process stays.
            let reading = record.modify_reading(&id, |r| {
                if let Some((mut m, unit)) = value {
                    // What the new value does not say (a glucose's meal context, a pressure's
                    // pulse) stays as stored, read inside the write.
                    match (&mut m, &r.measurement) {
                        (
                            Measurement::Glucose { context, .. },
                            Measurement::Glucose { context: was, .. },
                        ) if said_context.is_none() => *context = *was,
                        (
                            Measurement::BloodPressure { pulse, .. },
                            Measurement::BloodPressure { pulse: was, .. },
                        ) if said_pulse.is_none() => *pulse = *was,
                        _ => {}
                    }
                    r.measurement = m;
                    r.entered_unit = unit;
                }
                if let Some(at) = at {
                    r.at = at;
                }
                if let Some(note) = note {
                    r.note = Some(note);
                }
                Ok(())
            })?;
            {
                let what = output::reading(&reading, &ctx.profile, ctx.words());
                ctx.say("said-corrected", &[("what", what)])?;
            }
        }
        ReadingCommand::Delete { id } => {
            record.delete_reading(&id)?;
            ctx.say("said-reading-deleted", &[("id", id)])?;
        }
    }
    Ok(())
}
