//! The journey's words to the patient: a milestone's message, and the one check-in after a
//! lapse. They are non-critical nudges: the planner moves them out of quiet hours and keeps
//! them within the weekly budget; medication reminders and safety alerts never compete with
//! them for it.

use super::engine::{CheckInReason, Decision};
use super::template::Template;
use crate::i18n::Texts;
use crate::model::Language;
use crate::reminders::Nudge;

/// The nudges of `decisions` made for the journey `journey_id` on `template`, in `language`.
/// Their ids are stable, so a re-plan replaces rather than repeats them.
pub fn nudges(
    journey_id: &str,
    template: &Template,
    decisions: &[Decision],
    language: Language,
) -> Vec<Nudge> {
    let t = Texts::new(language);
    decisions
        .iter()
        .filter_map(|d| match d {
            Decision::MilestoneReached { milestone, at, .. } => {
                let m = template
                    .stages
                    .iter()
                    .flat_map(|s| &s.milestones)
                    .find(|m| &m.id == milestone)?;
                Some(Nudge {
                    id: format!("journey:{journey_id}:milestone:{milestone}"),
                    at: *at,
                    title: t.text("milestone-title"),
                    body: m.message.get(language).to_string(),
                })
            }
            Decision::CheckIn { reason, at } => Some(Nudge {
                id: format!("journey:{journey_id}:check-in:{}", at.timestamp()),
                at: *at,
                title: t.text("check-in-title"),
                body: t.text(match reason {
                    CheckInReason::Inactive => "check-in-inactive",
                    CheckInReason::AppointmentOverdue => "check-in-overdue",
                }),
            }),
            Decision::StageEntered { .. } => None,
        })
        .collect()
}
