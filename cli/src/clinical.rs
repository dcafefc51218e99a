//! `companion stats`, `report`, `targets` and `alerts`.

use std::io::Write;
use std::path::Path;

use chrono::{Duration, Utc};
use companion_core::HealthRecord;
use companion_core::model::BpGuideline;
use companion_core::model::ReadingKind;

use crate::commands::Ctx;
use crate::error::{CliError, usage};
use crate::{AlertsCommand, TargetsCommand, output, parse};

/// `companion stats`.
pub fn stats(
    record: &HealthRecord,
    mut ctx: Ctx<'_>,
    days: u32,
    json: bool,
) -> Result<(), CliError> {
    let now = Utc::now();
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

/// `companion report`.
pub fn report(
    record: &HealthRecord,
    ctx: Ctx<'_>,
    days: u32,
    out: &Path,
    language: Option<companion_core::model::Language>,
) -> Result<(), CliError> {
    let now = Utc::now();
    record.write_report(
        out,
        now - Duration::days(i64::from(days)),
        now,
        &ctx.profile.home_time_zone,
        language,
    )?;
    writeln!(
        ctx.out,
        "Wrote the report of the last {days} days to {}",
        out.display()
    )?;
    Ok(())
}

fn range(field: &str, text: &str) -> Result<(f64, f64), CliError> {
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
    match parsed {
        Some(r) => Ok(r),
        None => usage(format!("{field}: expected two numbers like 80-130")),
    }
}

/// `companion targets`.
pub fn targets(
    record: &mut HealthRecord,
    mut ctx: Ctx<'_>,
    cmd: TargetsCommand,
) -> Result<(), CliError> {
    match cmd {
        TargetsCommand::Show { json } => {
            let t = record.targets()?;
            if json {
                return ctx.json(&t);
            }
            let who = match (&t.set_by, t.set_at) {
                (Some(by), Some(at)) => format!("set by {by} on {}", output::when(&at)),
                _ => "defaults".to_string(),
            };
            writeln!(ctx.out, "Targets ({who}):")?;
            writeln!(
                ctx.out,
                "  blood pressure below {}/{} mmHg, classified by {:?}",
                t.bp_target.systolic, t.bp_target.diastolic, t.bp_guideline
            )?;
            writeln!(
                ctx.out,
                "  glucose before meals {:.0}-{:.0} mg/dL, after meals below {:.0} mg/dL",
                t.glucose.pre_meal_low, t.glucose.pre_meal_high, t.glucose.post_meal_below
            )?;
            if let Some(f) = t.fever_threshold_c {
                writeln!(ctx.out, "  fever alert at {f:.1} °C")?;
            }
        }
        TargetsCommand::Set {
            by,
            guideline,
            bp,
            pre_meal,
            post_meal,
            fever,
        } => {
            let mut t = record.targets()?;
            if let Some(g) = guideline {
                t.bp_guideline = match g.as_str() {
                    "acc-aha" => BpGuideline::AccAha2017,
                    "esh" => BpGuideline::Esh2023,
                    _ => return usage("--guideline: use acc-aha or esh"),
                };
            }
            if let Some(bp) = bp {
                let (s, d) = parse::pair("--bp", &bp)?;
                let (Ok(s), Ok(d)) = (u16::try_from(s), u16::try_from(d)) else {
                    return usage("--bp: expected a pressure like 130/80");
                };
                t.bp_target = companion_core::model::BpTarget {
                    systolic: s,
                    diastolic: d,
                };
            }
            if let Some(r) = pre_meal {
                (t.glucose.pre_meal_low, t.glucose.pre_meal_high) = range("--pre-meal", &r)?;
            }
            if let Some(p) = post_meal {
                t.glucose.post_meal_below = p;
            }
            if fever.is_some() {
                t.fever_threshold_c = fever;
            }
            t.set_by = Some(by);
            t.set_at = None;
            record.set_targets(&t)?;
            writeln!(ctx.out, "Targets updated")?;
        }
    }
    Ok(())
}

/// `companion alerts`.
pub fn alerts(
    record: &mut HealthRecord,
    mut ctx: Ctx<'_>,
    cmd: AlertsCommand,
) -> Result<(), CliError> {
    match cmd {
        AlertsCommand::List { days, json } => {
            let list = record.alerts(ctx.last_days(Some(days)))?;
            if json {
                return ctx.json(&list);
            }
            if list.is_empty() {
                writeln!(ctx.out, "No alerts in the last {days} days")?;
            }
            for a in &list {
                let seen = a
                    .acknowledged_by
                    .as_deref()
                    .map(|b| format!(" (seen by {b})"))
                    .unwrap_or_default();
                writeln!(
                    ctx.out,
                    "{}  {}{seen}  [{}]",
                    output::when(&a.at),
                    a.title,
                    a.id
                )?;
            }
        }
        AlertsCommand::Ack { id, by } => {
            let a = record.acknowledge_alert(&id, &by)?;
            writeln!(ctx.out, "Marked \"{}\" as seen by {by}", a.title)?;
        }
    }
    Ok(())
}
