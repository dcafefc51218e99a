//! `companion ask QUESTIONNAIRE`: a questionnaire answered interactively (one question at a
//! time on standard input) or with the answers as flags, scored on the device and stored.

use std::io::BufRead;

use companion_core::HealthRecord;
use companion_core::journey::questionnaire::{Answer, Item};
use companion_core::journey::{Given, Questionnaire};
use companion_core::model::Language;

use crate::context::Ctx;
use crate::error::{CliError, usage_said};

pub fn run(
    record: &mut HealthRecord,
    mut ctx: Ctx<'_>,
    id: &str,
    args: &[String],
) -> Result<(), CliError> {
    let language = ctx.profile.language;
    let all = record.questionnaires()?;
    let Some(q) = all.iter().find(|q| q.id == id) else {
        let ids: Vec<&str> = all.iter().map(|q| q.id.as_str()).collect();
        return Err(CliError::Said {
            id: "err-no-questionnaire",
            args: vec![("id", id.to_string()), ("ids", ids.join(", "))],
            usage: true,
        });
    };
    // Not meant for this patient: say why before asking anything.
    if q.declined_for(&ctx.profile.conditions) {
        let reason = q
            .not_for_reason
            .as_ref()
            .map(|r| r.get(language).to_string())
            .unwrap_or_default();
        return Err(CliError::Failed(reason));
    }
    let (mut pairs, json) = flags(args)?;
    let answers: Vec<(String, Given)> = if pairs.is_empty() {
        interactive(q, language, &mut ctx)?
    } else {
        let mut out = Vec::new();
        for (item_id, value) in pairs.drain(..) {
            let Some(item) = q.items.iter().find(|i| i.id == item_id) else {
                let ids: Vec<&str> = q.items.iter().map(|i| i.id.as_str()).collect();
                return Err(CliError::Said {
                    id: "err-no-question",
                    args: vec![
                        ("id", id.to_string()),
                        ("item", item_id.clone()),
                        ("ids", ids.join(", ")),
                    ],
                    usage: true,
                });
            };
            let given = read_answer(item, &value).ok_or_else(|| CliError::Said {
                id: "err-answer",
                args: vec![
                    ("item", item_id.clone()),
                    ("expected", expected(item, language)),
                ],
                usage: true,
            })?;
            out.push((item_id, given));
        }
        out
    };
    let response = record.answer_questionnaire(&q.id, &answers, ctx.now()?)?;
    if json {
        return ctx.json(&response);
    }
    let w = crate::words::words(language);
    let band = q.bands.iter().find(|b| b.id == response.band);
    writeln!(
        ctx.out,
        "{}",
        w.get(
            "ask-points",
            &[
                ("title", q.title.get(language).to_string()),
                ("points", trim(response.total)),
            ]
        )
    )?;
    if let Some(b) = band {
        writeln!(
            ctx.out,
            "{}. {}",
            b.label.get(language),
            b.advice.get(language)
        )?;
    }
    if response.see_doctor {
        writeln!(ctx.out, "{}", w.text("ask-see-doctor"))?;
    }
    let mut source = format!("{}, {}", q.source.publisher, q.source.title);
    if let Some(y) = q.source.year {
        source.push_str(&format!(", {y}"));
    }
    writeln!(ctx.out, "{}", w.get("source-line", &[("source", source)]))?;
    writeln!(ctx.out, "{}", w.text("ask-stored"))?;
    Ok(())
}

/// The answers given as `--item value`, `--item=value` or `item=value`, and `--json`.
fn flags(args: &[String]) -> Result<(Vec<(String, String)>, bool), CliError> {
    let mut pairs = Vec::new();
    let mut json = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--json" {
            json = true;
        } else if let Some(name) = arg.strip_prefix("--") {
            match name.split_once('=') {
                Some((k, v)) => pairs.push((k.to_string(), v.to_string())),
                None => {
                    let Some(v) = it.next() else {
                        return usage_said("err-needs-answer", vec![("name", name.to_string())]);
                    };
                    pairs.push((name.to_string(), v.clone()));
                }
            }
        } else if let Some((k, v)) = arg.split_once('=') {
            pairs.push((k.to_string(), v.to_string()));
        } else {
            return usage_said("err-unexpected-answer", vec![("arg", format!("{arg:?}"))]);
        }
    }
    Ok((pairs, json))
}

/// An answer as typed: an option's id or its number (1, 2, ...), or a number.
fn read_answer(item: &Item, text: &str) -> Option<Given> {
    let text = text.trim();
    match &item.answer {
        Answer::Choice { options } => {
            if let Some(o) = options.iter().find(|o| o.id == text) {
                return Some(Given::Choice(o.id.clone()));
            }
            let n: usize = text.parse().ok()?;
            let o = options.get(n.checked_sub(1)?)?;
            Some(Given::Choice(o.id.clone()))
        }
        Answer::Number { min, max, .. } => companion_core::model::units::parse_decimal(text)
            .filter(|v| (*min..=*max).contains(v))
            .map(Given::Number),
    }
}

fn expected(item: &Item, language: Language) -> String {
    let w = crate::words::words(language);
    match &item.answer {
        Answer::Choice { options } => {
            let ids: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(i, o)| format!("{} ({}: {})", o.id, i + 1, o.label.get(language)))
                .collect();
            w.get("ask-one-of", &[("list", ids.join(", "))])
        }
        Answer::Number { min, max, unit, .. } => w.get(
            "ask-number",
            &[
                ("min", trim(*min)),
                ("max", trim(*max)),
                ("unit", unit.clone()),
            ],
        ),
    }
}

/// Asks each question on the output and reads the answers from standard input.
fn interactive(
    q: &Questionnaire,
    language: Language,
    ctx: &mut Ctx<'_>,
) -> Result<Vec<(String, Given)>, CliError> {
    let w = crate::words::words(language);
    writeln!(
        ctx.out,
        "{}",
        w.get(
            "ask-questions",
            &[
                ("title", q.title.get(language).to_string()),
                ("n", q.items.len().to_string()),
            ]
        )
    )?;
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut out = Vec::new();
    for (n, item) in q.items.iter().enumerate() {
        writeln!(ctx.out, "{}. {}", n + 1, item.text.get(language))?;
        if let Answer::Choice { options } = &item.answer {
            for (i, o) in options.iter().enumerate() {
                writeln!(ctx.out, "   {}) {}", i + 1, o.label.get(language))?;
            }
        }
        loop {
            write!(ctx.out, "> ")?;
            ctx.out.flush()?;
            let Some(line) = lines.next() else {
                return Err(CliError::Said {
                    id: "err-no-answer",
                    args: vec![("item", item.id.clone())],
                    usage: true,
                });
            };
            let line = line?;
            match read_answer(item, &line) {
                Some(g) => {
                    out.push((item.id.clone(), g));
                    break;
                }
                None => writeln!(
                    ctx.out,
                    "{}",
                    w.get("ask-please", &[("expected", expected(item, language))])
                )?,
            }
        }
    }
    Ok(out)
}

fn trim(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}
