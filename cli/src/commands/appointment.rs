//! `companion appointment add|edit|cancel|list`.

use companion_core::model::Appointment;
use companion_core::{HealthRecord, TimeRange};

use crate::AppointmentCommand;
use crate::context::{Ctx, by_id};
use crate::error::CliError;
use crate::output;

pub fn run(
    record: &mut HealthRecord,
    cmd: AppointmentCommand,
    mut ctx: Ctx<'_>,
) -> Result<(), CliError> {
    match cmd {
        AppointmentCommand::Add {
            title,
            at,
            clinician,
            location,
            note,
        } => {
            let mut a = Appointment::new(ctx.time(Some(&at))?, &title)?;
            a.clinician = clinician;
            a.location = location;
            a.note = note;
            record.add_appointment(&a)?;
            {
                let what = line(&a, ctx.words());
                ctx.say("said-booked", &[("what", what)])?;
            }
        }
        AppointmentCommand::Edit {
            id,
            at,
            title,
            clinician,
            location,
            note,
        } => {
            let mut a = find(record, &id)?;
            if at.is_some() {
                a.at = ctx.time(at.as_ref())?;
            }
            if let Some(title) = title {
                a.title = title;
            }
            a.clinician = clinician.or(a.clinician);
            a.location = location.or(a.location);
            a.note = note.or(a.note);
            record.update_appointment(&a)?;
            {
                let what = line(&a, ctx.words());
                ctx.say("said-changed", &[("what", what)])?;
            }
        }
        AppointmentCommand::Cancel { id } => {
            let a = find(record, &id)?;
            record.delete_appointment(&a.id)?;
            {
                let what = line(&a, ctx.words());
                ctx.say("said-cancelled", &[("what", what)])?;
            }
        }
        AppointmentCommand::List { all, json } => {
            let range = if all {
                TimeRange::ALL
            } else {
                TimeRange {
                    from: Some(companion_core::clock::now()?),
                    to: None,
                }
            };
            let mut list = record.appointments(range)?;
            list.sort_by_key(|a| a.at);
            if json {
                return ctx.json(&list);
            }
            if list.is_empty() {
                ctx.say("none-appointments", &[])?;
            }
            for a in &list {
                writeln!(ctx.out, "{}", line(a, ctx.words()))?;
            }
        }
    }
    Ok(())
}

/// An appointment as one line: when, what, with whom, where.
pub fn line(a: &Appointment, w: &companion_core::i18n::Texts) -> String {
    let mut s = format!("{}  {}", output::when(&a.at), a.title);
    if let Some(c) = &a.clinician {
        s.push_str(&format!(
            " {}",
            w.get("appointment-with", &[("who", c.clone())])
        ));
    }
    if let Some(l) = &a.location {
        s.push_str(&format!(
            " {}",
            w.get("appointment-where", &[("where", l.clone())])
        ));
    }
    if let Some(n) = &a.note {
        s.push_str(&format!(" ({n})"));
    }
    s
}

/// The appointment whose id is `key` or starts with it.
fn find(record: &HealthRecord, key: &str) -> Result<Appointment, CliError> {
    by_id(
        record.appointments(TimeRange::ALL)?,
        |a| a.id.as_str(),
        key,
        "appointment",
    )
}
