//! `companion med add|list|edit|pause|resume|stop|refill|supply`.

use chrono::{DateTime, FixedOffset};
use companion_core::HealthRecord;
use companion_core::model::{Medication, MedicationStatus};

use crate::context::{Ctx, find_med};
use crate::error::CliError;
use crate::{MedCommand, MedDetails, output};

pub fn run(record: &mut HealthRecord, cmd: MedCommand, mut ctx: Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        MedCommand::Add(add) => {
            let Some(schedule) = add.schedule.schedule()? else {
                return Err(CliError::Said {
                    id: "err-no-schedule",
                    args: vec![],
                    usage: true,
                });
            };
            let dose = crate::parse::dose(&add.dose, &ctx.profile)?;
            let now = ctx.now()?;
            let mut m = Medication::new(&add.name, dose, schedule, now.date_naive())?;
            // Doses before it was added are not missed.
            m.recorded_at = Some(now.to_utc());
            let counts = counts(&add.details, &ctx.profile)?;
            apply_details(&mut m, add.details, counts, ctx.now()?);
            if let Some(policy) = add.schedule.zone_policy() {
                m.time_zone = policy;
            }
            record.add_medication_checked(&m, add.confirm)?;
            {
                let what = output::medication(&m, ctx.words());
                ctx.say("said-added", &[("what", what)])?;
            }
        }
        MedCommand::List { all, json } => {
            let meds = record.medications(all)?;
            if json {
                return ctx.json(&meds);
            }
            if meds.is_empty() {
                ctx.say("none-medications", &[])?;
            }
            for m in &meds {
                writeln!(ctx.out, "{}", output::medication(m, ctx.words()))?;
            }
        }
        MedCommand::Edit(edit) => {
            let id = find_med(record, &edit.med)?.id;
            let dose = edit
                .dose
                .as_deref()
                .map(|d| crate::parse::dose(d, &ctx.profile))
                .transpose()?;
            let schedule = edit.schedule.schedule()?;
            let policy = edit.schedule.zone_policy();
            let now = ctx.now()?;
            let counts = counts(&edit.details, &ctx.profile)?;
            // The edit is applied to the medication as stored when the write begins, so an edit
            // of other fields by another process at the same time is kept.
            let m = record.modify_medication_checked_at(&id, now.to_utc(), edit.confirm, |m| {
                if let Some(name) = edit.name {
                    m.name = name;
                }
                if let Some(dose) = dose {
                    m.dose = dose;
                }
                apply_details(m, edit.details, counts, now);
                if let Some(schedule) = schedule {
                    m.schedule = schedule;
                }
                if let Some(policy) = policy {
                    m.time_zone = policy;
                }
                Ok(())
            })?;
            {
                let what = output::medication(&m, ctx.words());
                ctx.say("said-changed", &[("what", what)])?;
            }
        }
        MedCommand::Pause { med } => status(record, &med, MedicationStatus::Paused, ctx)?,
        MedCommand::Resume { med } => status(record, &med, MedicationStatus::Active, ctx)?,
        MedCommand::Stop { med } => status(record, &med, MedicationStatus::Stopped, ctx)?,
        MedCommand::Refill { med, amount } => {
            let m = find_med(record, &med)?;
            if m.inventory.is_none() {
                return Err(CliError::Said {
                    id: "err-no-supply",
                    args: vec![],
                    usage: true,
                });
            }
            let amount = amount.value(&ctx.profile)?;
            let refill = companion_core::model::Refill::new(&m.id, ctx.now()?, amount)?;
            record.log_refill(&refill)?;
            ctx.say(
                "said-refill",
                &[("amount", amount.to_string()), ("name", m.name.clone())],
            )?;
        }
        MedCommand::Supply { json } => {
            let tz = ctx.profile.home_time_zone.clone();
            let list = record.refill_status(companion_core::clock::now()?, &tz)?;
            if json {
                return ctx.json(&list);
            }
            if list.is_empty() {
                ctx.say("none-supply", &[])?;
            }
            for r in &list {
                writeln!(ctx.out, "{}", output::supply(r, ctx.words()))?;
            }
        }
    }
    Ok(())
}

/// The inventory count and the units per dose of `d`, read by the record's decimal mark.
fn counts(
    d: &MedDetails,
    profile: &companion_core::model::Profile,
) -> Result<(Option<f64>, Option<f64>), CliError> {
    Ok((
        d.inventory.as_ref().map(|n| n.value(profile)).transpose()?,
        d.units_per_dose
            .as_ref()
            .map(|n| n.value(profile))
            .transpose()?,
    ))
}

fn apply_details(
    m: &mut Medication,
    d: MedDetails,
    (inventory, units_per_dose): (Option<f64>, Option<f64>),
    now: DateTime<FixedOffset>,
) {
    if let Some(s) = d.strength {
        m.strength = Some(s);
    }
    if let Some(form) = d.form {
        m.form = form;
    }
    if let Some(i) = d.instructions {
        m.instructions = Some(i);
    }
    if let Some(p) = d.prescriber {
        m.prescriber = Some(p);
    }
    if let Some(start) = d.start {
        m.start = start;
    }
    if let Some(end) = d.end {
        m.end = Some(end);
    }
    if let Some(count) = inventory {
        m.inventory = Some(companion_core::model::Inventory {
            count,
            counted_at: now,
            per_dose: units_per_dose.unwrap_or(1.0),
        });
    } else if let (Some(per_dose), Some(inv)) = (units_per_dose, m.inventory.as_mut()) {
        inv.per_dose = per_dose;
    }
    if let Some(days) = d.refill_days {
        m.refill_days_ahead = days;
    }
    if let Some(g) = d.grace_min {
        m.grace_minutes = g;
    }
}

fn status(
    record: &mut HealthRecord,
    med: &str,
    status: MedicationStatus,
    ctx: Ctx<'_>,
) -> Result<(), CliError> {
    let m = find_med(record, med)?;
    let m = record.set_medication_status(&m.id, status)?;
    writeln!(ctx.out, "{}", output::medication(&m, ctx.words()))?;
    Ok(())
}
