//! The report's table of the other measurements (SpO2, temperature, heart rate) when the
//! period has any: count, mean, lowest to highest, and the latest, in the patient's units.

use std::fmt::Write;

use super::svg::esc;
use super::{ReportData, section};
use crate::i18n::Texts;
use crate::model::{Measurement, ReadingKind};

/// The value `v` of `kind` as a measurement, to be worded in the reader's units.
fn as_measurement(kind: ReadingKind, v: f64) -> Option<Measurement> {
    Some(match kind {
        ReadingKind::Spo2 => Measurement::Spo2 { percent: v },
        ReadingKind::Temperature => Measurement::Temperature { celsius: v },
        ReadingKind::HeartRate => Measurement::HeartRate {
            bpm: v.round().clamp(0.0, f64::from(u16::MAX)) as u16,
        },
        _ => return None,
    })
}

/// The section, or nothing when there are no such readings.
pub fn section_html(data: &ReportData, t: &Texts) -> String {
    let units = &data.profile.units;
    let shown =
        |kind, v| as_measurement(kind, v).map_or_else(String::new, |m| t.measurement(&m, units));
    let mut rows = String::new();
    for kind in [
        ReadingKind::Spo2,
        ReadingKind::Temperature,
        ReadingKind::HeartRate,
    ] {
        let Some(s) = data.stats.summaries.iter().find(|s| s.kind == kind) else {
            continue;
        };
        let last = data
            .readings
            .iter()
            .filter(|r| r.measurement.kind() == kind)
            .max_by_key(|r| r.at)
            .map(|r| {
                format!(
                    "{} {}",
                    t.measurement(&r.measurement, units),
                    t.get(
                        "paren",
                        &[(
                            "text",
                            r.at.with_timezone(&data.zone)
                                .format("%m-%d %H:%M")
                                .to_string()
                        )]
                    )
                )
            })
            .unwrap_or_default();
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td><td>{}</td></tr>",
            esc(&t.text(&format!("kind-{}", kind.as_str()))),
            s.count,
            esc(&shown(kind, s.mean)),
            esc(&shown(kind, s.min)),
            esc(&shown(kind, s.max)),
            esc(&last)
        );
    }
    if rows.is_empty() {
        return String::new();
    }
    // Each reading that scores in NEWS2 or shows a fever, flagged with why.
    let flags: Vec<String> = super::findings::vital_flags(data)
        .iter()
        .map(|f| {
            let mut why = Vec::new();
            if f.news2 > 0 {
                why.push(t.get("flag-news2", &[("score", f.news2.to_string())]));
            }
            if f.fever {
                why.push(t.text("flag-fever"));
            }
            format!(
                "<li{}>{} {} {}</li>",
                if f.serious() { " class=\"alert\"" } else { "" },
                f.reading.at.with_timezone(&data.zone).format("%m-%d %H:%M"),
                esc(&t.measurement(&f.reading.measurement, units)),
                esc(&t.get("paren", &[("text", why.join(&t.text("list-sep")))]))
            )
        })
        .collect();
    let flagged = if flags.is_empty() {
        String::new()
    } else {
        format!(
            "<p>{}</p><ul id=\"vital-flags\">{}</ul><p class=\"note\">{}</p>",
            esc(&t.text("flags-title")),
            flags.concat(),
            esc(&t.text("flags-note"))
        )
    };
    let body = format!(
        "<table id=\"vitals\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table>{flagged}",
        esc(&t.text("col-kind")),
        esc(&t.text("col-count")),
        esc(&t.text("col-mean")),
        esc(&t.text("col-range")),
        esc(&t.text("col-last")),
    );
    section("vitals", t.text("section-vitals"), body)
}
