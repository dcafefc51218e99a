//! Record files are encrypted at rest, with their keys in the device's key store: no patient
//! text in any file, a copied file refused, a plaintext record of an earlier version encrypted
//! in place on open with every entry kept.

mod common;

use std::path::Path;

use common::{bp, files_holding, keys, make_plaintext, new_record};
use companion_core::model::{JournalEntry, Measurement, Profile, Reading};
use companion_core::{Error, HealthRecord, ReadingQuery, TimeRange};

const MARKERS: [&str; 4] = [
    "Marker-Name-Qz",
    "marker-journal-qz",
    "marker-allergy-qz",
    "marker-old-name-qz",
];

/// Fails if any marker is in any file of `dir`.
fn assert_no_marker(dir: &Path) {
    for marker in MARKERS {
        assert_eq!(files_holding(dir, marker), Vec::<String>::new(), "{marker}");
    }
}

fn fill(record: &mut HealthRecord) {
    let mut profile = record.profile().expect("profile");
    profile.name = MARKERS[3].into();
    record.set_profile(&profile).expect("profile");
    profile.name = MARKERS[0].into();
    profile.allergies = vec![MARKERS[2].into()];
    record.set_profile(&profile).expect("profile");
    let at = common::at("2026-11-20T21:00:00+01:00");
    let entry = JournalEntry::new(at, MARKERS[1], Some(3), vec![]).expect("entry");
    record.add_journal_entry(&entry).expect("journal");
    record
        .add_reading(&bp(150, 95, "2026-11-20T08:00:00+01:00"))
        .expect("reading");
}

#[test]
fn no_patient_text_is_in_any_file_while_open_or_closed() {
    let dir = tempfile::tempdir().expect("dir");
    let mut record = new_record(&dir);
    fill(&mut record);
    // While open (the write-ahead log holds the latest pages) and after.
    assert_no_marker(dir.path());
    drop(record);
    assert_no_marker(dir.path());
}

#[test]
fn a_file_copied_to_another_device_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let mut record = new_record(&dir);
    fill(&mut record);
    drop(record);
    let other = tempfile::tempdir().expect("other device");
    let copy = other.path().join("record.db");
    std::fs::copy(dir.path().join("record.db"), &copy).expect("copy");
    let before = std::fs::read(&copy).expect("read");
    assert!(matches!(
        HealthRecord::open(&copy, &keys(&copy)),
        Err(Error::NoKeyForRecord)
    ));
    assert_eq!(
        std::fs::read(&copy).expect("read"),
        before,
        "nothing written"
    );
    // The key store alone opens nothing either: it holds keys, no patient data.
    let keys_file = dir.path().join("keys").join("keys.json");
    for marker in MARKERS {
        let text = std::fs::read_to_string(&keys_file).expect("keys");
        assert!(!text.contains(marker));
    }
    let expected = Error::NoKeyForRecord.to_string();
    assert_eq!(
        expected,
        "the record file is encrypted; this device has no key for it"
    );
}

#[test]
fn a_plaintext_record_of_an_earlier_version_is_encrypted_in_place_and_keeps_everything() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("record.db");
    let mut record = new_record(&dir);
    fill(&mut record);
    for day in 1..=28 {
        let at = format!("2026-10-{day:02}T08:00:00+01:00");
        record
            .add_reading(&bp(120 + day, 80, &at))
            .expect("reading");
    }
    let before = record.export().expect("export");
    drop(record);
    make_plaintext(&path);
    assert!(
        !files_holding(dir.path(), MARKERS[1]).is_empty(),
        "plaintext before"
    );

    let mut record = HealthRecord::open(&path, &keys(&path)).expect("open and encrypt");
    assert_eq!(record.export().expect("export"), before);
    assert!(record.check_full().expect("check").is_ok());
    record
        .add_reading(&bp(131, 82, "2026-11-21T08:00:00+01:00"))
        .expect("writable");
    drop(record);
    assert_no_marker(dir.path());
    assert!(
        !std::fs::read(&path)
            .expect("read")
            .starts_with(b"SQLite format 3\0")
    );
    assert!(!dir.path().join("record.db.encrypting").exists());
    let record = HealthRecord::open(&path, &keys(&path)).expect("reopen");
    assert_eq!(
        record
            .readings(&ReadingQuery::default())
            .expect("readings")
            .readings
            .len(),
        30
    );
    assert_eq!(record.journal(TimeRange::ALL).expect("journal").len(), 1);
}

#[test]
fn the_sync_secrets_an_earlier_version_kept_in_the_file_move_to_the_key_store() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("record.db");
    drop(new_record(&dir));
    {
        let conn = common::sqlite(&path);
        conn.execute(
            "INSERT INTO sync_secrets (name, bytes) VALUES ('naming', ?1)",
            [vec![9u8; 32]],
        )
        .expect("secret");
    }
    make_plaintext(&path);
    drop(HealthRecord::open(&path, &keys(&path)).expect("open"));
    let left: i64 = common::sqlite(&path)
        .query_row("SELECT count(*) FROM sync_secrets", [], |r| r.get(0))
        .expect("count");
    assert_eq!(left, 0, "no secret left in the file");
    let keys_file =
        std::fs::read_to_string(dir.path().join("keys").join("keys.json")).expect("keys");
    assert!(keys_file.contains("/sync/naming"), "{keys_file}");
}

#[test]
fn a_record_created_again_at_a_path_starts_with_keys_of_its_own() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("record.db");
    let first = new_record(&dir);
    let first_id = first.id().to_string();
    drop(first);
    let first_key =
        std::fs::read_to_string(dir.path().join("keys").join("keys.json")).expect("keys");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let profile = Profile::new("Bo", "Europe/Berlin").expect("profile");
    let second = HealthRecord::create(&path, &keys(&path), &profile).expect("create again");
    assert_ne!(second.id(), first_id);
    let second_key =
        std::fs::read_to_string(dir.path().join("keys").join("keys.json")).expect("keys");
    assert_ne!(first_key, second_key, "a new file key");
    let m = Measurement::Weight { kg: 70.0 };
    let at = common::at("2026-11-20T08:00:00+01:00");
    let mut second = second;
    second
        .add_reading(&Reading::new(m, at).expect("reading"))
        .expect("write");
}

/// Rekeying: the file opens with the new key and keeps every entry; the file as it was under
/// the old key no longer opens (the key store holds only the new key); an open record's file
/// is refused as busy, nothing changed.
#[test]
fn a_rekeyed_file_keeps_everything_and_its_old_copy_no_longer_opens() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("record.db");
    let mut record = new_record(&dir);
    fill(&mut record);
    let expected = record.export().expect("export");
    // While the record is open, the file is not the rekey's to copy.
    assert!(matches!(
        HealthRecord::rekey(&path, &keys(&path)),
        Err(Error::Storage { .. })
    ));
    assert_eq!(record.export().expect("export"), expected);
    drop(record);
    let before = std::fs::read(&path).expect("read");
    let keys_before = std::fs::read(dir.path().join("keys").join("keys.json")).expect("keys");
    HealthRecord::rekey(&path, &keys(&path)).expect("rekey");
    let record = HealthRecord::open(&path, &keys(&path)).expect("open");
    assert_eq!(record.export().expect("export"), expected);
    drop(record);
    assert_no_marker(dir.path());
    assert_ne!(
        std::fs::read(dir.path().join("keys").join("keys.json")).expect("keys"),
        keys_before
    );
    // The file as it was: the key store no longer opens it.
    std::fs::write(&path, &before).expect("the old file back");
    let _ = std::fs::remove_file(dir.path().join("record.db-wal"));
    assert!(matches!(
        HealthRecord::open(&path, &keys(&path)),
        Err(Error::NoKeyForRecord)
    ));
    assert!(matches!(
        HealthRecord::rekey(&dir.path().join("none.db"), &keys(&path)),
        Err(Error::NoRecord)
    ));
}
