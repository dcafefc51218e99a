//! What is on hand, when it runs out, and when to remind about a refill.

use chrono::{DateTime, NaiveDate, Utc};

use super::occurrences::{Occurrence, dose_for, version_at};
use crate::model::{DoseEvent, Medication, Refill};

/// What is on hand of a tracked medication at an instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Supply {
    /// Units on hand, never below zero.
    pub left: f64,
    /// When the supply ran out, if it is empty now.
    pub ran_out_at: Option<DateTime<Utc>>,
}

/// The supply at `at`: the last count, plus refills, minus doses taken since the count, in
/// the order they happened (each at the amount logged, or else the dose its schedule gave at
/// its time; a scheduled dose logged twice counts once unless the second take was confirmed).
/// It never goes below zero: a dose taken with nothing left came from elsewhere, and the
/// supply stays empty until a refill. `None` when the medication's inventory is not tracked.
pub fn supply(
    med: &Medication,
    doses: &[DoseEvent],
    refills: &[Refill],
    at: DateTime<Utc>,
) -> Option<Supply> {
    let inventory = med.inventory.as_ref()?;
    let since = inventory.counted_at.to_utc();
    let in_span = |t: DateTime<Utc>| since < t && t <= at;
    let mut changes: Vec<(DateTime<Utc>, f64)> = refills
        .iter()
        .filter(|r| r.medication_id == med.id && in_span(r.at.to_utc()))
        .map(|r| (r.at.to_utc(), r.amount))
        .collect();
    // A dose logged on two devices used the supply once (docs/storage.md, merge rules).
    changes.extend(
        super::doubles::supply_takes(doses)
            .into_iter()
            .filter(|d| d.medication_id == med.id && in_span(d.at.to_utc()))
            .map(|d| {
                // Against the medication's dose as it was when taken: editing the dose later
                // changes no past take's count.
                let when = d.scheduled_at.unwrap_or(d.at);
                let amount = d.amount.clone().unwrap_or_else(|| dose_for(med, when));
                (
                    d.at.to_utc(),
                    -units_of(med, &amount, version_at(med, when).1.amount),
                )
            }),
    );
    // Refills before takes at the same instant.
    crate::sorting::sort_by(&mut changes, |a, b| (a.0, a.1 < 0.0).cmp(&(b.0, b.1 < 0.0)));
    let mut left = inventory.count.max(0.0);
    let mut ran_out_at = (left <= 0.0).then_some(since);
    for (t, change) in changes {
        left = (left + change).max(0.0);
        if left <= 1e-9 {
            left = 0.0;
            ran_out_at = ran_out_at.or(Some(t));
        } else {
            ran_out_at = None;
        }
    }
    Some(Supply { left, ran_out_at })
}

/// The units on hand at `at` ([`supply`]'s `left`), never below zero. `None` when the
/// medication's inventory is not tracked.
pub fn on_hand(
    med: &Medication,
    doses: &[DoseEvent],
    refills: &[Refill],
    at: DateTime<Utc>,
) -> Option<f64> {
    supply(med, doses, refills, at).map(|s| s.left)
}

/// The inventory units one dose of `amount` uses, where a whole dose of the medication is
/// `dose` of the same unit: the amount itself in a countable unit (2 tablets use 2), else the
/// units per dose in proportion (a tapering step of 20 mg on a 40 mg dose uses half).
fn units_of(med: &Medication, amount: &crate::model::DoseAmount, dose: f64) -> f64 {
    if amount.is_countable() {
        return amount.amount;
    }
    let per_dose = med.inventory.as_ref().map_or(1.0, |i| i.per_dose);
    if dose > 0.0 {
        per_dose * amount.amount / dose
    } else {
        per_dose
    }
}

/// The day the medication runs out: the date (in the occurrence's own slot) of the first
/// upcoming dose that what is on hand can no longer cover. `None` if it lasts past the given
/// occurrences (pass a long enough window) or is not tracked.
pub fn run_out(
    med: &Medication,
    on_hand: Option<f64>,
    upcoming: &[Occurrence],
) -> Option<NaiveDate> {
    let mut left = on_hand?;
    for o in upcoming {
        let need = units_of(med, &o.dose, med.dose.amount);
        if left + 1e-9 < need {
            return Some(o.slot.date());
        }
        left -= need;
    }
    None
}
