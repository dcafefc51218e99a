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
    let out = &mut ctx.out;
    if s.summaries.is_empty() {
        writeln!(out, "No readings in the last {days} days")?;
    }
    for k in &s.summaries {
        let second = k
            .mean_secondary
            .map(|v| format!("/{v:.0}"))
            .unwrap_or_default();
        let trend = k
            .trend_per_week
            .map(|t| format!(", trend {t:+.1} per week"))
            .unwrap_or_default();
        let unit = match k.kind {
            ReadingKind::BloodPressure => "mmHg",
            ReadingKind::Glucose => "mg/dL",
            ReadingKind::Weight => "kg",
            ReadingKind::HeartRate => "/min",
            ReadingKind::Spo2 | ReadingKind::Hba1c => "%",
            ReadingKind::Temperature => "°C",
        };
        writeln!(
            out,
            "{:<15} {:>5} readings  mean {:.1}{second} {unit}  min {:.1}  max {:.1}{trend}",
            k.kind.as_str().replace('_', " "),
            k.count,
            k.mean,
            k.min,
            k.max
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
        writeln!(
            out,
            "Glucose: in range {:.0} %, below 70 {:.1} % (below 54 {:.1} %), above 180 {:.0} % (above 250 {:.1} %); GMI {:.1} %, CV {:.0} %{}",
            g.in_range,
            g.below_70,
            g.below_54,
            g.above_180,
            g.above_250,
            g.gmi_percent,
            g.cv_percent,
            if g.sufficient {
                ""
            } else {
                " (not enough data: 14 days and 70 % of sensor readings)"
            }
        )?;
    }
    Ok(())
}
