//! The schedule flags of `med add` and `med edit`, turned into a [`Schedule`].

use chrono::{NaiveTime, Weekday};
use clap::Args;
use companion_core::model::{
    AsNeededLimits, DailyWindow, DoseAmount, Meal, Schedule, TaperStep, TimeZonePolicy,
};

use crate::error::{CliError, usage};
use crate::parse;

/// One schedule type is chosen by its flags; `--at` gives the times of day.
#[derive(Debug, Args, Default)]
pub struct ScheduleArgs {
    /// Times of day, comma separated (08:00,20:00): daily, or on the days the other flags choose.
    #[arg(long, value_delimiter = ',', value_parser = parse::time_of_day)]
    at: Vec<NaiveTime>,
    /// Every N hours (with --first, and optionally --window).
    #[arg(long)]
    every_hours: Option<u32>,
    /// The first dose's time for --every-hours (default 08:00).
    #[arg(long, value_parser = parse::time_of_day)]
    first: Option<NaiveTime>,
    /// Confine --every-hours to a daily window, like 08:00-20:00.
    #[arg(long)]
    window: Option<String>,
    /// Count --every-hours from the last dose taken.
    #[arg(long)]
    from_last_taken: bool,
    /// Only on these days (mon,wed,fri), with --at.
    #[arg(long, value_delimiter = ',', value_parser = parse::weekday)]
    weekdays: Vec<Weekday>,
    /// Every N days from the start date, with --at.
    #[arg(long)]
    every_days: Option<u32>,
    /// Days on / days off, like 21/7, with --at.
    #[arg(long)]
    cycle: Option<String>,
    /// Tapering steps "DAYS:DOSE@TIMES;..." like "7:40 mg@08:00;7:20 mg@08:00".
    #[arg(long)]
    taper: Option<String>,
    /// As needed (with --max-per-day and --min-interval-min).
    #[arg(long)]
    as_needed: bool,
    /// The most as-needed doses in a day.
    #[arg(long)]
    max_per_day: Option<u32>,
    /// The least minutes between as-needed doses.
    #[arg(long)]
    min_interval_min: Option<u32>,
    /// Relative to meals: breakfast,lunch,dinner,bedtime (with --offset-min).
    #[arg(long, value_delimiter = ',')]
    meals: Vec<String>,
    /// Minutes after the meal (negative: before).
    #[arg(long, allow_hyphen_values = true)]
    offset_min: Option<i32>,
    /// Keep the times in this zone when travelling (time-critical drugs); default: local time.
    #[arg(long)]
    fixed_zone: Option<String>,
}

impl ScheduleArgs {
    /// The schedule the flags describe, or `None` when no schedule flag was given.
    pub fn schedule(&self) -> Result<Option<Schedule>, CliError> {
        let chosen = [
            self.every_hours.is_some(),
            !self.weekdays.is_empty(),
            self.every_days.is_some(),
            self.cycle.is_some(),
            self.taper.is_some(),
            self.as_needed,
            !self.meals.is_empty(),
        ]
        .into_iter()
        .filter(|c| *c)
        .count();
        if chosen > 1 {
            return usage(
                "choose one schedule: --every-hours, --weekdays, --every-days, --cycle, --taper, --as-needed or --meals",
            );
        }
        let times = self.at.clone();
        let schedule = if let Some(hours) = self.every_hours {
            let window = match &self.window {
                Some(text) => Some(window(text)?),
                None => None,
            };
            Schedule::EveryNHours {
                hours,
                first: self
                    .first
                    .unwrap_or(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default()),
                from_last_taken: self.from_last_taken,
                window,
            }
        } else if !self.weekdays.is_empty() {
            Schedule::Weekdays {
                days: self.weekdays.clone(),
                times,
            }
        } else if let Some(days) = self.every_days {
            Schedule::EveryNDays { days, times }
        } else if let Some(cycle) = &self.cycle {
            let (on_days, off_days) = parse::pair("--cycle", cycle)?;
            Schedule::Cyclic {
                on_days,
                off_days,
                times,
            }
        } else if let Some(taper) = &self.taper {
            Schedule::Tapering {
                steps: taper_steps(taper)?,
            }
        } else if self.as_needed {
            let (Some(max_per_day), Some(min_interval_minutes)) =
                (self.max_per_day, self.min_interval_min)
            else {
                return usage("--as-needed needs --max-per-day and --min-interval-min");
            };
            Schedule::AsNeeded(AsNeededLimits {
                max_per_day,
                min_interval_minutes,
            })
        } else if !self.meals.is_empty() {
            let meals = self
                .meals
                .iter()
                .map(|m| meal(m))
                .collect::<Result<Vec<_>, _>>()?;
            Schedule::MealRelative {
                meals,
                offset_minutes: self.offset_min.unwrap_or(0),
            }
        } else if !times.is_empty() {
            Schedule::FixedTimes { times }
        } else {
            return Ok(None);
        };
        Ok(Some(schedule))
    }

    /// The time-zone policy the flags ask for, if any.
    pub fn zone_policy(&self) -> Option<TimeZonePolicy> {
        self.fixed_zone
            .as_ref()
            .map(|zone| TimeZonePolicy::Fixed { zone: zone.clone() })
    }
}

fn window(text: &str) -> Result<DailyWindow, CliError> {
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((parse::time_of_day(a).ok()?, parse::time_of_day(b).ok()?)));
    match parsed {
        Some((start, end)) => Ok(DailyWindow { start, end }),
        None => usage("--window: expected two times like 08:00-20:00"),
    }
}

fn meal(text: &str) -> Result<Meal, CliError> {
    Ok(match text.trim().to_ascii_lowercase().as_str() {
        "breakfast" => Meal::Breakfast,
        "lunch" => Meal::Lunch,
        "dinner" => Meal::Dinner,
        "bedtime" => Meal::Bedtime,
        _ => return usage("--meals: use breakfast, lunch, dinner or bedtime"),
    })
}

fn taper_steps(text: &str) -> Result<Vec<TaperStep>, CliError> {
    const FORM: &str = "--taper: expected steps like \"7:40 mg@08:00;7:20 mg@08:00\"";
    text.split(';')
        .map(|step| {
            let (days, rest) = step
                .split_once(':')
                .ok_or_else(|| CliError::Usage(FORM.into()))?;
            let (dose, times) = rest
                .split_once('@')
                .ok_or_else(|| CliError::Usage(FORM.into()))?;
            let days = days
                .trim()
                .parse()
                .map_err(|_| CliError::Usage(FORM.into()))?;
            let times = times
                .split(',')
                .map(parse::time_of_day)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| CliError::Usage(FORM.into()))?;
            Ok(TaperStep {
                days,
                dose: DoseAmount::parse(dose)?,
                times,
            })
        })
        .collect()
}
