//! Medications and their schedules across the FFI. Times of day are `HH:MM`, dates
//! `YYYY-MM-DD`.

use chrono::Weekday as CoreWeekday;
use companion_core::model as core;

use crate::convert::{date, instant, instant_text, time, time_text, times, times_text};
use crate::error::CompanionError;

/// An amount taken at one time.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Dose {
    /// How much.
    pub amount: f64,
    /// Of what (`mg`, `tablet`).
    pub unit: String,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// A meal of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Meal {
    /// Breakfast.
    Breakfast,
    /// Lunch.
    Lunch,
    /// Dinner.
    Dinner,
    /// Bedtime.
    Bedtime,
}

/// One step of a taper.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TaperStep {
    /// Days the step lasts.
    pub days: u32,
    /// The dose during the step.
    pub dose: Dose,
    /// Times of day.
    pub times: Vec<String>,
}

/// When a medication is due (see the core's `Schedule`).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Schedule {
    /// Every day at these times.
    FixedTimes {
        /// Times of day.
        times: Vec<String>,
    },
    /// Every `hours` hours from `first`, optionally inside a daily window.
    EveryNHours {
        /// Interval in hours.
        hours: u32,
        /// First dose time on the start date.
        first: String,
        /// Count from the last dose taken.
        from_last_taken: bool,
        /// Daily window start.
        window_start: Option<String>,
        /// Daily window end.
        window_end: Option<String>,
    },
    /// On these weekdays at these times.
    Weekdays {
        /// Days.
        days: Vec<Weekday>,
        /// Times of day.
        times: Vec<String>,
    },
    /// Every `days` days.
    EveryNDays {
        /// Interval in days.
        days: u32,
        /// Times of day.
        times: Vec<String>,
    },
    /// Days on, days off.
    Cyclic {
        /// Days on.
        on_days: u32,
        /// Days off.
        off_days: u32,
        /// Times of day.
        times: Vec<String>,
    },
    /// Tapering steps.
    Tapering {
        /// The steps in order.
        steps: Vec<TaperStep>,
    },
    /// As needed within limits.
    AsNeeded {
        /// Most doses in a day.
        max_per_day: u32,
        /// Least minutes between doses.
        min_interval_minutes: u32,
    },
    /// Relative to meals.
    MealRelative {
        /// The meals.
        meals: Vec<Meal>,
        /// Minutes after (negative: before).
        offset_minutes: i32,
    },
    /// After another medication's dose.
    AfterDose {
        /// That medication.
        medication_id: String,
        /// Minutes after it is taken.
        offset_minutes: u32,
    },
}

/// The form of a medication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MedicationForm {
    /// Tablet.
    Tablet,
    /// Capsule.
    Capsule,
    /// Liquid.
    Liquid,
    /// Injection.
    Injection,
    /// Inhaler.
    Inhaler,
    /// Patch.
    Patch,
    /// Drops.
    Drops,
    /// Cream or ointment.
    Topical,
    /// Anything else.
    Other,
}

/// Whether a medication is being taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MedicationStatus {
    /// Being taken.
    Active,
    /// Paused.
    Paused,
    /// Stopped.
    Stopped,
}

/// Which clock the schedule follows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TimeZonePolicy {
    /// Wall-clock time wherever the phone is.
    Local,
    /// Times read in this zone; they do not move when travelling.
    Fixed {
        /// IANA zone.
        zone: String,
    },
}

/// What to do with a dose remembered late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LateDosePolicy {
    /// Take if less than half the interval has passed, otherwise skip.
    HalfInterval,
    /// Take within this many minutes, otherwise skip.
    Within {
        /// Minutes.
        minutes: u32,
    },
}

/// A count of a medication on hand.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Inventory {
    /// Units on hand when counted.
    pub count: f64,
    /// When counted (RFC 3339).
    pub counted_at: String,
    /// Units one dose of the medication's dose uses.
    pub per_dose: f64,
}

/// A medication with its schedule. The record keeps its pauses and schedule history itself;
/// they are not part of this type.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Medication {
    /// Entry id (use `new_id()` for a new medication).
    pub id: String,
    /// Name.
    pub name: String,
    /// Strength of one unit.
    pub strength: Option<String>,
    /// Form.
    pub form: MedicationForm,
    /// Dose at each time.
    pub dose: Dose,
    /// Instructions.
    pub instructions: Option<String>,
    /// Prescriber.
    pub prescriber: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day.
    pub end: Option<String>,
    /// Status.
    pub status: MedicationStatus,
    /// The last count of what is on hand, if tracked.
    pub inventory: Option<Inventory>,
    /// Days before running out that the refill reminder starts.
    pub refill_days_ahead: u32,
    /// No dose is due before this instant (RFC 3339): when it entered the record.
    pub recorded_at: Option<String>,
    /// Schedule.
    pub schedule: Schedule,
    /// Time-zone policy.
    pub time_zone: TimeZonePolicy,
    /// Minutes before an untaken dose counts as missed.
    pub grace_minutes: u32,
    /// Late-dose policy.
    pub late_dose: LateDosePolicy,
}

impl From<core::Dose> for Dose {
    fn from(d: core::Dose) -> Self {
        Self {
            amount: d.amount,
            unit: d.unit,
        }
    }
}

impl From<Dose> for core::Dose {
    fn from(d: Dose) -> Self {
        Self {
            amount: d.amount,
            unit: d.unit,
        }
    }
}

const WEEKDAYS: [(Weekday, CoreWeekday); 7] = [
    (Weekday::Mon, CoreWeekday::Mon),
    (Weekday::Tue, CoreWeekday::Tue),
    (Weekday::Wed, CoreWeekday::Wed),
    (Weekday::Thu, CoreWeekday::Thu),
    (Weekday::Fri, CoreWeekday::Fri),
    (Weekday::Sat, CoreWeekday::Sat),
    (Weekday::Sun, CoreWeekday::Sun),
];

const MEALS: [(Meal, core::Meal); 4] = [
    (Meal::Breakfast, core::Meal::Breakfast),
    (Meal::Lunch, core::Meal::Lunch),
    (Meal::Dinner, core::Meal::Dinner),
    (Meal::Bedtime, core::Meal::Bedtime),
];

const FORMS: [(MedicationForm, core::MedicationForm); 9] = [
    (MedicationForm::Tablet, core::MedicationForm::Tablet),
    (MedicationForm::Capsule, core::MedicationForm::Capsule),
    (MedicationForm::Liquid, core::MedicationForm::Liquid),
    (MedicationForm::Injection, core::MedicationForm::Injection),
    (MedicationForm::Inhaler, core::MedicationForm::Inhaler),
    (MedicationForm::Patch, core::MedicationForm::Patch),
    (MedicationForm::Drops, core::MedicationForm::Drops),
    (MedicationForm::Topical, core::MedicationForm::Topical),
    (MedicationForm::Other, core::MedicationForm::Other),
];

const STATUSES: [(MedicationStatus, core::MedicationStatus); 3] = [
    (MedicationStatus::Active, core::MedicationStatus::Active),
    (MedicationStatus::Paused, core::MedicationStatus::Paused),
    (MedicationStatus::Stopped, core::MedicationStatus::Stopped),
];

/// Maps a value through a table of (ffi, core) pairs; the tables are total, so the fallback
/// (the first pair) is never reached.
fn to_core<A: PartialEq + Copy, B: Copy>(table: &[(A, B)], a: A) -> B {
    table.iter().find(|(x, _)| *x == a).unwrap_or(&table[0]).1
}

fn to_ffi<A: Copy, B: PartialEq + Copy>(table: &[(A, B)], b: B) -> A {
    table.iter().find(|(_, y)| *y == b).unwrap_or(&table[0]).0
}

/// The status in core terms.
pub(crate) fn status_to_core(s: MedicationStatus) -> core::MedicationStatus {
    to_core(&STATUSES, s)
}

impl From<core::Schedule> for Schedule {
    fn from(s: core::Schedule) -> Self {
        match s {
            core::Schedule::FixedTimes { times } => Self::FixedTimes {
                times: times_text(&times),
            },
            core::Schedule::EveryNHours {
                hours,
                first,
                from_last_taken,
                window,
            } => Self::EveryNHours {
                hours,
                first: time_text(&first),
                from_last_taken,
                window_start: window.map(|w| time_text(&w.start)),
                window_end: window.map(|w| time_text(&w.end)),
            },
            core::Schedule::Weekdays { days, times } => Self::Weekdays {
                days: days.into_iter().map(|d| to_ffi(&WEEKDAYS, d)).collect(),
                times: times_text(&times),
            },
            core::Schedule::EveryNDays { days, times } => Self::EveryNDays {
                days,
                times: times_text(&times),
            },
            core::Schedule::Cyclic {
                on_days,
                off_days,
                times,
            } => Self::Cyclic {
                on_days,
                off_days,
                times: times_text(&times),
            },
            core::Schedule::Tapering { steps } => Self::Tapering {
                steps: steps
                    .into_iter()
                    .map(|s| TaperStep {
                        days: s.days,
                        dose: s.dose.into(),
                        times: times_text(&s.times),
                    })
                    .collect(),
            },
            core::Schedule::AsNeeded(l) => Self::AsNeeded {
                max_per_day: l.max_per_day,
                min_interval_minutes: l.min_interval_minutes,
            },
            core::Schedule::MealRelative {
                meals,
                offset_minutes,
            } => Self::MealRelative {
                meals: meals.into_iter().map(|m| to_ffi(&MEALS, m)).collect(),
                offset_minutes,
            },
            core::Schedule::AfterDose {
                medication_id,
                offset_minutes,
            } => Self::AfterDose {
                medication_id,
                offset_minutes,
            },
        }
    }
}

impl TryFrom<Schedule> for core::Schedule {
    type Error = CompanionError;

    fn try_from(s: Schedule) -> Result<Self, CompanionError> {
        Ok(match s {
            Schedule::FixedTimes { times: t } => Self::FixedTimes {
                times: times("times", &t)?,
            },
            Schedule::EveryNHours {
                hours,
                first,
                from_last_taken,
                window_start,
                window_end,
            } => Self::EveryNHours {
                hours,
                first: time("first", &first)?,
                from_last_taken,
                window: match (window_start, window_end) {
                    (Some(a), Some(b)) => Some(core::DailyWindow {
                        start: time("window start", &a)?,
                        end: time("window end", &b)?,
                    }),
                    (None, None) => None,
                    _ => {
                        return Err(CompanionError::invalid(
                            "window",
                            "give both its start and its end",
                        ));
                    }
                },
            },
            Schedule::Weekdays { days, times: t } => Self::Weekdays {
                days: days.into_iter().map(|d| to_core(&WEEKDAYS, d)).collect(),
                times: times("times", &t)?,
            },
            Schedule::EveryNDays { days, times: t } => Self::EveryNDays {
                days,
                times: times("times", &t)?,
            },
            Schedule::Cyclic {
                on_days,
                off_days,
                times: t,
            } => Self::Cyclic {
                on_days,
                off_days,
                times: times("times", &t)?,
            },
            Schedule::Tapering { steps } => Self::Tapering {
                steps: steps
                    .into_iter()
                    .map(|s| {
                        Ok(core::TaperStep {
                            days: s.days,
                            dose: s.dose.into(),
                            times: times("times", &s.times)?,
                        })
                    })
                    .collect::<Result<_, CompanionError>>()?,
            },
            Schedule::AsNeeded {
                max_per_day,
                min_interval_minutes,
            } => Self::AsNeeded(core::AsNeeded {
                max_per_day,
                min_interval_minutes,
            }),
            Schedule::MealRelative {
                meals,
                offset_minutes,
            } => Self::MealRelative {
                meals: meals.into_iter().map(|m| to_core(&MEALS, m)).collect(),
                offset_minutes,
            },
            Schedule::AfterDose {
                medication_id,
                offset_minutes,
            } => Self::AfterDose {
                medication_id,
                offset_minutes,
            },
        })
    }
}

impl From<core::Medication> for Medication {
    fn from(m: core::Medication) -> Self {
        Self {
            id: m.id,
            name: m.name,
            strength: m.strength,
            form: to_ffi(&FORMS, m.form),
            dose: m.dose.into(),
            instructions: m.instructions,
            prescriber: m.prescriber,
            start: m.start.to_string(),
            end: m.end.map(|d| d.to_string()),
            status: to_ffi(&STATUSES, m.status),
            inventory: m.inventory.map(|i| Inventory {
                count: i.count,
                counted_at: instant_text(&i.counted_at),
                per_dose: i.per_dose,
            }),
            refill_days_ahead: m.refill_days_ahead,
            recorded_at: m.recorded_at.map(|t| t.to_rfc3339()),
            schedule: m.schedule.into(),
            time_zone: match m.time_zone {
                core::TimeZonePolicy::Local => TimeZonePolicy::Local,
                core::TimeZonePolicy::Fixed { zone } => TimeZonePolicy::Fixed { zone },
            },
            grace_minutes: m.grace_minutes,
            late_dose: match m.late_dose {
                core::LateDosePolicy::HalfInterval => LateDosePolicy::HalfInterval,
                core::LateDosePolicy::Within { minutes } => LateDosePolicy::Within { minutes },
            },
        }
    }
}

impl TryFrom<Medication> for core::Medication {
    type Error = CompanionError;

    fn try_from(m: Medication) -> Result<Self, CompanionError> {
        Ok(Self {
            id: m.id,
            name: m.name,
            strength: m.strength,
            form: to_core(&FORMS, m.form),
            dose: m.dose.into(),
            instructions: m.instructions,
            prescriber: m.prescriber,
            start: date("start date", &m.start)?,
            end: m.end.map(|d| date("end date", &d)).transpose()?,
            status: to_core(&STATUSES, m.status),
            inventory: m
                .inventory
                .map(|i| {
                    Ok::<_, CompanionError>(core::Inventory {
                        count: i.count,
                        counted_at: instant("inventory counted at", &i.counted_at)?,
                        per_dose: i.per_dose,
                    })
                })
                .transpose()?,
            refill_days_ahead: m.refill_days_ahead,
            pauses: Vec::new(),
            history: Vec::new(),
            recorded_at: m
                .recorded_at
                .map(|t| instant("recorded at", &t).map(|t| t.to_utc()))
                .transpose()?,
            schedule: m.schedule.try_into()?,
            time_zone: match m.time_zone {
                TimeZonePolicy::Local => core::TimeZonePolicy::Local,
                TimeZonePolicy::Fixed { zone } => core::TimeZonePolicy::Fixed { zone },
            },
            grace_minutes: m.grace_minutes,
            late_dose: match m.late_dose {
                LateDosePolicy::HalfInterval => core::LateDosePolicy::HalfInterval,
                LateDosePolicy::Within { minutes } => core::LateDosePolicy::Within { minutes },
            },
        })
    }
}

/// Parses a dose as people write it (`500 mg`, `1 tablet`).
#[uniffi::export]
pub fn parse_dose(text: String) -> Result<Dose, CompanionError> {
    Ok(core::Dose::parse(&text)?.into())
}
