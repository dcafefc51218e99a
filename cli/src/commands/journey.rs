//! `companion journey list|start|status|stop|read|done|import`.

use std::io::Write;

use companion_core::HealthRecord;
use companion_core::journey::{JourneyToday, Template};
use companion_core::model::Journey;

use crate::JourneyCommand;
use crate::context::Ctx;
use crate::error::CliError;

pub fn run(
    record: &mut HealthRecord,
    cmd: JourneyCommand,
    mut ctx: Ctx<'_>,
) -> Result<(), CliError> {
    let language = ctx.profile.language;
    match cmd {
        JourneyCommand::List { json } => {
            let templates = record.journey_templates()?;
            let journeys = record.journeys(true)?;
            if json {
                let templates: Vec<_> = templates
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "id": t.id,
                            "title": t.title.get(language),
                            "author": t.author,
                            "version": t.version,
                            "stages": t.stages.len(),
                            "weeks": weeks(t),
                        })
                    })
                    .collect();
                return ctx.json(&serde_json::json!({
                    "templates": templates,
                    "journeys": journeys,
                }));
            }
            let w = ctx.words();
            writeln!(ctx.out, "{}", w.text("jr-can-start"))?;
            for t in &templates {
                let about = w.get(
                    "jr-template",
                    &[
                        ("stages", t.stages.len().to_string()),
                        ("weeks", weeks(t).to_string()),
                        ("author", t.author.clone()),
                    ],
                );
                writeln!(ctx.out, "  {:<22} {} {about}", t.id, t.title.get(language))?;
            }
            if !journeys.is_empty() {
                writeln!(ctx.out, "{}", w.text("jr-yours"))?;
                for j in &journeys {
                    writeln!(ctx.out, "  {}", journey_line(j, &templates, w))?;
                }
            }
        }
        JourneyCommand::Start { template, at } => {
            let at = ctx.time(at.as_ref())?;
            let journey = record.start_journey(&template, at)?;
            advance(record)?;
            let templates = record.journey_templates()?;
            let line = journey_line(&journey, &templates, ctx.words());
            ctx.say("jr-started", &[("journey", line)])?;
            ctx.say("jr-started-how", &[])?;
        }
        JourneyCommand::Status { json } => {
            advance(record)?;
            let now = companion_core::clock::now()?;
            let today = record.today(now, &ctx.profile.home_time_zone)?;
            if json {
                return ctx.json(&today.journeys);
            }
            if today.journeys.is_empty() {
                ctx.say("jr-none", &[])?;
            }
            let w = ctx.words();
            for j in &today.journeys {
                print_journey(ctx.out, j, true, w)?;
            }
        }
        JourneyCommand::Stop { journey } => {
            let j = find(record, &journey)?;
            let stopped = record.stop_journey(&j.id, ctx.now()?)?;
            let templates = record.journey_templates()?;
            let line = journey_line(&stopped, &templates, ctx.words());
            ctx.say("jr-stopped", &[("journey", line)])?;
        }
        JourneyCommand::Read { card } => {
            let now = ctx.now()?;
            let templates = record.journey_templates()?;
            let found = record.journeys(false)?.into_iter().find_map(|j| {
                let t = templates.iter().find(|t| t.id == j.template_id)?;
                t.card(&card).map(|c| (j.id.clone(), c.clone()))
            });
            let Some((journey_id, c)) = found else {
                return Err(CliError::Said {
                    id: "err-no-card",
                    args: vec![("card", card.clone())],
                    usage: false,
                });
            };
            record.read_card(&journey_id, &c.id, now)?;
            let view = companion_core::journey::status::card_view(&c, language);
            writeln!(ctx.out, "{}", view.title)?;
            writeln!(ctx.out, "{}", view.body)?;
            ctx.say("source-line", &[("source", view.source.clone())])?;
            if let Some(link) = &view.link {
                writeln!(ctx.out, "        {link}")?;
            }
        }
        JourneyCommand::Done { task, at } => {
            let at = ctx.time(at.as_ref())?;
            let templates = record.journey_templates()?;
            let found = record.journeys(false)?.into_iter().find(|j| {
                templates.iter().any(|t| {
                    t.id == j.template_id
                        && t.stages.iter().flat_map(|s| &s.tasks).any(|x| x.id == task)
                })
            });
            let Some(j) = found else {
                return Err(CliError::Said {
                    id: "err-no-task",
                    args: vec![("task", task.clone())],
                    usage: false,
                });
            };
            record.mark_task_done(&j.id, &task, at)?;
            ctx.say(
                "jr-done",
                &[("task", task.clone()), ("when", crate::output::when(&at))],
            )?;
        }
        JourneyCommand::Import { file } => {
            let json = std::fs::read_to_string(&file)
                .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", file.display())))?;
            let t = record.add_template(&json)?;
            ctx.say(
                "jr-imported",
                &[
                    ("id", t.id.clone()),
                    ("title", t.title.get(language).to_string()),
                    ("version", t.version.to_string()),
                ],
            )?;
        }
    }
    Ok(())
}

/// Records what the journeys' engine decides now; on a member's device whose role does not
/// record journey steps (a clinician's), the patient's own device records them.
pub fn advance(record: &mut HealthRecord) -> Result<(), CliError> {
    match record.advance_journeys(companion_core::clock::now()?) {
        Ok(_) => Ok(()),
        Err(companion_core::Error::NotPermitted { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A running journey by its template id or its id.
fn find(record: &HealthRecord, key: &str) -> Result<Journey, CliError> {
    record
        .journeys(false)?
        .into_iter()
        .find(|j| j.template_id == key || j.id == key)
        .ok_or_else(|| CliError::Said {
            id: "err-no-journey",
            args: vec![("key", key.to_string())],
            usage: false,
        })
}

fn weeks(t: &Template) -> u32 {
    let days: u32 = t.stages.iter().map(|s| u32::from(s.expected_days)).sum();
    days.div_ceil(7)
}

fn journey_line(j: &Journey, templates: &[Template], w: &companion_core::i18n::Texts) -> String {
    let title = templates
        .iter()
        .find(|t| t.id == j.template_id)
        .map_or(j.template_id.as_str(), |t| t.title.get(w.language()));
    let mut s = w.get(
        "jr-line",
        &[
            ("title", title.to_string()),
            ("id", j.template_id.clone()),
            ("since", j.started_at.format("%Y-%m-%d").to_string()),
        ],
    );
    if let Some(stopped) = j.stopped_at {
        s = w.get(
            "jr-line-stopped",
            &[
                ("line", s),
                ("stopped", stopped.format("%Y-%m-%d").to_string()),
            ],
        );
    }
    s
}

/// A journey for the home screen: stage and progress, tasks, cards, milestones.
pub fn print_journey(
    out: &mut dyn Write,
    j: &JourneyToday,
    cards: bool,
    w: &companion_core::i18n::Texts,
) -> Result<(), CliError> {
    writeln!(out, "{}", j.title)?;
    if let Some(p) = &j.progress {
        // A stage moves on when its exit conditions hold, not when its days are up.
        let days = [
            ("day", p.day_of_stage.to_string()),
            ("days", p.stage_days.to_string()),
        ];
        let day = if p.day_of_stage > i64::from(p.stage_days) {
            w.get("journey-day-over", &days)
        } else {
            w.get("journey-day", &days)
        };
        let mut line = w.get(
            "journey-stage",
            &[
                ("step", p.step.to_string()),
                ("steps", p.steps.to_string()),
                ("title", p.stage_title.clone()),
                ("day", day),
                ("share", format!("{:.0}", p.journey_share * 100.0)),
            ],
        );
        let checkup = match p.days_to_checkup {
            Some(0) => Some(w.text("journey-checkup-today")),
            Some(1) => Some(w.text("journey-checkup-tomorrow")),
            Some(d) => Some(w.get("journey-checkup-in", &[("days", d.to_string())])),
            None => None,
        };
        if let Some(c) = checkup {
            line = w.get("journey-with-checkup", &[("stage", line), ("checkup", c)]);
        }
        writeln!(out, "  {line}")?;
    }
    for m in &j.milestones {
        writeln!(out, "  ★ {}", m.message)?;
    }
    for t in &j.tasks {
        let mark = if t.done { "[x]" } else { "[ ]" };
        let count = match (t.count, t.target) {
            (Some(c), Some(n)) => format!(
                " ({})",
                w.get(
                    "journey-count",
                    &[("count", c.to_string()), ("target", n.to_string())]
                )
            ),
            _ => String::new(),
        };
        writeln!(out, "  {mark} {}{count}  [{}]", t.title, t.id)?;
    }
    if cards && !j.unread_cards.is_empty() {
        writeln!(out, "  {}", w.text("journey-to-read"))?;
        for c in &j.unread_cards {
            writeln!(out, "    {}  [companion journey read {}]", c.title, c.id)?;
            let source = w.get("source-line", &[("source", c.source.clone())]);
            writeln!(out, "      {source}")?;
        }
    }
    Ok(())
}
