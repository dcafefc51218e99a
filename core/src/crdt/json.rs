//! Conversion between JSON values and Automerge objects.
//!
//! Writing reconciles: a nested map or list that exists is edited in place (a field, an item),
//! never replaced by a new object, so that concurrent edits of different parts of it merge
//! (docs/storage.md). Only a value marked atomic, or one of another shape, is written whole.
//!
//! Strings become immutable scalar strings (never collaboratively edited text, which costs far
//! more memory; docs/architecture.md), integers become `Int`/`Uint`, other numbers `F64`, objects
//! maps and arrays lists.

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use serde_json::{Map, Number, Value as Json};

/// Reads the object `obj` (a map or a list) as JSON.
pub(super) fn read_object<R: ReadDoc>(doc: &R, obj: &ObjId) -> Json {
    match doc.object_type(obj) {
        Ok(ObjType::Map | ObjType::Table) => {
            let mut map = Map::new();
            for key in doc.keys(obj) {
                if let Ok(Some((value, id))) = doc.get(obj, key.as_str()) {
                    map.insert(key, read_value(doc, value, &id));
                }
            }
            Json::Object(map)
        }
        Ok(ObjType::List) => Json::Array(
            (0..doc.length(obj))
                .filter_map(|i| match doc.get(obj, i) {
                    Ok(Some((value, id))) => Some(read_value(doc, value, &id)),
                    _ => None,
                })
                .collect(),
        ),
        Ok(ObjType::Text) => Json::String(doc.text(obj).unwrap_or_default()),
        Err(_) => Json::Null,
    }
}

pub(super) fn read_value<R: ReadDoc>(doc: &R, value: Value<'_>, id: &ObjId) -> Json {
    match value {
        Value::Object(_) => read_object(doc, id),
        Value::Scalar(scalar) => match scalar.as_ref() {
            ScalarValue::Str(s) => Json::String(s.to_string()),
            ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Json::Number((*i).into()),
            ScalarValue::Uint(u) => Json::Number((*u).into()),
            ScalarValue::F64(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
            ScalarValue::Counter(c) => Json::Number(i64::from(c).into()),
            ScalarValue::Boolean(b) => Json::Bool(*b),
            ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } | ScalarValue::Null => Json::Null,
        },
    }
}

/// The scalar `value` is stored as (objects and arrays have none: they become objects).
pub(super) fn scalar(value: &Json) -> ScalarValue {
    match value {
        Json::Bool(b) => ScalarValue::Boolean(*b),
        Json::String(s) => ScalarValue::Str(s.as_str().into()),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => ScalarValue::Int(i),
            (None, Some(u)) => ScalarValue::Uint(u),
            (None, None) => ScalarValue::F64(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::Null | Json::Array(_) | Json::Object(_) => ScalarValue::Null,
    }
}

fn obj_type(value: &Json) -> Option<ObjType> {
    match value {
        Json::Array(_) => Some(ObjType::List),
        Json::Object(_) => Some(ObjType::Map),
        _ => None,
    }
}

/// Puts `value` at `key` of the map `obj`, creating maps and lists for nested values.
pub(super) fn put<T: Transactable>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: &Json,
) -> Result<(), AutomergeError> {
    match obj_type(value) {
        Some(typ) => {
            let child = tx.put_object(obj, key, typ)?;
            fill(tx, &child, value)
        }
        None => tx.put(obj, key, scalar(value)),
    }
}

/// Fills a freshly created map or list with the contents of `value`.
fn fill<T: Transactable>(tx: &mut T, obj: &ObjId, value: &Json) -> Result<(), AutomergeError> {
    match value {
        Json::Object(fields) => {
            for (k, v) in fields {
                put(tx, obj, k, v)?;
            }
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                insert(tx, obj, i, item)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Edits the map `obj`, which holds `old`, so that it holds `new`: fields that differ are
/// reconciled (nested maps and lists in place), fields absent from `new` deleted, except those
/// `keep` names. Fields `atomic` names are written whole when they differ.
pub(super) fn reconcile_map<T: Transactable>(
    tx: &mut T,
    obj: &ObjId,
    old: &Map<String, Json>,
    new: &Map<String, Json>,
    atomic: &[&str],
    keep: &[&str],
) -> Result<(), AutomergeError> {
    for (key, value) in new {
        match old.get(key) {
            Some(before) if before == value => {}
            Some(before) if !atomic.contains(&key.as_str()) => {
                reconcile_at(tx, obj, key, before, value)?;
            }
            _ => put(tx, obj, key, value)?,
        }
    }
    for key in old.keys() {
        if !new.contains_key(key) && !keep.contains(&key.as_str()) {
            tx.delete(obj, key.as_str())?;
        }
    }
    Ok(())
}

/// The object at `key` of the map `obj` when it is of type `typ`.
fn child<T: Transactable>(tx: &T, obj: &ObjId, key: &str, typ: ObjType) -> Option<ObjId> {
    match tx.get(obj, key) {
        Ok(Some((Value::Object(t), id))) if t == typ => Some(id),
        _ => None,
    }
}

/// Writes `value` at `key` of map `obj` where `before` is: in place when both are maps or both
/// lists, else whole.
fn reconcile_at<T: Transactable>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    before: &Json,
    value: &Json,
) -> Result<(), AutomergeError> {
    match (before, value) {
        (Json::Object(old), Json::Object(new)) => match child(tx, obj, key, ObjType::Map) {
            Some(map) => reconcile_map(tx, &map, old, new, &[], &[]),
            None => put(tx, obj, key, value),
        },
        (Json::Array(old), Json::Array(new)) => match child(tx, obj, key, ObjType::List) {
            Some(list) => reconcile_list(tx, &list, old, new),
            None => put(tx, obj, key, value),
        },
        _ => put(tx, obj, key, value),
    }
}

/// What identifies a list item across edits: its `id`, else its `from` (a pause), else its
/// `until` (a schedule version), else the whole value.
fn identity(item: &Json) -> &Json {
    ["id", "from", "until"]
        .iter()
        .find_map(|k| item.get(k))
        .unwrap_or(item)
}

/// Edits the list `list`, which holds `old`, so that it holds `new`: items are matched by
/// [`identity`]; a matched item is reconciled in place, items gone are deleted, new ones
/// inserted where they stand. Two replicas appending to one list both keep their item.
fn reconcile_list<T: Transactable>(
    tx: &mut T,
    list: &ObjId,
    old: &[Json],
    new: &[Json],
) -> Result<(), AutomergeError> {
    let wanted: Vec<&Json> = new.iter().map(identity).collect();
    for i in (0..old.len()).rev() {
        if !wanted.contains(&identity(&old[i])) {
            tx.delete(list, i)?;
        }
    }
    let kept: Vec<&Json> = old
        .iter()
        .filter(|item| wanted.contains(&identity(item)))
        .collect();
    let (mut pos, mut next) = (0, 0);
    for item in new {
        match kept.get(next) {
            Some(&before) if identity(before) == identity(item) => {
                if before != item {
                    reconcile_item(tx, list, pos, before, item)?;
                }
                next += 1;
            }
            _ => insert(tx, list, pos, item)?,
        }
        pos += 1;
    }
    // Items kept but out of order were inserted again where they now stand.
    for _ in next..kept.len() {
        tx.delete(list, pos)?;
    }
    Ok(())
}

/// Writes `item` over the list item at `pos`, which holds `before`: a map in place, else whole.
fn reconcile_item<T: Transactable>(
    tx: &mut T,
    list: &ObjId,
    pos: usize,
    before: &Json,
    item: &Json,
) -> Result<(), AutomergeError> {
    if let (Json::Object(old), Json::Object(new)) = (before, item)
        && let Ok(Some((Value::Object(ObjType::Map), map))) = tx.get(list, pos)
    {
        return reconcile_map(tx, &map, old, new, &[], &[]);
    }
    tx.delete(list, pos)?;
    insert(tx, list, pos, item)
}

/// Inserts `item` at `pos` of the list `list`.
fn insert<T: Transactable>(
    tx: &mut T,
    list: &ObjId,
    pos: usize,
    item: &Json,
) -> Result<(), AutomergeError> {
    match obj_type(item) {
        Some(typ) => {
            let child = tx.insert_object(list, pos, typ)?;
            fill(tx, &child, item)
        }
        None => tx.insert(list, pos, scalar(item)),
    }
}
