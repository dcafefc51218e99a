//! The report's glucose sections, in the style of the AGP report: CGM metrics from sensor
//! readings only, over the days the sensor covers, each beside its consensus goal; the daily
//! profile from the sensor; fingersticks by meal context; HbA1c with the GMI beside it. Every
//! value, axis and band in the patient's glucose unit.

use std::fmt::Write;

use super::svg::{Chart, Frame, esc, stacked_bar};
use super::{ReportData, section};
use crate::clinical::cgm::GlucoseMetrics;
use crate::clinical::fingersticks;
use crate::clinical::glucose::{
    HYPO_LEVEL_1_MG_DL, HYPO_LEVEL_2_MG_DL, RANGE_HIGH_MG_DL, VERY_HIGH_MG_DL,
};
use crate::clinical::stats;
use crate::i18n::Texts;
use crate::model::units::GlucoseUnit;
use crate::model::{Measurement, Reading};

/// The CGM section (when there are sensor readings) and the fingerstick table (when there
/// are fingersticks); a "no readings" line when there is neither.
pub fn sections(data: &ReportData, t: &Texts) -> String {
    let unit = data.profile.units.glucose;
    let mut html = String::new();
    if let Some(m) = &data.stats.glucose {
        let sensor: Vec<Reading> = data
            .readings
            .iter()
            .filter(|r| r.sensor_interval_minutes.is_some())
            .cloned()
            .collect();
        html.push_str(&cgm_section(data, &sensor, m, unit, t));
    }
    if !data.stats.fingersticks.is_empty() {
        html.push_str(&fingerstick_section(data, unit, t));
    }
    use crate::model::condition::Condition;
    let diabetes =
        super::findings::has_condition(data, &[Condition::Type1Diabetes, Condition::Type2Diabetes]);
    if html.is_empty() && diabetes {
        html = section(
            "glucose",
            t.text("section-glucose"),
            format!("<p>{}</p>", esc(&t.text("no-readings"))),
        );
    }
    html
}

/// A threshold in the patient's unit, without the unit (`3.9`, `70`).
fn bare(unit: GlucoseUnit, mg_dl: f64) -> String {
    match unit {
        GlucoseUnit::MgDl => format!("{mg_dl:.0}"),
        GlucoseUnit::MmolL => format!("{:.1}", unit.from_mg_dl(mg_dl)),
    }
}

fn cgm_section(
    data: &ReportData,
    sensor: &[Reading],
    m: &GlucoseMetrics,
    unit: GlucoseUnit,
    t: &Texts,
) -> String {
    let day = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&data.zone).format("%Y-%m-%d").to_string()
    };
    let mut body = format!(
        "<p id=\"cgm-period\">{}</p>",
        esc(&t.get(
            "cgm-period",
            &[
                ("from", day(m.first)),
                ("to", day(m.last)),
                ("days", format!("{:.0}", m.days)),
                ("interval", m.interval_minutes.to_string()),
                ("active", format!("{:.0}", m.active_percent)),
            ],
        ))
    );
    if !m.sufficient {
        let _ = write!(body, "<p class=\"note\">{}</p>", esc(&t.text("cgm-thin")));
    }
    body.push_str(&tir_bar(m, unit, t));
    let with = |v: f64| format!("{v:.1} %");
    let goal = |id: &str, v: &str| t.get(id, &[("v", v.to_string())]);
    let threshold = |mg: f64| unit.format(mg);
    let not_given = t.text("not-given");
    let rows: Vec<(String, String, String)> = vec![
        (
            t.get(
                "metric-tir",
                &[
                    ("low", threshold(HYPO_LEVEL_1_MG_DL)),
                    ("high", threshold(RANGE_HIGH_MG_DL)),
                ],
            ),
            with(m.in_range),
            goal("goal-more", "70"),
        ),
        (
            t.get("metric-below", &[("t", threshold(HYPO_LEVEL_1_MG_DL))]),
            with(m.below_70),
            goal("goal-less", "4"),
        ),
        (
            t.get("metric-below", &[("t", threshold(HYPO_LEVEL_2_MG_DL))]),
            with(m.below_54),
            goal("goal-less", "1"),
        ),
        (
            t.get("metric-above", &[("t", threshold(RANGE_HIGH_MG_DL))]),
            with(m.above_180),
            goal("goal-less", "25"),
        ),
        (
            t.get("metric-above", &[("t", threshold(VERY_HIGH_MG_DL))]),
            with(m.above_250),
            goal("goal-less", "5"),
        ),
        (
            t.text("metric-cv"),
            m.cv_percent.map_or(not_given.clone(), with),
            goal("goal-at-most", "36"),
        ),
        (
            t.text("metric-mean"),
            unit.format(m.mean_mg_dl),
            String::new(),
        ),
        (
            t.text("metric-gmi"),
            m.gmi_percent.map_or(not_given, with),
            String::new(),
        ),
        (
            t.text("metric-gri"),
            t.get(
                "gri-value",
                &[
                    ("score", format!("{:.0}", m.gri.score)),
                    ("zone", m.gri.zone.clone()),
                ],
            ),
            String::new(),
        ),
        (
            t.text("metric-episodes"),
            t.get(
                "episodes-value",
                &[
                    ("l1", threshold(HYPO_LEVEL_1_MG_DL)),
                    ("a", m.episodes.hypo_level1.to_string()),
                    ("l2", threshold(HYPO_LEVEL_2_MG_DL)),
                    ("b", m.episodes.hypo_level2.to_string()),
                    ("h", threshold(VERY_HIGH_MG_DL)),
                    ("c", m.episodes.hyper_level2.to_string()),
                ],
            ),
            String::new(),
        ),
    ];
    let _ = write!(
        body,
        "<table id=\"cgm-metrics\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&t.text("col-metric")),
        esc(&t.text("col-value")),
        esc(&t.text("col-goal"))
    );
    for (name, value, goal) in rows {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&name),
            esc(&value),
            esc(&goal)
        );
    }
    body.push_str("</tbody></table>");
    body.push_str(&agp_chart(data, sensor, unit, t));
    section("cgm", t.text("section-cgm"), body)
}

fn tir_bar(m: &GlucoseMetrics, unit: GlucoseUnit, t: &Texts) -> String {
    let parts = [
        (
            m.below_54,
            "very-low",
            t.get("tir-very-low", &[("t", unit.format(HYPO_LEVEL_2_MG_DL))]),
        ),
        (m.below_70 - m.below_54, "low", t.text("tir-low")),
        (
            m.in_range,
            "in-range",
            t.get(
                "tir-in-range",
                &[
                    ("low", unit.format(HYPO_LEVEL_1_MG_DL)),
                    ("high", unit.format(RANGE_HIGH_MG_DL)),
                ],
            ),
        ),
        (m.above_180 - m.above_250, "high", t.text("tir-high")),
        (
            m.above_250,
            "very-high",
            t.get("tir-very-high", &[("t", unit.format(VERY_HIGH_MG_DL))]),
        ),
    ];
    stacked_bar(&parts, &t.text("section-cgm"))
}

/// The daily profile of the sensor readings, drawn in the patient's unit.
fn agp_chart(data: &ReportData, sensor: &[Reading], unit: GlucoseUnit, t: &Texts) -> String {
    let profile = stats::agp(sensor, &data.zone);
    let u = |mg: f64| unit.from_mg_dl(mg);
    let frame = Frame {
        x: (0.0, 24.0),
        y: (
            u(40.0),
            u(300.0_f64.max(profile.iter().map(|h| h.p95).fold(0.0, f64::max) + 10.0)),
        ),
    };
    let hours: Vec<(f64, String)> = (0..=24)
        .step_by(3)
        .map(|h| (f64::from(h), format!("{h:02}:00")))
        .collect();
    let ticks: Vec<f64> = [
        HYPO_LEVEL_2_MG_DL,
        HYPO_LEVEL_1_MG_DL,
        RANGE_HIGH_MG_DL,
        VERY_HIGH_MG_DL,
    ]
    .iter()
    .map(|mg| bare(unit, *mg).parse().unwrap_or_default())
    .collect();
    let mut chart = Chart::new(frame, &ticks, &hours);
    chart.unit(unit.symbol());
    chart.band(u(HYPO_LEVEL_1_MG_DL), u(RANGE_HIGH_MG_DL), "target");
    let xs: Vec<f64> = profile.iter().map(|h| f64::from(h.hour) + 0.5).collect();
    let col = |f: fn(&stats::AgpHour) -> f64| profile.iter().map(|h| u(f(h))).collect::<Vec<f64>>();
    chart.area(&xs, &col(|h| h.p5), &col(|h| h.p95), "p5");
    chart.area(&xs, &col(|h| h.p25), &col(|h| h.p75), "p25");
    let median: Vec<(f64, f64)> = xs.iter().copied().zip(col(|h| h.p50)).collect();
    chart.line(&median, "median");
    format!(
        "{}<p class=\"note\">{}</p>",
        chart.finish(&t.text("section-cgm")),
        esc(&t.get(
            "glucose-agp-range",
            &[
                ("low", unit.format(HYPO_LEVEL_1_MG_DL)),
                ("high", unit.format(RANGE_HIGH_MG_DL)),
            ],
        ))
    )
}

/// Fingersticks over the period: each reading a point on the target range band, in the
/// patient's unit.
fn fingerstick_chart(data: &ReportData, unit: GlucoseUnit, t: &Texts) -> String {
    let points: Vec<(f64, f64)> = data
        .readings
        .iter()
        .filter(|r| r.sensor_interval_minutes.is_none())
        .filter_map(|r| match r.measurement {
            Measurement::Glucose { mg_dl, .. } => {
                Some((r.at.timestamp_millis() as f64, unit.from_mg_dl(mg_dl)))
            }
            _ => None,
        })
        .collect();
    if points.len() < 2 {
        return String::new();
    }
    let low = unit.from_mg_dl(HYPO_LEVEL_1_MG_DL);
    let high = unit.from_mg_dl(RANGE_HIGH_MG_DL);
    let frame = Frame::around(
        super::x_range(data),
        points.iter().map(|p| p.1).chain([low, high]),
    );
    let step = match unit {
        GlucoseUnit::MgDl => 50.0,
        GlucoseUnit::MmolL => 2.0,
    };
    let y_ticks = super::ticks(frame.y.0, frame.y.1, step);
    let mut chart = Chart::new(frame, &y_ticks, &super::day_ticks(data));
    chart.band(low, high, "target");
    chart.unit(unit.symbol());
    chart.line(&points, "median");
    chart.finish(&t.text("section-fingersticks"))
}

fn fingerstick_section(data: &ReportData, unit: GlucoseUnit, t: &Texts) -> String {
    let sticks: &[fingersticks::ContextSummary] = &data.stats.fingersticks;
    let mut body = fingerstick_chart(data, unit, t);
    let _ = write!(
        body,
        "<table id=\"fingersticks\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&t.text("col-context")),
        esc(&t.text("col-count")),
        esc(&t.text("col-mean")),
        esc(&t.text("col-range")),
        esc(&t.text("col-in-target")),
        esc(&t.get("col-below", &[("t", unit.format(HYPO_LEVEL_1_MG_DL))])),
        esc(&t.get("col-above", &[("t", unit.format(RANGE_HIGH_MG_DL))])),
    );
    for s in sticks {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td><td>{} / {}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.text(&format!("context-{}", s.context.as_str()))),
            s.count,
            esc(&unit.format(s.mean_mg_dl)),
            esc(&unit.format(s.min_mg_dl)),
            esc(&unit.format(s.max_mg_dl)),
            s.in_target,
            s.count,
            s.hypo,
            s.hyper
        );
    }
    body.push_str("</tbody></table>");
    section("fingersticks", t.text("section-fingersticks"), body)
}

/// HbA1c results, newest last, with the sensor's GMI beside them when there is enough CGM
/// data.
pub fn hba1c(data: &ReportData, t: &Texts) -> String {
    let units = &data.profile.units;
    let results: Vec<String> = data
        .readings
        .iter()
        .filter_map(|r| match r.measurement {
            Measurement::Hba1c { percent } => Some(format!(
                "{}: {}",
                r.at.with_timezone(&data.zone).format("%Y-%m-%d"),
                units.hba1c.format(percent)
            )),
            _ => None,
        })
        .collect();
    if results.is_empty() {
        return String::new();
    }
    let mut body = format!("<p id=\"hba1c\">{}</p>", esc(&results.join("; ")));
    if let Some(gmi) = data.stats.glucose.as_ref().and_then(|m| m.gmi_percent) {
        let _ = write!(
            body,
            "<p>{}</p>",
            esc(&t.get("hba1c-gmi", &[("gmi", units.hba1c.format(gmi))]))
        );
        // A gap between the two is common and worth a word, not a silent contradiction.
        if let Some((_, a1c)) = super::findings::latest_hba1c(data)
            && (a1c - gmi).abs() >= super::findings::HBA1C_GMI_GAP
        {
            let _ = write!(
                body,
                "<p id=\"hba1c-gmi-gap\" class=\"note\">{}</p>",
                esc(&t.get(
                    "hba1c-gmi-gap",
                    &[
                        ("hba1c", units.hba1c.format(a1c)),
                        ("gmi", units.hba1c.format(gmi)),
                    ],
                ))
            );
        }
    }
    section("hba1c", t.text("section-hba1c"), body)
}
