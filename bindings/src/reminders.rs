//! Reminders across the FFI: the notification plan, dose states, adherence and refills (remote
//! types of the core's).

use companion_core::journey::JourneyToday;
use companion_core::model::{Alert, Appointment, DoseAmount, Language};
use companion_core::reminders::{
    Adherence, DoseState, Importance, LateDoseAdvice, NotificationAction, NotificationKind,
    Occurrence, PlannedDose, PlannedNotification, ScheduledDose,
};
use companion_core::today::{MeasurementDue, ProfilePrompt};
use companion_core::{DueDose, RefillStatus, Today};

use crate::types::{CalendarDate, LocalDateTime, Timestamp, UtcTimestamp};

/// What a notification is about.
#[uniffi::remote(Enum)]
pub enum NotificationKind {
    /// Doses due.
    Dose,
    /// Doses not logged once their grace window passed.
    MissedDose,
    /// A medication runs out soon.
    Refill,
    /// A prescription ends soon: time for a follow-up.
    PrescriptionEnd,
    /// An appointment.
    Appointment,
    /// A planned measurement.
    Measurement,
    /// A non-critical nudge.
    Nudge,
    /// A safety alert.
    SafetyAlert,
}

/// How insistently the phone presents it.
#[uniffi::remote(Enum)]
pub enum Importance {
    /// An ordinary notification.
    Normal,
    /// Breaks through focus modes (doses).
    TimeSensitive,
    /// Critical (safety alerts).
    Critical,
}

/// An action offered on a notification.
#[uniffi::remote(Enum)]
pub enum NotificationAction {
    /// Log the doses as taken.
    Take,
    /// Put them off.
    Snooze,
    /// Log them as skipped.
    Skip,
}

/// One dose a notification is about.
#[uniffi::remote(Record)]
pub struct PlannedDose {
    /// The medication.
    pub medication_id: String,
    /// The occurrence (pass it back as the dose event's `scheduled_at`).
    pub scheduled_at: UtcTimestamp,
}

/// A notification to schedule.
#[uniffi::remote(Record)]
pub struct PlannedNotification {
    /// Stable id, derived from what it is about, its instant and its kind.
    pub id: String,
    /// When to show it.
    pub fire_at: UtcTimestamp,
    /// What it is about.
    pub kind: NotificationKind,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Actions to offer.
    #[uniffi(default)]
    pub actions: Vec<NotificationAction>,
    /// How insistently to present it.
    pub importance: Importance,
    /// The doses it is about (dose and missed-dose notifications).
    #[uniffi(default)]
    pub doses: Vec<PlannedDose>,
}

/// One due dose.
#[uniffi::remote(Record)]
pub struct Occurrence {
    /// The medication.
    pub medication_id: String,
    /// When it is due.
    pub at: UtcTimestamp,
    /// The wall-clock slot it was scheduled for (date and time of day in the zone the schedule
    /// follows); `at` shows this time, or the end of a daylight-saving gap that hid it.
    pub slot: LocalDateTime,
    /// The dose to take.
    pub dose: DoseAmount,
}

/// Where a scheduled dose stands.
#[uniffi::remote(Enum)]
pub enum DoseState {
    /// Not yet due.
    Upcoming,
    /// Due now, within the grace window.
    Due,
    /// Put off; due again at `until`.
    Snoozed {
        /// When it is due again.
        until: Timestamp,
    },
    /// Taken; `on_time` when within the grace window after the scheduled time.
    Taken {
        /// When.
        at: Timestamp,
        /// Taken no later than the grace window allows.
        on_time: bool,
        /// Who logged it, when the event says.
        by: Option<String>,
    },
    /// Deliberately skipped.
    Skipped {
        /// When it was logged.
        at: Timestamp,
        /// Who logged it, when the event says.
        by: Option<String>,
    },
    /// Not taken, and the grace window has passed.
    Missed,
}

/// A scheduled dose and its state.
#[uniffi::remote(Record)]
pub struct ScheduledDose {
    /// When it was due.
    pub occurrence: Occurrence,
    /// Where it stands.
    pub state: DoseState,
}

/// What to do about a dose not taken at its time (docs/clinical-sources.md, "Safety principles").
#[uniffi::remote(Enum)]
pub enum LateDoseAdvice {
    /// Take it now.
    TakeNow,
    /// Skip it and take the next one at its usual time; never a double dose.
    SkipAndWait,
}

/// Adherence of one medication over a period.
#[uniffi::remote(Record)]
pub struct Adherence {
    /// The medication.
    pub medication_id: String,
    /// Its name.
    pub name: String,
    /// Doses whose outcome is settled (taken, skipped or missed).
    pub counted: u32,
    /// Taken.
    pub taken: u32,
    /// Taken within the grace window.
    pub on_time: u32,
    /// Skipped.
    pub skipped: u32,
    /// Missed.
    pub missed: u32,
    /// Taken / counted; `None` when nothing was counted.
    #[uniffi(default)]
    pub share_taken: Option<f64>,
    /// Taken on time / counted; `None` when nothing was counted.
    #[uniffi(default)]
    pub share_on_time: Option<f64>,
    /// Every dose of the period with its scheduled time and what happened (the scheduled vs
    /// actual time column doctors ask for).
    #[uniffi(default)]
    pub doses: Vec<ScheduledDose>,
}

/// What is on hand of a tracked medication and when it runs out.
#[uniffi::remote(Record)]
pub struct RefillStatus {
    /// The medication.
    pub medication_id: String,
    /// Its name.
    pub name: String,
    /// Units on hand now, never below zero.
    pub on_hand: f64,
    /// The day it runs out at its schedule (none within 400 days, as needed, or already out).
    #[uniffi(default)]
    pub runs_out_on: Option<CalendarDate>,
    /// The day it ran out, when nothing is left (until a refill is logged).
    #[uniffi(default)]
    pub ran_out_on: Option<CalendarDate>,
    /// The day the refill reminder starts.
    #[uniffi(default)]
    pub remind_on: Option<CalendarDate>,
}

/// A dose due now and what to do about it.
#[uniffi::remote(Record)]
pub struct DueDose {
    /// The dose.
    pub dose: ScheduledDose,
    /// Take it now, or skip it if too late (never a double dose).
    pub advice: LateDoseAdvice,
}

/// What a home screen shows now.
#[uniffi::remote(Record)]
pub struct Today {
    /// Doses due now (within their grace window, or back from a snooze), with the advice for a
    /// late dose.
    #[uniffi(default)]
    pub due: Vec<DueDose>,
    /// Doses snoozed and not yet due again.
    #[uniffi(default)]
    pub snoozed: Vec<ScheduledDose>,
    /// The next doses (those of the soonest upcoming minute).
    #[uniffi(default)]
    pub next: Vec<ScheduledDose>,
    /// The rest of the local day's doses after the next ones.
    #[uniffi(default)]
    pub upcoming: Vec<ScheduledDose>,
    /// Doses missed in the last 24 hours, with what to do about each.
    #[uniffi(default)]
    pub missed: Vec<DueDose>,
    /// Doses taken or skipped in the last 24 hours, with who logged them.
    pub done: Vec<ScheduledDose>,
    /// Tracked medications whose refill reminder has started.
    #[uniffi(default)]
    pub refills_due: Vec<RefillStatus>,
    /// The alerts shown until a member acknowledges them or a day after a reading back in
    /// range, newest first (improving ones with their later reading).
    #[uniffi(default)]
    pub alerts: Vec<Alert>,
    /// The measurements plans ask for today.
    #[uniffi(default)]
    pub measurements_due: Vec<MeasurementDue>,
    /// Share of the last seven days' settled doses taken.
    #[uniffi(default)]
    pub adherence_week: Option<f64>,
    /// The next appointment.
    #[uniffi(default)]
    pub next_appointment: Option<Appointment>,
    /// The journeys that run.
    #[uniffi(default)]
    pub journeys: Vec<JourneyToday>,
    /// The profile item to ask about next.
    #[uniffi(default)]
    pub profile_prompt: Option<ProfilePrompt>,
}

/// The advice in words, in `language`: it never suggests a double dose.
#[uniffi::export]
pub fn late_dose_advice_text(advice: LateDoseAdvice, language: Language) -> String {
    advice.text(language)
}
