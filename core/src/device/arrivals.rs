//! What a sync brought to one record, for this device's user: a pure comparison of what the
//! record held before the sync with what it holds after.

use std::collections::HashMap;

use crate::model::{Alert, ClinicalTargets, DoseEvent, Medication};
use crate::reminders::PlannedNotification;

/// What the record held at one moment, of what a sync can bring that a person must be told.
#[derive(Debug, Default, Clone)]
pub(crate) struct Snapshot {
    pub(crate) alerts: Vec<Alert>,
    pub(crate) doses: Vec<DoseEvent>,
    pub(crate) medications: Vec<Medication>,
    pub(crate) targets: Option<ClinicalTargets>,
    pub(crate) plan: Vec<PlannedNotification>,
}

/// The notifications to change after a sync: the shell cancels `cancel` (by id) and schedules
/// `add`; everything else it scheduled stays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanDiff {
    /// Ids of notifications scheduled before that are gone or changed.
    pub cancel: Vec<String>,
    /// Notifications new or changed, soonest first.
    pub add: Vec<PlannedNotification>,
}

impl PlanDiff {
    /// Nothing to change.
    pub fn is_empty(&self) -> bool {
        self.cancel.is_empty() && self.add.is_empty()
    }
}

/// What arrived with a sync.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arrivals {
    /// Alerts raised by readings another member logged, oldest first.
    pub alerts: Vec<Alert>,
    /// Doses another member logged (or changed), oldest first.
    pub doses: Vec<DoseEvent>,
    /// Medications another member added or changed (a clinician's new plan), as they are now.
    /// Who changed them: the sync's report ([`crate::sync::SyncReport::changed_by`]).
    pub medications: Vec<Medication>,
    /// The clinical targets, as they are now, when another member changed them (who: their
    /// `set_by`, and the report's `changed_by`).
    pub targets: Option<ClinicalTargets>,
    /// How this device's notification plan changed.
    pub plan: PlanDiff,
}

/// What is in `after` and not, or not so, in `before`.
pub(crate) fn arrived(before: &Snapshot, after: &Snapshot) -> Arrivals {
    Arrivals {
        alerts: new_or_changed(&before.alerts, &after.alerts, |a| &a.id),
        doses: new_or_changed(&before.doses, &after.doses, |d| &d.id),
        medications: new_or_changed(&before.medications, &after.medications, |m| &m.id),
        targets: after
            .targets
            .clone()
            .filter(|t| before.targets.as_ref() != Some(t)),
        plan: plan_diff(&before.plan, &after.plan),
    }
}

fn new_or_changed<T: Clone + PartialEq>(
    before: &[T],
    after: &[T],
    id: impl Fn(&T) -> &String,
) -> Vec<T> {
    let old: HashMap<&String, &T> = before.iter().map(|x| (id(x), x)).collect();
    after
        .iter()
        .filter(|x| old.get(id(x)).is_none_or(|o| *o != *x))
        .cloned()
        .collect()
}

/// The notifications to cancel and to add to go from `before` to `after`. A notification whose
/// id stays but whose text or time changed is cancelled and added again.
pub(crate) fn plan_diff(before: &[PlannedNotification], after: &[PlannedNotification]) -> PlanDiff {
    let now: HashMap<&String, &PlannedNotification> = after.iter().map(|n| (&n.id, n)).collect();
    let then: HashMap<&String, &PlannedNotification> = before.iter().map(|n| (&n.id, n)).collect();
    PlanDiff {
        cancel: before
            .iter()
            .filter(|n| now.get(&n.id).is_none_or(|a| *a != *n))
            .map(|n| n.id.clone())
            .collect(),
        add: after
            .iter()
            .filter(|n| then.get(&n.id).is_none_or(|b| *b != *n))
            .cloned()
            .collect(),
    }
}
