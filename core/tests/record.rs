//! The record's write paths and queries, on real SQLite files.

mod common;

use chrono::{Duration, Utc};
use common::{at, bp, keys, metformin, new_record};
use companion_core::model::{
    Appointment, DoseEvent, DoseStatus, JournalEntry, MealContext, Measurement, Medication,
    MedicationStatus, Reading, ReadingKind, ReadingSource, ValidationError,
};
use companion_core::{Error, HealthRecord, PageCursor, ReadingQuery, TimeRange};

#[test]
fn create_open_and_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let id = {
        let record = new_record(&dir);
        record.id().to_string()
    };
    let mut record = HealthRecord::open(&path, &keys(&path)).expect("open");
    assert_eq!(record.id(), id);
    let mut profile = record.profile().expect("profile");
    assert_eq!(profile.name, "Ana");
    profile.conditions.push("hypertension".into());
    profile.height_cm = Some(168.0);
    record.set_profile(&profile).expect("set");
    drop(record);
    let record = HealthRecord::open(&path, &keys(&path)).expect("reopen");
    assert_eq!(record.profile().expect("profile"), profile);

    assert!(matches!(
        HealthRecord::create(&path, &keys(&path), &profile),
        Err(Error::RecordExists)
    ));
    assert!(matches!(
        HealthRecord::open(
            &dir.path().join("missing.db"),
            &keys(&dir.path().join("missing.db"))
        ),
        Err(Error::NoRecord)
    ));
}

#[test]
fn an_invalid_profile_change_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let mut profile = record.profile().expect("profile");
    profile.home_time_zone = "Europe/Nowhere".into();
    let err = record.set_profile(&profile).expect_err("must be refused");
    assert!(matches!(
        err,
        Error::Invalid(ValidationError::UnknownTimeZone { .. })
    ));
    assert_eq!(
        record.profile().expect("profile").home_time_zone,
        "Europe/Berlin"
    );
}

#[test]
fn readings_are_stored_corrected_deleted_and_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let first = bp(142, 91, "2026-11-01T08:00:00+01:00");
    let second = bp(128, 82, "2026-11-02T08:00:00+01:00");
    let glucose = Reading::new(
        Measurement::Glucose {
            mg_dl: 111.7,
            context: MealContext::Fasting,
        },
        at("2026-11-02T07:00:00+01:00"),
    )
    .expect("reading");
    for r in [&first, &second, &glucose] {
        assert_eq!(record.add_reading(r).expect("add"), r.id);
    }
    assert!(matches!(
        record.add_reading(&first),
        Err(Error::AlreadyExists { entity: "reading" })
    ));

    let bps = ReadingQuery {
        kind: Some(ReadingKind::BloodPressure),
        ..Default::default()
    };
    let page = record.readings(&bps).expect("list");
    assert_eq!(page.readings, vec![second.clone(), first.clone()]);
    assert_eq!(
        record
            .readings(&ReadingQuery::default())
            .expect("all")
            .readings
            .len(),
        3
    );

    // Correction edits the fields.
    let mut corrected = first.clone();
    corrected.measurement = Measurement::BloodPressure {
        systolic: 141,
        diastolic: 90,
        pulse: Some(70),
    };
    corrected.note = Some("left arm".into());
    record.update_reading(&corrected).expect("update");
    assert_eq!(record.reading(&first.id).expect("get"), corrected);

    // An invalid correction changes nothing.
    let mut bad = corrected.clone();
    bad.measurement = Measurement::BloodPressure {
        systolic: 90,
        diastolic: 95,
        pulse: None,
    };
    assert!(matches!(
        record.update_reading(&bad),
        Err(Error::Invalid(ValidationError::DiastolicNotBelowSystolic))
    ));
    assert_eq!(record.reading(&first.id).expect("get"), corrected);

    // Deletion hides it from every query, and it cannot be deleted or edited again.
    record.delete_reading(&first.id).expect("delete");
    assert!(matches!(
        record.reading(&first.id),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        record.readings(&bps).expect("list").readings,
        vec![second.clone()]
    );
    assert!(matches!(
        record.delete_reading(&first.id),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        record.update_reading(&corrected),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        record.update_reading(&bp(120, 80, "2026-11-03T08:00:00Z")),
        Err(Error::NotFound { .. })
    ));

    // The tombstoned entry is still in the document and survives a rebuild as deleted.
    record.rebuild_index().expect("rebuild");
    assert_eq!(record.readings(&bps).expect("list").readings, vec![second]);
}

#[test]
fn readings_page_by_time_range_and_cursor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let start = at("2026-10-01T08:00:00+02:00");
    let readings: Vec<Reading> = (0..50)
        .map(|i| {
            let m = Measurement::Weight {
                kg: 80.0 + f64::from(i) / 10.0,
            };
            Reading::new(m, start + Duration::hours(12 * i64::from(i))).expect("reading")
        })
        .collect();
    record.add_readings(&readings).expect("batch");

    let range = TimeRange::between(
        (start + Duration::days(5)).to_utc(),
        (start + Duration::days(10)).to_utc(),
    );
    let mut query = ReadingQuery {
        kind: Some(ReadingKind::Weight),
        range,
        limit: Some(4),
        after: None,
    };
    let mut seen = Vec::new();
    loop {
        let page = record.readings(&query).expect("page");
        assert!(page.readings.len() <= 4);
        seen.extend(page.readings.iter().map(|r| r.id.clone()));
        match page.next {
            Some(next) => query.after = Some(PageCursor::parse(next.as_str()).expect("cursor")),
            None => break,
        }
    }
    // Days 5..10, twice a day: readings 10..=19, newest first.
    let expected: Vec<String> = (10..20).rev().map(|i| readings[i].id.clone()).collect();
    assert_eq!(seen, expected);
    assert!(PageCursor::parse("garbage").is_err());
    // Other kinds are not mixed in.
    let glucose = ReadingQuery {
        kind: Some(ReadingKind::Glucose),
        ..Default::default()
    };
    assert!(record.readings(&glucose).expect("list").readings.is_empty());
}

#[test]
fn a_batch_with_one_invalid_reading_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let good = bp(120, 80, "2026-11-01T08:00:00Z");
    let mut bad = bp(120, 80, "2026-11-01T09:00:00Z");
    bad.measurement = Measurement::Weight { kg: 2000.0 };
    assert!(record.add_readings(&[good, bad]).is_err());
    assert!(
        record
            .readings(&ReadingQuery::default())
            .expect("list")
            .readings
            .is_empty()
    );
    assert_eq!(
        record.documents().expect("docs"),
        vec!["record".to_string()]
    );
}

#[test]
fn imported_readings_are_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let imported = |t: &str| {
        let mut r = bp(130, 85, t);
        r.source = ReadingSource::Imported {
            system: "omron".into(),
            external_id: "abc-1".into(),
        };
        r
    };
    let a = imported("2026-11-01T08:00:00Z");
    let b = imported("2026-11-01T08:00:00Z");
    // Stored under an id derived from its source, the same on every device.
    let id = record.add_reading(&a).expect("add");
    assert_ne!(id, a.id);
    assert_eq!(record.add_reading(&b).expect("add again"), id);
    let c = imported("2026-11-01T08:00:00Z");
    let d = imported("2026-11-01T08:00:00Z");
    let other = tempfile::tempdir().expect("tempdir");
    let mut second = new_record(&other);
    let mut e = imported("2026-11-01T08:00:00Z");
    e.source = ReadingSource::Imported {
        system: "omron".into(),
        external_id: "abc-2".into(),
    };
    assert_eq!(
        second.add_readings(&[a.clone(), e]).expect("batch")[0],
        id,
        "the same id in another record"
    );
    assert_eq!(
        record.add_readings(&[c, d]).expect("batch"),
        vec![id.clone(), id.clone()]
    );
    assert_eq!(
        record
            .readings(&ReadingQuery::default())
            .expect("list")
            .readings
            .len(),
        1
    );
}

#[test]
fn medications_and_doses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let med = metformin();
    record.add_medication(&med).expect("add");
    let mut aspirin = metformin();
    aspirin.name = "aspirin".into();
    record.add_medication(&aspirin).expect("add");
    let names: Vec<String> = record
        .medications(false)
        .expect("list")
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, vec!["aspirin", "Metformin"]);

    let mut edited = med.clone();
    edited.dose = companion_core::model::DoseAmount::parse("1000 mg").expect("dose");
    edited.instructions = Some("with food".into());
    record.update_medication(&edited).expect("edit");
    let stored = record.medication(&med.id).expect("get");
    // The record keeps the replaced dose and schedule as history.
    assert_eq!(stored.history.len(), 1);
    assert_eq!(stored.history[0].dose, med.dose);
    assert_eq!(
        Medication {
            history: vec![],
            ..stored
        },
        edited
    );

    let paused = record
        .set_medication_status(&med.id, MedicationStatus::Paused)
        .expect("pause");
    assert_eq!(paused.status, MedicationStatus::Paused);
    record
        .set_medication_status(&aspirin.id, MedicationStatus::Stopped)
        .expect("stop");
    assert_eq!(record.medications(false).expect("list").len(), 1);
    assert_eq!(record.medications(true).expect("list").len(), 2);

    let taken = DoseEvent::new(
        &med.id,
        DoseStatus::Taken,
        at("2026-11-02T08:10:00+01:00"),
        Some(at("2026-11-02T08:00:00+01:00")),
    )
    .expect("dose");
    let skipped = DoseEvent::new(
        &med.id,
        DoseStatus::Skipped,
        at("2026-11-02T20:30:00+01:00"),
        Some(at("2026-11-02T20:00:00+01:00")),
    )
    .expect("dose");
    let other = DoseEvent::new(
        &aspirin.id,
        DoseStatus::Taken,
        at("2026-11-02T09:00:00+01:00"),
        None,
    )
    .expect("dose");
    for d in [&taken, &skipped, &other] {
        record.log_dose(d).expect("log");
    }
    let orphan = DoseEvent::new(
        "no-such-med",
        DoseStatus::Taken,
        at("2026-11-02T09:00:00Z"),
        None,
    )
    .expect("dose");
    assert!(matches!(
        record.log_dose(&orphan),
        Err(Error::NotFound {
            entity: "medication"
        })
    ));

    let range = TimeRange::between(
        at("2026-11-02T00:00:00+01:00").to_utc(),
        at("2026-11-03T00:00:00+01:00").to_utc(),
    );
    // Logged on the patient's own device: in her name.
    let named = |d: &DoseEvent| DoseEvent {
        logged_by: Some("Ana".into()),
        ..d.clone()
    };
    assert_eq!(
        record.doses(Some(&med.id), range).expect("doses"),
        vec![named(&skipped), named(&taken)]
    );
    assert_eq!(record.doses(None, range).expect("doses").len(), 3);
    let early = TimeRange::between(
        at("2026-11-02T00:00:00+01:00").to_utc(),
        at("2026-11-02T12:00:00+01:00").to_utc(),
    );
    assert_eq!(
        record.doses(Some(&med.id), early).expect("doses"),
        vec![named(&taken)]
    );

    let mut late = named(&taken);
    late.at = at("2026-11-02T09:00:00+01:00");
    record.update_dose(&late).expect("correct");
    record.delete_dose(&skipped.id).expect("delete");
    assert_eq!(
        record.doses(Some(&med.id), range).expect("doses"),
        vec![late]
    );
}

#[test]
fn journal_and_appointments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let entry = JournalEntry::new(
        at("2026-11-02T21:00:00+01:00"),
        "Slept badly",
        Some(2),
        vec!["headache".into()],
    )
    .expect("entry");
    record.add_journal_entry(&entry).expect("add");
    assert!(JournalEntry::new(at("2026-11-02T21:00:00+01:00"), " ", None, vec![]).is_err());
    assert!(JournalEntry::new(at("2026-11-02T21:00:00+01:00"), "x", Some(6), vec![]).is_err());
    let mut edited = entry.clone();
    edited.mood = Some(3);
    record.update_journal_entry(&edited).expect("edit");
    assert_eq!(record.journal(TimeRange::ALL).expect("list"), vec![edited]);
    record.delete_journal_entry(&entry.id).expect("delete");
    assert!(record.journal(TimeRange::ALL).expect("list").is_empty());

    let visit =
        Appointment::new(at("2026-12-01T10:00:00+01:00"), "Diabetes check-up").expect("appt");
    record.add_appointment(&visit).expect("add");
    let mut moved = visit.clone();
    moved.at = at("2026-12-02T10:00:00+01:00");
    record.update_appointment(&moved).expect("move");
    let future = TimeRange {
        from: Some(Utc::now()),
        to: None,
    };
    assert_eq!(
        record.appointments(future).expect("list").len(),
        usize::from(moved.at.to_utc() > Utc::now())
    );
    assert_eq!(
        record.appointments(TimeRange::ALL).expect("list"),
        vec![moved]
    );
    record.delete_appointment(&visit.id).expect("cancel");
    assert!(
        record
            .appointments(TimeRange::ALL)
            .expect("list")
            .is_empty()
    );
}

#[test]
fn events_are_partitioned_by_utc_month_and_compaction_keeps_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    for t in [
        "2026-10-31T23:30:00-01:00",
        "2026-10-15T08:00:00Z",
        "2026-12-01T00:30:00+01:00",
    ] {
        record.add_reading(&bp(120, 80, t)).expect("add");
    }
    assert_eq!(
        record.documents().expect("docs"),
        vec!["log/2026-10", "log/2026-11", "record"]
    );
    let before = record.export().expect("export");
    let chunks = record.chunk_count().expect("count");
    let removed = record.compact().expect("compact");
    assert!(removed > 0);
    assert_eq!(
        record.chunk_count().expect("count"),
        chunks - removed as i64
    );
    assert_eq!(record.export().expect("export"), before);
    // Writes after compaction still work, and a rebuild from the snapshots agrees.
    record
        .add_reading(&bp(121, 81, "2026-11-05T08:00:00Z"))
        .expect("add");
    let after = record.export().expect("export");
    record.rebuild_index().expect("rebuild");
    assert_eq!(record.export().expect("export"), after);
}

#[test]
fn remote_changes_merge_and_are_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut phone = new_record(&dir);
    // A second replica (a caregiver's device) of the record, joined before anything was in it.
    let other_dir = tempfile::tempdir().expect("tempdir");
    let export = phone.replica_export().expect("export");
    let mut caregiver = HealthRecord::join(
        &other_dir.path().join("caregiver.db"),
        &keys(&other_dir.path().join("caregiver.db")),
        &export,
    )
    .expect("join");
    let reading = bp(150, 95, "2026-11-03T08:00:00+01:00");
    phone.add_reading(&reading).expect("add");
    phone.add_medication(&metformin()).expect("add");

    // It gets the phone's documents.
    for doc in phone.documents().expect("docs") {
        let bytes = phone.export_document(&doc).expect("export");
        let report = caregiver.apply_changes(&doc, &bytes).expect("apply");
        assert_eq!(report.changed, doc != "record", "{doc}");
        assert_eq!(report.skipped, 0);
        let again = caregiver.apply_changes(&doc, &bytes).expect("apply twice");
        assert!(!again.changed);
    }
    assert_eq!(caregiver.reading(&reading.id).expect("synced"), reading);
    assert_eq!(caregiver.medications(false).expect("meds").len(), 1);

    // Concurrent corrections of different fields both survive the merge.
    let mut on_phone = reading.clone();
    on_phone.note = Some("after coffee".into());
    phone.update_reading(&on_phone).expect("edit");
    let mut on_caregiver = reading.clone();
    on_caregiver.logged_by = Some("Ben".into());
    caregiver.update_reading(&on_caregiver).expect("edit");
    let doc = "log/2026-11";
    let from_caregiver = caregiver.export_document(doc).expect("export");
    phone.apply_changes(doc, &from_caregiver).expect("merge");
    let merged = phone.reading(&reading.id).expect("get");
    assert_eq!(merged.note.as_deref(), Some("after coffee"));
    assert_eq!(merged.logged_by.as_deref(), Some("Ben"));

    // The merged index equals a rebuild.
    let before = phone.export().expect("export");
    phone.rebuild_index().expect("rebuild");
    assert_eq!(phone.export().expect("export"), before);
}

#[test]
fn malformed_remote_changes_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    record
        .add_reading(&bp(120, 80, "2026-11-01T08:00:00Z"))
        .expect("add");
    let before = record.export().expect("export");
    let chunks = record.chunk_count().expect("chunks");
    for doc in ["log/2026-11", "log/2026-12", "record"] {
        for bytes in [
            &b"not automerge"[..],
            &[0x85, 0x6f, 0x4a, 0x83, 1, 2, 3][..],
            &[][..],
        ] {
            let result = record.apply_changes(doc, bytes);
            assert!(
                matches!(result, Err(Error::InvalidChanges { .. }))
                    || matches!(result, Ok(ref r) if !r.changed),
                "{doc}: {result:?}"
            );
        }
    }
    assert!(matches!(
        record.apply_changes("../etc", b""),
        Err(Error::InvalidDocumentId)
    ));
    let valid = record.export_document("log/2026-11").expect("export");
    let truncated = &valid[..valid.len() / 2];
    assert!(matches!(
        record.apply_changes("log/2026-11", truncated),
        Err(Error::InvalidChanges { .. })
    ));
    assert_eq!(record.export().expect("export"), before);
    assert_eq!(record.chunk_count().expect("chunks"), chunks);
    // Still writable afterwards.
    record
        .add_reading(&bp(121, 80, "2026-11-02T08:00:00Z"))
        .expect("add");
}

#[test]
fn entries_a_peer_wrote_that_do_not_validate_are_not_indexed() {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    // A peer of this record (the month's genesis is the same everywhere) writes junk.
    let genesis = record.export_document("log/2026-11").expect("genesis");
    let mut doc = AutoCommit::load(&genesis).expect("load");
    let readings = match doc.get(ROOT, "readings").expect("get") {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        other => panic!("the genesis has the collection: {other:?}"),
    };
    let entry = doc
        .put_object(&readings, "evil", ObjType::Map)
        .expect("map");
    doc.put(&entry, "id", "evil").expect("put");
    doc.put(&entry, "at", "2026-11-01T08:00:00Z").expect("put");
    let m = doc
        .put_object(&entry, "measurement", ObjType::Map)
        .expect("map");
    doc.put(&m, "kind", "weight").expect("put");
    doc.put(&m, "kg", 5000.0).expect("put");
    let report = record
        .apply_changes("log/2026-11", &doc.save())
        .expect("apply");
    assert_eq!((report.indexed, report.skipped), (0, 1));
    assert!(
        record
            .readings(&ReadingQuery::default())
            .expect("list")
            .readings
            .is_empty()
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(new_record(&dir));
    let path = dir.path().join("record.db");
    let conn = common::sqlite(&path);
    conn.pragma_update(None, "user_version", companion_core::SCHEMA_VERSION + 1)
        .expect("bump");
    drop(conn);
    match HealthRecord::open(&path, &keys(&path)) {
        Err(e @ Error::SchemaTooNew { .. }) => {
            assert!(e.to_string().contains("newer version"));
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened a newer schema"),
    }
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("junk.db");
    std::fs::write(
        &path,
        b"this is not sqlite at all, just some text in a file",
    )
    .expect("write");
    let before = std::fs::read(&path).expect("read");
    let err = HealthRecord::open(&path, &keys(&path))
        .err()
        .expect("refused");
    assert!(matches!(err, Error::NotARecord), "{err:?}");
    assert!(err.to_string().contains("not a Companion record"), "{err}");
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "left untouched"
    );
}

#[test]
fn a_document_written_many_times_is_folded_into_a_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let start = at("2026-11-01T08:00:00Z");
    for i in 0..300 {
        let r = Reading::new(
            Measurement::HeartRate {
                bpm: 60 + (i % 40) as u16,
            },
            start + Duration::minutes(i),
        )
        .expect("valid");
        record.add_reading(&r).expect("add");
    }
    // Two documents (record, log/2026-11); neither keeps hundreds of chunks.
    assert!(
        record.chunk_count().expect("count") < 140,
        "{}",
        record.chunk_count().expect("count")
    );
    let all = record
        .readings(&ReadingQuery::default())
        .expect("list")
        .readings;
    assert_eq!(all.len(), 300);
    let before = record.export().expect("export");
    record.rebuild_index().expect("rebuild");
    assert_eq!(record.export().expect("export"), before);
}

#[test]
fn values_round_trip_bit_for_bit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    // 6.2 mmol/L in mg/dL is 111.69919999999999 in f64: stored and read back unchanged, through
    // the index, a rebuild from the documents, and another replica.
    let mg_dl = 6.2 * 18.016;
    let glucose = Reading::new(
        Measurement::Glucose {
            mg_dl,
            context: MealContext::Fasting,
        },
        at("2026-11-21T07:00:00+01:00"),
    )
    .expect("valid");
    record.add_reading(&glucose).expect("add");
    let read = |r: &HealthRecord| match r.reading(&glucose.id).expect("get").measurement {
        Measurement::Glucose { mg_dl, .. } => mg_dl.to_bits(),
        _ => 0,
    };
    assert_eq!(read(&record), mg_dl.to_bits());
    record.rebuild_index().expect("rebuild");
    assert_eq!(read(&record), mg_dl.to_bits());
    let other_dir = tempfile::tempdir().expect("tempdir");
    let export = record.replica_export().expect("export");
    let other = HealthRecord::join(
        &other_dir.path().join("other.db"),
        &keys(&other_dir.path().join("other.db")),
        &export,
    )
    .expect("join");
    assert_eq!(read(&other), mg_dl.to_bits());
}

#[test]
fn each_medication_has_a_document_of_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let med = common::metformin();
    record.add_medication(&med).expect("add");
    let docs = record.documents().expect("documents");
    assert!(docs.contains(&format!("medication/{}", med.id)), "{docs:?}");
    // Its edits go to that document, and a rebuild finds it there.
    record
        .set_medication_status(&med.id, companion_core::model::MedicationStatus::Paused)
        .expect("pause");
    record.rebuild_index().expect("rebuild");
    assert_eq!(record.medications(true).expect("list").len(), 1);
    assert_eq!(record.medication(&med.id).expect("read").pauses.len(), 1);
}

/// Issue 27: a second medication of the same name, or a rename onto one, is refused inside the
/// write unless confirmed.
#[test]
fn a_medication_name_is_used_once_unless_confirmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    record
        .add_medication_checked(&metformin(), false)
        .expect("first");
    let again = metformin();
    assert!(matches!(
        record.add_medication_checked(&again, false),
        Err(companion_core::Error::NameTaken { .. })
    ));
    let mut other = metformin();
    other.name = "Aspirin".into();
    record
        .add_medication_checked(&other, false)
        .expect("another name");
    let now = chrono::Utc::now();
    assert!(matches!(
        record.modify_medication_checked_at(&other.id, now, false, |m| {
            m.name = "METFORMIN".into();
            Ok(())
        }),
        Err(companion_core::Error::NameTaken { .. })
    ));
    record
        .add_medication_checked(&again, true)
        .expect("confirmed");
    assert_eq!(record.medications(false).expect("list").len(), 3);
}

#[test]
fn an_import_of_medications_and_readings_is_all_or_nothing_and_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut record = new_record(&dir);
    let medication = metformin();
    let mut good = bp(130, 85, "2026-11-01T08:00:00Z");
    good.source = ReadingSource::Imported {
        system: "urn:clinic".into(),
        external_id: "obs-1".into(),
    };
    let mut bad = good.clone();
    bad.measurement = Measurement::Weight { kg: 2000.0 };
    // One bad reading: neither the medication nor the good reading is written.
    assert!(
        record
            .import_entries(std::slice::from_ref(&medication), &[good.clone(), bad])
            .is_err()
    );
    assert!(record.medications(true).expect("meds").is_empty());
    assert!(
        record
            .readings(&ReadingQuery::default())
            .expect("list")
            .readings
            .is_empty()
    );
    let (added, outcomes) = record
        .import_entries(
            std::slice::from_ref(&medication),
            std::slice::from_ref(&good),
        )
        .expect("import");
    assert_eq!(
        (added, outcomes.len(), outcomes[0].duplicate),
        (1, 1, false)
    );
    // The same again adds nothing.
    let (added, outcomes) = record
        .import_entries(
            std::slice::from_ref(&medication),
            std::slice::from_ref(&good),
        )
        .expect("again");
    assert_eq!((added, outcomes[0].duplicate), (0, true));
    assert_eq!(record.medications(true).expect("meds").len(), 1);
}
