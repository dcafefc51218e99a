//! The change feed a sync layer needs: a document's heads, the changes a peer lacks given its
//! heads, and applying single changes, out of order, duplicated, across restarts.

mod common;

use common::{bp, keys, new_record};
use companion_core::{Error, HealthRecord};

const MONTH: &str = "log/2026-11";

/// A second replica of `of`, joined from its export.
fn replica(of: &mut HealthRecord, dir: &tempfile::TempDir, name: &str) -> HealthRecord {
    let export = of.replica_export().expect("export");
    HealthRecord::join(
        &dir.path().join(name),
        &keys(&dir.path().join(name)),
        &export,
    )
    .expect("join")
}

#[test]
fn one_new_reading_travels_as_one_small_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let mut clinic = replica(&mut phone, &dir, "clinic.db");
    phone
        .add_reading(&bp(142, 91, "2026-11-20T08:00:00+01:00"))
        .expect("add");
    let whole = phone.export_document(MONTH).expect("export");
    clinic.apply_changes(MONTH, &whole).expect("bootstrap");

    let second = bp(128, 82, "2026-11-21T08:00:00+01:00");
    phone.add_reading(&second).expect("add");
    let have = clinic.heads(MONTH).expect("heads");
    let changes = phone.changes_since(MONTH, &have).expect("changes");
    assert_eq!(changes.len(), 1, "one write, one change");
    assert!(changes[0].len() < whole.len(), "a change, not the month");
    let report = clinic.apply_remote_changes(MONTH, &changes).expect("apply");
    assert!(report.changed);
    assert_eq!(report.pending, 0);
    assert_eq!(clinic.reading(&second.id).expect("arrived"), second);
    assert_eq!(
        clinic.heads(MONTH).expect("heads"),
        phone.heads(MONTH).expect("heads")
    );
    // Nothing more to send.
    let have = clinic.heads(MONTH).expect("heads");
    assert!(
        phone
            .changes_since(MONTH, &have)
            .expect("changes")
            .is_empty()
    );
}

#[test]
fn changes_out_of_order_duplicated_and_across_a_restart_all_land() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let clinic_path = dir.path().join("clinic.db");
    let mut clinic = replica(&mut phone, &dir, "clinic.db");
    phone
        .add_reading(&bp(142, 91, "2026-11-20T08:00:00+01:00"))
        .expect("add");
    clinic
        .apply_changes(MONTH, &phone.export_document(MONTH).expect("export"))
        .expect("bootstrap");
    let have = clinic.heads(MONTH).expect("heads");

    let (third, fourth) = (
        bp(130, 85, "2026-11-22T08:00:00+01:00"),
        bp(131, 86, "2026-11-23T08:00:00+01:00"),
    );
    phone.add_reading(&third).expect("add");
    phone.add_reading(&fourth).expect("add");
    let changes = phone.changes_since(MONTH, &have).expect("changes");
    assert_eq!(changes.len(), 2);

    // The later change first: it waits for the one it depends on, stored, not applied.
    let report = clinic
        .apply_remote_changes(MONTH, &changes[1..])
        .expect("apply");
    assert_eq!(report.pending, 1);
    assert!(clinic.reading(&fourth.id).is_err());

    // A restart: the waiting change is in the file, not in memory.
    drop(clinic);
    let mut clinic = HealthRecord::open(&clinic_path, &keys(&clinic_path)).expect("reopen");
    let again = clinic
        .apply_remote_changes(MONTH, &changes[1..])
        .expect("duplicate");
    assert_eq!(again.pending, 1, "a duplicate changes nothing");

    let report = clinic
        .apply_remote_changes(MONTH, &changes[..1])
        .expect("apply");
    assert!(report.changed);
    assert_eq!(report.pending, 0);
    assert_eq!(clinic.reading(&third.id).expect("third"), third);
    assert_eq!(clinic.reading(&fourth.id).expect("fourth"), fourth);

    let replay = clinic
        .apply_remote_changes(MONTH, &changes)
        .expect("replay");
    assert!(!replay.changed, "applying is idempotent");
    assert!(clinic.check_full().expect("check").is_ok());
}

#[test]
fn malformed_changes_and_heads_are_refused_with_nothing_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut clinic = new_record(&dir);
    clinic
        .add_reading(&bp(142, 91, "2026-11-20T08:00:00+01:00"))
        .expect("add");
    let chunks = clinic.chunk_count().expect("chunks");
    let err = clinic
        .apply_remote_changes(MONTH, &[vec![1, 2, 3]])
        .expect_err("refused");
    assert!(matches!(err, Error::InvalidChanges { .. }), "{err:?}");
    assert_eq!(clinic.chunk_count().expect("chunks"), chunks);
    let err = clinic
        .changes_since(MONTH, &["not-a-hash".to_string()])
        .expect_err("refused");
    assert!(matches!(err, Error::InvalidChanges { .. }), "{err:?}");
    assert!(matches!(
        clinic.heads("../etc").expect_err("refused"),
        Error::InvalidDocumentId
    ));
}

#[test]
fn remote_corrections_and_deletions_reach_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let mut clinic = replica(&mut phone, &dir, "clinic.db");
    let (a, b) = (
        bp(142, 91, "2026-11-20T08:00:00+01:00"),
        bp(128, 82, "2026-11-21T08:00:00+01:00"),
    );
    phone.add_readings(&[a.clone(), b.clone()]).expect("add");
    clinic
        .apply_changes(MONTH, &phone.export_document(MONTH).expect("export"))
        .expect("bootstrap");
    let have = clinic.heads(MONTH).expect("heads");
    let mut corrected = a.clone();
    corrected.note = Some("left arm".into());
    phone.update_reading(&corrected).expect("correct");
    phone.delete_reading(&b.id).expect("delete");
    let changes = phone.changes_since(MONTH, &have).expect("changes");
    let report = clinic.apply_remote_changes(MONTH, &changes).expect("apply");
    assert_eq!(
        report.indexed, 2,
        "only the two touched entries are indexed again"
    );
    assert_eq!(
        clinic.reading(&a.id).expect("a").note.as_deref(),
        Some("left arm")
    );
    assert!(matches!(clinic.reading(&b.id), Err(Error::NotFound { .. })));
    assert!(clinic.check_full().expect("check").is_ok());
}
