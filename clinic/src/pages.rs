//! The workspace's pages, rendered on the server as plain HTML (no script, no request to any
//! other host): the sign-in form, the patient list and the patient page. Every value is
//! escaped; every form carries the session's form token.

use std::fmt::Write;

use companion_core::model::{Language, Medication};
use companion_core::zone::Zone;

use crate::gather::PERIODS;
use crate::row::{Flag, PatientRow};
use crate::staff::View;

const CSS: &str = r#"
body { font: 15px/1.45 -apple-system, "Segoe UI", "Noto Sans", sans-serif; color: #1b1f24; margin: 0; }
header { background: #1f3b5c; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: center; }
header a { color: #fff; } header .who { margin-left: auto; }
header button { color: #fff; background: transparent; border: 1px solid #fff; border-radius: 3px; padding: 2px 8px; cursor: pointer; }
main { padding: 12px 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
.flag { display: inline-block; background: #f4e1e4; color: #8c1526; border-radius: 3px; padding: 0 4px; margin: 1px; font-size: 12px; }
.crisis { background: #8c1526; color: #fff; }
.bad { color: #8c1526; font-weight: 600; } .note { color: #5b6570; font-size: 13px; }
form.inline { display: inline; } fieldset { border: 1px solid #c8cdd3; margin: 8px 0; }
iframe { width: 100%; height: 70vh; border: 1px solid #c8cdd3; }
.error { background: #f4e1e4; padding: 8px; border: 1px solid #8c1526; }
"#;

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, who: Option<(&str, &str)>, body: &str) -> String {
    let mut html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{} - Companion clinic</title><style>{CSS}</style></head><body><header><strong>Companion clinic</strong>"#,
        esc(title)
    );
    if let Some((name, token)) = who {
        let _ = write!(
            html,
            r#"<a href="/">Patients</a><span class="who">{}</span><form class="inline" method="post" action="/logout"><input type="hidden" name="form_token" value="{}"><button type="submit">Sign out</button></form>"#,
            esc(name),
            esc(token)
        );
    }
    let _ = write!(html, "</header><main>{body}</main></body></html>");
    html
}

/// The sign-in form, with `error` shown above it.
pub fn sign_in(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e)))
        .unwrap_or_default();
    page(
        "Sign in",
        None,
        &format!(
            r#"<h1>Sign in</h1>{error}<form method="post" action="/login"><p><label>Name <input name="name" autocomplete="username" required></label></p><p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p><p><button type="submit">Sign in</button></p></form>"#
        ),
    )
}

fn one(v: f64) -> String {
    format!("{v:.0}")
}

/// What the list shows: its rows, period and filters.
pub struct ListView<'a> {
    /// Rows in the order shown.
    pub rows: &'a [PatientRow],
    /// Records that could not be read.
    pub unreadable: usize,
    /// The period, days.
    pub days: u32,
    /// The filters applied.
    pub filters: &'a [Flag],
    /// Who is signed in, and the session's form token.
    pub who: (&'a str, &'a str),
    /// The zone times are shown in.
    pub zone: &'a Zone,
}

/// The patient list.
pub fn list(v: &ListView<'_>) -> String {
    let mut body = String::from(
        "<h1>Patients</h1><form method=\"get\" action=\"/\" id=\"filters\"><p>Period: ",
    );
    for d in PERIODS {
        let _ = write!(
            body,
            r#"<label><input type="radio" name="days" value="{d}"{}> {d} days</label> "#,
            if d == v.days { " checked" } else { "" }
        );
    }
    body.push_str("</p><p>Show only: ");
    for f in Flag::ALL {
        let _ = write!(
            body,
            r#"<label><input type="checkbox" name="filter" value="{}"{}> {}</label> "#,
            f.name(),
            if v.filters.contains(&f) {
                " checked"
            } else {
                ""
            },
            esc(f.label())
        );
    }
    body.push_str(r#"<button type="submit">Apply</button></p></form>"#);
    if v.unreadable > 0 {
        let _ = write!(
            body,
            r#"<p class="error">{} record(s) of this device could not be read and are not listed.</p>"#,
            v.unreadable
        );
    }
    let _ = write!(
        body,
        r#"<p class="note">{} patient(s), sorted by need, over the last {} days.</p><table id="patients"><thead><tr><th>Patient</th><th>Home BP (target)</th><th>Glucose</th><th>Adherence</th><th>Last data</th><th>Alerts</th><th>Journey</th><th>Next visit</th><th>Flags</th></tr></thead><tbody>"#,
        v.rows.len(),
        v.days
    );
    for r in v.rows {
        let bp = match &r.bp {
            Some(b) => format!(
                r#"<span class="{}">{}/{}</span> ({}/{}){}"#,
                if b.above_target { "bad" } else { "" },
                one(b.systolic),
                one(b.diastolic),
                b.target_systolic,
                b.target_diastolic,
                if b.protocol { " ESH week" } else { "" }
            ),
            None => "-".into(),
        };
        let glucose = match (&r.cgm, r.fasting_mean_mg_dl) {
            (Some(c), _) => format!(
                "TIR {}% · TBR {:.1}% (&lt;54: {:.1}%) · GMI {} · wear {}%{}",
                one(c.in_range),
                c.below_70,
                c.below_54,
                c.gmi
                    .map(|g| format!("{g:.1}%"))
                    .unwrap_or_else(|| "-".into()),
                one(c.wear),
                if c.sufficient { "" } else { " (indicative)" }
            ),
            (None, Some(f)) => format!("fasting mean {} mg/dL", one(f)),
            (None, None) => "-".into(),
        };
        let adherence = r
            .adherence_percent
            .map(|p| format!("{}%", one(p)))
            .unwrap_or_else(|| "-".into());
        let last = match r.days_since_data {
            Some(0) => "today".to_string(),
            Some(d) => format!("{d} days ago"),
            None => "never".into(),
        };
        let alerts = if r.crisis {
            format!(
                r#"<span class="flag crisis">hypertensive crisis</span> {} open"#,
                r.urgent_open
            )
        } else if r.urgent_open > 0 {
            format!("{} open", r.urgent_open)
        } else {
            "-".into()
        };
        let journeys = r
            .journeys
            .iter()
            .map(|j| match &j.stage {
                Some(s) => format!("{} ({})", esc(&j.title), esc(s)),
                None => esc(&j.title),
            })
            .collect::<Vec<_>>()
            .join("<br>");
        let next = r
            .next_appointment
            .as_ref()
            .map(|(at, title)| {
                format!(
                    "{} {}",
                    at.with_timezone(v.zone).format("%Y-%m-%d %H:%M"),
                    esc(title)
                )
            })
            .unwrap_or_else(|| "-".into());
        let flags = r
            .flags
            .iter()
            .map(|f| {
                format!(
                    r#"<span class="flag" data-flag="{}">{}</span>"#,
                    f.name(),
                    esc(f.label())
                )
            })
            .collect::<String>();
        let _ = write!(
            body,
            r#"<tr data-id="{id}"><td><a href="/patients/{id}?days={days}">{name}</a><br><span class="note">{conditions}</span></td><td>{bp}</td><td>{glucose}</td><td>{adherence}</td><td>{last}</td><td>{alerts}</td><td>{journeys}</td><td>{next}</td><td>{flags}</td></tr>"#,
            id = esc(&r.id),
            days = v.days,
            name = esc(&r.name),
            conditions = esc(&r.conditions.join(", ")),
        );
    }
    body.push_str("</tbody></table>");
    page("Patients", Some(v.who), &body)
}

/// What the patient page shows.
pub struct PatientView<'a> {
    /// The patient's row over the period.
    pub row: &'a PatientRow,
    /// The medications not stopped.
    pub medications: &'a [Medication],
    /// The journey templates the clinician may start: id and title.
    pub templates: &'a [(String, String)],
    /// The period, days.
    pub days: u32,
    /// The access log of this record, newest first.
    pub views: &'a [View],
    /// A message from the last change (done, or why refused).
    pub message: Option<&'a str>,
    /// Who is signed in, and the session's form token.
    pub who: (&'a str, &'a str),
    /// The language of the embedded visit report.
    pub language: Language,
}

fn schedule_text(m: &Medication) -> String {
    serde_json::to_value(&m.schedule)
        .ok()
        .and_then(|v| {
            let kind = v.get("type")?.as_str()?.replace('_', " ");
            let times = v
                .get("times")
                .and_then(|t| t.as_array())
                .map(|t| {
                    t.iter()
                        .filter_map(|x| x.as_str())
                        .map(|x| x.get(..5).unwrap_or(x).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            Some(format!("{kind} {times}"))
        })
        .unwrap_or_default()
}

/// The patient page: the figures, the visit report, the clinician's actions, the access log.
pub fn patient(v: &PatientView<'_>) -> String {
    let r = v.row;
    let id = esc(&r.id);
    let token = esc(v.who.1);
    let mut body = format!(
        r#"<h1>{}</h1><p class="note">{}</p>"#,
        esc(&r.name),
        esc(&r.conditions.join(", "))
    );
    if let Some(m) = v.message {
        let _ = write!(
            body,
            r#"<p class="error" role="status" id="message">{}</p>"#,
            esc(m)
        );
    }
    let _ = write!(body, "<p>");
    for d in PERIODS {
        let _ = write!(body, r#"<a href="/patients/{id}?days={d}">{d} days</a> "#);
    }
    let _ = write!(
        body,
        r#"· <a href="/patients/{id}/fhir" download>Export FHIR R4 bundle</a></p>"#
    );
    body.push_str("<h2>Medications</h2><table id=\"medications\"><thead><tr><th>Medication</th><th>Dose</th><th>Schedule</th><th>Change</th></tr></thead><tbody>");
    for m in v.medications {
        let _ = write!(
            body,
            r#"<tr data-medication="{mid}"><td>{name}</td><td>{amount} {unit}</td><td>{schedule}</td><td><form method="post" action="/patients/{id}/medications/{mid}"><input type="hidden" name="form_token" value="{token}"><input name="dose" placeholder="dose, e.g. 10 mg" aria-label="new dose"> <input name="times" placeholder="times, e.g. 08:00, 20:00" aria-label="new times"> <button type="submit">Change</button></form></td></tr>"#,
            mid = esc(&m.id),
            name = esc(&m.name),
            amount = m.dose.amount,
            unit = esc(&m.dose.unit),
            schedule = esc(&schedule_text(m)),
        );
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        r#"<fieldset><legend>Add a medication</legend><form method="post" action="/patients/{id}/medications"><input type="hidden" name="form_token" value="{token}"><input name="name" placeholder="name" required aria-label="name"> <input name="dose" placeholder="dose, e.g. 5 mg" required aria-label="dose"> <input name="times" placeholder="08:00" required aria-label="times"> <input name="start" type="date" aria-label="start"> <button type="submit">Add</button></form></fieldset>"#
    );
    let (ts, td) =
        r.bp.as_ref()
            .map(|b| (b.target_systolic, b.target_diastolic))
            .unwrap_or((130, 80));
    let _ = write!(
        body,
        r#"<fieldset><legend>Blood-pressure target</legend><form method="post" action="/patients/{id}/targets"><input type="hidden" name="form_token" value="{token}">below <input name="systolic" type="number" min="90" max="200" value="{ts}" aria-label="systolic">/<input name="diastolic" type="number" min="50" max="120" value="{td}" aria-label="diastolic"> mmHg <button type="submit">Set</button></form></fieldset>"#
    );
    let options = v
        .templates
        .iter()
        .map(|(tid, title)| format!(r#"<option value="{}">{}</option>"#, esc(tid), esc(title)))
        .collect::<String>();
    let _ = write!(
        body,
        r#"<fieldset><legend>Start a journey</legend><form method="post" action="/patients/{id}/journeys"><input type="hidden" name="form_token" value="{token}"><select name="template" aria-label="template">{options}</select> <button type="submit">Start</button></form></fieldset><fieldset><legend>Book a follow-up</legend><form method="post" action="/patients/{id}/appointments"><input type="hidden" name="form_token" value="{token}"><input name="at" type="datetime-local" required aria-label="when"> <input name="title" placeholder="what" required aria-label="title"> <button type="submit">Book</button></form></fieldset>"#
    );
    let _ = write!(
        body,
        r#"<h2>Visit report, last {days} days</h2><iframe title="visit report" src="/patients/{id}/report?days={days}&amp;lang={lang}"></iframe>"#,
        days = v.days,
        lang = v.language.as_str(),
    );
    body.push_str("<h2>Who viewed this record</h2><table id=\"views\"><tbody>");
    for view in v.views {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            view.at.format("%Y-%m-%d %H:%M:%S UTC"),
            esc(&view.name),
            esc(&view.what)
        );
    }
    body.push_str("</tbody></table>");
    page(&r.name, Some(v.who), &body)
}

/// A page for a refusal (no such patient, a bad request) with a way back.
pub fn problem(title: &str, text: &str, who: Option<(&str, &str)>) -> String {
    page(
        title,
        who,
        &format!(
            r#"<h1>{}</h1><p class="error">{}</p><p><a href="/">Back to the patients</a></p>"#,
            esc(title),
            esc(text)
        ),
    )
}
