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
        writeln!(out, "No readings in the last {days} days")?;
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
        format!(
            "mean {:.0}/{:.0} mmHg  systolic {:.0}-{:.0}, diastolic {:.0}-{:.0}",
            k.mean,
            k.mean_secondary.unwrap_or_default(),
            k.min,
            k.max,
            k.min_secondary.unwrap_or_default(),
            k.max_secondary.unwrap_or_default()
        )
    };
    for k in &s.summaries {
        let trend = k
            .trend_per_week
            .map(|t| match k.kind {
                ReadingKind::Glucose => {
                    let per = units.glucose.from_mg_dl(t);
                    format!(", trend {per:+.1} {} per week", units.glucose.symbol())
                }
                ReadingKind::Weight => {
                    let per = units.weight.from_kg(t);
                    format!(", trend {per:+.1} {} per week", units.weight.symbol())
                }
                _ => format!(", trend {t:+.1} per week"),
            })
            .unwrap_or_else(|| ", no trend (needs 14 days and 6 readings)".to_string());
        let values = if k.kind == ReadingKind::BloodPressure {
            bp_line(k)
        } else {
            format!(
                "mean {}  min {}  max {}",
                shown(k.kind, k.mean),
                shown(k.kind, k.min),
                shown(k.kind, k.max)
            )
        };
        writeln!(
            out,
            "{:<15} {:>5} readings  {values}{trend}",
            k.kind.as_str().replace('_', " "),
            k.count,
        )?;
    }
    if let Some(o) = &s.office_bp {
        writeln!(
            out,
            "{:<15} {:>5} readings  {}",
            "office bp",
            o.count,
            bp_line(o)
        )?;
    }
    if let Some(p) = &s.home_bp {
        let verdict = if p.sufficient {
            ""
        } else {
            " (not enough days: at least 3 after day 1)"
        };
        writeln!(
            out,
            "Home BP protocol {} to {}: {:.0}/{:.0} mmHg from {} readings on {} days, {:.0} % complete{verdict}",
            p.first_day,
            p.last_day,
            p.systolic,
            p.diastolic,
            p.readings_used,
            p.days_used,
            p.completeness * 100.0
        )?;
    }
    if let Some(g) = &s.glucose {
        let g_unit = units.glucose;
        let or_not = |v: Option<f64>| v.map_or("not given".to_string(), |v| format!("{v:.1} %"));
        writeln!(
            out,
            "CGM {} to {}: {:.0} days, every {} min, {:.0} % time active{}",
            g.first.with_timezone(&local).format("%Y-%m-%d"),
            g.last.with_timezone(&local).format("%Y-%m-%d"),
            g.days,
            g.interval_minutes,
            g.active_percent,
            if g.sufficient {
                ""
            } else {
                " (not enough data: 14 days and 70 % time active; indicative only)"
            }
        )?;
        writeln!(
            out,
            "  in range {:.0} % (goal > 70), below {} {:.1} % (< 4), below {} {:.1} % (< 1), above {} {:.0} % (< 25), above {} {:.1} % (< 5)",
            g.in_range,
            g_unit.format(70.0),
            g.below_70,
            g_unit.format(54.0),
            g.below_54,
            g_unit.format(180.0),
            g.above_180,
            g_unit.format(250.0),
            g.above_250
        )?;
        writeln!(
            out,
            "  mean {}, GMI {}, CV {} (goal <= 36 %), GRI {:.0} zone {}; episodes: {} below {}, {} below {}, {} above {}",
            g_unit.format(g.mean_mg_dl),
            or_not(g.gmi_percent),
            or_not(g.cv_percent),
            g.gri.score,
            g.gri.zone,
            g.episodes.hypo_level1,
            g_unit.format(70.0),
            g.episodes.hypo_level2,
            g_unit.format(54.0),
            g.episodes.hyper_level2,
            g_unit.format(250.0)
        )?;
    }
    for f in &s.fingersticks {
        writeln!(
            out,
            "Fingersticks {:<12} {:>4} readings  mean {}  range {} to {}  in target {}/{}  below {} {}, above {} {}",
            f.context.as_str().replace('_', " "),
            f.count,
            units.glucose.format(f.mean_mg_dl),
            units.glucose.format(f.min_mg_dl),
            units.glucose.format(f.max_mg_dl),
            f.in_target,
            f.count,
            units.glucose.format(70.0),
            f.hypo,
            units.glucose.format(180.0),
            f.hyper
        )?;
    }
    // Glucose typed by hand is not a sensor trace: say why there is no time in range.
    if s.glucose.is_none() && s.summaries.iter().any(|x| x.kind == ReadingKind::Glucose) {
        writeln!(out, "{}", w.text("stats-no-sensor"))?;
    }
    Ok(())
}
