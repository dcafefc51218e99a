//! The visit report: one self-contained HTML file a patient hands to a doctor. No script, no
//! network, inline SVG charts, print-ready (a browser prints it to PDF). Texts in the record's
//! language (English or Simplified Chinese).

mod care;
mod findings;
mod glucose;
mod medications;
mod summary;
mod svg;
mod vitals;

use std::fmt::Write;

use crate::zone::Zone;
use chrono::{DateTime, Duration, Utc};

use crate::clinical::stats;
pub use crate::i18n::Texts;
use crate::model::BpGuideline;
use crate::model::{
    Alert, ClinicalTargets, JournalEntry, Language, Medication, Profile, Reading, ReadingKind,
};
use crate::reminders::Adherence;
use svg::{Chart, Frame, esc};

/// Points a chart draws at most (a phone or an A4 page has no use for more).
const CHART_POINTS: usize = 160;

/// Everything the report shows, gathered by the record.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The patient.
    pub profile: Profile,
    /// The clinician's targets.
    pub targets: ClinicalTargets,
    /// Start of the period.
    pub from: DateTime<Utc>,
    /// End of the period.
    pub to: DateTime<Utc>,
    /// The zone times are shown in.
    pub zone: Zone,
    /// When it was made.
    pub generated: DateTime<Utc>,
    /// Readings taken in the period.
    pub readings: Vec<Reading>,
    /// Their statistics, as [`crate::HealthRecord::stats`] gives them.
    pub stats: crate::Stats,
    /// Adherence per medication over the period.
    pub adherence: Vec<Adherence>,
    /// The medications on the record (the report lists those not stopped).
    pub medications: Vec<Medication>,
    /// Urgent alerts raised in the period.
    pub alerts: Vec<Alert>,
    /// Journal entries the patient chose to include.
    pub journal: Vec<JournalEntry>,
    /// The journal's moods per week and per journey stage.
    pub mood: crate::journey::MoodCurve,
    /// Every journal entry of the period, oldest first (their symptoms).
    pub entries: Vec<JournalEntry>,
    /// Dose events logged in the period (skip reasons, as-needed use).
    pub doses: Vec<crate::model::DoseEvent>,
    /// Questionnaires answered in the period, oldest first.
    pub responses: Vec<crate::model::QuestionnaireResponse>,
    /// The running journeys as the home screen shows them when the report is made.
    pub journeys: Vec<crate::journey::JourneyToday>,
    /// When a wound check was done along the running journeys, oldest first.
    pub wound_checks: Vec<chrono::DateTime<chrono::FixedOffset>>,
    /// Every appointment on the record, oldest first (the last visit, the next one).
    pub appointments: Vec<crate::model::Appointment>,
    /// The measurement plans.
    pub plans: Vec<crate::model::MeasurementPlan>,
}

const CSS: &str = r#"
@page { size: A4; margin: 14mm; }
body { font: 11pt/1.45 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #1b1f24; max-width: 190mm; margin: 0 auto; padding: 8mm; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #c8cdd3; padding-bottom: 1mm; }
section { break-inside: avoid; }
dl.header { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0; }
dl.header dt { color: #5b6570; } dl.header dd { margin: 0; }
.chart { width: 100%; height: auto; display: block; }
.chart .grid { stroke: #e3e6ea; stroke-width: 1; }
.chart .tick { font-size: 10px; fill: #5b6570; }
.chart .sys { stroke: #b4233c; fill: #b4233c; } .chart .dia { stroke: #1f5fae; fill: #1f5fae; }
.chart .weight { stroke: #6a3fb5; fill: #6a3fb5; }
.chart .median { stroke: #1b1f24; fill: #1b1f24; }
.chart .target { fill: #d8efe0; } .chart .avg { stroke: #1b1f24; stroke-dasharray: 5 4; }
.chart .p5 { fill: #c7d9f0; } .chart .p25 { fill: #7fa8dc; }
.chart polyline[class] { fill: none; stroke-width: 1.6; }
.very-low { fill: #8c1526; background: #8c1526; } .low { fill: #e0475c; background: #e0475c; }
.in-range { fill: #3c9a5f; background: #3c9a5f; } .high { fill: #f0b43c; background: #f0b43c; }
.very-high { fill: #c46a17; background: #c46a17; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 2mm 6mm; font-size: 9.5pt; }
.swatch { display: inline-block; width: 3mm; height: 3mm; margin-right: 1.5mm; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
th, td { text-align: left; padding: 1mm 2mm; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
.note { color: #5b6570; font-size: 9.5pt; } .alert { color: #8c1526; font-weight: 600; }
footer { margin-top: 8mm; color: #5b6570; font-size: 9pt; }
.chart .sys-target { stroke: #b4233c; stroke-dasharray: 6 4; } .chart .dia-target { stroke: #1f5fae; stroke-dasharray: 2 3; }
.chart .rule-label { font-size: 10px; stroke: none; } .chart .rule-label.sys-target { fill: #b4233c; } .chart .rule-label.dia-target { fill: #1f5fae; }
.grid-days { display: flex; gap: 1px; flex-wrap: nowrap; } .grid-days span { width: 2.2mm; height: 2.2mm; border: 1px solid #c8cdd3; }
.grid-days span.week { width: 1mm; border: none; }
.day-ok { background: #3c9a5f; } .day-late { background: #f0b43c; } .day-missed { background: #b4233c; } .day-skipped { background: #9aa3ad; } .day-none { background: #fff; }
.value { font-weight: 400; color: #1b1f24; }
@media print { .grid-days span { print-color-adjust: exact; -webkit-print-color-adjust: exact; } .chart, .legend .swatch { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
"#;

/// Renders the report as one HTML document.
pub fn render(data: &ReportData, language: Language) -> String {
    let t = Texts::new(language);
    let local = |at: DateTime<Utc>| at.with_timezone(&data.zone);
    let days = ((data.to - data.from).num_hours() as f64 / 24.0).round() as i64;
    let mut html = String::new();
    let _ = write!(
        html,
        r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} - {name}</title><style>{CSS}</style></head><body><h1>{title}</h1><dl class="header">"#,
        lang = t.text("report-lang"),
        title = esc(&t.text("report-title")),
        name = esc(&data.profile.name),
    );
    let mut row = |k: &str, v: String| {
        let _ = write!(html, "<dt>{}</dt><dd>{}</dd>", esc(&t.text(k)), esc(&v));
    };
    row("patient", data.profile.name.clone());
    if let Some(born) = data.profile.birth_date {
        row("born", born.to_string());
    }
    // An empty list is either answered ("none known", in the item's own words) or never asked.
    let none_known = |item: &str, answered: &str| {
        if data.profile.says_none(item) {
            t.text(answered)
        } else {
            t.text("not-recorded")
        }
    };
    let conditions = if data.profile.conditions.is_empty() {
        none_known("conditions", "none-known-conditions")
    } else {
        data.profile
            .conditions
            .iter()
            .map(|c| t.condition_name(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    row("conditions", conditions);
    let allergies = if data.profile.allergies.is_empty() {
        none_known("allergies", "none-known-allergies")
    } else {
        data.profile.allergies.join(", ")
    };
    row("allergies", allergies);
    row(
        "period",
        t.get(
            "period-range",
            &[
                ("from", local(data.from).format("%Y-%m-%d").to_string()),
                ("to", local(data.to).format("%Y-%m-%d").to_string()),
                ("days", days.to_string()),
            ],
        ),
    );
    row(
        "generated",
        format!(
            "{} {}",
            local(data.generated).format("%Y-%m-%d %H:%M"),
            data.zone.abbreviation(data.generated)
        ),
    );
    html.push_str("</dl>");

    html.push_str(&summary::section_html(data, &t));
    html.push_str(&medications::current(data, &t));
    html.push_str(&care::plan_of_care(data, &t));
    html.push_str(&care::surgery(data, &t));
    html.push_str(&blood_pressure(data, &t));
    html.push_str(&glucose::sections(data, &t));
    html.push_str(&glucose::hba1c(data, &t));
    html.push_str(&vitals::section_html(data, &t));
    html.push_str(&weight(data, &t));
    html.push_str(&medications::adherence(data, &t));
    html.push_str(&care::reported(data, &t));
    html.push_str(&care::questionnaires(data, &t));
    html.push_str(&alerts(data, &t, language));
    html.push_str(&mood(data, &t));
    html.push_str(&journal(data, &t));
    let _ = write!(
        html,
        "<footer>{}</footer></body></html>",
        esc(&t.text("footer"))
    );
    html
}

/// Day ticks along the period: about six labels.
fn day_ticks(data: &ReportData) -> Vec<(f64, String)> {
    let span = (data.to - data.from).num_days().max(1);
    let step = (span / 6).max(1);
    (0..=span)
        .step_by(step as usize)
        .map(|d| {
            let at = data.from + Duration::days(d);
            (
                at.timestamp_millis() as f64,
                at.with_timezone(&data.zone).format("%m-%d").to_string(),
            )
        })
        .collect()
}

fn x_range(data: &ReportData) -> (f64, f64) {
    (
        data.from.timestamp_millis() as f64,
        data.to.timestamp_millis() as f64,
    )
}

pub(crate) fn section(id: &str, title: String, body: String) -> String {
    format!(
        r#"<section id="{id}"><h2>{}</h2>{body}</section>"#,
        esc(&title)
    )
}

fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let mut v = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while v <= hi && out.len() < 20 {
        out.push(v);
        v += step;
    }
    out
}

impl ReportData {
    /// The summary of `kind` (blood pressure: the home readings).
    fn summary(&self, kind: ReadingKind) -> Option<&stats::Summary> {
        self.stats.summaries.iter().find(|s| s.kind == kind)
    }
}

fn blood_pressure(data: &ReportData, t: &Texts) -> String {
    let kind = ReadingKind::BloodPressure;
    let guideline = match data.targets.bp_guideline {
        BpGuideline::AccAha2017 => "ACC/AHA 2017",
        BpGuideline::Esh2023 => "ESH 2023",
    };
    let office_line = data.stats.office_bp.as_ref().map(|o| {
        let (sys, dia) = (o.mean, o.mean_secondary.unwrap_or_default());
        let category = crate::clinical::blood_pressure::classify(
            sys.round() as u16,
            dia.round() as u16,
            data.targets.bp_guideline,
            crate::model::BpSetting::Office,
        )
        .category;
        format!(
            "<p id=\"bp-office\">{}</p>",
            esc(&t.get(
                "bp-office",
                &[
                    ("count", o.count.to_string()),
                    ("sys", format!("{sys:.0}")),
                    ("dia", format!("{dia:.0}")),
                    ("category", t.text(&format!("bpcat-{}", category.as_str()))),
                    ("guideline", guideline.to_string()),
                ],
            ))
        )
    });
    let Some(summary) = data.summary(kind) else {
        use crate::model::condition::Condition;
        if office_line.is_none() && !findings::has_condition(data, &[Condition::Hypertension]) {
            return String::new();
        }
        let body = office_line.unwrap_or_else(|| format!("<p>{}</p>", esc(&t.text("no-readings"))));
        return section("bp", t.text("section-bp"), body);
    };
    let home: Vec<Reading> = data
        .readings
        .iter()
        .filter(|r| r.measurement.kind() == kind && r.setting() == crate::model::BpSetting::Home)
        .cloned()
        .collect();
    let points = stats::series(&home, kind, CHART_POINTS);
    let target = data.targets.bp_target;
    let protocol = data.stats.home_bp.as_ref();
    let frame = Frame::around(
        x_range(data),
        points
            .iter()
            .flat_map(|p| [p.value, p.secondary.unwrap_or(p.value)])
            .chain([f64::from(target.systolic), 60.0]),
    );
    let y_ticks = ticks(frame.y.0, frame.y.1, 20.0);
    let mut chart = Chart::new(frame, &y_ticks, &day_ticks(data));
    chart.unit("mmHg");
    let xy = |f: fn(&stats::SeriesPoint) -> Option<f64>| -> Vec<(f64, f64)> {
        points
            .iter()
            .filter_map(|p| f(p).map(|v| (p.t_ms as f64, v)))
            .collect()
    };
    chart.line(&xy(|p| Some(p.value)), "sys");
    chart.line(&xy(|p| p.secondary), "dia");
    chart.labelled_rule(
        f64::from(target.systolic),
        "sys-target",
        &format!("{} mmHg", target.systolic),
    );
    chart.labelled_rule(
        f64::from(target.diastolic),
        "dia-target",
        &format!("{} mmHg", target.diastolic),
    );
    let mut body = chart.finish(&t.text("section-bp"));
    let whole = |v: f64| format!("{v:.0}");
    let _ = write!(
        body,
        "<p class=\"note\">{}</p><p id=\"bp-summary\">{} {}</p>",
        esc(&t.get(
            "bp-lines",
            &[
                ("sys", target.systolic.to_string()),
                ("dia", target.diastolic.to_string()),
            ],
        )),
        esc(&t.get(
            "bp-home-summary",
            &[
                ("count", summary.count.to_string()),
                ("sys", whole(summary.mean)),
                ("dia", whole(summary.mean_secondary.unwrap_or_default())),
                ("smin", whole(summary.min)),
                ("smax", whole(summary.max)),
                ("dmin", whole(summary.min_secondary.unwrap_or_default())),
                ("dmax", whole(summary.max_secondary.unwrap_or_default())),
            ],
        )),
        esc(&t.get(
            "bp-target",
            &[
                ("sys", target.systolic.to_string()),
                ("dia", target.diastolic.to_string()),
                ("guideline", guideline.to_string()),
            ],
        )),
    );
    if let Some((sys, dia)) = findings::home_bp_above_target(data) {
        let _ = write!(
            body,
            "<p id=\"bp-above\" class=\"alert\">{}</p>",
            esc(&t.get(
                "sum-bp-above",
                &[
                    ("sys", whole(sys)),
                    ("dia", whole(dia)),
                    ("tsys", target.systolic.to_string()),
                    ("tdia", target.diastolic.to_string()),
                ],
            ))
        );
    }
    match protocol {
        Some(p) if p.sufficient => {
            let _ = write!(
                body,
                "<p id=\"bp-protocol\">{}</p>",
                esc(&t.get(
                    "bp-protocol",
                    &[
                        ("sys", format!("{:.0}", p.systolic)),
                        ("dia", format!("{:.0}", p.diastolic)),
                        ("readings", p.readings_used.to_string()),
                        ("days", p.days_used.to_string()),
                        ("percent", format!("{:.0}", p.completeness * 100.0)),
                    ],
                ))
            );
        }
        _ => {
            let _ = write!(
                body,
                "<p class=\"note\">{}</p>",
                esc(&t.text("bp-protocol-thin"))
            );
        }
    }
    body.push_str(&office_line.unwrap_or_default());
    section("bp", t.text("section-bp"), body)
}

fn weight(data: &ReportData, t: &Texts) -> String {
    let kind = ReadingKind::Weight;
    let Some(s) = data.summary(kind) else {
        return String::new();
    };
    let unit = data.profile.units.weight;
    let points: Vec<(f64, f64)> = stats::series(&data.readings, kind, CHART_POINTS)
        .iter()
        .map(|p| (p.t_ms as f64, unit.from_kg(p.value)))
        .collect();
    let frame = Frame::around(x_range(data), points.iter().map(|p| p.1));
    let step = ((frame.y.1 - frame.y.0) / 4.0).max(1.0).round();
    let y_ticks = ticks(frame.y.0, frame.y.1, step);
    let mut chart = Chart::new(frame, &y_ticks, &day_ticks(data));
    chart.line(&points, "weight");
    let first = points.first().map_or(0.0, |p| p.1);
    let last = points.last().map_or(0.0, |p| p.1);
    let body = format!(
        "{}<p>{}</p>",
        chart.finish(&t.text("section-weight")),
        esc(&t.get(
            "weight-summary",
            &[
                ("count", s.count.to_string()),
                ("first", format!("{first:.1}")),
                ("last", format!("{last:.1}")),
                ("unit", unit.symbol().to_string()),
                ("min", format!("{:.1}", unit.from_kg(s.min))),
                ("max", format!("{:.1}", unit.from_kg(s.max))),
            ],
        ))
    );
    let mut body = body;
    if let Some((bmi, _)) = findings::bmi(data) {
        let _ = write!(
            body,
            "<p id=\"bmi\">{}</p>",
            esc(&t.get(
                "bmi-line",
                &[
                    ("bmi", format!("{bmi:.1}")),
                    (
                        "category",
                        t.text(&format!("bmi-{}", findings::bmi_category(bmi)))
                    ),
                ],
            ))
        );
    }
    section("weight", t.text("section-weight"), body)
}

fn alerts(data: &ReportData, t: &Texts, language: Language) -> String {
    if data.alerts.is_empty() {
        return String::new();
    }
    let mut body = format!(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&t.text("col-when")),
        esc(&t.text("col-what")),
        esc(&t.text("col-advice"))
    );
    for a in &data.alerts {
        let text = crate::clinical::alerts::render(a, language, &data.profile.units);
        let value = text
            .value
            .map(|v| format!("<br><span class=\"value\">{}</span>", esc(&v)))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<tr><td>{}</td><td class=\"alert\">{}{value}</td><td>{}<br><span class=\"note\">{}: {}</span></td></tr>",
            a.at.with_timezone(&data.zone).format("%Y-%m-%d %H:%M"),
            esc(&text.title),
            esc(&text.advice),
            esc(&t.text("source")),
            esc(&text.source)
        );
    }
    body.push_str("</tbody></table>");
    section("alerts", t.text("section-alerts"), body)
}

/// The emotion curve: mean mood per week, then per journey stage.
fn mood(data: &ReportData, t: &Texts) -> String {
    let curve = &data.mood;
    if curve.weeks.is_empty() {
        return String::new();
    }
    let mut body = format!(
        "<p class=\"note\">{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&t.text("mood-note")),
        esc(&t.text("mood-week")),
        esc(&t.text("mood-mean")),
        esc(&t.text("mood-entries"))
    );
    for w in &curve.weeks {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{:.1} / 5</td><td>{}</td></tr>",
            w.week_start.format("%Y-%m-%d"),
            w.mean,
            w.entries
        );
    }
    body.push_str("</tbody></table>");
    if !curve.stages.is_empty() {
        let _ = write!(
            body,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(&t.text("mood-stage")),
            esc(&t.text("mood-mean")),
            esc(&t.text("mood-entries"))
        );
        for s in &curve.stages {
            let _ = write!(
                body,
                "<tr><td>{} ({})</td><td>{:.1} / 5</td><td>{}</td></tr>",
                esc(&s.stage_title),
                s.from.with_timezone(&data.zone).format("%Y-%m-%d"),
                s.mean,
                s.entries
            );
        }
        body.push_str("</tbody></table>");
    }
    section("mood", t.text("section-mood"), body)
}

fn journal(data: &ReportData, t: &Texts) -> String {
    if data.journal.is_empty() {
        return String::new();
    }
    let mut body = String::from("<table><tbody>");
    for e in &data.journal {
        let mood = e.mood.map(|m| format!(" ({m}/5)")).unwrap_or_default();
        let by = if e.is_patients() {
            String::new()
        } else {
            format!(
                " ({})",
                t.get(
                    "journal-by-caregiver",
                    &[("name", e.logged_by.clone().unwrap_or_default())]
                )
            )
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}{}{}</td></tr>",
            e.at.with_timezone(&data.zone).format("%Y-%m-%d"),
            esc(&e.text),
            esc(&mood),
            esc(&by)
        );
    }
    body.push_str("</tbody></table>");
    section("journal", t.text("section-journal"), body)
}
