//! `companion plan home-bp --before DATE|list`.

use companion_core::HealthRecord;
use companion_core::model::MeasurementPlan;

use crate::PlanCommand;
use crate::context::Ctx;
use crate::error::CliError;

pub fn run(record: &mut HealthRecord, cmd: PlanCommand, mut ctx: Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        PlanCommand::HomeBp { before } => {
            let today = ctx.now()?.date_naive();
            if before <= today {
                return Err(CliError::Failed(format!(
                    "the visit on {before} is not ahead; the home week ends the day before a \
                     visit still to come"
                )));
            }
            let plan = MeasurementPlan::home_blood_pressure_before(before);
            record.add_measurement_plan(&plan)?;
            writeln!(ctx.out, "Planned {}", line(&plan))?;
            writeln!(
                ctx.out,
                "Reminders come at each time; `companion today` shows what is left each day."
            )?;
        }
        PlanCommand::List { json } => {
            let plans = record.measurement_plans()?;
            if json {
                return ctx.json(&plans);
            }
            if plans.is_empty() {
                writeln!(ctx.out, "No measurement plans")?;
            }
            for p in &plans {
                writeln!(ctx.out, "{}", line(p))?;
            }
        }
    }
    Ok(())
}

fn line(p: &MeasurementPlan) -> String {
    let last = p.start + chrono::Days::new(u64::from(p.days.saturating_sub(1)));
    let times: Vec<String> = p
        .times
        .iter()
        .map(|t| t.format("%H:%M").to_string())
        .collect();
    let mut s = format!(
        "{} readings from {} to {} at {}",
        p.kind.as_str(),
        p.start,
        last,
        times.join(" and ")
    );
    if let Some(i) = &p.instructions {
        s.push_str(&format!(". {i}"));
    }
    s
}
