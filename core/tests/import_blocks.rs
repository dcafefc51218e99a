//! Imported readings kept in import blocks (docs/storage.md, "Import blocks"): read, paged,
//! corrected, deleted, checked, rebuilt and merged as any reading is.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use common::{at, bp, keys, new_record};
use companion_core::import::Sample;
use companion_core::model::{Measurement, Reading, ReadingKind};
use companion_core::{HealthRecord, ReadingQuery, TimeRange};

/// `n` samples, a blood pressure and a glucose in turn, every 3 hours from 2026-05-01: about
/// six months for 1,400, so each kind fills more than one block in some month.
fn samples(n: usize) -> Vec<Sample> {
    let start = at("2026-05-01T06:00:00+02:00");
    (0..n)
        .map(|i| {
            let measurement = if i % 2 == 0 {
                Measurement::BloodPressure {
                    systolic: 120 + (i % 30) as u16,
                    diastolic: 75 + (i % 10) as u16,
                    pulse: None,
                }
            } else {
                Measurement::Glucose {
                    mg_dl: 90.0 + (i % 60) as f64,
                    context: companion_core::model::MealContext::Random,
                }
            };
            Sample {
                measurement,
                at: start + Duration::hours(3 * i as i64),
                entered_unit: None,
                system: "csv".into(),
                external_id: None,
                note: None,
                sensor_interval_minutes: None,
            }
        })
        .collect()
}

fn now() -> DateTime<Utc> {
    at("2026-12-01T12:00:00Z").to_utc()
}

/// Every reading listed, newest first, `page` at a time.
fn paged(r: &HealthRecord, kind: Option<ReadingKind>, range: TimeRange, page: u32) -> Vec<Reading> {
    let mut out = Vec::new();
    let mut query = ReadingQuery {
        kind,
        range,
        limit: Some(page),
        after: None,
    };
    loop {
        let p = r.readings(&query).expect("page");
        out.extend(p.readings);
        match p.next {
            Some(next) => query.after = Some(next),
            None => return out,
        }
    }
}

fn all(r: &HealthRecord) -> Vec<Reading> {
    r.readings(&ReadingQuery::default()).expect("list").readings
}

/// Newest first, by time then id, as every listing is.
fn is_listing_order(list: &[Reading]) -> bool {
    list.windows(2)
        .all(|w| (w[0].at.timestamp_millis(), &w[0].id) > (w[1].at.timestamp_millis(), &w[1].id))
}

#[test]
fn imported_blocks_read_page_and_filter_as_readings_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    // A reading typed by hand in the middle of the imported span.
    let typed = bp(150, 95, "2026-08-10T07:10:00+02:00");
    r.add_reading(&typed).expect("typed");
    let report = r
        .import_readings(&samples(1_400), now(), &mut |_| {})
        .expect("import");
    assert_eq!(report.added, 1_400);

    let everything = all(&r);
    assert_eq!(everything.len(), 1_401);
    assert!(is_listing_order(&everything));
    let ids: BTreeSet<&str> = everything.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids.len(), 1_401, "each reading once");

    // Pages of any size give the same list, across blocks and the typed reading.
    for page in [1, 7, 50, 600] {
        let listed = paged(&r, None, TimeRange::default(), page);
        assert_eq!(listed, everything, "pages of {page}");
    }
    // A kind and a range.
    let (from, to) = (
        at("2026-08-01T00:00:00Z").to_utc(),
        at("2026-08-20T00:00:00Z").to_utc(),
    );
    let range = TimeRange::between(from, to);
    let bps = paged(&r, Some(ReadingKind::BloodPressure), range, 13);
    let expected: Vec<Reading> = everything
        .iter()
        .filter(|x| x.measurement.kind() == ReadingKind::BloodPressure)
        .filter(|x| x.at.to_utc() >= from && x.at.to_utc() < to)
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(bps, expected);
    assert!(bps.iter().any(|x| x.id == typed.id));

    // Each imported reading is found by its id.
    let one = everything.iter().find(|x| x.id != typed.id).expect("one");
    assert_eq!(&r.reading(&one.id).expect("by id"), one);
    // The index agrees with the documents, and a rebuild gives the same list.
    assert!(r.check_full().expect("check").is_ok());
    r.rebuild_index().expect("rebuild");
    assert_eq!(all(&r), everything);
}

#[test]
fn an_imported_reading_is_corrected_and_deleted_as_any_reading_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let mut r = new_record(&dir);
    r.import_readings(&samples(600), now(), &mut |_| {})
        .expect("import");
    let before = all(&r);
    let (edited, deleted) = (before[10].clone(), before[20].clone());

    let mut after = edited.clone();
    after.note = Some("cuff too loose".into());
    r.edit_reading(&edited, &after).expect("edit");
    r.delete_reading(&deleted.id).expect("delete");
    assert!(r.reading(&deleted.id).is_err(), "deleted");
    // A deleted reading is not deleted twice, nor edited.
    assert!(r.delete_reading(&deleted.id).is_err());

    let check = |r: &HealthRecord| {
        let now = all(r);
        assert_eq!(now.len(), 599);
        assert!(is_listing_order(&now));
        let shown: Vec<&Reading> = now.iter().filter(|x| x.id == edited.id).collect();
        assert_eq!(shown.len(), 1, "the corrected reading shown once");
        assert_eq!(shown[0].note.as_deref(), Some("cuff too loose"));
        assert!(!now.iter().any(|x| x.id == deleted.id));
    };
    check(&r);
    // After reopening, and after the index is rebuilt from the documents.
    drop(r);
    let mut r = HealthRecord::open(&path, &keys(&path)).expect("open");
    check(&r);
    assert!(r.check_full().expect("check").is_ok());
    r.rebuild_index().expect("rebuild");
    check(&r);
    // Importing the same samples again adds nothing, the deleted one included.
    let again = r
        .import_readings(&samples(600), now(), &mut |_| {})
        .expect("again");
    assert_eq!((again.added, again.duplicates), (0, 600));
    check(&r);
}

#[test]
fn the_same_import_on_two_devices_is_one_reading_each_after_a_merge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let export = phone.replica_export().expect("export");
    let carer_path = dir.path().join("carer.db");
    let mut carer = HealthRecord::join(&carer_path, &keys(&carer_path), &export).expect("join");
    // The same file, cut differently: the phone imports it whole, the carer in two parts.
    let all_samples = samples(900);
    phone
        .import_readings(&all_samples, now(), &mut |_| {})
        .expect("phone");
    carer
        .import_readings(&all_samples[..300], now(), &mut |_| {})
        .expect("carer 1");
    carer
        .import_readings(&all_samples[300..], now(), &mut |_| {})
        .expect("carer 2");
    // The carer corrects one the phone also holds.
    let target = all(&carer)[5].clone();
    let mut corrected = target.clone();
    corrected.note = Some("retaken".into());
    carer.edit_reading(&target, &corrected).expect("edit");

    let from_phone = phone.replica_export().expect("export");
    let from_carer = carer.replica_export().expect("export");
    carer.merge_replica(&from_phone).expect("merge");
    phone.merge_replica(&from_carer).expect("merge");
    for r in [&phone, &carer] {
        let list = all(r);
        assert_eq!(list.len(), 900);
        assert!(is_listing_order(&list));
        let shown: Vec<&Reading> = list.iter().filter(|x| x.id == target.id).collect();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].note.as_deref(), Some("retaken"));
        assert!(r.check_full().expect("check").is_ok());
    }
    assert_eq!(all(&phone), all(&carer));
}

#[test]
fn imported_blocks_reach_another_device_change_by_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    let export = phone.replica_export().expect("export");
    let carer_path = dir.path().join("carer.db");
    let mut carer = HealthRecord::join(&carer_path, &keys(&carer_path), &export).expect("join");
    phone
        .import_readings(&samples(700), now(), &mut |_| {})
        .expect("import");
    let deleted = all(&phone)[3].id.clone();
    phone.delete_reading(&deleted).expect("delete");
    // What a sync does: each document's changes the other lacks.
    for doc in phone.documents().expect("docs") {
        let have = carer.heads(&doc).expect("heads");
        let changes = phone.changes_since(&doc, &have).expect("changes");
        carer.apply_remote_changes(&doc, &changes).expect("apply");
    }
    assert!(
        phone
            .documents()
            .expect("docs")
            .iter()
            .any(|d| d.starts_with("imports/")),
        "the readings travel in import documents"
    );
    assert_eq!(all(&carer), all(&phone));
    assert_eq!(all(&carer).len(), 699);
    assert!(carer.reading(&deleted).is_err());
    assert!(carer.check_full().expect("check").is_ok());
}

#[test]
fn an_imported_reading_obeys_the_rules_of_any_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    let mut future = samples(3);
    future[2].at = (Utc::now() + Duration::days(1)).fixed_offset();
    let mut control = samples(3);
    control[1].note = Some("bad\u{7}bell".into());
    for bad in [future, control] {
        assert!(r.import_readings(&bad, now(), &mut |_| {}).is_err());
        assert!(all(&r).is_empty(), "nothing written");
    }
    // A line break in a note is fine.
    let mut fine = samples(3);
    fine[0].note = Some("two\nlines".into());
    r.import_readings(&fine, now(), &mut |_| {})
        .expect("import");
    assert_eq!(all(&r).len(), 3);
}

#[test]
fn a_few_imported_readings_are_entries_of_their_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = new_record(&dir);
    // A phone's hourly sync: a reading or two of each kind.
    r.import_readings(&samples(4), now(), &mut |_| {})
        .expect("few");
    assert!(
        !r.documents()
            .expect("docs")
            .iter()
            .any(|d| d.starts_with("imports/")),
        "no block for a few readings"
    );
    assert_eq!(all(&r).len(), 4);
    // The same readings come again with more: only the new ones are added, in blocks.
    let report = r
        .import_readings(&samples(100), now(), &mut |_| {})
        .expect("more");
    assert_eq!((report.added, report.duplicates), (96, 4));
    assert!(
        r.documents()
            .expect("docs")
            .iter()
            .any(|d| d.starts_with("imports/"))
    );
    let list = all(&r);
    assert_eq!(list.len(), 100);
    assert!(is_listing_order(&list));
    assert!(r.check_full().expect("check").is_ok());
}
