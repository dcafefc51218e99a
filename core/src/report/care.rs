//! The report's sections on the plan of care and what the patient reports: the journey's
//! stage, the next appointment and the measurement plans; questionnaires; symptoms from the
//! journal and as-needed use; and, after surgery, pain, wound checks and fever.

use std::fmt::Write;

use super::findings;
use super::svg::esc;
use super::{ReportData, section};
use crate::i18n::Texts;
use crate::journey::builtin;
use crate::model::Measurement;

/// The journeys' stage, the next appointment and the measurement plans; nothing when there is
/// none of them.
pub fn plan_of_care(data: &ReportData, t: &Texts) -> String {
    let mut items = Vec::new();
    for j in &data.journeys {
        let line = match &j.progress {
            Some(p) => t.get(
                "care-journey",
                &[
                    ("title", j.title.clone()),
                    ("step", p.step.to_string()),
                    ("steps", p.steps.to_string()),
                    ("stage", p.stage_title.clone()),
                    ("day", p.day_of_stage.to_string()),
                ],
            ),
            None => j.title.clone(),
        };
        items.push(line);
    }
    if let Some(a) = findings::next_visit(data) {
        let mut line = t.get(
            "care-next-visit",
            &[
                ("title", a.title.clone()),
                (
                    "date",
                    a.at.with_timezone(&data.zone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                ),
            ],
        );
        if let Some(c) = &a.clinician {
            line.push_str(&format!(" ({c})"));
        }
        items.push(line);
    }
    for p in &data.plans {
        items.push(t.plan_line(p));
    }
    if items.is_empty() {
        return String::new();
    }
    section("care", t.text("section-care"), list("care-list", &items))
}

/// The latest result of each questionnaire answered in the period, with its band and advice.
pub fn questionnaires(data: &ReportData, t: &Texts) -> String {
    let all = builtin::questionnaires().unwrap_or_default();
    let language = t.language();
    let mut rows = String::new();
    for r in findings::latest_responses(data) {
        let Some(q) = all.iter().find(|q| q.id == r.questionnaire_id) else {
            continue;
        };
        let band = q.bands.iter().find(|b| b.id == r.band);
        let class = if r.see_doctor { " class=\"alert\"" } else { "" };
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td{class}>{:.0} – {}</td><td>{}</td></tr>",
            r.at.with_timezone(&data.zone).format("%Y-%m-%d"),
            esc(q.title.get(language)),
            r.total,
            esc(band.map_or("", |b| b.label.get(language))),
            esc(band.map_or("", |b| b.advice.get(language))),
        );
    }
    if rows.is_empty() {
        return String::new();
    }
    let body = format!(
        "<table id=\"questionnaires\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>",
        esc(&t.text("col-when")),
        esc(&t.text("col-questionnaire")),
        esc(&t.text("col-score")),
        esc(&t.text("col-advice")),
    );
    section("questionnaires", t.text("section-questionnaires"), body)
}

/// What the patient reports between visits: symptoms named in their journal, doses skipped
/// and why, and as-needed medicines taken.
pub fn reported(data: &ReportData, t: &Texts) -> String {
    let mut items = Vec::new();
    for (name, count, last) in findings::symptoms(data) {
        items.push(t.get(
            "rep-symptom",
            &[
                ("symptom", name),
                ("count", count.to_string()),
                (
                    "last",
                    last.with_timezone(&data.zone).format("%m-%d").to_string(),
                ),
            ],
        ));
    }
    for k in findings::skips(data) {
        let reasons: Vec<String> = k
            .reasons
            .iter()
            .map(|(r, n)| {
                t.get(
                    "rep-reason",
                    &[("reason", r.clone()), ("count", n.to_string())],
                )
            })
            .collect();
        let reasons = if reasons.is_empty() {
            t.text("rep-no-reason")
        } else {
            reasons.join(t.text("list-sep").as_str())
        };
        items.push(t.get(
            "rep-skipped",
            &[
                ("name", k.name),
                ("count", k.count.to_string()),
                ("reasons", reasons),
            ],
        ));
    }
    for (name, doses, days) in findings::as_needed_use(data) {
        items.push(t.get(
            "rep-as-needed",
            &[
                ("name", name),
                ("doses", doses.to_string()),
                ("days", days.to_string()),
            ],
        ));
    }
    if items.is_empty() {
        return String::new();
    }
    section(
        "reported",
        t.text("section-reported"),
        list("reported-list", &items),
    )
}

/// After surgery: pain scores over time, wound checks, temperatures and fever, the journey's
/// stage. Nothing for other patients.
pub fn surgery(data: &ReportData, t: &Texts) -> String {
    if !findings::after_surgery(data) {
        return String::new();
    }
    let mut body = String::new();
    // Pain, 0-10, oldest first.
    let pain: Vec<String> = data
        .responses
        .iter()
        .filter(|r| r.questionnaire_id == "pain")
        .map(|r| {
            format!(
                "{} {:.0}/10",
                r.at.with_timezone(&data.zone).format("%m-%d"),
                r.total
            )
        })
        .collect();
    let _ = write!(
        body,
        "<p id=\"surgery-pain\"><strong>{}</strong> {}</p>",
        esc(&t.text("surgery-pain")),
        esc(&if pain.is_empty() {
            t.text("surgery-none")
        } else {
            pain.join(" · ")
        })
    );
    let checks: Vec<String> = data
        .wound_checks
        .iter()
        .filter(|at| (data.from..data.to).contains(&at.to_utc()))
        .map(|at| at.with_timezone(&data.zone).format("%m-%d").to_string())
        .collect();
    let _ = write!(
        body,
        "<p id=\"surgery-wound\"><strong>{}</strong> {}</p>",
        esc(&t.text("surgery-wound")),
        esc(&if checks.is_empty() {
            t.text("surgery-none")
        } else {
            t.get(
                "surgery-wound-checks",
                &[
                    ("count", checks.len().to_string()),
                    ("days", checks.join(", ")),
                ],
            )
        })
    );
    let units = &data.profile.units;
    let fever_at = data.targets.fever_threshold_c.unwrap_or(findings::FEVER_C);
    let temps: Vec<String> = data
        .readings
        .iter()
        .filter_map(|r| match r.measurement {
            Measurement::Temperature { celsius } => {
                let shown = format!(
                    "{} {}",
                    r.at.with_timezone(&data.zone).format("%m-%d %H:%M"),
                    t.measurement(&r.measurement, units)
                );
                Some(if celsius >= fever_at {
                    format!(
                        "{shown} {}",
                        t.get("paren", &[("text", t.text("flag-fever"))])
                    )
                } else {
                    shown
                })
            }
            _ => None,
        })
        .collect();
    let _ = write!(
        body,
        "<p id=\"surgery-temperature\"><strong>{}</strong> {}</p><p class=\"note\">{}</p>",
        esc(&t.text("surgery-temperature")),
        esc(&if temps.is_empty() {
            t.text("surgery-none")
        } else {
            temps.join(" · ")
        }),
        esc(&t.get(
            "surgery-fever-threshold",
            &[("threshold", units.temperature.format(fever_at))]
        ))
    );
    section("surgery", t.text("section-surgery"), body)
}

fn list(id: &str, items: &[String]) -> String {
    let mut out = format!("<ul id=\"{id}\">");
    for i in items {
        let _ = write!(out, "<li>{}</li>", esc(i));
    }
    out.push_str("</ul>");
    out
}
