//! A JSON file's list of items read one item at a time: the list is never held whole, so an
//! import's memory does not grow with the file. The list is the file itself (`[...]`) or one
//! field of its top-level object (`{"records": [...]}`); every other field is skipped unread.

use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::FileError;

/// Calls `each` with every item of the list in `input`, numbered from 1, as it is read: the
/// whole file when `field` is `None`, else the list in the top-level object's `field`. A file
/// that is not such JSON to its end is [`FileError::Unreadable`] as `what` (the items before
/// the fault were handed on: the caller refuses the import).
pub(crate) fn each_item(
    input: impl Read,
    field: Option<&'static str>,
    what: &'static str,
    each: &mut dyn FnMut(u64, Value),
) -> Result<(), FileError> {
    let unreadable = |_| FileError::Unreadable { what };
    let mut de = serde_json::Deserializer::from_reader(input);
    let list = List { each, count: 0 };
    match field {
        None => de.deserialize_seq(list).map_err(unreadable)?,
        Some(field) => {
            let found = de
                .deserialize_map(Field { field, list })
                .map_err(unreadable)?;
            if !found {
                return Err(FileError::Unreadable { what });
            }
        }
    }
    de.end().map_err(unreadable)
}

/// The list: each item to `each`.
struct List<'a> {
    each: &'a mut dyn FnMut(u64, Value),
    count: u64,
}

impl<'de> Visitor<'de> for List<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            self.count += 1;
            (self.each)(self.count, item);
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for List<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

/// The top-level object: its `field` read as the list, the rest skipped. True when the field
/// was there.
struct Field<'a> {
    field: &'static str,
    list: List<'a>,
}

impl<'de> Visitor<'de> for Field<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with \"{}\"", self.field)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut list = Some(self.list);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match list.take() {
                Some(l) if key == self.field => map.next_value_seed(l)?,
                other => {
                    list = other;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(list.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str, field: Option<&'static str>) -> Result<Vec<(u64, Value)>, FileError> {
        let mut got = Vec::new();
        each_item(text.as_bytes(), field, "test", &mut |n, v| got.push((n, v)))?;
        Ok(got)
    }

    #[test]
    fn the_items_of_a_list_and_of_a_field_are_handed_on_in_order() {
        let got = items(r#"[{"a":1}, 2, "three"]"#, None).expect("list");
        assert_eq!(got.len(), 3);
        assert_eq!(got[2], (3, Value::from("three")));
        let got = items(
            r#"{"version": {"x": [1, 2]}, "records": [10, 20], "after": null}"#,
            Some("records"),
        )
        .expect("field");
        assert_eq!(got, [(1, Value::from(10)), (2, Value::from(20))]);
    }

    #[test]
    fn what_is_not_the_list_said_is_unreadable() {
        for (text, field) in [
            (r#"{"a": 1}"#, None),
            (r#"[1, 2"#, None),
            (r#"[1] [2]"#, None),
            (r#"{"other": []}"#, Some("records")),
            (r#"{"records": {}}"#, Some("records")),
            (r#"[]"#, Some("records")),
        ] {
            assert_eq!(
                items(text, field),
                Err(FileError::Unreadable { what: "test" }),
                "{text}"
            );
        }
    }
}
