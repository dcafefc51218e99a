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
                return Err(CliError::Said {
                    id: "err-visit-past",
                    args: vec![("date", before.to_string())],
                    usage: false,
                });
            }
            let plan = MeasurementPlan::home_blood_pressure_before(before);
            record.add_measurement_plan(&plan)?;
            let w = ctx.words();
            writeln!(
                ctx.out,
                "{}",
                w.get("plan-planned", &[("plan", w.plan_line(&plan))])
            )?;
            writeln!(ctx.out, "{}", w.text("plan-reminders"))?;
        }
        PlanCommand::List { json } => {
            let plans = record.measurement_plans()?;
            if json {
                return ctx.json(&plans);
            }
            let w = ctx.words();
            if plans.is_empty() {
                writeln!(ctx.out, "{}", w.text("plan-none"))?;
            }
            for p in &plans {
                writeln!(ctx.out, "{}", w.plan_line(p))?;
            }
        }
    }
    Ok(())
}
