//! `companion stats`.

use std::io::Write;

use chrono::Duration;
use companion_core::HealthRecord;
use companion_core::model::ReadingKind;

use crate::context::Ctx;
use crate::error::CliError;

/// `companion stats`.
pub fn run(record: &HealthRecord, mut ctx: Ctx<'_>, days: u32, json: bool) -> Result<(), CliError> {
    let now = companion_core::clock::now()?;
    let zone = ctx.profile.home_time_zone.clone();
    let s = record.stats(now - Duration::days(i64::from(days)), now, &zone)?;
    if json {
        return ctx.json(&s);
    }
    let local = ctx.zone();
    let w = ctx.words();
    let out = &mut ctx.out;
    if s.summaries.is_empty() {
        writeln!(
            out,
            "{}",
            w.get("stats-none", &[("days", days.to_string())])
        )?;
    }
    let units = ctx.profile.units;
    // A value of `kind` in the patient's unit, rounded only here.
    let shown = |kind: ReadingKind, v: f64| -> String {
        match kind {
            ReadingKind::BloodPressure => format!("{v:.0}"),
            ReadingKind::Glucose => units.glucose.format(v),
            ReadingKind::Weight => units.weight.format(v),
            ReadingKind::HeartRate => format!("{v:.0}/min"),
            ReadingKind::Spo2 => format!("{v:.0} %"),
            ReadingKind::Temperature => units.temperature.format(v),
            ReadingKind::Hba1c => units.hba1c.format(v),
        }
    };
    let bp_line = |k: &companion_core::clinical::stats::Summary| -> String {
        let whole = |v: f64| format!("{v:.0}");
        w.get(
            "stats-bp",
            &[
                ("sys", whole(k.mean)),
                ("dia", whole(k.mean_secondary.unwrap_or_default())),
                ("smin", whole(k.min)),
                ("smax", whole(k.max)),
                ("dmin", whole(k.min_secondary.unwrap_or_default())),
                ("dmax", whole(k.max_secondary.unwrap_or_default())),
            ],
        )
    };
    for k in &s.summaries {
        let trend = k
            .trend_per_week
            .map(|t| match k.kind {
                ReadingKind::Glucose => {
                    let per = units.glucose.from_mg_dl(t);
                    w.get(
                        "stats-trend",
                        &[("per", format!("{per:+.1} {}", units.glucose.symbol()))],
                    )
                }
                ReadingKind::Weight => {
                    let per = units.weight.from_kg(t);
                    w.get(
                        "stats-trend",
                        &[("per", format!("{per:+.1} {}", units.weight.symbol()))],
                    )
                }
                _ => w.get("stats-trend", &[("per", format!("{t:+.1}"))]),
            })
            .unwrap_or_else(|| w.text("stats-no-trend"));
        let values = if k.kind == ReadingKind::BloodPressure {
            bp_line(k)
        } else {
            w.get(
                "stats-values",
                &[
                    ("mean", shown(k.kind, k.mean)),
                    ("min", shown(k.kind, k.min)),
                    ("max", shown(k.kind, k.max)),
                ],
            )
        };
        let kind = w.text(&format!("rkind-{}", k.kind.as_str()));
        let count = w.get("stats-readings", &[("n", format!("{:>5}", k.count))]);
        writeln!(out, "{kind:<15} {count}  {values}{trend}")?;
    }
    if let Some(o) = &s.office_bp {
        let count = w.get("stats-readings", &[("n", format!("{:>5}", o.count))]);
        writeln!(
            out,
            "{:<15} {count}  {}",
            w.text("stats-office-bp"),
            bp_line(o)
        )?;
    }
    if let Some(p) = &s.home_bp {
        let verdict = if p.sufficient {
            String::new()
        } else {
            w.text("stats-protocol-thin")
        };
        let line = w.get(
            "stats-protocol",
            &[
                ("from", p.first_day.to_string()),
                ("to", p.last_day.to_string()),
                ("sys", format!("{:.0}", p.systolic)),
                ("dia", format!("{:.0}", p.diastolic)),
                ("readings", p.readings_used.to_string()),
                ("days", p.days_used.to_string()),
                ("percent", format!("{:.0}", p.completeness * 100.0)),
            ],
        );
        writeln!(out, "{line}{verdict}")?;
    }
    if let Some(g) = &s.glucose {
        let g_unit = units.glucose;
        let or_not = |v: Option<f64>| v.map_or(w.text("stats-not-given"), |v| format!("{v:.1} %"));
        let line = w.get(
            "stats-cgm",
            &[
                (
                    "from",
                    g.first.with_timezone(&local).format("%Y-%m-%d").to_string(),
                ),
                (
                    "to",
                    g.last.with_timezone(&local).format("%Y-%m-%d").to_string(),
                ),
                ("days", format!("{:.0}", g.days)),
                ("interval", g.interval_minutes.to_string()),
                ("active", format!("{:.0}", g.active_percent)),
            ],
        );
        let verdict = if g.sufficient {
            String::new()
        } else {
            w.text("stats-cgm-thin")
        };
        writeln!(out, "{line}{verdict}")?;
        let line = w.get(
            "stats-tir",
            &[
                ("in", format!("{:.0}", g.in_range)),
                ("t70", g_unit.format(70.0)),
                ("b70", format!("{:.1}", g.below_70)),
                ("t54", g_unit.format(54.0)),
                ("b54", format!("{:.1}", g.below_54)),
                ("t180", g_unit.format(180.0)),
                ("a180", format!("{:.0}", g.above_180)),
                ("t250", g_unit.format(250.0)),
                ("a250", format!("{:.1}", g.above_250)),
            ],
        );
        writeln!(out, "  {line}")?;
        let line = w.get(
            "stats-cgm-more",
            &[
                ("mean", g_unit.format(g.mean_mg_dl)),
                ("gmi", or_not(g.gmi_percent)),
                ("cv", or_not(g.cv_percent)),
                ("gri", format!("{:.0}", g.gri.score)),
                ("zone", g.gri.zone.clone()),
                ("e70", g.episodes.hypo_level1.to_string()),
                ("t70", g_unit.format(70.0)),
                ("e54", g.episodes.hypo_level2.to_string()),
                ("t54", g_unit.format(54.0)),
                ("e250", g.episodes.hyper_level2.to_string()),
                ("t250", g_unit.format(250.0)),
            ],
        );
        writeln!(out, "  {line}")?;
    }
    for f in &s.fingersticks {
        let line = w.get(
            "stats-fingersticks",
            &[
                (
                    "context",
                    format!("{:<12}", w.text(&format!("mctx-{}", f.context.as_str()))),
                ),
                ("count", format!("{:>4}", f.count)),
                ("mean", units.glucose.format(f.mean_mg_dl)),
                ("min", units.glucose.format(f.min_mg_dl)),
                ("max", units.glucose.format(f.max_mg_dl)),
                ("in", f.in_target.to_string()),
                ("total", f.count.to_string()),
                ("t70", units.glucose.format(70.0)),
                ("hypo", f.hypo.to_string()),
                ("t180", units.glucose.format(180.0)),
                ("hyper", f.hyper.to_string()),
            ],
        );
        writeln!(out, "{line}")?;
    }
    // Glucose typed by hand is not a sensor trace: say why there is no time in range.
    if s.glucose.is_none() && s.summaries.iter().any(|x| x.kind == ReadingKind::Glucose) {
        writeln!(out, "{}", w.text("stats-no-sensor"))?;
    }
    Ok(())
}
