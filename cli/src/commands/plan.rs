//! `companion plan home-bp --before DATE|list`.

use companion_core::HealthRecord;
use companion_core::i18n::Texts;
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
            let w = ctx.words();
            writeln!(
                ctx.out,
                "{}",
                w.get("plan-planned", &[("plan", line(&plan, &w))])
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
                writeln!(ctx.out, "{}", line(p, &w))?;
            }
        }
    }
    Ok(())
}

/// A plan in the reader's words: what, from when to when, at which times, and what to do.
fn line(p: &MeasurementPlan, w: &Texts) -> String {
    let last = p.start + chrono::Days::new(u64::from(p.days.saturating_sub(1)));
    let times: Vec<String> = p
        .times
        .iter()
        .map(|t| t.format("%H:%M").to_string())
        .collect();
    let mut s = w.get(
        "plan-line",
        &[
            ("kind", w.text(&format!("kind-{}", p.kind.as_str()))),
            ("from", p.start.to_string()),
            ("to", last.to_string()),
            ("times", times.join(&w.text("plan-and"))),
        ],
    );
    let instructions = w.plan_instructions(p);
    if !instructions.is_empty() {
        s = w.get(
            "plan-with-instructions",
            &[("plan", s), ("instructions", instructions)],
        );
    }
    s
}
