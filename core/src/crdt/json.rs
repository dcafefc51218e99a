//! Conversion between JSON values and Automerge objects.
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

fn read_value<R: ReadDoc>(doc: &R, value: Value<'_>, id: &ObjId) -> Json {
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

fn scalar(value: &Json) -> ScalarValue {
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
                match obj_type(item) {
                    Some(typ) => {
                        let child = tx.insert_object(obj, i, typ)?;
                        fill(tx, &child, item)?;
                    }
                    None => tx.insert(obj, i, scalar(item))?,
                }
            }
        }
        _ => {}
    }
    Ok(())
}
