//! Medications and their schedules across the FFI (remote types of the core's).

use chrono::Weekday;
use companion_core::model::{
    AsNeededLimits, DailyWindow, DoseAmount, Inventory, LateDosePolicy, Meal, Medication,
    MedicationForm, MedicationStatus, Pause, Schedule, ScheduleVersion, TaperStep, TimeZonePolicy,
};

use crate::error::CompanionError;
use crate::types::{CalendarDate, TimeOfDay, Timestamp, UtcTimestamp};

/// An amount of a medication taken at one time: `500 mg`, `1 tablet`, `2.5 ml`.
#[uniffi::remote(Record)]
pub struct DoseAmount {
    /// How much, greater than zero.
    pub amount: f64,
    /// Of what unit (`mg`, `tablet`, `ml`, `units`, `puff`).
    pub unit: String,
}

/// The form a medication comes in.
#[uniffi::remote(Enum)]
pub enum MedicationForm {
    /// A tablet.
    Tablet,
    /// A capsule.
    Capsule,
    /// A liquid to swallow.
    Liquid,
    /// An injection (insulin pen, syringe).
    Injection,
    /// An inhaler.
    Inhaler,
    /// A skin patch.
    Patch,
    /// Drops (eye, ear).
    Drops,
    /// A cream or ointment.
    Topical,
    /// Anything else.
    Other,
}

/// Whether a medication is being taken.
#[uniffi::remote(Enum)]
pub enum MedicationStatus {
    /// Being taken: reminders run.
    Active,
    /// Paused: no reminders, and resuming does not replay the doses the pause skipped.
    Paused,
    /// Stopped for good; kept for the history.
    Stopped,
}

/// A count of a medication on hand.
#[uniffi::remote(Record)]
pub struct Inventory {
    /// Units on hand (tablets, ml, puffs) when counted.
    pub count: f64,
    /// When they were counted.
    pub counted_at: Timestamp,
    /// Units used by one dose of the medication's own dose (1 tablet); a tapering step's dose
    /// uses its amount in proportion.
    pub per_dose: f64,
}

/// An interval in which a medication was paused or stopped (`until` is open while it lasts).
#[uniffi::remote(Record)]
pub struct Pause {
    /// Start of the pause.
    pub from: UtcTimestamp,
    /// End of the pause, when resumed.
    #[uniffi(default)]
    pub until: Option<UtcTimestamp>,
}

/// A schedule that applied until `until`.
#[uniffi::remote(Record)]
pub struct ScheduleVersion {
    /// When it was replaced.
    pub until: UtcTimestamp,
    /// The schedule.
    pub schedule: Schedule,
    /// Its time-zone policy.
    pub time_zone: TimeZonePolicy,
    /// Its dose.
    pub dose: DoseAmount,
}

/// A medication the patient takes, with its schedule.
#[uniffi::remote(Record)]
pub struct Medication {
    /// The entry id (UUID v7).
    pub id: String,
    /// The name on the pack (`Metformin`).
    pub name: String,
    /// The strength of one unit (`500 mg`).
    #[uniffi(default)]
    pub strength: Option<String>,
    /// The form.
    pub form: MedicationForm,
    /// The dose taken at each scheduled time (a tapering schedule gives its own per step).
    pub dose: DoseAmount,
    /// Instructions (`with food`).
    #[uniffi(default)]
    pub instructions: Option<String>,
    /// Who prescribed it.
    #[uniffi(default)]
    pub prescriber: Option<String>,
    /// The first day it is taken.
    pub start: CalendarDate,
    /// The last day it is taken, if the course ends.
    #[uniffi(default)]
    pub end: Option<CalendarDate>,
    /// Whether it is being taken.
    pub status: MedicationStatus,
    /// What was on hand when last counted, if the patient tracks it. What is on hand now is
    /// derived from it, the refills logged and the doses taken since, so that doses logged on
    /// two devices offline both count after a merge.
    #[uniffi(default)]
    pub inventory: Option<Inventory>,
    /// Days before the projected run-out date that the refill reminder fires.
    pub refill_days_ahead: u32,
    /// When the medication was paused or stopped: no dose is due, or missed, inside a pause.
    /// Kept by the record when the status changes.
    #[uniffi(default)]
    pub pauses: Vec<Pause>,
    /// Earlier schedules, each with the instant it was replaced. Kept by the record when the
    /// schedule, dose or time-zone policy is edited, so that the doses of the day of an edit are
    /// neither lost nor doubled.
    #[uniffi(default)]
    pub history: Vec<ScheduleVersion>,
    /// No dose is due before this instant: when the medication entered the record (set by
    /// [`Medication::new`]), so that a medication added at noon has no missed morning dose.
    /// `None`: doses are due from the start date on.
    #[uniffi(default)]
    pub recorded_at: Option<UtcTimestamp>,
    /// When it is due.
    pub schedule: Schedule,
    /// Which clock the schedule follows.
    pub time_zone: TimeZonePolicy,
    /// Minutes after the scheduled time before an untaken dose counts as missed.
    pub grace_minutes: u32,
    /// What to do with a dose remembered late.
    pub late_dose: LateDosePolicy,
}

/// When a medication is due. Modelled after FHIR `Timing` so that prescriptions import without
/// loss (docs/reminders.md). Times of day are wall-clock times read in the zone that the
/// medication's [`TimeZonePolicy`] names; day counts start on the medication's start date.
#[uniffi::remote(Enum)]
pub enum Schedule {
    /// Every day at these times.
    FixedTimes {
        /// Times of day, at least one, no repeats.
        times: Vec<TimeOfDay>,
    },
    /// Every `hours` hours, starting at `first` on the start date, or counted from the last dose
    /// actually taken; optionally only inside a daily window (every 4 hours between 08:00 and
    /// 20:00).
    EveryNHours {
        /// The interval, 1 to 72 hours.
        hours: u32,
        /// The first dose's time of day on the start date.
        first: TimeOfDay,
        /// Count from the last dose taken instead of from `first`.
        from_last_taken: bool,
        /// Doses fall only inside this daily window.
        window: Option<DailyWindow>,
    },
    /// Every `minutes` minutes (every 90 minutes), like `EveryNHours`.
    EveryNMinutes {
        /// The interval, 15 minutes to 72 hours.
        minutes: u32,
        /// The first dose's time of day on the start date.
        first: TimeOfDay,
        /// Count from the last dose taken instead of from `first`.
        from_last_taken: bool,
        /// Doses fall only inside this daily window.
        window: Option<DailyWindow>,
    },
    /// On these days of the week at these times.
    Weekdays {
        /// Days of the week, at least one.
        days: Vec<Weekday>,
        /// Times of day, at least one.
        times: Vec<TimeOfDay>,
    },
    /// Every `weeks` weeks on these days of the week, the weeks counted from the start date's.
    EveryNWeeks {
        /// The interval in weeks, 1 to 52.
        weeks: u32,
        /// Days of the week, at least one.
        days: Vec<Weekday>,
        /// Times of day, at least one.
        times: Vec<TimeOfDay>,
    },
    /// On these days of the month; a day the month lacks falls on its last day.
    DaysOfMonth {
        /// Days of the month, 1 to 31, at least one.
        days: Vec<u32>,
        /// Times of day, at least one.
        times: Vec<TimeOfDay>,
    },
    /// Every `days` days from the start date, at these times.
    EveryNDays {
        /// The interval in days, 1 to 365.
        days: u32,
        /// Times of day, at least one.
        times: Vec<TimeOfDay>,
    },
    /// `on_days` days on, then `off_days` days off (21 on / 7 off), from the start date.
    Cyclic {
        /// Days taking the medication, at least one.
        on_days: u32,
        /// Days without it, at least one.
        off_days: u32,
        /// Times of day on the days on.
        times: Vec<TimeOfDay>,
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

/// A daily window confining an interval schedule; each day starts again at its opening. An
/// end earlier than the start crosses midnight (a night shift).
#[uniffi::remote(Record)]
pub struct DailyWindow {
    /// The window opens at this time.
    pub start: TimeOfDay,
    /// And closes at this time: later the same day, or (earlier than `start`) the next day.
    pub end: TimeOfDay,
}

/// One step of a tapering schedule.
#[uniffi::remote(Record)]
pub struct TaperStep {
    /// How many days the step lasts, at least one.
    pub days: u32,
    /// The dose taken at each time during this step.
    pub dose: DoseAmount,
    /// Times of day.
    #[uniffi(default)]
    pub times: Vec<TimeOfDay>,
}

/// The limits of an as-needed medication.
#[uniffi::remote(Record)]
pub struct AsNeededLimits {
    /// The most doses in one calendar day, at least one.
    pub max_per_day: u32,
    /// The least time between two doses, in minutes.
    pub min_interval_minutes: u32,
}

/// A meal of the day; its time comes from the patient's [`MealTimes`].
#[uniffi::remote(Enum)]
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

/// Which clock a medication's times follow.
#[uniffi::remote(Enum)]
pub enum TimeZonePolicy {
    /// Wall-clock time wherever the phone is: 08:00 in Berlin, then 08:00 in New York.
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
#[uniffi::remote(Enum)]
pub enum LateDosePolicy {
    /// Take it if less than half the interval to the next dose has passed, otherwise skip it.
    HalfInterval,
    /// Take it if at most `minutes` have passed, otherwise skip it.
    Within {
        /// Minutes after the scheduled time.
        minutes: u32,
    },
}

/// Parses a dose as people write it (`500 mg`, `1 tablet`).
#[uniffi::export]
pub fn parse_dose(text: String) -> Result<DoseAmount, CompanionError> {
    Ok(DoseAmount::parse(&text)?)
}
