//! Reminders: the pure logic from schedules to due doses, their states, refills, adherence and
//! the notification plan (docs/reminders.md).
//!
//! Nothing here touches storage: the record gathers the inputs ([`crate::HealthRecord`]'s
//! reminder methods) and these functions compute. Every function is deterministic in its inputs
//! and `now`, and terminates on any data.

mod adherence;
mod answers;
mod dose_states;
mod doubles;
mod limits;
mod occurrences;
mod planner;
mod refills;
pub mod zone;

pub use adherence::{Adherence, adherence, missed_doses};
pub use answers::{Misfit, check_answer, matching_dose};
pub use dose_states::{DoseState, LateDoseAdvice, ScheduledDose, dose_states, late_dose_advice};
pub use doubles::{DoubleDose, logged_twice, supply_takes};
pub use limits::{as_needed_span, check_as_needed, next_allowed};
pub use occurrences::{Occurrence, OccurrenceContext, dose_for, occurrences};
pub use planner::{
    Audience, Importance, NotificationAction, NotificationKind, Nudge, PRESCRIPTION_END_DAYS_AHEAD,
    PlanInput, PlannedDose, PlannedNotification, SafetyAlert, out_of_quiet_hours, plan,
    taken_by_medication,
};
pub use refills::{Supply, on_hand, run_out, supply};
