use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ObjType, ROOT, ReadDoc, Value};
use serde_json::{Map, Value as Json};

use super::json::{put, read_object};

/// The field that marks an entry deleted; it holds the RFC 3339 time of the deletion.
pub(crate) const TOMBSTONE_FIELD: &str = "deleted_at";

/// The map at `key` of `parent`, if there is one.
fn child_map<R: ReadDoc>(doc: &R, parent: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(parent, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

/// The map at `key` of `parent`, created (replacing any scalar there) if missing.
fn ensure_map<T: Transactable>(
    tx: &mut T,
    parent: &ObjId,
    key: &str,
) -> Result<ObjId, AutomergeError> {
    match child_map(tx, parent, key) {
        Some(id) => Ok(id),
        None => tx.put_object(parent, key, ObjType::Map),
    }
}

/// Writes the entry `id` of `collection` so that its fields equal `fields`, touching only the
/// fields that differ: a correction of one field is one small change, and concurrent edits of
/// different fields merge. A tombstone on the entry is kept.
pub(crate) fn write_entry<T: Transactable>(
    tx: &mut T,
    collection: &str,
    id: &str,
    fields: &Map<String, Json>,
) -> Result<(), AutomergeError> {
    let coll = ensure_map(tx, &ROOT, collection)?;
    let entry = ensure_map(tx, &coll, id)?;
    let old = match read_object(tx, &entry) {
        Json::Object(map) => map,
        _ => Map::new(),
    };
    for (key, value) in fields {
        if old.get(key) != Some(value) {
            put(tx, &entry, key, value)?;
        }
    }
    for key in old.keys() {
        if key != TOMBSTONE_FIELD && !fields.contains_key(key) {
            tx.delete(&entry, key.as_str())?;
        }
    }
    Ok(())
}

/// Marks the entry deleted at `when` (RFC 3339). Returns false when there is no such entry.
pub(crate) fn tombstone_entry<T: Transactable>(
    tx: &mut T,
    collection: &str,
    id: &str,
    when: &str,
) -> Result<bool, AutomergeError> {
    let Some(entry) = child_map(tx, &ROOT, collection).and_then(|c| child_map(tx, &c, id)) else {
        return Ok(false);
    };
    tx.put(&entry, TOMBSTONE_FIELD, when)?;
    Ok(true)
}

/// The fields of entry `id` of `collection`, tombstoned or not; `None` if there is none.
pub(crate) fn read_entry<R: ReadDoc>(doc: &R, collection: &str, id: &str) -> Option<Json> {
    let entry = child_map(doc, &ROOT, collection).and_then(|c| child_map(doc, &c, id))?;
    Some(read_object(doc, &entry))
}

/// Every entry of `collection` as `(id, fields)`, tombstoned ones included.
pub(crate) fn read_collection<R: ReadDoc>(doc: &R, collection: &str) -> Vec<(String, Json)> {
    let Some(coll) = child_map(doc, &ROOT, collection) else {
        return Vec::new();
    };
    doc.keys(&coll)
        .filter_map(|id| {
            let entry = child_map(doc, &coll, &id)?;
            Some((id, read_object(doc, &entry)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, Automerge};
    use serde_json::json;

    fn fields(v: Json) -> Map<String, Json> {
        match v {
            Json::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn entries_round_trip_with_nested_values() {
        let mut doc = AutoCommit::new();
        let value = json!({"id": "a", "n": 3, "u": 70000, "f": 81.5, "s": "x", "b": true,
            "nested": {"type": "fixed_times", "times": ["08:00:00", "20:00:00"]},
            "list": [{"days": 3}, [1, 2]]});
        write_entry(&mut doc, "readings", "a", &fields(value.clone())).expect("write");
        let read = read_collection(&doc, "readings");
        assert_eq!(read, vec![("a".to_string(), value)]);
    }

    #[test]
    fn corrections_touch_only_changed_fields_and_merge() {
        let mut base = AutoCommit::new();
        let original = json!({"id": "a", "sys": 140, "dia": 90, "note": "left arm"});
        write_entry(&mut base, "readings", "a", &fields(original)).expect("write");
        let mut left = base.fork();
        let mut right = base.fork();
        write_entry(
            &mut left,
            "readings",
            "a",
            &fields(json!({"id": "a", "sys": 142, "dia": 90, "note": "left arm"})),
        )
        .expect("write");
        write_entry(
            &mut right,
            "readings",
            "a",
            &fields(json!({"id": "a", "sys": 140, "dia": 91})),
        )
        .expect("write");
        left.merge(&mut right).expect("merge");
        let merged = read_collection(&left, "readings");
        assert_eq!(merged[0].1, json!({"id": "a", "sys": 142, "dia": 91}));
    }

    #[test]
    fn tombstones_keep_the_entry() {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        write_entry(
            &mut tx,
            "journal",
            "j",
            &fields(json!({"id": "j", "text": "ok"})),
        )
        .expect("write");
        assert!(tombstone_entry(&mut tx, "journal", "j", "2026-01-01T00:00:00Z").expect("delete"));
        assert!(
            !tombstone_entry(&mut tx, "journal", "missing", "2026-01-01T00:00:00Z")
                .expect("delete")
        );
        // A later correction keeps the tombstone.
        write_entry(
            &mut tx,
            "journal",
            "j",
            &fields(json!({"id": "j", "text": "edited"})),
        )
        .expect("write");
        tx.commit();
        let read = read_collection(&doc, "journal");
        assert_eq!(read[0].1[TOMBSTONE_FIELD], json!("2026-01-01T00:00:00Z"));
        assert_eq!(read[0].1["text"], json!("edited"));
    }
}
