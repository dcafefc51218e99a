//! One scheduled dose logged as taken more than once: what a merge of two devices' offline
//! logs leaves when the patient and a caregiver both logged the evening dose. Such a dose is
//! taken once for reminders, adherence and the supply, and raises one "dose logged twice" alert
//! (docs/storage.md, merge rules).

use chrono::{DateTime, FixedOffset};

use crate::model::{DoseEvent, DoseStatus};

/// The takes logged for one scheduled dose of one medication.
#[derive(Debug, Clone, PartialEq)]
pub struct DoubleDose {
    /// The medication.
    pub medication_id: String,
    /// The scheduled time the takes answer.
    pub scheduled_at: DateTime<FixedOffset>,
    /// The takes, at least two, in the order they were taken.
    pub doses: Vec<DoseEvent>,
}

impl DoubleDose {
    /// The id of its alert: the same on every replica, so that replicas that find the same
    /// double make one alert.
    pub fn alert_id(&self) -> String {
        crate::model::derived_id(&[
            "dose_logged_twice",
            &self.medication_id,
            &self.scheduled_at.to_utc().to_rfc3339(),
        ])
    }
}

/// Whether `d` answers a scheduled dose as taken without the person confirming it as an extra.
fn plain_take(d: &DoseEvent) -> bool {
    d.status == DoseStatus::Taken && d.scheduled_at.is_some() && !d.confirmed_double
}

/// The scheduled doses in `doses` logged as taken two or more times (takes confirmed as a
/// deliberate second dose do not count), by medication and time.
pub fn logged_twice(doses: &[DoseEvent]) -> Vec<DoubleDose> {
    let mut groups: std::collections::BTreeMap<(&str, DateTime<chrono::Utc>), Vec<&DoseEvent>> =
        std::collections::BTreeMap::new();
    for d in doses.iter().filter(|d| plain_take(d)) {
        if let Some(s) = d.scheduled_at {
            groups
                .entry((d.medication_id.as_str(), s.to_utc()))
                .or_default()
                .push(d);
        }
    }
    groups
        .into_values()
        .filter(|g| g.len() >= 2)
        .filter_map(|mut g| {
            crate::sorting::sort_by(&mut g, |a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
            let first = g.first()?;
            Some(DoubleDose {
                medication_id: first.medication_id.clone(),
                scheduled_at: first.scheduled_at?,
                doses: g.into_iter().cloned().collect(),
            })
        })
        .collect()
}

/// The takes that used up the supply: each scheduled dose once however many devices logged it,
/// plus the extra takes the person confirmed, plus as-needed doses.
pub fn supply_takes(doses: &[DoseEvent]) -> Vec<&DoseEvent> {
    let mut seen = std::collections::HashSet::new();
    let mut takes: Vec<&DoseEvent> = doses
        .iter()
        .filter(|d| d.status == DoseStatus::Taken)
        .collect();
    crate::sorting::sort_by(&mut takes, |a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    takes
        .into_iter()
        .filter(|d| match d.scheduled_at {
            Some(s) if !d.confirmed_double => seen.insert((d.medication_id.as_str(), s.to_utc())),
            _ => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(med: &str, scheduled: &str, at: &str, by: &str) -> DoseEvent {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).expect("time");
        let mut d =
            DoseEvent::new(med, DoseStatus::Taken, t(at), Some(t(scheduled))).expect("dose");
        d.logged_by = Some(by.into());
        d
    }

    #[test]
    fn two_takes_of_one_dose_are_one_double_and_count_once() {
        let s = "2026-11-20T20:00:00+01:00";
        let ann = take("m", s, "2026-11-20T20:05:00+01:00", "Ann");
        let ben = take("m", s, "2026-11-20T20:12:00+01:00", "Ben");
        let other = take(
            "m",
            "2026-11-21T08:00:00+01:00",
            "2026-11-21T08:01:00+01:00",
            "Ann",
        );
        let doses = vec![ben.clone(), other.clone(), ann.clone()];
        let found = logged_twice(&doses);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].doses, vec![ann.clone(), ben.clone()]);
        assert_eq!(supply_takes(&doses).len(), 2);
        // The same scheduled time in another offset is the same dose.
        let mut moved = ben.clone();
        moved.scheduled_at = Some(DateTime::parse_from_rfc3339("2026-11-20T19:00:00Z").expect("t"));
        assert_eq!(logged_twice(&[ann.clone(), moved]).len(), 1);
        // A confirmed second take is an extra dose: no double, and it counts.
        let mut confirmed = ben;
        confirmed.confirmed_double = true;
        let doses = vec![ann, confirmed];
        assert!(logged_twice(&doses).is_empty());
        assert_eq!(supply_takes(&doses).len(), 2);
    }

    #[test]
    fn the_alert_id_is_the_same_everywhere() {
        let s = "2026-11-20T20:00:00+01:00";
        let a = logged_twice(&[
            take("m", s, "2026-11-20T20:05:00+01:00", "Ann"),
            take("m", s, "2026-11-20T20:06:00+01:00", "Ben"),
        ]);
        let b = logged_twice(&[
            take(
                "m",
                "2026-11-20T19:00:00Z",
                "2026-11-20T20:07:00+01:00",
                "Cy",
            ),
            take("m", s, "2026-11-20T20:08:00+01:00", "Di"),
        ]);
        assert_eq!(a[0].alert_id(), b[0].alert_id());
    }
}
