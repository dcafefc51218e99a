//! A device holds several records in one directory, their keys in one key store: lists them
//! with the patient's name, opens one by id, id prefix or name, and refuses an ambiguous name.

use std::sync::Arc;

use companion_core::device::Device;
use companion_core::keystore::{FileKeyStore, MemoryKeyStore};
use companion_core::model::Profile;
use companion_core::{Error, TimeRange};

fn profile(name: &str) -> Profile {
    Profile::new(name, "Europe/Berlin").expect("profile")
}

#[test]
fn a_device_lists_opens_and_picks_its_records() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(FileKeyStore::open(dir.path()).expect("key store"));
    let device = Device::open(dir.path(), store.clone()).expect("device");
    assert!(device.records().expect("records").is_empty());
    assert!(matches!(device.open_record(None), Err(Error::NoRecord)));

    let mum = device
        .create(&profile("Mei"))
        .expect("mum")
        .id()
        .to_string();
    // The only record needs no name.
    assert_eq!(device.open_record(None).expect("only").id(), mum);
    let dad = device
        .create(&profile("Wei"))
        .expect("dad")
        .id()
        .to_string();
    let list = device.records().expect("records");
    let names: Vec<&str> = list.iter().map(|r| r.patient.as_str()).collect();
    assert_eq!(names, ["Mei", "Wei"]);
    assert!(
        list.iter()
            .all(|r| r.role.is_none() && r.last_sync.is_none())
    );

    assert!(matches!(
        device.open_record(None),
        Err(Error::WhichRecord { matching: 2 })
    ));
    assert_eq!(device.open_record(Some("wei")).expect("by name").id(), dad);
    assert_eq!(
        device
            .open_record(Some(&mum[..30]))
            .expect("by prefix")
            .id(),
        mum
    );
    assert!(matches!(
        device.open_record(Some("Nobody")),
        Err(Error::NoRecord)
    ));

    // Another Device over the same directory and key store sees the same records.
    let again = Device::open(dir.path(), store).expect("again");
    assert_eq!(again.records().expect("records").len(), 2);
    let mut record = again.open_record(Some("Mei")).expect("open");
    assert!(record.journal(TimeRange::ALL).expect("journal").is_empty());
    record
        .add_journal_entry(
            &companion_core::model::JournalEntry::new(
                chrono::Utc::now().fixed_offset(),
                "slept well",
                None,
                vec![],
            )
            .expect("entry"),
        )
        .expect("write");
}

#[test]
fn a_file_the_device_cannot_open_is_listed_with_its_problem() {
    let dir = tempfile::tempdir().expect("dir");
    let device = Device::open(dir.path(), Arc::new(MemoryKeyStore::default())).expect("device");
    device.create(&profile("Mei")).expect("create");
    // A record file from another device, copied in without its key.
    let other = tempfile::tempdir().expect("other");
    let foreign = Device::open(other.path(), Arc::new(MemoryKeyStore::default())).expect("other");
    let id = foreign
        .create(&profile("Stranger"))
        .expect("create")
        .id()
        .to_string();
    let path = foreign.find(Some(&id)).expect("path");
    std::fs::copy(&path, dir.path().join("records").join("copied.db")).expect("copy");

    let list = device.records().expect("records");
    assert_eq!(list.len(), 2);
    let problem = list.iter().find(|r| r.problem.is_some()).expect("listed");
    assert_eq!(problem.id, "copied");
    assert_eq!(
        problem.problem.as_deref(),
        Some("the record file is encrypted; this device has no key for it")
    );
    // The others still open, by name and as the one that opens.
    assert_eq!(
        device
            .open_record(Some("Mei"))
            .expect("open")
            .profile()
            .expect("p")
            .name,
        "Mei"
    );
    assert!(device.sync_all(&mut NoRelay).expect("sync all").is_empty());
}

/// A transport for records that are not shared: never called.
struct NoRelay;

impl companion_core::sync::Transport for NoRelay {
    fn send(
        &mut self,
        _: &str,
        _: &companion_core::sync::Request,
    ) -> Result<companion_core::sync::Response, String> {
        Err("no relay".into())
    }
}

/// Forgetting a record deletes its file and its keys, and nothing of the others; a record
/// open elsewhere is refused as busy and left whole.
#[test]
fn a_forgotten_record_leaves_no_file_and_no_key() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(FileKeyStore::open(&dir.path().join("keys")).expect("keys"));
    let device = Device::open(dir.path(), store.clone()).expect("device");
    let mei = device.create(&profile("Mei")).expect("create");
    drop(device.create(&profile("Wei")).expect("create"));
    let path = device.find(Some("Mei")).expect("path");
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("stem")
        .to_string();
    let hers = |names: Vec<String>| names.into_iter().filter(|n| n.contains(&stem)).count();
    assert!(hers(store.names().expect("names")) > 0);
    assert!(matches!(device.forget("Mei"), Err(Error::Storage { .. })));
    assert!(path.exists(), "an open record is not deleted");
    drop(mei);
    assert!(matches!(device.forget("Nobody"), Err(Error::NoRecord)));
    device.forget("Mei").expect("forget");
    assert!(!path.exists());
    assert_eq!(
        hers(store.names().expect("names")),
        0,
        "no key of hers is left"
    );
    let left: Vec<String> = device
        .records()
        .expect("records")
        .into_iter()
        .map(|r| r.patient)
        .collect();
    assert_eq!(left, ["Wei"]);
    assert_eq!(
        device
            .open_record(None)
            .expect("Wei opens")
            .profile()
            .expect("p")
            .name,
        "Wei"
    );
}

fn daily(name: &str, times: &[(u32, u32)]) -> companion_core::model::Medication {
    use chrono::{NaiveDate, NaiveTime};
    use companion_core::model::{DoseAmount, Medication, Schedule};
    let schedule = Schedule::FixedTimes {
        times: times
            .iter()
            .map(|&(h, m)| NaiveTime::from_hms_opt(h, m, 0).expect("time"))
            .collect(),
    };
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut m = Medication::new(
        name,
        DoseAmount::parse("1 tablet").expect("dose"),
        schedule,
        start,
    )
    .expect("medication");
    m.recorded_at = None;
    m
}

/// Issue 32: iOS keeps at most 64 pending notifications for the whole app. The device plans
/// all its records together: soonest first under one cap, each keyed by record, and what to
/// change in what is scheduled is only what changed.
#[test]
fn the_device_plans_every_record_soonest_first_under_one_cap() {
    use companion_core::device::{ScheduledNotification, plan_changes};
    use companion_core::keystore::KeyStore;
    use companion_core::reminders::NotificationKind;
    let dir = tempfile::tempdir().expect("dir");
    let keys = Arc::new(MemoryKeyStore::default());
    let device = Device::open(dir.path(), keys.clone()).expect("device");
    let mut mei = device.create(&profile("Mei")).expect("mei");
    // Every quarter hour from 06:00 to 21:45: 64 a day on their own.
    let quarters: Vec<(u32, u32)> = (6..22)
        .flat_map(|h| [0, 15, 30, 45].map(|m| (h, m)))
        .collect();
    mei.add_medication(&daily("Often", &quarters))
        .expect("often");
    let mut wei = device.create(&profile("Wei")).expect("wei");
    let wei_file = device.find(Some("Wei")).expect("wei's file");
    let tablet = daily("Amlodipine", &[(7, 10)]);
    wei.add_medication(&tablet).expect("amlodipine");
    // A file the device cannot open plans nothing and stops nothing.
    std::fs::write(
        dir.path().join("records").join("broken.db"),
        b"not a record",
    )
    .expect("junk");

    // Tomorrow, 04:00 or 05:00 in Berlin: after the real clock, from which the medication
    // edited below takes effect (a fixed day passed the test only before 07:10 that day).
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    let now = day.and_hms_opt(3, 0, 0).expect("03:00").and_utc();
    let horizon = chrono::Duration::hours(48);
    let plan = device
        .plan_notifications(now, "Europe/Berlin", horizon, 64)
        .expect("plan");
    assert_eq!(plan.len(), 64, "one cap for the whole device");
    assert!(
        plan.windows(2)
            .all(|w| w[0].notification.fire_at <= w[1].notification.fire_at)
    );
    // Wei's one dose at 07:10 is in; Mei's last of today is out.
    let weis: Vec<_> = plan.iter().filter(|n| n.record == wei.id()).collect();
    let kinds: Vec<_> = weis.iter().map(|n| n.notification.kind).collect();
    // The dose, and the check an hour later that it was logged.
    assert_eq!(
        kinds,
        [NotificationKind::Dose, NotificationKind::MissedDose]
    );
    let berlin = weis[0]
        .notification
        .fire_at
        .with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!(
        (berlin.date_naive(), berlin.time()),
        (
            day,
            chrono::NaiveTime::from_hms_opt(7, 10, 0).expect("07:10")
        )
    );
    assert!(weis[0].key.starts_with(&format!("{}/", wei.id())));
    assert!(plan.iter().all(|n| !n.for_caregiver));
    assert_eq!(plan.last().map(|n| n.record.as_str()), Some(mei.id()));

    // Scheduled as planned: nothing to change. Wei's dose moves: only it changes.
    let scheduled: Vec<ScheduledNotification> = plan
        .iter()
        .map(|n| ScheduledNotification {
            key: n.key.clone(),
            fingerprint: n.fingerprint.clone(),
        })
        .collect();
    let same = device
        .plan_notifications(now, "Europe/Berlin", horizon, 64)
        .expect("again");
    assert_eq!(plan_changes(&scheduled, &same, false), Default::default());
    let mut moved = tablet.clone();
    moved.schedule = daily("x", &[(7, 40)]).schedule;
    wei.update_medication(&moved).expect("move");
    let after = device
        .plan_notifications(now, "Europe/Berlin", horizon, 64)
        .expect("after");
    let changed = plan_changes(&scheduled, &after, false);
    let mut removed = changed.remove.clone();
    removed.sort();
    let mut was: Vec<String> = weis.iter().map(|n| n.key.clone()).collect();
    was.sort();
    assert_eq!(removed, was);
    assert_eq!(changed.add.len(), 2);
    assert!(changed.add.iter().all(|n| n.record == wei.id()));

    // A record that opens but cannot be planned (a medication's index row edited behind its
    // back) plans nothing, and the others' reminders stand.
    let file = wei_file.file_stem().and_then(|s| s.to_str()).expect("stem");
    let key = keys
        .get(&format!("record/device-{file}/file"))
        .expect("key store")
        .expect("file key");
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let raw = rusqlite::Connection::open(&wei_file).expect("sqlite");
    raw.pragma_update(None, "key", format!("x'{hex}'"))
        .expect("key");
    raw.execute(
        "UPDATE entries SET body = replace(body, 'Amlodipine', 'Amlodipinf') WHERE collection = 'medications'",
        [],
    )
    .expect("edit behind its back");
    drop(raw);
    let damaged = device
        .plan_notifications(now, "Europe/Berlin", horizon, 64)
        .expect("the others are planned");
    assert_eq!(damaged.len(), 64);
    assert!(damaged.iter().all(|n| n.record == mei.id()));

    // A zone that is none is refused, whatever the records.
    assert!(
        device
            .plan_notifications(now, "Mars/Olympus", horizon, 64)
            .is_err()
    );
}
