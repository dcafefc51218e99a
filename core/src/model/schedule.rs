use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use super::amount::DoseAmount;
use super::validation::{Validate, ValidationError, parse_time_zone};
use crate::vocabulary::vocabulary;

/// When a medication is due. Modelled after FHIR `Timing` so that prescriptions import without
/// loss (docs/reminders.md). Times of day are wall-clock times read in the zone that the
/// medication's [`TimeZonePolicy`] names; day counts start on the medication's start date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "RawSchedule")]
pub enum Schedule {
    /// Every day at these times.
    FixedTimes {
        /// Times of day, at least one, no repeats.
        times: Vec<NaiveTime>,
    },
    /// Every `hours` hours, starting at `first` on the start date, or counted from the last dose
    /// actually taken; optionally only inside a daily window (every 4 hours between 08:00 and
    /// 20:00).
    EveryNHours {
        /// The interval, 1 to 72 hours.
        hours: u32,
        /// The first dose's time of day on the start date.
        first: NaiveTime,
        /// Count from the last dose taken instead of from `first`.
        #[serde(default)]
        from_last_taken: bool,
        /// Doses fall only inside this daily window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<DailyWindow>,
    },
    /// Every `minutes` minutes (every 90 minutes), like [`Schedule::EveryNHours`]: from
    /// `first` on the start date or from the last dose taken, optionally inside a daily window.
    EveryNMinutes {
        /// The interval, 15 minutes to 72 hours.
        minutes: u32,
        /// The first dose's time of day on the start date.
        first: NaiveTime,
        /// Count from the last dose taken instead of from `first`.
        #[serde(default)]
        from_last_taken: bool,
        /// Doses fall only inside this daily window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<DailyWindow>,
    },
    /// On these days of the week at these times.
    Weekdays {
        /// Days of the week, at least one.
        days: Vec<Weekday>,
        /// Times of day, at least one.
        times: Vec<NaiveTime>,
    },
    /// Every `weeks` weeks on these days of the week (every other week on Monday and
    /// Thursday), the weeks (Monday to Sunday) counted from the one holding the start date.
    EveryNWeeks {
        /// The interval in weeks, 1 to 52.
        weeks: u32,
        /// Days of the week, at least one.
        days: Vec<Weekday>,
        /// Times of day, at least one.
        times: Vec<NaiveTime>,
    },
    /// On these days of the month (vitamin D on the 1st). A day the month does not have (the
    /// 31st in April) falls on its last day, once.
    DaysOfMonth {
        /// Days of the month, 1 to 31, at least one.
        days: Vec<u32>,
        /// Times of day, at least one.
        times: Vec<NaiveTime>,
    },
    /// Every `days` days from the start date, at these times.
    EveryNDays {
        /// The interval in days, 1 to 365.
        days: u32,
        /// Times of day, at least one.
        times: Vec<NaiveTime>,
    },
    /// `on_days` days on, then `off_days` days off (21 on / 7 off), from the start date.
    Cyclic {
        /// Days taking the medication, at least one.
        on_days: u32,
        /// Days without it, at least one.
        off_days: u32,
        /// Times of day on the days on.
        times: Vec<NaiveTime>,
    },
    /// Consecutive steps from the start date, each with its own dose and times (a steroid taper).
    Tapering {
        /// The steps in order, at least one.
        steps: Vec<TaperStep>,
    },
    /// When needed, within limits.
    AsNeeded(AsNeededLimits),
    /// Relative to the patient's meal times (30 minutes before breakfast and dinner).
    MealRelative {
        /// The meals, at least one.
        meals: Vec<Meal>,
        /// Minutes after the meal (negative: before it), -240 to 240.
        offset_minutes: i32,
    },
    /// A set time after another medication's dose is taken (30 minutes after the thyroid tablet).
    AfterDose {
        /// The medication whose dose this one follows.
        medication_id: String,
        /// Minutes after that dose is taken, 0 to 720.
        offset_minutes: u32,
    },
}

/// A schedule as JSON holds it: its type and every type's fields, flat. Read this way rather
/// than as an internally tagged enum, whose reading buffers every value first and costs the
/// phone library a copy of serde's buffering code per enum (docs/storage.md, "Size"). `days`
/// is a list of weekdays, a list of days of the month or a count, so it is read per type.
#[derive(Deserialize)]
struct RawSchedule {
    #[serde(rename = "type")]
    kind: ScheduleType,
    times: Option<Vec<NaiveTime>>,
    hours: Option<u32>,
    minutes: Option<u32>,
    first: Option<NaiveTime>,
    #[serde(default)]
    from_last_taken: bool,
    window: Option<DailyWindow>,
    days: Option<serde_json::Value>,
    weeks: Option<u32>,
    on_days: Option<u32>,
    off_days: Option<u32>,
    steps: Option<Vec<TaperStep>>,
    max_per_day: Option<u32>,
    min_interval_minutes: Option<u32>,
    meals: Option<Vec<Meal>>,
    offset_minutes: Option<i64>,
    medication_id: Option<String>,
}

/// The name of a schedule's type.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ScheduleType {
    FixedTimes,
    EveryNHours,
    EveryNMinutes,
    Weekdays,
    EveryNWeeks,
    DaysOfMonth,
    EveryNDays,
    Cyclic,
    Tapering,
    AsNeeded,
    MealRelative,
    AfterDose,
}

impl TryFrom<RawSchedule> for Schedule {
    type Error = &'static str;

    fn try_from(raw: RawSchedule) -> Result<Self, Self::Error> {
        fn days<T: serde::de::DeserializeOwned>(
            v: Option<serde_json::Value>,
        ) -> Result<T, &'static str> {
            crate::model::per_type(v, "missing field `days`", "invalid value for `days`")
        }
        let times = || raw.times.clone().ok_or("missing field `times`");
        Ok(match raw.kind {
            ScheduleType::FixedTimes => Self::FixedTimes { times: times()? },
            ScheduleType::EveryNHours => Self::EveryNHours {
                hours: raw.hours.ok_or("missing field `hours`")?,
                first: raw.first.ok_or("missing field `first`")?,
                from_last_taken: raw.from_last_taken,
                window: raw.window,
            },
            ScheduleType::EveryNMinutes => Self::EveryNMinutes {
                minutes: raw.minutes.ok_or("missing field `minutes`")?,
                first: raw.first.ok_or("missing field `first`")?,
                from_last_taken: raw.from_last_taken,
                window: raw.window,
            },
            ScheduleType::Weekdays => Self::Weekdays {
                times: times()?,
                days: days(raw.days)?,
            },
            ScheduleType::EveryNWeeks => Self::EveryNWeeks {
                weeks: raw.weeks.ok_or("missing field `weeks`")?,
                times: times()?,
                days: days(raw.days)?,
            },
            ScheduleType::DaysOfMonth => Self::DaysOfMonth {
                times: times()?,
                days: days(raw.days)?,
            },
            ScheduleType::EveryNDays => Self::EveryNDays {
                times: times()?,
                days: days(raw.days)?,
            },
            ScheduleType::Cyclic => Self::Cyclic {
                on_days: raw.on_days.ok_or("missing field `on_days`")?,
                off_days: raw.off_days.ok_or("missing field `off_days`")?,
                times: times()?,
            },
            ScheduleType::Tapering => Self::Tapering {
                steps: raw.steps.ok_or("missing field `steps`")?,
            },
            ScheduleType::AsNeeded => Self::AsNeeded(AsNeededLimits {
                max_per_day: raw.max_per_day.ok_or("missing field `max_per_day`")?,
                min_interval_minutes: raw
                    .min_interval_minutes
                    .ok_or("missing field `min_interval_minutes`")?,
            }),
            ScheduleType::MealRelative => Self::MealRelative {
                meals: raw.meals.ok_or("missing field `meals`")?,
                offset_minutes: raw
                    .offset_minutes
                    .ok_or("missing field `offset_minutes`")?
                    .try_into()
                    .map_err(|_| "invalid value for `offset_minutes`")?,
            },
            ScheduleType::AfterDose => Self::AfterDose {
                medication_id: raw.medication_id.ok_or("missing field `medication_id`")?,
                offset_minutes: raw
                    .offset_minutes
                    .ok_or("missing field `offset_minutes`")?
                    .try_into()
                    .map_err(|_| "invalid value for `offset_minutes`")?,
            },
        })
    }
}

/// A daily window confining an interval schedule: each day's doses start again at its
/// opening. A window whose end is earlier than its start crosses midnight (22:00-06:00, a night
/// shift) and belongs to the day it opens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyWindow {
    /// The window opens at this time.
    pub start: NaiveTime,
    /// And closes at this time: later the same day, or (earlier than `start`) the next day.
    pub end: NaiveTime,
}

fn check_window(window: Option<&DailyWindow>) -> Result<(), ValidationError> {
    match window {
        Some(w) if w.start == w.end => Err(ValidationError::Invalid {
            field: "window",
            reason: "the window opens and closes at the same time",
        }),
        _ => Ok(()),
    }
}

/// One step of a tapering schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaperStep {
    /// How many days the step lasts, at least one.
    pub days: u32,
    /// The dose taken at each time during this step.
    pub dose: DoseAmount,
    /// Times of day.
    pub times: Vec<NaiveTime>,
}

/// The limits of an as-needed medication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsNeededLimits {
    /// The most doses in one calendar day, at least one.
    pub max_per_day: u32,
    /// The least time between two doses, in minutes.
    pub min_interval_minutes: u32,
}

/// A meal of the day; its time comes from the patient's [`MealTimes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meal {
    /// Breakfast.
    Breakfast,
    /// Lunch.
    Lunch,
    /// Dinner.
    Dinner,
    /// Going to bed.
    Bedtime,
}

vocabulary!(Meal, "meal", {
    Breakfast => "breakfast",
    Lunch => "lunch",
    Dinner => "dinner" | "supper",
    Bedtime => "bedtime",
});

/// The patient's usual meal times, for meal-relative schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MealTimes {
    /// Usual breakfast time.
    pub breakfast: NaiveTime,
    /// Usual lunch time.
    pub lunch: NaiveTime,
    /// Usual dinner time.
    pub dinner: NaiveTime,
    /// Usual bedtime.
    pub bedtime: NaiveTime,
}

impl Default for MealTimes {
    fn default() -> Self {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        Self {
            breakfast: at(7, 30),
            lunch: at(12, 30),
            dinner: at(18, 30),
            bedtime: at(22, 0),
        }
    }
}

/// Which clock a medication's times follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "RawPolicy")]
pub enum TimeZonePolicy {
    /// Wall-clock time wherever the phone is: 08:00 in Berlin, then 08:00 in New York.
    #[default]
    Local,
    /// The times are read in one zone and do not move when travelling; interval schedules keep
    /// absolute spacing. For time-critical drugs.
    Fixed {
        /// The IANA zone the times are read in (usually the home zone).
        zone: String,
    },
}

/// What to do with a dose remembered late (docs/clinical-sources.md, "Safety principles": never a double
/// dose; the default takes it if less than half the interval has passed, otherwise skips it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "RawPolicy")]
pub enum LateDosePolicy {
    /// Take it if less than half the interval to the next dose has passed, otherwise skip it.
    #[default]
    HalfInterval,
    /// Take it if at most `minutes` have passed, otherwise skip it.
    Within {
        /// Minutes after the scheduled time.
        minutes: u32,
    },
}

/// A time-zone or late-dose policy as JSON holds it, flat (see [`RawSchedule`]).
#[derive(Deserialize)]
struct RawPolicy {
    #[serde(rename = "type")]
    kind: PolicyType,
    zone: Option<String>,
    minutes: Option<u32>,
}

/// The name of a policy's type (time zone: `local`, `fixed`; late dose: `half_interval`,
/// `within`).
#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum PolicyType {
    Local,
    Fixed,
    HalfInterval,
    Within,
}

impl TryFrom<RawPolicy> for TimeZonePolicy {
    type Error = &'static str;

    fn try_from(raw: RawPolicy) -> Result<Self, Self::Error> {
        match raw.kind {
            PolicyType::Local => Ok(Self::Local),
            PolicyType::Fixed => Ok(Self::Fixed {
                zone: raw.zone.ok_or("missing field `zone`")?,
            }),
            _ => Err("unknown variant: expected `local` or `fixed`"),
        }
    }
}

impl TryFrom<RawPolicy> for LateDosePolicy {
    type Error = &'static str;

    fn try_from(raw: RawPolicy) -> Result<Self, Self::Error> {
        match raw.kind {
            PolicyType::HalfInterval => Ok(Self::HalfInterval),
            PolicyType::Within => Ok(Self::Within {
                minutes: raw.minutes.ok_or("missing field `minutes`")?,
            }),
            _ => Err("unknown variant: expected `half_interval` or `within`"),
        }
    }
}

fn check_times(field: &'static str, times: &[NaiveTime]) -> Result<(), ValidationError> {
    if times.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let mut sorted = times.to_vec();
    crate::sorting::sort(&mut sorted);
    sorted.dedup();
    if sorted.len() != times.len() {
        return Err(ValidationError::Invalid {
            field,
            reason: "a time of day is listed twice",
        });
    }
    Ok(())
}

fn check_count(field: &'static str, value: u32, min: u32, max: u32) -> Result<(), ValidationError> {
    super::validation::check_range(field, f64::from(value), f64::from(min), f64::from(max), "")
}

impl Validate for Schedule {
    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::FixedTimes { times } => check_times("times", times),
            Self::EveryNHours { hours, window, .. } => {
                check_count("interval hours", *hours, 1, 72)?;
                check_window(window.as_ref())
            }
            Self::EveryNMinutes {
                minutes, window, ..
            } => {
                check_count("interval minutes", *minutes, 15, 72 * 60)?;
                check_window(window.as_ref())
            }
            Self::Weekdays { days, times } => {
                if days.is_empty() {
                    return Err(ValidationError::Empty { field: "weekdays" });
                }
                check_times("times", times)
            }
            Self::EveryNDays { days, times } => {
                check_count("interval days", *days, 1, 365)?;
                check_times("times", times)
            }
            Self::EveryNWeeks { weeks, days, times } => {
                check_count("interval weeks", *weeks, 1, 52)?;
                if days.is_empty() {
                    return Err(ValidationError::Empty { field: "weekdays" });
                }
                check_times("times", times)
            }
            Self::DaysOfMonth { days, times } => {
                if days.is_empty() {
                    return Err(ValidationError::Empty {
                        field: "days of the month",
                    });
                }
                for d in days {
                    check_count("day of the month", *d, 1, 31)?;
                }
                check_times("times", times)
            }
            Self::Cyclic {
                on_days,
                off_days,
                times,
            } => {
                check_count("days on", *on_days, 1, 365)?;
                check_count("days off", *off_days, 1, 365)?;
                check_times("times", times)
            }
            Self::Tapering { steps } => {
                if steps.is_empty() {
                    return Err(ValidationError::Empty {
                        field: "tapering steps",
                    });
                }
                for step in steps {
                    check_count("step days", step.days, 1, 365)?;
                    step.dose.validate()?;
                    check_times("times", &step.times)?;
                }
                Ok(())
            }
            Self::AsNeeded(limits) => {
                check_count("daily maximum", limits.max_per_day, 1, 48)?;
                check_count(
                    "minimum interval minutes",
                    limits.min_interval_minutes,
                    0,
                    24 * 60,
                )
            }
            Self::MealRelative {
                meals,
                offset_minutes,
            } => {
                if meals.is_empty() {
                    return Err(ValidationError::Empty { field: "meals" });
                }
                super::validation::check_range(
                    "meal offset",
                    f64::from(*offset_minutes),
                    -240.0,
                    240.0,
                    "minutes",
                )
            }
            Self::AfterDose {
                medication_id,
                offset_minutes,
            } => {
                super::validation::check_not_empty("linked medication", medication_id)?;
                check_count("offset minutes", *offset_minutes, 0, 720)
            }
        }
    }
}

impl Validate for TimeZonePolicy {
    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::Local => Ok(()),
            Self::Fixed { zone } => parse_time_zone("time zone", zone).map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).expect("valid time")
    }

    #[test]
    fn schedules_refuse_empty_or_repeated_times_and_bad_intervals() {
        assert!(Schedule::FixedTimes { times: vec![] }.validate().is_err());
        assert!(
            Schedule::FixedTimes {
                times: vec![t(8), t(8)]
            }
            .validate()
            .is_err()
        );
        let every = |hours| Schedule::EveryNHours {
            hours,
            first: t(6),
            from_last_taken: false,
            window: None,
        };
        assert!(every(0).validate().is_err());
        assert!(every(8).validate().is_ok());
        let windowed = Schedule::EveryNHours {
            hours: 4,
            first: t(8),
            from_last_taken: false,
            window: Some(DailyWindow {
                start: t(20),
                end: t(8),
            }),
        };
        assert!(windowed.validate().is_ok(), "a window across midnight");
        let shut = Schedule::EveryNHours {
            hours: 4,
            first: t(8),
            from_last_taken: false,
            window: Some(DailyWindow {
                start: t(8),
                end: t(8),
            }),
        };
        assert!(shut.validate().is_err());
        let minutes = |minutes| Schedule::EveryNMinutes {
            minutes,
            first: t(8),
            from_last_taken: false,
            window: None,
        };
        assert!(minutes(90).validate().is_ok());
        assert!(minutes(5).validate().is_err());
        let cyclic = Schedule::Cyclic {
            on_days: 21,
            off_days: 0,
            times: vec![t(8)],
        };
        assert!(cyclic.validate().is_err());
        assert!(Schedule::Tapering { steps: vec![] }.validate().is_err());
        let prn = Schedule::AsNeeded(AsNeededLimits {
            max_per_day: 0,
            min_interval_minutes: 240,
        });
        assert!(prn.validate().is_err());
        let meal = Schedule::MealRelative {
            meals: vec![Meal::Breakfast],
            offset_minutes: -600,
        };
        assert!(meal.validate().is_err());
    }

    #[test]
    fn fixed_zone_must_exist() {
        let bad = TimeZonePolicy::Fixed {
            zone: "Mars/Olympus".into(),
        };
        assert!(matches!(
            bad.validate(),
            Err(ValidationError::UnknownTimeZone { .. })
        ));
        let good = TimeZonePolicy::Fixed {
            zone: "Europe/Berlin".into(),
        };
        assert!(good.validate().is_ok());
    }
}
