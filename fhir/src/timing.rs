//! A medication's schedule as FHIR R4 `Dosage` (with `Timing`), and back. Pure.
//!
//! | schedule | Dosage |
//! |---|---|
//! | fixed times | `repeat {frequency = n, period 1 d, timeOfDay}` |
//! | weekdays | `repeat {dayOfWeek, timeOfDay}` |
//! | every N weeks | `repeat {period N wk, dayOfWeek, timeOfDay}` |
//! | every N days | `repeat {period N d, timeOfDay}` |
//! | every N hours / minutes | `repeat {frequency 1, period N h / min}`, `boundsPeriod.start` at the first dose |
//! | meal-relative | `repeat {when ACM/PCM/CM..., offset}` |
//! | tapering | one Dosage per step, in `sequence`, each with `boundsDuration` |
//! | as needed | `asNeededBoolean`, `maxDosePerPeriod` per day, the least interval as `repeat {period N min}` |
//!
//! R4's Timing cannot say: days of the month, an on/off cycle, a dose after another
//! medication's, an interval counted from the last dose taken, or a daily window; such a
//! schedule is refused with [`FhirError::Inexpressible`], naming the medication and the type.

use chrono::{NaiveTime, TimeZone, Weekday};
use companion_core::model::{DoseAmount, Meal, Medication, Schedule};
use companion_core::zone::Zone;
use serde_json::{Value, json};

use crate::error::FhirError;

fn time(t: &NaiveTime) -> String {
    t.format("%H:%M:%S").to_string()
}

fn day(d: &Weekday) -> &'static str {
    match d {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// The UCUM code of a dose unit when it has one; else the unit is an annotation (`{tablet}`).
pub fn dose_quantity(dose: &DoseAmount) -> Value {
    let unit = dose.unit.to_lowercase();
    let code = match unit.as_str() {
        "mg" | "g" | "mcg" | "ug" | "ng" | "ml" | "l" => match unit.as_str() {
            "mcg" | "ug" => "ug".to_string(),
            "l" => "L".to_string(),
            "ml" => "mL".to_string(),
            u => u.to_string(),
        },
        "iu" | "unit" | "units" => "[iU]".to_string(),
        other => format!("{{{}}}", other.trim_end_matches('s')),
    };
    json!({
        "value": dose.amount,
        "unit": dose.unit,
        "system": crate::codes::UCUM,
        "code": code,
    })
}

fn dose_and_rate(dose: &DoseAmount) -> Value {
    json!([{ "doseQuantity": dose_quantity(dose) }])
}

fn meal_code(meal: Meal, offset: i32) -> &'static str {
    match (meal, offset.signum()) {
        (Meal::Breakfast, -1) => "ACM",
        (Meal::Breakfast, 1) => "PCM",
        (Meal::Breakfast, _) => "CM",
        (Meal::Lunch, -1) => "ACD",
        (Meal::Lunch, 1) => "PCD",
        (Meal::Lunch, _) => "CD",
        (Meal::Dinner, -1) => "ACV",
        (Meal::Dinner, 1) => "PCV",
        (Meal::Dinner, _) => "CV",
        (Meal::Bedtime, _) => "HS",
    }
}

fn inexpressible(m: &Medication, what: &'static str) -> FhirError {
    FhirError::Inexpressible {
        medication: m.id.clone(),
        schedule: what,
    }
}

/// The first dose's instant: its local time on the start date in the patient's home `zone`,
/// with that zone's offset (FHIR requires one on a date with a time).
fn first_dose(m: &Medication, first: &NaiveTime, zone: &Zone) -> String {
    let local = m.start.and_time(*first);
    match zone.from_local_datetime(&local).earliest() {
        Some(at) => at
            .fixed_offset()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        None => format!("{}Z", local.format("%Y-%m-%dT%H:%M:%S")),
    }
}

/// The medication's `dosageInstruction` list; times local to the patient's home `zone`.
pub fn dosages(m: &Medication, zone: &Zone) -> Result<Vec<Value>, FhirError> {
    let text = m.instructions.clone();
    let with_text = |mut d: Value| {
        if let Some(t) = &text {
            d["text"] = json!(t);
        }
        d
    };
    let timed = |repeat: Value| {
        with_text(json!({
            "timing": { "repeat": repeat },
            "doseAndRate": dose_and_rate(&m.dose),
        }))
    };
    Ok(match &m.schedule {
        Schedule::FixedTimes { times } => vec![timed(json!({
            "frequency": times.len(), "period": 1, "periodUnit": "d",
            "timeOfDay": times.iter().map(time).collect::<Vec<_>>(),
        }))],
        Schedule::Weekdays { days, times } => vec![timed(json!({
            "frequency": times.len(), "period": 1, "periodUnit": "d",
            "dayOfWeek": days.iter().map(day).collect::<Vec<_>>(),
            "timeOfDay": times.iter().map(time).collect::<Vec<_>>(),
        }))],
        Schedule::EveryNWeeks { weeks, days, times } => vec![timed(json!({
            "frequency": days.len() * times.len(), "period": weeks, "periodUnit": "wk",
            "dayOfWeek": days.iter().map(day).collect::<Vec<_>>(),
            "timeOfDay": times.iter().map(time).collect::<Vec<_>>(),
        }))],
        Schedule::EveryNDays { days, times } => vec![timed(json!({
            "frequency": times.len(), "period": days, "periodUnit": "d",
            "timeOfDay": times.iter().map(time).collect::<Vec<_>>(),
        }))],
        Schedule::EveryNHours {
            hours,
            first,
            from_last_taken,
            window,
        } => {
            if *from_last_taken {
                return Err(inexpressible(m, "every_n_hours counted from the last dose"));
            }
            if window.is_some() {
                return Err(inexpressible(m, "every_n_hours within a daily window"));
            }
            vec![timed(json!({
                "frequency": 1, "period": hours, "periodUnit": "h",
                "boundsPeriod": { "start": first_dose(m, first, zone) },
            }))]
        }
        Schedule::EveryNMinutes {
            minutes,
            first,
            from_last_taken,
            window,
        } => {
            if *from_last_taken {
                return Err(inexpressible(m, "every_n_minutes counted from the last dose"));
            }
            if window.is_some() {
                return Err(inexpressible(m, "every_n_minutes within a daily window"));
            }
            vec![timed(json!({
                "frequency": 1, "period": minutes, "periodUnit": "min",
                "boundsPeriod": { "start": first_dose(m, first, zone) },
            }))]
        }
        Schedule::MealRelative {
            meals,
            offset_minutes,
        } => {
            let mut repeat = json!({
                "when": meals.iter().map(|meal| meal_code(*meal, *offset_minutes)).collect::<Vec<_>>(),
            });
            if *offset_minutes != 0 {
                repeat["offset"] = json!(offset_minutes.unsigned_abs());
            }
            vec![timed(repeat)]
        }
        Schedule::Tapering { steps } => steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                with_text(json!({
                    "sequence": i + 1,
                    "timing": { "repeat": {
                        "boundsDuration": { "value": step.days, "unit": "d", "system": crate::codes::UCUM, "code": "d" },
                        "frequency": step.times.len(), "period": 1, "periodUnit": "d",
                        "timeOfDay": step.times.iter().map(time).collect::<Vec<_>>(),
                    }},
                    "doseAndRate": dose_and_rate(&step.dose),
                }))
            })
            .collect(),
        Schedule::AsNeeded(limits) => {
            let mut d = with_text(json!({
                "asNeededBoolean": true,
                "doseAndRate": dose_and_rate(&m.dose),
                "maxDosePerPeriod": {
                    "numerator": { "value": limits.max_per_day, "unit": "dose", "system": crate::codes::UCUM, "code": "{dose}" },
                    "denominator": { "value": 1, "unit": "d", "system": crate::codes::UCUM, "code": "d" },
                },
            }));
            if limits.min_interval_minutes > 0 {
                // "Every 4 hours as needed": the least interval between doses.
                d["timing"] = json!({ "repeat": {
                    "frequency": 1, "period": limits.min_interval_minutes, "periodUnit": "min",
                }});
            }
            vec![d]
        }
        Schedule::DaysOfMonth { .. } => return Err(inexpressible(m, "days_of_month")),
        Schedule::Cyclic { .. } => return Err(inexpressible(m, "cyclic")),
        Schedule::AfterDose { .. } => return Err(inexpressible(m, "after_dose")),
    })
}

fn times_of(repeat: &Value) -> Result<Vec<NaiveTime>, FhirError> {
    let list = repeat
        .get("timeOfDay")
        .and_then(Value::as_array)
        .ok_or(FhirError::Unsupported {
            element: "Dosage.timing.repeat.timeOfDay",
        })?;
    list.iter()
        .map(|t| {
            t.as_str()
                .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M:%S").ok())
                .ok_or(FhirError::Invalid {
                    element: "Dosage.timing.repeat.timeOfDay",
                })
        })
        .collect()
}

/// The schedule and dose a MedicationRequest's `dosageInstruction` says, for the shapes
/// [`dosages`] writes with times of day, days of the week and intervals; anything else is
/// refused with the element named.
pub fn schedule_of(dosages: &[Value]) -> Result<(Schedule, DoseAmount), FhirError> {
    match dosages {
        [] => Err(FhirError::Invalid {
            element: "MedicationRequest.dosageInstruction",
        }),
        [d] => single(d),
        steps => taper(steps),
    }
}

/// An interval in minutes from `repeat {frequency 1, period, periodUnit min | h}`.
fn minutes(repeat: &Value) -> Result<u32, FhirError> {
    let period = repeat
        .get("period")
        .and_then(Value::as_u64)
        .and_then(|p| u32::try_from(p).ok())
        .ok_or(FhirError::Invalid {
            element: "Dosage.timing.repeat.period",
        })?;
    match repeat.get("periodUnit").and_then(Value::as_str) {
        Some("min") => Ok(period),
        Some("h") => Ok(period.saturating_mul(60)),
        _ => Err(FhirError::Unsupported {
            element: "Dosage.timing.repeat.periodUnit",
        }),
    }
}

/// Consecutive Dosages in `sequence`, each lasting `boundsDuration` days: a taper.
fn taper(steps: &[Value]) -> Result<(Schedule, DoseAmount), FhirError> {
    let mut ordered: Vec<&Value> = steps.iter().collect();
    ordered.sort_by_key(|d| d.get("sequence").and_then(Value::as_u64).unwrap_or(0));
    let mut taper = Vec::new();
    for d in ordered {
        let repeat = d.pointer("/timing/repeat").ok_or(FhirError::Unsupported {
            element: "Dosage.timing.repeat",
        })?;
        let days = repeat
            .pointer("/boundsDuration/value")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .filter(|_| {
                repeat
                    .pointer("/boundsDuration/code")
                    .and_then(Value::as_str)
                    == Some("d")
            })
            .ok_or(FhirError::Unsupported {
                element: "Dosage.timing.repeat.boundsDuration (days, for consecutive Dosages)",
            })?;
        taper.push(companion_core::model::TaperStep {
            days,
            dose: dose_of(d)?,
            times: times_of(repeat)?,
        });
    }
    let first = taper[0].dose.clone();
    Ok((Schedule::Tapering { steps: taper }, first))
}

fn meal(code: &str) -> Option<(Meal, i32)> {
    Some(match code {
        "ACM" => (Meal::Breakfast, -1),
        "PCM" => (Meal::Breakfast, 1),
        "CM" => (Meal::Breakfast, 0),
        "ACD" => (Meal::Lunch, -1),
        "PCD" => (Meal::Lunch, 1),
        "CD" => (Meal::Lunch, 0),
        "ACV" => (Meal::Dinner, -1),
        "PCV" => (Meal::Dinner, 1),
        "CV" => (Meal::Dinner, 0),
        "HS" => (Meal::Bedtime, 0),
        _ => return None,
    })
}

fn dose_of(d: &Value) -> Result<DoseAmount, FhirError> {
    let dose = d
        .pointer("/doseAndRate/0/doseQuantity")
        .ok_or(FhirError::Unsupported {
            element: "Dosage.doseAndRate.doseQuantity",
        })?;
    let amount = dose.get("value").and_then(Value::as_f64);
    let unit = dose.get("unit").and_then(Value::as_str);
    let (Some(amount), Some(unit)) = (amount, unit) else {
        return Err(FhirError::Invalid {
            element: "Dosage.doseAndRate.doseQuantity",
        });
    };
    Ok(DoseAmount {
        amount,
        unit: unit.to_string(),
    })
}

fn single(d: &Value) -> Result<(Schedule, DoseAmount), FhirError> {
    let dose = dose_of(d)?;
    if d.get("asNeededBoolean").and_then(Value::as_bool) == Some(true) {
        let max = d
            .pointer("/maxDosePerPeriod/numerator/value")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or(FhirError::Unsupported {
                element: "Dosage.maxDosePerPeriod",
            })?;
        let min_interval_minutes = match d.pointer("/timing/repeat") {
            None => 0,
            Some(repeat) => minutes(repeat)?,
        };
        return Ok((
            Schedule::AsNeeded(companion_core::model::AsNeededLimits {
                max_per_day: max,
                min_interval_minutes,
            }),
            dose,
        ));
    }
    let repeat = d.pointer("/timing/repeat").ok_or(FhirError::Unsupported {
        element: "Dosage.timing.repeat",
    })?;
    if let Some(when) = repeat.get("when").and_then(Value::as_array) {
        let mut meals = Vec::new();
        let mut sign = None;
        for code in when {
            let (m, s) = code.as_str().and_then(meal).ok_or(FhirError::Unsupported {
                element: "Dosage.timing.repeat.when",
            })?;
            meals.push(m);
            if s != 0 {
                sign = Some(s);
            }
        }
        let offset = repeat.get("offset").and_then(Value::as_u64).unwrap_or(0);
        let offset = i32::try_from(offset).map_err(|_| FhirError::Invalid {
            element: "Dosage.timing.repeat.offset",
        })?;
        return Ok((
            Schedule::MealRelative {
                meals,
                offset_minutes: offset * sign.unwrap_or(1),
            },
            dose,
        ));
    }
    let period = repeat.get("period").and_then(Value::as_u64).unwrap_or(1);
    let period = u32::try_from(period).map_err(|_| FhirError::Invalid {
        element: "Dosage.timing.repeat.period",
    })?;
    let unit = repeat
        .get("periodUnit")
        .and_then(Value::as_str)
        .unwrap_or("d");
    let days: Option<Vec<Weekday>> = repeat
        .get("dayOfWeek")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|d| d.as_str().and_then(weekday))
                .collect::<Option<Vec<_>>>()
                .ok_or(FhirError::Invalid {
                    element: "Dosage.timing.repeat.dayOfWeek",
                })
        })
        .transpose()?;
    let schedule = match (unit, days) {
        ("d", None) if period == 1 => Schedule::FixedTimes {
            times: times_of(repeat)?,
        },
        ("d", None) => Schedule::EveryNDays {
            days: period,
            times: times_of(repeat)?,
        },
        ("d", Some(days)) if period == 1 => Schedule::Weekdays {
            days,
            times: times_of(repeat)?,
        },
        ("wk", Some(days)) => Schedule::EveryNWeeks {
            weeks: period,
            days,
            times: times_of(repeat)?,
        },
        ("h" | "min", None) => {
            let first = repeat
                .pointer("/boundsPeriod/start")
                .and_then(Value::as_str)
                .and_then(|s| s.get(11..19))
                .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M:%S").ok())
                .ok_or(FhirError::Unsupported {
                    element: "Dosage.timing.repeat.boundsPeriod.start",
                })?;
            if unit == "h" {
                Schedule::EveryNHours {
                    hours: period,
                    first,
                    from_last_taken: false,
                    window: None,
                }
            } else {
                Schedule::EveryNMinutes {
                    minutes: period,
                    first,
                    from_last_taken: false,
                    window: None,
                }
            }
        }
        _ => {
            return Err(FhirError::Unsupported {
                element: "Dosage.timing.repeat.periodUnit",
            });
        }
    };
    Ok((schedule, dose))
}
