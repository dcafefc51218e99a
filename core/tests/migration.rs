//! A record written before documents had a genesis (schema 5) opens, is migrated, and the
//! entries that had lost a conflict in it are back.

mod common;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT};
use common::{bp, keys, metformin, new_record};
use companion_core::model::MedicationStatus;
use companion_core::{HealthRecord, ReadingQuery};
use serde_json::Value as Json;

/// Writes `value` under `key` of `obj` the way the code of schema 5 did.
fn put(doc: &mut AutoCommit, obj: &ObjId, key: &str, value: &Json) {
    match value {
        Json::Object(map) => {
            let child = doc.put_object(obj, key, ObjType::Map).expect("map");
            for (k, v) in map {
                put(doc, &child, k, v);
            }
        }
        Json::Array(items) => {
            let child = doc.put_object(obj, key, ObjType::List).expect("list");
            for (i, item) in items.iter().enumerate() {
                match item {
                    Json::String(s) => doc.insert(&child, i, s.as_str()).expect("insert"),
                    Json::Object(_) => {
                        let m = doc.insert_object(&child, i, ObjType::Map).expect("map");
                        for (k, v) in item.as_object().expect("object") {
                            put(doc, &m, k, v);
                        }
                    }
                    other => panic!("not needed here: {other}"),
                }
            }
        }
        Json::String(s) => doc.put(obj, key, s.as_str()).expect("put"),
        Json::Number(n) if n.is_i64() => doc.put(obj, key, n.as_i64().expect("int")).expect("put"),
        Json::Number(n) => doc.put(obj, key, n.as_f64().expect("float")).expect("put"),
        Json::Bool(b) => doc.put(obj, key, *b).expect("put"),
        Json::Null => {}
    }
}

/// A document of schema 5: `collection` created by this replica, holding `entries`.
fn old_doc(collection: &str, entries: &[Json]) -> AutoCommit {
    let mut doc = AutoCommit::new();
    let coll = doc
        .put_object(ROOT, collection, ObjType::Map)
        .expect("collection");
    for entry in entries {
        let id = entry["id"].as_str().expect("id");
        put(&mut doc, &coll, id, entry);
    }
    doc
}

#[test]
fn a_schema_5_record_with_conflicts_is_migrated_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let mut record = new_record(&dir);
    let med = metformin();
    record.add_medication(&med).expect("add");
    drop(record);

    // Two replicas of schema 5 each created the month's `readings` map with one reading, and
    // the medication's `history` list with one version: after their merge, Automerge shows
    // one of each.
    let (a, b) = (
        bp(142, 91, "2026-11-20T08:00:00+01:00"),
        bp(128, 82, "2026-11-20T09:00:00+01:00"),
    );
    let mut month = old_doc("readings", &[serde_json::to_value(&a).expect("json")]);
    let mut other = old_doc("readings", &[serde_json::to_value(&b).expect("json")]);
    month.merge(&mut other).expect("merge");

    let mut base = serde_json::to_value(&med).expect("json");
    base.as_object_mut().expect("map").remove("history");
    let mut med_doc = old_doc("medications", &[base.clone()]);
    let mut left = med_doc.fork();
    let mut right = med_doc.fork();
    for (doc, until, mg) in [
        (&mut left, "2026-11-10T10:00:00Z", 250.0),
        (&mut right, "2026-11-11T10:00:00Z", 750.0),
    ] {
        let medications = match automerge::ReadDoc::get(doc, ROOT, "medications") {
            Ok(Some((_, id))) => id,
            other => panic!("{other:?}"),
        };
        let entry = match automerge::ReadDoc::get(doc, &medications, med.id.as_str()) {
            Ok(Some((_, id))) => id,
            other => panic!("{other:?}"),
        };
        let version = serde_json::json!([{
            "until": until,
            "schedule": base["schedule"],
            "time_zone": base["time_zone"],
            "dose": {"amount": mg, "unit": "mg"},
        }]);
        put(doc, &entry, "history", &version);
    }
    left.merge(&mut right).expect("merge");
    med_doc.merge(&mut left).expect("merge");

    let conn = common::sqlite(&path);
    conn.execute("DELETE FROM chunks", []).expect("clear");
    conn.execute("DELETE FROM entries WHERE collection != 'profile'", [])
        .expect("clear");
    let profile = serde_json::json!({"name": "Ana", "conditions": [], "allergies": [],
        "units": {"glucose": "mg/dL", "weight": "kg", "temperature": "C", "hba1c": "%"},
        "language": "en", "home_time_zone": "Europe/Berlin"});
    let mut record_doc = AutoCommit::new();
    let coll = record_doc
        .put_object(ROOT, "profile", ObjType::Map)
        .expect("profile");
    put(&mut record_doc, &coll, "profile", &profile);
    for (name, doc) in [
        ("record".to_string(), &mut record_doc),
        ("log/2026-11".to_string(), &mut month),
        (format!("medication/{}", med.id), &mut med_doc),
    ] {
        conn.execute(
            "INSERT INTO chunks (doc, bytes) VALUES (?1, ?2)",
            rusqlite::params![name, doc.save()],
        )
        .expect("chunk");
    }
    // Tables of later schemas go, as they were not there at 5.
    conn.execute_batch(
        "DROP TABLE sync_state; DROP TABLE sync_secrets; DROP TABLE sync_outbox;
         DROP TABLE sync_sending; DROP TABLE sync_log; DROP TABLE sync_sent;
         DROP TRIGGER chunks_added; DROP TRIGGER chunks_removed; DROP TRIGGER chunks_changed;
         DROP TABLE doc_tips; DROP INDEX entries_alerts_unseen;
         DROP INDEX entries_by_span; ALTER TABLE entries DROP COLUMN until_ms;",
    )
    .expect("schema 5 tables");
    conn.pragma_update(None, "user_version", 5)
        .expect("schema 5");
    drop(conn);

    let mut record = HealthRecord::open(&path, &keys(&path)).expect("open and migrate");
    let readings = record
        .readings(&ReadingQuery::default())
        .expect("list")
        .readings;
    assert_eq!(readings.len(), 2, "the conflict's loser is back");
    let m = record.medication(&med.id).expect("medication");
    assert_eq!(m.history.len(), 2, "both history versions");
    assert_eq!(record.profile().expect("profile").name, "Ana");
    assert!(record.check_full().expect("check").is_ok());
    // Writable, and the migrated documents merge with a new replica.
    record
        .set_medication_status(&med.id, MedicationStatus::Paused)
        .expect("pause");
    let export = record.replica_export().expect("export");
    let joined = HealthRecord::join(
        &dir.path().join("joined.db"),
        &keys(&dir.path().join("joined.db")),
        &export,
    )
    .expect("join migrated");
    assert_eq!(
        joined.export().expect("export"),
        record.export().expect("export")
    );
}
