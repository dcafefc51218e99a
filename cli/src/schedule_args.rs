//! The schedule flags of `med add` and `med edit`, turned into a [`Schedule`].

use chrono::{NaiveTime, Weekday};
use clap::Args;
use companion_core::model::{
    AsNeededLimits, DailyWindow, DoseAmount, Meal, Schedule, TaperStep, TimeZonePolicy,
};

use crate::error::{CliError, usage_said};
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
    /// Every N minutes, 15 or more (with --first, and optionally --window).
    #[arg(long)]
    every_minutes: Option<u32>,
    /// The first dose's time for --every-hours or --every-minutes (default 08:00, or the
    /// window's opening).
    #[arg(long, value_parser = parse::time_of_day)]
    first: Option<NaiveTime>,
    /// Confine the interval to a daily window, like 08:00-20:00 (22:00-06:00 crosses midnight);
    /// each day starts again at its opening.
    #[arg(long)]
    window: Option<String>,
    /// Count the interval from the last dose taken.
    #[arg(long)]
    from_last_taken: bool,
    /// Only on these days (mon,wed,fri), with --at (and --every-weeks).
    #[arg(long, value_delimiter = ',', value_parser = parse::weekday)]
    weekdays: Vec<Weekday>,
    /// Every N weeks on the --weekdays (2: every other week), counted from the start date's week.
    #[arg(long)]
    every_weeks: Option<u32>,
    /// On these days of the month (1,15), with --at; 29 to 31 fall on a shorter month's last day.
    #[arg(long, value_delimiter = ',')]
    month_days: Vec<u32>,
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
        self.refuse_conflicts()?;
        let times = self.at.clone();
        let interval = self.every_hours.is_some() || self.every_minutes.is_some();
        let schedule = if interval {
            let window = match &self.window {
                Some(text) => Some(window(text)?),
                None => None,
            };
            let first = self
                .first
                .or(window.map(|w| w.start))
                .unwrap_or(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default());
            match (self.every_hours, self.every_minutes) {
                (Some(hours), _) => Schedule::EveryNHours {
                    hours,
                    first,
                    from_last_taken: self.from_last_taken,
                    window,
                },
                (None, minutes) => Schedule::EveryNMinutes {
                    minutes: minutes.unwrap_or_default(),
                    first,
                    from_last_taken: self.from_last_taken,
                    window,
                },
            }
        } else if let Some(weeks) = self.every_weeks {
            Schedule::EveryNWeeks {
                weeks,
                days: self.weekdays.clone(),
                times,
            }
        } else if !self.weekdays.is_empty() {
            Schedule::Weekdays {
                days: self.weekdays.clone(),
                times,
            }
        } else if !self.month_days.is_empty() {
            Schedule::DaysOfMonth {
                days: self.month_days.clone(),
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
                return usage_said("err-prn-limits", vec![]);
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

    /// Refuses flags that belong to no chosen schedule, or to two at once, instead of
    /// silently dropping some (`--at 08:00 --every-hours 8`).
    fn refuse_conflicts(&self) -> Result<(), CliError> {
        let chosen: Vec<&str> = [
            (self.every_hours.is_some(), "--every-hours"),
            (self.every_minutes.is_some(), "--every-minutes"),
            (
                !self.weekdays.is_empty() || self.every_weeks.is_some(),
                "--weekdays",
            ),
            (!self.month_days.is_empty(), "--month-days"),
            (self.every_days.is_some(), "--every-days"),
            (self.cycle.is_some(), "--cycle"),
            (self.taper.is_some(), "--taper"),
            (self.as_needed, "--as-needed"),
            (!self.meals.is_empty(), "--meals"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if chosen.len() > 1 {
            return usage_said("err-one-schedule", vec![("chosen", chosen.join(" and "))]);
        }
        let one = chosen.first().copied();
        let interval = matches!(one, Some("--every-hours" | "--every-minutes"));
        let refuse = |flag: &str, needs: &str| -> Result<(), CliError> {
            usage_said(
                "err-goes-with",
                vec![("flag", flag.to_string()), ("needs", needs.to_string())],
            )
        };
        if !self.at.is_empty()
            && matches!(one, Some(s) if ["--every-hours", "--every-minutes", "--taper", "--as-needed", "--meals"].contains(&s))
        {
            return usage_said(
                "err-at-own-times",
                vec![("schedule", one.unwrap_or_default().to_string())],
            );
        }
        if !interval {
            if self.first.is_some() {
                return refuse("--first", "--every-hours or --every-minutes");
            }
            if self.window.is_some() {
                return refuse("--window", "--every-hours or --every-minutes");
            }
            if self.from_last_taken {
                return refuse("--from-last-taken", "--every-hours or --every-minutes");
            }
        }
        if self.every_weeks.is_some() && self.weekdays.is_empty() {
            return refuse("--every-weeks", "--weekdays");
        }
        if one != Some("--as-needed")
            && (self.max_per_day.is_some() || self.min_interval_min.is_some())
        {
            return refuse("--max-per-day and --min-interval-min", "--as-needed");
        }
        if one != Some("--meals") && self.offset_min.is_some() {
            return refuse("--offset-min", "--meals");
        }
        Ok(())
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
        None => usage_said("err-window", vec![]),
    }
}

fn meal(text: &str) -> Result<Meal, CliError> {
    Ok(match text.trim().to_ascii_lowercase().as_str() {
        "breakfast" => Meal::Breakfast,
        "lunch" => Meal::Lunch,
        "dinner" => Meal::Dinner,
        "bedtime" => Meal::Bedtime,
        _ => return usage_said("err-meals", vec![]),
    })
}

fn taper_steps(text: &str) -> Result<Vec<TaperStep>, CliError> {
    let form = || CliError::Said {
        id: "err-taper",
        args: vec![],
        usage: true,
    };
    text.split(';')
        .map(|step| {
            let (days, rest) = step.split_once(':').ok_or_else(form)?;
            let (dose, times) = rest.split_once('@').ok_or_else(form)?;
            let days = days.trim().parse().map_err(|_| form())?;
            let times = times
                .split(',')
                .map(parse::time_of_day)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| form())?;
            Ok(TaperStep {
                days,
                dose: DoseAmount::parse(dose)?,
                times,
            })
        })
        .collect()
}
