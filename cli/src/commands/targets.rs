//! `companion targets show|set`.

use companion_core::HealthRecord;
use companion_core::model::BpGuideline;
use companion_core::model::units::parse_decimal;

use crate::context::Ctx;
use crate::error::CliError;
use crate::{TargetsCommand, output, parse};

/// `companion targets`.
pub fn run(
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
            let w = ctx.words();
            // The clinician's time on the patient's clock, not the clinician's.
            let home = ctx.zone();
            let who = match (&t.set_by, t.set_at) {
                (Some(by), Some(at)) => w.get(
                    "targets-set-by",
                    &[
                        ("who", by.clone()),
                        (
                            "when",
                            output::when(&at.with_timezone(&home).fixed_offset()),
                        ),
                    ],
                ),
                _ => w.text("targets-defaults"),
            };
            writeln!(ctx.out, "{}", w.get("targets-title", &[("who", who)]))?;
            let bp = format!("{}/{}", t.bp_target.systolic, t.bp_target.diastolic);
            let guideline = output::guideline(t.bp_guideline).to_string();
            writeln!(
                ctx.out,
                "  {}",
                w.get("targets-bp", &[("bp", bp), ("guideline", guideline)])
            )?;
            let profile = record.profile()?;
            let units = profile.units;
            let g = units.glucose;
            writeln!(
                ctx.out,
                "  {}",
                w.get(
                    "targets-glucose",
                    &[
                        ("low", g.format(t.glucose.pre_meal_low)),
                        ("high", g.format(t.glucose.pre_meal_high)),
                        ("after", g.format(t.glucose.post_meal_below)),
                    ]
                )
            )?;
            let scale = if t.spo2_scale2 {
                "targets-spo2-2"
            } else {
                "targets-spo2-1"
            };
            writeln!(ctx.out, "  {}", w.text(scale))?;
            if let Some(f) = t.fever_threshold_c {
                let threshold = units.temperature.format(f);
                writeln!(
                    ctx.out,
                    "  {}",
                    w.get("targets-fever", &[("threshold", threshold)])
                )?;
            }
        }
        TargetsCommand::Set {
            by,
            guideline,
            bp,
            pre_meal,
            post_meal,
            fever,
            spo2_scale,
        } => {
            let mut t = record.targets()?;
            let profile = record.profile()?;
            let units = profile.units;
            if let Some(g) = guideline {
                t.bp_guideline = match g.as_str() {
                    "acc-aha" => BpGuideline::AccAha2017,
                    "esh" => BpGuideline::Esh2023,
                    _ => {
                        return Err(CliError::Said {
                            id: "err-guideline",
                            args: vec![],
                            usage: true,
                        });
                    }
                };
            }
            if let Some(bp) = bp {
                let (s, d) = parse::pair("--bp", &bp)?;
                let (Ok(s), Ok(d)) = (u16::try_from(s), u16::try_from(d)) else {
                    return Err(CliError::Said {
                        id: "err-bp-target",
                        args: vec![],
                        usage: true,
                    });
                };
                t.bp_target = companion_core::model::BpTarget {
                    systolic: s,
                    diastolic: d,
                };
            }
            let g = units.glucose;
            if let Some(r) = pre_meal {
                let (low, high) = range("--pre-meal", &r)?;
                (t.glucose.pre_meal_low, t.glucose.pre_meal_high) =
                    (g.to_mg_dl(low), g.to_mg_dl(high));
            }
            if let Some(p) = post_meal {
                t.glucose.post_meal_below = g.to_mg_dl(p.value(&profile)?);
            }
            if let Some(f) = fever {
                let f = f.value(&profile)?;
                t.fever_threshold_c = Some(units.temperature.to_celsius(f));
            }
            if let Some(scale) = spo2_scale {
                t.spo2_scale2 = scale == 2;
            }
            t.set_by = Some(by);
            t.set_at = None;
            record.set_targets(&t)?;
            writeln!(ctx.out, "{}", ctx.words().text("targets-updated"))?;
        }
    }
    Ok(())
}

fn range(field: &str, text: &str) -> Result<(f64, f64), CliError> {
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((parse_decimal(a)?, parse_decimal(b)?)));
    match parsed {
        Some(r) => Ok(r),
        None => Err(CliError::Said {
            id: "err-range-form",
            args: vec![("field", field.to_string())],
            usage: true,
        }),
    }
}
