//! The device's notifications as one list: every record's plan merged soonest first under
//! one cap (iOS keeps at most 64 pending notifications for a whole app, whatever the records
//! it holds), each with a key and a fingerprint, and what to change in what a phone has
//! scheduled to reach that list. A shell only schedules and cancels what it is given.

use std::collections::HashMap;

use crate::reminders::PlannedNotification;

/// One notification of one of the device's records.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceNotification {
    /// The record it is of.
    pub record: String,
    /// `record/id`: unique on the device and stable while the notification stands (the
    /// identifier of the scheduled request).
    pub key: String,
    /// Whether this device is a caregiver's for that record (what it says is about the
    /// patient: the shell files it apart from the person's own doses).
    pub for_caregiver: bool,
    /// Changes whenever anything shown or acted on changes (time, kind, texts, importance,
    /// actions, doses, audience): a scheduled notification with another fingerprint is stale.
    pub fingerprint: String,
    /// The notification.
    pub notification: PlannedNotification,
}

impl DeviceNotification {
    /// The notification `n` of `record`, keyed and fingerprinted.
    pub fn new(record: &str, for_caregiver: bool, n: PlannedNotification) -> Self {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        // Serializing a notification cannot fail (strings, numbers, enums, a time); were it
        // to, the fingerprint of the id alone still names the notification.
        ctx.update(&serde_json::to_vec(&n).unwrap_or_else(|_| n.id.clone().into_bytes()));
        ctx.update(&[u8::from(for_caregiver)]);
        let fingerprint = hex::encode(&ctx.finish().as_ref()[..12]);
        Self {
            record: record.to_string(),
            key: format!("{record}/{}", n.id),
            for_caregiver,
            fingerprint,
            notification: n,
        }
    }
}

/// A notification a phone has scheduled, as it kept it: its key and fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledNotification {
    /// The key it was scheduled under ([`DeviceNotification::key`]).
    pub key: String,
    /// The fingerprint it was scheduled with.
    pub fingerprint: String,
}

/// What to change in what is scheduled: remove `remove` (by key), then schedule `add`.
/// Everything else scheduled is left alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanChanges {
    /// Keys scheduled that are no longer planned, or planned otherwise.
    pub remove: Vec<String>,
    /// Notifications planned and not scheduled as planned, soonest first.
    pub add: Vec<DeviceNotification>,
}

/// Merges the records' plans: soonest first (ties by key, so the order is the same on every
/// call), at most `max` in all.
pub fn merge(mut all: Vec<DeviceNotification>, max: usize) -> Vec<DeviceNotification> {
    all.sort_by(|a, b| (a.notification.fire_at, &a.key).cmp(&(b.notification.fire_at, &b.key)));
    all.truncate(max);
    all
}

/// What to change to go from `scheduled` to `planned`. With `lost` (the phone dropped or must
/// set again what it had: after a restore, a clock change, a permission change), everything
/// scheduled is removed and everything planned added.
pub fn changes(
    scheduled: &[ScheduledNotification],
    planned: &[DeviceNotification],
    lost: bool,
) -> PlanChanges {
    let now: HashMap<&str, &str> = planned
        .iter()
        .map(|n| (n.key.as_str(), n.fingerprint.as_str()))
        .collect();
    let then: HashMap<&str, &str> = scheduled
        .iter()
        .map(|s| (s.key.as_str(), s.fingerprint.as_str()))
        .collect();
    let mut remove: Vec<String> = scheduled
        .iter()
        .filter(|s| lost || now.get(s.key.as_str()) != Some(&s.fingerprint.as_str()))
        .map(|s| s.key.clone())
        .collect();
    remove.sort();
    remove.dedup();
    PlanChanges {
        remove,
        add: planned
            .iter()
            .filter(|n| lost || then.get(n.key.as_str()) != Some(&n.fingerprint.as_str()))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reminders::{Importance, NotificationKind};
    use chrono::{TimeZone, Timelike, Utc};

    fn n(id: &str, minute: u32, title: &str) -> PlannedNotification {
        PlannedNotification {
            id: id.to_string(),
            fire_at: Utc
                .with_ymd_and_hms(2026, 12, 7, 8, minute, 0)
                .single()
                .expect("time"),
            kind: NotificationKind::Dose,
            title: title.to_string(),
            body: String::new(),
            actions: vec![],
            importance: Importance::TimeSensitive,
            doses: vec![],
        }
    }

    fn scheduled(d: &DeviceNotification) -> ScheduledNotification {
        ScheduledNotification {
            key: d.key.clone(),
            fingerprint: d.fingerprint.clone(),
        }
    }

    #[test]
    fn the_merge_keeps_the_soonest_of_every_record_under_one_cap() {
        let mut all = Vec::new();
        for (record, first) in [("a", 0), ("b", 1)] {
            for i in 0..40 {
                all.push(DeviceNotification::new(
                    record,
                    false,
                    n(&format!("n{i}"), first + i, "t"),
                ));
            }
        }
        let kept = merge(all, 64);
        assert_eq!(kept.len(), 64);
        assert!(
            kept.windows(2)
                .all(|w| w[0].notification.fire_at <= w[1].notification.fire_at)
        );
        // Both records' soonest are in; the latest of both are out.
        assert_eq!(kept[0].key, "a/n0");
        assert_eq!(kept[1].key, "a/n1");
        assert_eq!(kept[2].key, "b/n0");
        let last = kept.last().map(|k| k.notification.fire_at.minute());
        assert_eq!(last, Some(32), "the 64 soonest end at 08:32");
    }

    #[test]
    fn only_what_changed_is_removed_and_added() {
        let before = vec![
            DeviceNotification::new("a", false, n("x", 0, "Take Metformin")),
            DeviceNotification::new("a", false, n("y", 5, "Take Amlodipine")),
            DeviceNotification::new("b", true, n("z", 7, "Mum's dose")),
        ];
        let was: Vec<ScheduledNotification> = before.iter().map(scheduled).collect();
        assert_eq!(changes(&was, &before, false), PlanChanges::default());

        // y's text changed, z is gone, w is new.
        let after = vec![
            before[0].clone(),
            DeviceNotification::new("a", false, n("y", 5, "Take Amlodipine 5 mg")),
            DeviceNotification::new("a", false, n("w", 9, "Take Atorvastatin")),
        ];
        let c = changes(&was, &after, false);
        assert_eq!(c.remove, ["a/y", "b/z"]);
        let added: Vec<&str> = c.add.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(added, ["a/y", "a/w"]);

        // The same notification for a caregiver is another notification.
        let carer = DeviceNotification::new("a", true, n("x", 0, "Take Metformin"));
        assert_ne!(carer.fingerprint, before[0].fingerprint);

        // Lost: all removed, all added.
        let c = changes(&was, &before, true);
        assert_eq!(c.remove.len(), 3);
        assert_eq!(c.add.len(), 3);
    }
}
