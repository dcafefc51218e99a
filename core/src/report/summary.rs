//! The report's first section, written from the data: what is off target, what changed since
//! the last visit, and what needs a decision. It flags and summarises; the clinician decides.

use std::fmt::Write;

use super::findings::{self, HBA1C_TARGET_PERCENT, LOW_ADHERENCE};
use super::svg::esc;
use super::{ReportData, section};
use crate::i18n::Texts;
use crate::journey::builtin;
use crate::model::{MedicationStatus, ReadingKind};

/// The three lists of the summary, worded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Values off their target.
    pub off_target: Vec<String>,
    /// What changed since the last visit (or the start of the period).
    pub changed: Vec<String>,
    /// What asks for the clinician's decision.
    pub decisions: Vec<String>,
    /// `changed` is since a visit in the period (else since the period began).
    pub since_visit: bool,
}

/// The summary of `data`, in `t`'s language.
pub fn summary(data: &ReportData, t: &Texts) -> Summary {
    let mut s = Summary::default();
    let units = &data.profile.units;
    let target = data.targets.bp_target;
    let whole = |v: f64| format!("{v:.0}");

    // Off target.
    if let Some((sys, dia)) = findings::home_bp_above_target(data) {
        s.off_target.push(t.get(
            "sum-bp-above",
            &[
                ("sys", whole(sys)),
                ("dia", whole(dia)),
                ("tsys", target.systolic.to_string()),
                ("tdia", target.diastolic.to_string()),
            ],
        ));
    }
    if let Some(m) = data.stats.glucose.as_ref().filter(|m| m.sufficient) {
        if m.in_range < 70.0 {
            s.off_target
                .push(t.get("sum-tir-low", &[("percent", format!("{:.0}", m.in_range))]));
        }
        if m.below_70 >= 4.0 {
            s.off_target.push(
                t.get(
                    "sum-tbr-high",
                    &[
                        ("percent", format!("{:.1}", m.below_70)),
                        (
                            "t",
                            units
                                .glucose
                                .format(crate::clinical::glucose::HYPO_LEVEL_1_MG_DL),
                        ),
                    ],
                ),
            );
        }
    }
    for f in &data.stats.fingersticks {
        if f.count >= 3 && f.in_target * 2 < f.count {
            s.off_target.push(t.get(
                "sum-fingersticks",
                &[
                    (
                        "context",
                        t.text(&format!("context-{}", f.context.as_str())),
                    ),
                    ("in", f.in_target.to_string()),
                    ("count", f.count.to_string()),
                ],
            ));
        }
    }
    if let Some((at, percent)) = findings::latest_hba1c(data)
        && percent >= HBA1C_TARGET_PERCENT
    {
        s.off_target.push(t.get(
            "sum-hba1c",
            &[
                ("value", units.hba1c.format(percent)),
                (
                    "date",
                    at.with_timezone(&data.zone).format("%Y-%m-%d").to_string(),
                ),
                ("target", units.hba1c.format(HBA1C_TARGET_PERCENT)),
            ],
        ));
    }
    if let Some((bmi, _)) = findings::bmi(data) {
        let category = findings::bmi_category(bmi);
        if category != "normal" {
            s.off_target.push(t.get(
                "sum-bmi",
                &[
                    ("bmi", format!("{bmi:.1}")),
                    ("category", t.text(&format!("bmi-{category}"))),
                ],
            ));
        }
    }
    for a in &data.adherence {
        if let Some(share) = a.share_taken.filter(|s| *s < LOW_ADHERENCE) {
            s.off_target.push(t.get(
                "sum-adherence",
                &[
                    ("name", a.name.clone()),
                    ("percent", format!("{:.0}", share * 100.0)),
                ],
            ));
        }
    }
    let flags = findings::vital_flags(data);
    for f in flags.iter().filter(|f| f.serious()) {
        s.off_target.push(
            t.get(
                "sum-vital",
                &[
                    ("value", t.measurement(&f.reading.measurement, units)),
                    (
                        "date",
                        f.reading
                            .at
                            .with_timezone(&data.zone)
                            .format("%m-%d %H:%M")
                            .to_string(),
                    ),
                    ("score", f.news2.to_string()),
                ],
            ),
        );
    }

    // Changed since the last visit.
    let visit = findings::last_visit(data).filter(|v| *v > data.from);
    s.since_visit = visit.is_some();
    let since = visit.unwrap_or(data.from);
    let since_day = since.with_timezone(&data.zone).date_naive();
    for m in &data.medications {
        if m.start > since_day && m.status != MedicationStatus::Stopped {
            s.changed.push(t.get(
                "sum-med-started",
                &[
                    ("name", m.name.clone()),
                    ("dose", m.dose.to_string()),
                    ("date", m.start.to_string()),
                ],
            ));
        }
        if m.status == MedicationStatus::Stopped && m.end.is_some_and(|end| end >= since_day) {
            s.changed
                .push(t.get("sum-med-stopped", &[("name", m.name.clone())]));
        }
    }
    if let (Some(before), Some(after)) = (
        findings::home_bp_mean(data, data.from, since).filter(|b| b.2 >= 3),
        findings::home_bp_mean(data, since, data.to).filter(|a| a.2 >= 3),
    ) && (after.0 - before.0).abs() >= 5.0
    {
        s.changed.push(t.get(
            "sum-bp-change",
            &[
                ("before", format!("{}/{}", whole(before.0), whole(before.1))),
                ("after", format!("{}/{}", whole(after.0), whole(after.1))),
            ],
        ));
    }
    let weights: Vec<f64> = data
        .readings
        .iter()
        .filter(|r| r.at.to_utc() >= since)
        .filter_map(|r| match r.measurement {
            crate::model::Measurement::Weight { kg } => Some(kg),
            _ => None,
        })
        .collect();
    if let (Some(first), Some(last)) = (weights.first(), weights.last())
        && (last - first).abs() >= 1.0
    {
        let w = units.weight;
        s.changed.push(t.get(
            "sum-weight-change",
            &[
                ("before", format!("{:.1}", w.from_kg(*first))),
                ("after", format!("{:.1}", w.from_kg(*last))),
                ("unit", w.symbol().to_string()),
            ],
        ));
    }
    // Alerts new since then (all of the period's without a visit in it).
    let new_alerts = data
        .alerts
        .iter()
        .filter(|a| a.at.to_utc() >= since)
        .count();
    if new_alerts > 0 {
        s.changed
            .push(t.get("sum-alerts", &[("count", new_alerts.to_string())]));
    }

    // Needs a decision.
    let open = data
        .alerts
        .iter()
        .filter(|a| a.kind.is_urgent() && a.acknowledged_at.is_none() && a.resolved_at.is_none())
        .count();
    if open > 0 {
        s.decisions
            .push(t.get("sum-open-alerts", &[("count", open.to_string())]));
    }
    if let Some(p) = data.stats.home_bp.as_ref().filter(|p| p.sufficient)
        && (p.systolic.round() >= f64::from(target.systolic)
            || p.diastolic.round() >= f64::from(target.diastolic))
    {
        s.decisions.push(t.get(
            "sum-bp-decision",
            &[("sys", whole(p.systolic)), ("dia", whole(p.diastolic))],
        ));
    }
    let questionnaires = builtin::questionnaires().unwrap_or_default();
    for r in findings::latest_responses(data)
        .into_iter()
        .filter(|r| r.see_doctor)
    {
        let Some(q) = questionnaires.iter().find(|q| q.id == r.questionnaire_id) else {
            continue;
        };
        let band = q
            .bands
            .iter()
            .find(|b| b.id == r.band)
            .map(|b| b.label.get(t.language()).to_string())
            .unwrap_or_default();
        s.decisions.push(t.get(
            "sum-questionnaire",
            &[
                ("title", q.title.get(t.language()).to_string()),
                ("score", format!("{:.0}", r.total)),
                ("band", band),
            ],
        ));
    }
    for k in findings::skips(data) {
        if let Some((reason, n)) = k.reasons.first() {
            s.decisions.push(t.get(
                "sum-skips",
                &[
                    ("name", k.name.clone()),
                    ("count", k.count.to_string()),
                    ("reason", reason.clone()),
                    ("times", n.to_string()),
                ],
            ));
        }
    }
    if findings::after_surgery(data) && flags.iter().any(|f| f.fever) {
        s.decisions.push(t.text("sum-fever-after-surgery"));
    }
    if data.summary(ReadingKind::BloodPressure).is_none()
        && data.summary(ReadingKind::Glucose).is_none()
        && !findings::after_surgery(data)
    {
        s.decisions.push(t.text("sum-no-readings"));
    }
    s
}

/// The summary section: three short lists on the first page.
pub fn section_html(data: &ReportData, t: &Texts) -> String {
    let s = summary(data, t);
    let mut body = String::new();
    let changed = if s.since_visit {
        "sum-changed-title"
    } else {
        "sum-changed-period-title"
    };
    for (id, title, items, empty) in [
        ("sum-off", "sum-off-title", &s.off_target, "sum-none-off"),
        ("sum-changed", changed, &s.changed, "sum-nothing-changed"),
        (
            "sum-decide",
            "sum-decide-title",
            &s.decisions,
            "sum-none-decide",
        ),
    ] {
        let _ = write!(body, "<h3>{}</h3><ul id=\"{id}\">", esc(&t.text(title)));
        if items.is_empty() {
            let _ = write!(body, "<li class=\"note\">{}</li>", esc(&t.text(empty)));
        }
        for item in items {
            let _ = write!(body, "<li>{}</li>", esc(item));
        }
        body.push_str("</ul>");
    }
    let _ = write!(body, "<p class=\"note\">{}</p>", esc(&t.text("sum-note")));
    section("summary", t.text("section-summary"), body)
}
