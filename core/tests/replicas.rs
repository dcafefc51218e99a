//! Replicas of one record merging without loss: first writes in a new document on two devices,
//! nested edits, the profile, copied files, other records, damaged files (docs/storage.md).

mod common;

use chrono::Duration;
use common::{at, bp, keys, metformin, new_record};
use companion_core::model::{
    AlertKind, DoseAmount, DoseEvent, DoseStatus, Inventory, MedicationStatus, ReadingSource,
    Schedule,
};
use companion_core::{Error, HealthRecord, ReadingQuery, TimeRange};

fn join(of: &mut HealthRecord, dir: &tempfile::TempDir, name: &str) -> HealthRecord {
    let export = of.replica_export().expect("export");
    HealthRecord::join(
        &dir.path().join(name),
        &keys(&dir.path().join(name)),
        &export,
    )
    .expect("join")
}

/// Both ways, by replica export.
fn exchange(a: &mut HealthRecord, b: &mut HealthRecord) {
    let from_a = a.replica_export().expect("export");
    let from_b = b.replica_export().expect("export");
    b.merge_replica(&from_a).expect("merge into b");
    a.merge_replica(&from_b).expect("merge into a");
}

/// Both ways, one change at a time, for every document either holds.
fn exchange_changes(a: &mut HealthRecord, b: &mut HealthRecord) {
    for _ in 0..2 {
        let docs: std::collections::BTreeSet<String> = a
            .documents()
            .expect("docs")
            .into_iter()
            .chain(b.documents().expect("docs"))
            .collect();
        for doc in &docs {
            let have = b.heads(doc).expect("heads");
            let changes = a.changes_since(doc, &have).expect("changes");
            b.apply_remote_changes(doc, &changes).expect("apply");
        }
        std::mem::swap(a, b);
    }
}

fn readings(r: &HealthRecord) -> usize {
    r.readings(&ReadingQuery::default())
        .expect("list")
        .readings
        .len()
}

#[test]
fn first_writes_in_a_month_new_to_both_replicas_all_survive() {
    let dir = tempfile::tempdir().expect("tempdir");
    for by_changes in [false, true] {
        let mut phone = HealthRecord::create(
            &dir.path().join(format!("phone-{by_changes}.db")),
            &keys(&dir.path().join(format!("phone-{by_changes}.db"))),
            &companion_core::model::Profile::new("Ana", "Europe/Berlin").expect("profile"),
        )
        .expect("create");
        let mut carer = join(&mut phone, &dir, &format!("carer-{by_changes}.db"));
        phone
            .add_reading(&bp(142, 91, "2026-10-20T08:00:00+02:00"))
            .expect("add");
        carer
            .add_reading(&bp(128, 82, "2026-10-20T09:00:00+02:00"))
            .expect("add");
        if by_changes {
            exchange_changes(&mut phone, &mut carer);
        } else {
            exchange(&mut phone, &mut carer);
        }
        assert_eq!(readings(&phone), 2, "by changes: {by_changes}");
        assert_eq!(readings(&carer), 2, "by changes: {by_changes}");
        assert_eq!(
            phone.export().expect("export"),
            carer.export().expect("export")
        );
        assert!(phone.check_full().expect("check").is_ok());
        assert!(carer.check_full().expect("check").is_ok());
    }
}

#[test]
fn a_joined_replica_has_no_profile_of_its_own_and_keeps_the_patients() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let mut clinic = join(&mut phone, &dir, "clinic.db");
    assert_eq!(clinic.id(), phone.id());
    assert_eq!(clinic.profile().expect("profile").name, "Ana");
    phone
        .modify_profile(|p| {
            p.name = "Ana Lima".into();
            Ok(())
        })
        .expect("rename");
    exchange(&mut phone, &mut clinic);
    assert_eq!(clinic.profile().expect("profile").name, "Ana Lima");
    assert_eq!(phone.profile().expect("profile").name, "Ana Lima");
}

#[test]
fn a_dose_change_and_a_pause_on_two_replicas_both_stay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let med = metformin();
    phone.add_medication(&med).expect("add");
    let mut clinic = join(&mut phone, &dir, "clinic.db");
    let t = at("2026-11-10T12:00:00+01:00").to_utc();
    clinic
        .modify_medication_at(&med.id, t, |m| {
            m.dose = DoseAmount::parse("1000 mg").expect("dose");
            Ok(())
        })
        .expect("dose change");
    phone
        .set_medication_status_at(&med.id, MedicationStatus::Paused, t + Duration::hours(1))
        .expect("pause");
    // And a schedule change on the phone too, after the pause: two history entries.
    phone
        .modify_medication_at(&med.id, t + Duration::hours(2), |m| {
            m.schedule = Schedule::FixedTimes {
                times: vec![chrono::NaiveTime::from_hms_opt(9, 0, 0).expect("time")],
            };
            Ok(())
        })
        .expect("schedule change");
    exchange(&mut phone, &mut clinic);
    for r in [&phone, &clinic] {
        let m = r.medication(&med.id).expect("medication");
        assert_eq!(m.dose.amount, 1000.0);
        assert_eq!(m.status, MedicationStatus::Paused);
        assert_eq!(m.pauses.len(), 1);
        assert_eq!(m.history.len(), 2, "both edits keep their history entry");
        assert!(m.history[0].until < m.history[1].until, "in order");
        // The plan follows the merged medication: paused, so no dose is planned.
        let plan = r
            .plan_reminders(
                t + Duration::hours(3),
                "Europe/Berlin",
                Duration::hours(48),
                64,
            )
            .expect("plan");
        assert!(
            plan.iter()
                .all(|n| n.doses.iter().all(|d| d.medication_id != med.id)),
            "{plan:?}"
        );
    }
    assert_eq!(
        phone.export().expect("export"),
        clinic.export().expect("export")
    );
}

#[test]
fn a_copied_file_takes_an_actor_of_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    phone
        .add_reading(&bp(142, 91, "2026-11-20T08:00:00+01:00"))
        .expect("add");
    let copy_path = dir.path().join("copy.db");
    // A copy made as a file manager or a backup would: the file and its write-ahead log.
    std::fs::copy(dir.path().join("record.db"), &copy_path).expect("copy");
    let wal = dir.path().join("record.db-wal");
    if wal.exists() {
        std::fs::copy(&wal, dir.path().join("copy.db-wal")).expect("copy wal");
    }
    // Its key stays with the original's name: a copied file opens nothing by itself.
    assert!(matches!(
        HealthRecord::open(&copy_path, &keys(&copy_path)),
        Err(companion_core::Error::NoKeyForRecord)
    ));
    common::copy_keys(&dir.path().join("record.db"), &copy_path);
    let mut copy = HealthRecord::open(&copy_path, &keys(&copy_path)).expect("open copy");
    phone
        .add_reading(&bp(130, 85, "2026-11-21T08:00:00+01:00"))
        .expect("add");
    copy.add_reading(&bp(125, 80, "2026-11-21T09:00:00+01:00"))
        .expect("add");
    exchange(&mut phone, &mut copy);
    assert_eq!(readings(&phone), 3);
    assert_eq!(readings(&copy), 3);
}

#[test]
fn another_records_export_and_damaged_files_are_refused_with_nothing_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    phone
        .add_reading(&bp(142, 91, "2026-11-20T08:00:00+01:00"))
        .expect("add");
    let other_dir = tempfile::tempdir().expect("tempdir");
    let mut stranger = new_record(&other_dir);
    stranger
        .add_reading(&bp(100, 60, "2026-11-20T08:00:00+01:00"))
        .expect("add");
    let before = phone.export().expect("export");
    let chunks = phone.chunk_count().expect("chunks");

    let foreign = stranger.replica_export().expect("export");
    assert!(matches!(
        phone.merge_replica(&foreign),
        Err(Error::OtherRecord { .. })
    ));
    // Its documents one by one, as whole documents or as changes.
    for doc in stranger.documents().expect("docs") {
        let whole = stranger.export_document(&doc).expect("doc");
        assert!(matches!(
            phone.apply_changes(&doc, &whole),
            Err(Error::OtherRecord { .. })
        ));
        let changes = stranger.changes_since(&doc, &[]).expect("changes");
        assert!(matches!(
            phone.apply_remote_changes(&doc, &changes),
            Err(Error::OtherRecord { .. })
        ));
    }
    let good = phone.replica_export().expect("export");
    let mut tampered = good.clone();
    let i = tampered.len() / 2;
    tampered[i] ^= 0x40;
    for bad in [&good[..good.len() - 10], &tampered[..], &b"hello"[..]] {
        assert!(matches!(
            phone.merge_replica(bad),
            Err(Error::InvalidReplicaFile { .. })
        ));
        let path = dir.path().join("never.db");
        assert!(matches!(
            HealthRecord::join(&path, &keys(&path), bad),
            Err(Error::InvalidReplicaFile { .. })
        ));
        assert!(!path.exists(), "no file is created");
    }
    assert_eq!(phone.export().expect("export"), before);
    assert_eq!(phone.chunk_count().expect("chunks"), chunks);
    // Merging one's own export changes nothing.
    let report = phone.merge_replica(&good).expect("merge");
    assert_eq!(report.documents, 0);
    assert_eq!(phone.export().expect("export"), before);
}

fn take(med: &str, scheduled: &str, taken: &str, by: &str) -> DoseEvent {
    let mut d =
        DoseEvent::new(med, DoseStatus::Taken, at(taken), Some(at(scheduled))).expect("dose");
    d.logged_by = Some(by.into());
    d
}

#[test]
fn one_evening_dose_logged_on_two_devices_is_one_dose_and_one_alert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let mut med = metformin();
    med.inventory = Some(Inventory {
        count: 30.0,
        counted_at: at("2026-11-20T07:00:00+01:00"),
        per_dose: 1.0,
    });
    phone.add_medication(&med).expect("add");
    let mut carer = join(&mut phone, &dir, "carer.db");
    let evening = "2026-11-20T20:00:00+01:00";
    phone
        .log_dose(&take(&med.id, evening, "2026-11-20T20:05:00+01:00", "Ana"))
        .expect("patient logs");
    carer
        .log_dose(&take(&med.id, evening, "2026-11-20T20:12:00+01:00", "Ben"))
        .expect("caregiver logs, offline");
    let from_carer = carer.replica_export().expect("export");
    let report = phone.merge_replica(&from_carer).expect("merge");
    assert_eq!((report.added, report.alerts_raised), (1, 1));
    let from_phone = phone.replica_export().expect("export");
    assert_eq!(
        carer
            .merge_replica(&from_phone)
            .expect("merge")
            .alerts_raised,
        0,
        "the alert came with the phone's changes"
    );
    // And again both ways: nothing new.
    exchange(&mut phone, &mut carer);
    let now = at("2026-11-20T21:00:00+01:00").to_utc();
    for r in [&phone, &carer] {
        let alerts: Vec<_> = r
            .alerts(TimeRange::ALL)
            .expect("alerts")
            .into_iter()
            .filter(|a| a.kind == AlertKind::DoseLoggedTwice)
            .collect();
        assert_eq!(alerts.len(), 1);
        let advice = companion_core::clinical::alerts::render(
            &alerts[0],
            companion_core::model::Language::English,
            &companion_core::model::UnitPreferences::default(),
        )
        .advice;
        assert!(advice.contains("Ana") && advice.contains("Ben"), "{advice}");
        assert!(
            advice.contains("20:05") && advice.contains("20:12"),
            "{advice}"
        );
        assert_eq!(alerts[0].dose_ids.len(), 2);
        let today = r.today(now, "Europe/Berlin").expect("today");
        assert!(
            today
                .alerts
                .iter()
                .any(|a| a.kind == AlertKind::DoseLoggedTwice)
        );
        let adherence = r
            .adherence(
                at("2026-11-20T12:00:00+01:00").to_utc(),
                now,
                now,
                "Europe/Berlin",
            )
            .expect("adherence");
        assert_eq!((adherence[0].counted, adherence[0].taken), (1, 1));
        let supply = r.refill_status(now, "Europe/Berlin").expect("refills");
        assert_eq!(supply[0].on_hand, 29.0, "the supply went down once");
    }
    assert_eq!(
        phone.export().expect("export"),
        carer.export().expect("export")
    );
}

#[test]
fn a_second_take_of_a_dose_is_refused_unless_confirmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let med = metformin();
    phone.add_medication(&med).expect("add");
    let evening = "2026-11-20T20:00:00+01:00";
    phone
        .log_dose(&take(&med.id, evening, "2026-11-20T20:05:00+01:00", "Ana"))
        .expect("first");
    let mut again = take(&med.id, evening, "2026-11-20T20:30:00+01:00", "Ben");
    match phone.log_dose(&again) {
        Err(Error::DoseAlreadyTaken {
            logged_by,
            at: when,
        }) => {
            assert_eq!(logged_by.as_deref(), Some("Ana"));
            assert_eq!(when, at("2026-11-20T20:05:00+01:00"));
        }
        other => panic!("refused: {other:?}"),
    }
    again.confirmed_double = true;
    phone.log_dose(&again).expect("confirmed");
    let doses = phone.doses(Some(&med.id), TimeRange::ALL).expect("doses");
    assert_eq!(doses.len(), 2);
    assert!(
        doses.iter().any(|d| d.confirmed_double),
        "the confirmation is kept"
    );
}

#[test]
fn the_same_import_on_two_replicas_is_one_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let mut carer = join(&mut phone, &dir, "carer.db");
    let imported = || {
        let mut r = bp(182, 121, "2026-11-20T08:00:00+01:00");
        r.source = ReadingSource::Imported {
            system: "omron".into(),
            external_id: "x-17".into(),
        };
        r
    };
    phone.add_reading(&imported()).expect("import on the phone");
    carer
        .add_reading(&imported())
        .expect("import on the carer's phone");
    exchange_changes(&mut phone, &mut carer);
    for r in [&phone, &carer] {
        assert_eq!(readings(r), 1);
        assert_eq!(
            r.alerts(TimeRange::ALL).expect("alerts").len(),
            1,
            "one crisis alert"
        );
        assert!(r.check_full().expect("check").is_ok());
    }
    assert_eq!(
        phone.export().expect("export"),
        carer.export().expect("export")
    );
}

/// Entries added without loading their month (a write into a month it holds, by a process that
/// has not loaded it) merge like any other, before and after changes from another replica.
#[test]
fn cold_writes_merge_before_and_after_another_replicas_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let reopen = || HealthRecord::open(&path, &keys(&path)).expect("open");
    let mut phone = new_record(&dir);
    phone
        .add_reading(&bp(130, 80, "2026-11-02T08:00:00+01:00"))
        .expect("first of the month");
    drop(phone);
    let mut phone = reopen();
    phone
        .add_reading(&bp(131, 81, "2026-11-03T08:00:00+01:00"))
        .expect("cold write");
    let mut carer = join(&mut phone, &dir, "carer.db");
    carer
        .add_reading(&bp(132, 82, "2026-11-04T08:00:00+01:00"))
        .expect("the carer's");
    drop(phone);
    let mut phone = reopen();
    phone
        .add_reading(&bp(133, 83, "2026-11-05T08:00:00+01:00"))
        .expect("cold write while the carer's is not merged");
    exchange_changes(&mut phone, &mut carer);
    drop(phone);
    // The carer's change moved the phone's tip on: its next entry still needs no load.
    let tips: i64 = common::sqlite(&path)
        .query_row(
            "SELECT count(*) FROM doc_tips WHERE doc = 'log/2026-11'",
            [],
            |r| r.get(0),
        )
        .expect("tips");
    assert_eq!(tips, 1, "the month's tip survives the carer's change");
    let mut phone = reopen();
    phone
        .add_reading(&bp(134, 84, "2026-11-06T08:00:00+01:00"))
        .expect("cold write after a merge");
    drop(phone);
    let mut phone = reopen();
    phone
        .add_reading(&bp(135, 85, "2026-11-07T08:00:00+01:00"))
        .expect("and again");
    exchange_changes(&mut phone, &mut carer);
    for r in [&phone, &carer] {
        assert_eq!(readings(r), 6);
        assert!(r.check_full().expect("check").is_ok());
    }
    assert_eq!(
        phone.heads("log/2026-11").expect("heads"),
        carer.heads("log/2026-11").expect("heads"),
        "one history"
    );
    assert_eq!(
        phone.heads("log/2026-11").expect("heads").len(),
        1,
        "the last write builds on everything the phone held"
    );
    assert_eq!(
        phone.export().expect("export"),
        carer.export().expect("export")
    );
    // A copy of the file writes as an actor of its own, and still merges.
    drop(phone);
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).expect("copy");
    let mut copied = HealthRecord::open(&copy, &keys(&path)).expect("open the copy");
    copied
        .add_reading(&bp(136, 86, "2026-11-08T08:00:00+01:00"))
        .expect("the copy writes");
    let mut phone = reopen();
    phone
        .add_reading(&bp(137, 87, "2026-11-09T08:00:00+01:00"))
        .expect("the original writes");
    exchange_changes(&mut phone, &mut copied);
    assert_eq!(readings(&phone), 8);
    assert_eq!(readings(&copied), 8);
}
