//! What is on hand, when it runs out, and when to remind about a refill.

use chrono::{DateTime, NaiveDate, Utc};

use super::occurrences::{Occurrence, dose_for, version_at};
use crate::model::{DoseEvent, Medication, Refill};

/// The units on hand at `at`: the last count, plus refills, minus doses taken since the count
/// (each at the amount logged, or else the dose its schedule gave at its time; a scheduled dose
/// logged twice counts once unless the second take was confirmed).
/// `None` when the medication's inventory is not tracked.
pub fn on_hand(
    med: &Medication,
    doses: &[DoseEvent],
    refills: &[Refill],
    at: DateTime<Utc>,
) -> Option<f64> {
    let inventory = med.inventory.as_ref()?;
    let since = inventory.counted_at.to_utc();
    let in_span = |t: DateTime<Utc>| since < t && t <= at;
    let added: f64 = refills
        .iter()
        .filter(|r| r.medication_id == med.id && in_span(r.at.to_utc()))
        .map(|r| r.amount)
        .sum();
    // A dose logged on two devices used the supply once (docs/storage.md, merge rules).
    let used: f64 = super::doubles::supply_takes(doses)
        .into_iter()
        .filter(|d| d.medication_id == med.id && in_span(d.at.to_utc()))
        .map(|d| {
            // Against the medication's dose as it was when taken: editing the dose later
            // changes no past take's count.
            let when = d.scheduled_at.unwrap_or(d.at);
            let amount = d
                .amount
                .as_ref()
                .map_or_else(|| dose_for(med, when).amount, |a| a.amount);
            units_of(med, amount, version_at(med, when).1.amount)
        })
        .sum();
    Some(inventory.count + added - used)
}

/// The inventory units one dose of `amount` uses, where a whole dose is `dose`.
fn units_of(med: &Medication, amount: f64, dose: f64) -> f64 {
    let per_dose = med.inventory.as_ref().map_or(1.0, |i| i.per_dose);
    if dose > 0.0 {
        per_dose * amount / dose
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
        let need = units_of(med, o.dose.amount, med.dose.amount);
        if left + 1e-9 < need {
            return Some(o.slot.date());
        }
        left -= need;
    }
    None
}
