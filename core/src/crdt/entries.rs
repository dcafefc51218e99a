use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ObjType, ROOT, ReadDoc, Value};
use serde_json::{Map, Value as Json};

use super::json::{put, read_object, read_value, reconcile_map};

/// The field that marks an entry deleted; it holds the RFC 3339 time of the deletion.
pub(crate) const TOMBSTONE_FIELD: &str = "deleted_at";

/// Every map at `key` of `parent`, the winner first: more than one only where replicas
/// created one concurrently (a conflict, which Automerge keeps and this module never hides).
fn maps_at<R: ReadDoc>(doc: &R, parent: &ObjId, key: &str) -> Vec<ObjId> {
    let mut all: Vec<ObjId> = doc
        .get_all(parent, key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Map)).then_some(id))
        .collect();
    if all.len() > 1
        && let Ok(Some((_, winner))) = doc.get(parent, key)
        && let Some(i) = all.iter().position(|id| *id == winner)
    {
        let winner = all.remove(i);
        all.insert(0, winner);
    }
    all
}

/// The maps that hold entry `id` of `collection`, the winner first.
fn entry_maps<R: ReadDoc>(doc: &R, colls: &[ObjId], id: &str) -> Vec<ObjId> {
    colls.iter().flat_map(|c| maps_at(doc, c, id)).collect()
}

/// The values at `key` of the map `obj`: conflicting values merged (maps field by field, lists
/// as the union of their items, else the winner), except for an `atomic` field, whose winner
/// is taken whole.
fn field<R: ReadDoc>(doc: &R, obj: &ObjId, key: &str, atomic: bool) -> Option<Json> {
    let all = doc.get_all(obj, key).unwrap_or_default();
    if all.len() <= 1 {
        return all
            .into_iter()
            .next()
            .map(|(value, id)| read_value(doc, value, &id));
    }
    let winner = doc.get(obj, key).ok().flatten().map(|(_, id)| id);
    let mut values = Vec::new();
    for (value, id) in all {
        let json = read_value(doc, value, &id);
        if Some(&id) == winner.as_ref() {
            values.insert(0, json);
        } else {
            values.push(json);
        }
    }
    let mut values = values.into_iter();
    let mut merged = values.next()?;
    if !atomic {
        values.for_each(|v| merge_into(&mut merged, v));
    }
    Some(merged)
}

/// Adds to `base` what `other` holds and it lacks: the fields of a map, recursively; the items
/// of a list.
fn merge_into(base: &mut Json, other: Json) {
    match (base, other) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(x) => merge_into(x, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Json::Array(a), Json::Array(b)) => {
            for item in b {
                if !a.contains(&item) {
                    a.push(item);
                }
            }
        }
        _ => {}
    }
}

/// The fields of an entry held by `maps` (the winner first): each field from the first map
/// that has it, a deletion from any.
fn read_maps<R: ReadDoc>(doc: &R, maps: &[ObjId], atomic: &[&str]) -> Json {
    let mut out = Map::new();
    for map in maps {
        for key in doc.keys(map) {
            if out.contains_key(&key) {
                continue;
            }
            if let Some(value) = field(doc, map, &key, atomic.contains(&key.as_str())) {
                out.insert(key, value);
            }
        }
    }
    Json::Object(out)
}

/// Writes the entry `id` of `collection` so that its fields equal `fields`, touching only what
/// differs: a correction of one field is one small change, nested maps and lists are edited in
/// place (fields `atomic` names are written whole), and concurrent edits of different fields
/// merge. A field in conflict is written whole, which resolves the conflict. A tombstone on the
/// entry is kept. The collection's map comes from the document's genesis (docs/storage.md).
pub(crate) fn write_entry<T: Transactable>(
    tx: &mut T,
    collection: &str,
    id: &str,
    fields: &Map<String, Json>,
    atomic: &[&str],
) -> Result<(), AutomergeError> {
    let colls = maps_at(tx, &ROOT, collection);
    let maps = entry_maps(tx, &colls, id);
    let entry = match (maps.first(), colls.first()) {
        (Some(entry), _) => entry.clone(),
        (None, Some(coll)) => tx.put_object(coll, id, ObjType::Map)?,
        (None, None) => {
            let coll = tx.put_object(&ROOT, collection, ObjType::Map)?;
            tx.put_object(&coll, id, ObjType::Map)?
        }
    };
    let mut own = match read_object(tx, &entry) {
        Json::Object(map) => map,
        _ => Map::new(),
    };
    let conflicted: Vec<String> = tx
        .keys(&entry)
        .filter(|k| tx.get_all(&entry, k.as_str()).map_or(0, |v| v.len()) > 1)
        .collect();
    for key in conflicted {
        match fields.get(&key) {
            Some(value) => {
                put(tx, &entry, &key, value)?;
                own.insert(key, value.clone());
            }
            None if key != TOMBSTONE_FIELD => {
                tx.delete(&entry, key.as_str())?;
                own.remove(&key);
            }
            None => {}
        }
    }
    reconcile_map(tx, &entry, &own, fields, atomic, &[TOMBSTONE_FIELD])?;
    // Maps that lost a conflict show only fields the winner lacks: those are deleted.
    for other in maps.iter().skip(1) {
        let stale: Vec<String> = tx
            .keys(other)
            .filter(|k| k != TOMBSTONE_FIELD && !fields.contains_key(k))
            .collect();
        for key in stale {
            tx.delete(other, key.as_str())?;
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
    let colls = maps_at(tx, &ROOT, collection);
    let Some(entry) = entry_maps(tx, &colls, id).into_iter().next() else {
        return Ok(false);
    };
    tx.put(&entry, TOMBSTONE_FIELD, when)?;
    Ok(true)
}

/// The fields of entry `id` of `collection`, tombstoned or not; `None` if there is none.
pub(crate) fn read_entry<R: ReadDoc>(
    doc: &R,
    collection: &str,
    id: &str,
    atomic: &[&str],
) -> Option<Json> {
    let colls = maps_at(doc, &ROOT, collection);
    let maps = entry_maps(doc, &colls, id);
    (!maps.is_empty()).then(|| read_maps(doc, &maps, atomic))
}

/// Every entry of `collection` as `(id, fields)`, tombstoned ones included, in id order.
pub(crate) fn read_collection<R: ReadDoc>(
    doc: &R,
    collection: &str,
    atomic: &[&str],
) -> Vec<(String, Json)> {
    let colls = maps_at(doc, &ROOT, collection);
    let ids: std::collections::BTreeSet<String> = colls.iter().flat_map(|c| doc.keys(c)).collect();
    ids.into_iter()
        .filter_map(|id| {
            let maps = entry_maps(doc, &colls, &id);
            (!maps.is_empty()).then(|| {
                let fields = read_maps(doc, &maps, atomic);
                (id, fields)
            })
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
        write_entry(&mut doc, "readings", "a", &fields(value.clone()), &[]).expect("write");
        let read = read_collection(&doc, "readings", &[]);
        assert_eq!(read, vec![("a".to_string(), value)]);
    }

    #[test]
    fn corrections_touch_only_changed_fields_and_merge() {
        let mut base = AutoCommit::new();
        let original = json!({"id": "a", "sys": 140, "dia": 90, "note": "left arm"});
        write_entry(&mut base, "readings", "a", &fields(original), &[]).expect("write");
        let mut left = base.fork();
        let mut right = base.fork();
        write_entry(
            &mut left,
            "readings",
            "a",
            &fields(json!({"id": "a", "sys": 142, "dia": 90, "note": "left arm"})),
            &[],
        )
        .expect("write");
        write_entry(
            &mut right,
            "readings",
            "a",
            &fields(json!({"id": "a", "sys": 140, "dia": 91})),
            &[],
        )
        .expect("write");
        left.merge(&mut right).expect("merge");
        let merged = read_collection(&left, "readings", &[]);
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
            &[],
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
            &[],
        )
        .expect("write");
        tx.commit();
        let read = read_collection(&doc, "journal", &[]);
        assert_eq!(read[0].1[TOMBSTONE_FIELD], json!("2026-01-01T00:00:00Z"));
        assert_eq!(read[0].1["text"], json!("edited"));
    }
}
