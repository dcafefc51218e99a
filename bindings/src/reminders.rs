//! Reminders across the FFI: the notification plan, dose states, adherence and refills.

use companion_core::reminders as core;

use crate::convert::instant_text;
use crate::medications::Dose;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NotificationKind {
    /// Doses due.
    Dose,
    /// Doses not logged once their grace window passed.
    MissedDose,
    /// A medication runs out soon.
    Refill,
    /// A prescription ends soon.
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

/// How insistently to present a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Importance {
    /// Ordinary.
    Normal,
    /// Time-sensitive (doses).
    TimeSensitive,
    /// Critical (safety alerts).
    Critical,
}

/// An action offered on a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NotificationAction {
    /// Log as taken.
    Take,
    /// Put off.
    Snooze,
    /// Log as skipped.
    Skip,
}

/// A dose a notification is about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PlannedDose {
    /// The medication.
    pub medication_id: String,
    /// The occurrence (RFC 3339, UTC): pass it back as the dose event's `scheduled_at`.
    pub scheduled_at: String,
}

/// A notification to schedule; replace the phone's pending ones with the plan, by id.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PlannedNotification {
    /// Stable id.
    pub id: String,
    /// When to show it (RFC 3339, UTC).
    pub fire_at: String,
    /// What it is about.
    pub kind: NotificationKind,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Actions to offer.
    pub actions: Vec<NotificationAction>,
    /// How insistently to present it.
    pub importance: Importance,
    /// The doses it is about.
    pub doses: Vec<PlannedDose>,
}

/// Where a scheduled dose stands.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum DoseState {
    /// Not yet due.
    Upcoming,
    /// Due now.
    Due,
    /// Snoozed until `until` (RFC 3339).
    Snoozed {
        /// When it is due again.
        until: String,
    },
    /// Taken at `at` (RFC 3339).
    Taken {
        /// When.
        at: String,
        /// Within the grace window.
        on_time: bool,
    },
    /// Skipped.
    Skipped {
        /// When logged.
        at: String,
    },
    /// Missed.
    Missed,
}

/// A scheduled dose and its state.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScheduledDose {
    /// The medication.
    pub medication_id: String,
    /// When it was due (RFC 3339, UTC).
    pub scheduled_at: String,
    /// Its wall-clock slot, `YYYY-MM-DDTHH:MM`.
    pub slot: String,
    /// The dose.
    pub dose: Dose,
    /// Where it stands.
    pub state: DoseState,
}

/// What to do about a late dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LateDoseAdvice {
    /// Take it now.
    TakeNow,
    /// Skip it; never a double dose.
    SkipAndWait,
}

/// A dose due now with the advice for it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DueDose {
    /// The dose.
    pub dose: ScheduledDose,
    /// The advice.
    pub advice: LateDoseAdvice,
}

/// Adherence of one medication over a period.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Adherence {
    /// The medication.
    pub medication_id: String,
    /// Its name.
    pub name: String,
    /// Doses settled (taken, skipped or missed).
    pub counted: u32,
    /// Taken.
    pub taken: u32,
    /// Taken on time.
    pub on_time: u32,
    /// Skipped.
    pub skipped: u32,
    /// Missed.
    pub missed: u32,
    /// Taken / counted.
    pub share_taken: Option<f64>,
    /// On time / counted.
    pub share_on_time: Option<f64>,
    /// Every dose, scheduled vs actual.
    pub doses: Vec<ScheduledDose>,
}

/// What is on hand of a tracked medication.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RefillStatus {
    /// The medication.
    pub medication_id: String,
    /// Its name.
    pub name: String,
    /// Units on hand.
    pub on_hand: f64,
    /// The day it runs out (`YYYY-MM-DD`).
    pub runs_out_on: Option<String>,
    /// The day the refill reminder starts.
    pub remind_on: Option<String>,
}

/// What a home screen shows now.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Today {
    /// Due now, with advice.
    pub due: Vec<DueDose>,
    /// Snoozed.
    pub snoozed: Vec<ScheduledDose>,
    /// The next doses.
    pub next: Vec<ScheduledDose>,
    /// Missed in the last 24 hours.
    pub missed: Vec<ScheduledDose>,
    /// Refills due.
    pub refills_due: Vec<RefillStatus>,
    /// Urgent alerts of the last 24 hours not yet acknowledged.
    pub alerts: Vec<crate::clinical::Alert>,
}

/// The advice in words, in `language`: it never suggests a double dose.
#[uniffi::export]
pub fn late_dose_advice_text(advice: LateDoseAdvice, language: crate::profile::Language) -> String {
    core::LateDoseAdvice::from(advice).text(crate::profile::language_in(language))
}

impl From<LateDoseAdvice> for core::LateDoseAdvice {
    fn from(a: LateDoseAdvice) -> Self {
        match a {
            LateDoseAdvice::TakeNow => Self::TakeNow,
            LateDoseAdvice::SkipAndWait => Self::SkipAndWait,
        }
    }
}

impl From<core::LateDoseAdvice> for LateDoseAdvice {
    fn from(a: core::LateDoseAdvice) -> Self {
        match a {
            core::LateDoseAdvice::TakeNow => Self::TakeNow,
            core::LateDoseAdvice::SkipAndWait => Self::SkipAndWait,
        }
    }
}

impl From<core::PlannedNotification> for PlannedNotification {
    fn from(n: core::PlannedNotification) -> Self {
        Self {
            id: n.id,
            fire_at: n.fire_at.to_rfc3339(),
            kind: match n.kind {
                core::NotificationKind::Dose => NotificationKind::Dose,
                core::NotificationKind::MissedDose => NotificationKind::MissedDose,
                core::NotificationKind::Refill => NotificationKind::Refill,
                core::NotificationKind::PrescriptionEnd => NotificationKind::PrescriptionEnd,
                core::NotificationKind::Appointment => NotificationKind::Appointment,
                core::NotificationKind::Measurement => NotificationKind::Measurement,
                core::NotificationKind::Nudge => NotificationKind::Nudge,
                core::NotificationKind::SafetyAlert => NotificationKind::SafetyAlert,
            },
            title: n.title,
            body: n.body,
            actions: n
                .actions
                .into_iter()
                .map(|a| match a {
                    core::NotificationAction::Take => NotificationAction::Take,
                    core::NotificationAction::Snooze => NotificationAction::Snooze,
                    core::NotificationAction::Skip => NotificationAction::Skip,
                })
                .collect(),
            importance: match n.importance {
                core::Importance::Normal => Importance::Normal,
                core::Importance::TimeSensitive => Importance::TimeSensitive,
                core::Importance::Critical => Importance::Critical,
            },
            doses: n
                .doses
                .into_iter()
                .map(|d| PlannedDose {
                    medication_id: d.medication_id,
                    scheduled_at: d.scheduled_at.to_rfc3339(),
                })
                .collect(),
        }
    }
}

impl From<core::ScheduledDose> for ScheduledDose {
    fn from(d: core::ScheduledDose) -> Self {
        Self {
            medication_id: d.occurrence.medication_id,
            scheduled_at: d.occurrence.at.to_rfc3339(),
            slot: d.occurrence.slot.format("%Y-%m-%dT%H:%M").to_string(),
            dose: d.occurrence.dose.into(),
            state: match d.state {
                core::DoseState::Upcoming => DoseState::Upcoming,
                core::DoseState::Due => DoseState::Due,
                core::DoseState::Snoozed { until } => DoseState::Snoozed {
                    until: instant_text(&until),
                },
                core::DoseState::Taken { at, on_time } => DoseState::Taken {
                    at: instant_text(&at),
                    on_time,
                },
                core::DoseState::Skipped { at } => DoseState::Skipped {
                    at: instant_text(&at),
                },
                core::DoseState::Missed => DoseState::Missed,
            },
        }
    }
}

impl From<core::Adherence> for Adherence {
    fn from(a: core::Adherence) -> Self {
        Self {
            medication_id: a.medication_id,
            name: a.name,
            counted: a.counted,
            taken: a.taken,
            on_time: a.on_time,
            skipped: a.skipped,
            missed: a.missed,
            share_taken: a.share_taken,
            share_on_time: a.share_on_time,
            doses: a.doses.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<companion_core::RefillStatus> for RefillStatus {
    fn from(r: companion_core::RefillStatus) -> Self {
        Self {
            medication_id: r.medication_id,
            name: r.name,
            on_hand: r.on_hand,
            runs_out_on: r.runs_out_on.map(|d| d.to_string()),
            remind_on: r.remind_on.map(|d| d.to_string()),
        }
    }
}

impl From<companion_core::Today> for Today {
    fn from(t: companion_core::Today) -> Self {
        let list = |v: Vec<core::ScheduledDose>| v.into_iter().map(Into::into).collect();
        Self {
            due: t
                .due
                .into_iter()
                .map(|d| DueDose {
                    dose: d.dose.into(),
                    advice: d.advice.into(),
                })
                .collect(),
            snoozed: list(t.snoozed),
            next: list(t.next),
            missed: list(t.missed),
            refills_due: t.refills_due.into_iter().map(Into::into).collect(),
            alerts: t.alerts.into_iter().map(Into::into).collect(),
        }
    }
}
