//! `companion alerts list|ack`.

use companion_core::HealthRecord;

use crate::context::Ctx;
use crate::error::CliError;
use crate::{AlertsCommand, output};

/// `companion alerts`.
pub fn run(
    record: &mut HealthRecord,
    mut ctx: Ctx<'_>,
    cmd: AlertsCommand,
) -> Result<(), CliError> {
    match cmd {
        AlertsCommand::List { days, json } => {
            let list = record.alerts(ctx.last_days(Some(days))?)?;
            if json {
                return ctx.json(&output::alerts_json(&list, &ctx.profile));
            }
            if list.is_empty() {
                ctx.say("none-alerts", &[("days", days.to_string())])?;
            }
            let w = ctx.words();
            let paren = |text: String| format!(" {}", w.get("paren", &[("text", text)]));
            for a in &list {
                let text = companion_core::clinical::alerts::render(
                    a,
                    ctx.profile.language,
                    &ctx.profile.units,
                );
                let value = text.value.map(paren).unwrap_or_default();
                let resolved = match (a.course(), text.course) {
                    (companion_core::model::AlertCourse::Corrected, _) => {
                        paren(w.text("alert-corrected"))
                    }
                    (_, Some(course)) => paren(course),
                    _ => String::new(),
                };
                let seen = a
                    .acknowledged_by
                    .as_deref()
                    .map(|b| paren(w.get("alert-seen-by", &[("by", b.to_string())])))
                    .unwrap_or_default();
                writeln!(
                    ctx.out,
                    "{}  {}{value}{seen}{resolved}  [{}]",
                    output::when(&a.at),
                    text.title,
                    a.id
                )?;
                if a.kind == companion_core::model::AlertKind::DoseLoggedTwice {
                    writeln!(ctx.out, "  {}", text.advice)?;
                }
            }
        }
        AlertsCommand::Ack { id, by } => {
            let a = record.acknowledge_alert(&id, &by)?;
            let text = companion_core::clinical::alerts::render(
                &a,
                ctx.profile.language,
                &ctx.profile.units,
            );
            ctx.say("said-seen", &[("title", text.title), ("by", by)])?;
        }
    }
    Ok(())
}
