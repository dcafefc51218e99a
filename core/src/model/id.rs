/// A new entry id: a UUID v7 in its hyphenated text form.
///
/// Version 7 ids sort by creation time, so ids made on one device sort in the order they were
/// made, and ids made on different devices never collide.
///
/// Never panics: with a clock before 1970 the id's time part is 1970 (its 74 random bits still
/// make it unique).
pub fn new_id() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let at = uuid::Timestamp::from_unix(uuid::NoContext, since.as_secs(), since.subsec_nanos());
    uuid::Uuid::new_v7(at).to_string()
}

/// An entry id derived from `parts` (a UUID v8 from their SHA-256): the same parts give the
/// same id on every replica, so that two devices that make the same entry (one import, one
/// alert about one dose) make one entry, not two.
pub fn derived_id(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::new_v8(bytes).to_string()
}

/// What is added to a time in Unix milliseconds to make it the 48-bit unsigned head of an
/// imported reading's id: times from 1900 (negative) on sort as their ids do.
const TIME_HEAD_BIAS: i64 = 1 << 47;

/// The id of a reading imported at `at_ms` (Unix milliseconds) under its import key `key`
/// (`Reading::external_key`): a UUID v8 whose first 48 bits are the time (biased to be
/// unsigned) and whose other bits come from the key's SHA-256. The same reading imported on
/// two devices gets the same id (one reading after a merge); ids sort by time, and the time
/// can be read back from the id ([`imported_time`]), which is how a reading kept in an import
/// block is found by its id (`store::index`).
pub fn imported_reading_id(at_ms: i64, key: &str) -> String {
    imported_reading_id_of(at_ms, &[key])
}

/// [`imported_reading_id`] of the key made of `parts` joined (`[system, "\u{1f}",
/// external_id]`), without joining them.
pub fn imported_reading_id_of(at_ms: i64, parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new().chain_update(b"reading\0");
    for part in parts {
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let head = (at_ms.saturating_add(TIME_HEAD_BIAS)).clamp(0, (1 << 48) - 1) as u64;
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&head.to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&digest[..10]);
    uuid::Uuid::new_v8(bytes).to_string()
}

/// The time (Unix milliseconds) an id made by [`imported_reading_id`] holds; `None` for an id
/// that is not a UUID v8 (a v8 id made another way gives a time no reading has, and finds
/// nothing).
pub fn imported_time(id: &str) -> Option<i64> {
    let uuid = uuid::Uuid::try_parse(id).ok()?;
    if uuid.get_version_num() != 8 {
        return None;
    }
    let b = uuid.as_bytes();
    let head = u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]);
    Some(head as i64 - TIME_HEAD_BIAS)
}

/// The text every id [`imported_reading_id`] makes for a time `at_ms` begins with (its first
/// 12 hex digits and the hyphen between them), so that the ids of a span of time are a range
/// of text.
pub fn imported_id_head(at_ms: i64) -> String {
    let head = (at_ms.saturating_add(TIME_HEAD_BIAS)).clamp(0, (1 << 48) - 1) as u64;
    let hex = format!("{head:012x}");
    format!("{}-{}", &hex[..8], &hex[8..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_id_holds_its_time_and_sorts_by_it() {
        for at in [-2_208_988_800_000_i64, 0, 1_764_000_000_123] {
            let id = imported_reading_id(at, "csv\u{1f}bp@1=120/80");
            assert_eq!(imported_time(&id), Some(at));
            assert!(id.starts_with(&imported_id_head(at)), "{id}");
            assert_eq!(id, imported_reading_id(at, "csv\u{1f}bp@1=120/80"));
            assert_ne!(id, imported_reading_id(at, "csv\u{1f}bp@1=121/80"));
        }
        let (a, b) = (
            imported_reading_id(-5, "k"),
            imported_reading_id(1_700_000_000_000, "a"),
        );
        assert!(a < b);
        assert_eq!(
            imported_reading_id(7, "csv\u{1f}x"),
            imported_reading_id_of(7, &["csv", "\u{1f}", "x"])
        );
        assert_eq!(imported_time(&new_id()), None);
        assert_eq!(imported_time("not an id"), None);
    }

    #[test]
    fn derived_ids_depend_on_every_part_and_only_on_them() {
        assert_eq!(derived_id(&["a", "b"]), derived_id(&["a", "b"]));
        assert_ne!(derived_id(&["a", "b"]), derived_id(&["ab"]));
        assert_ne!(derived_id(&["a", "b"]), derived_id(&["a", "c"]));
        assert!(uuid::Uuid::try_parse(&derived_id(&["x"])).is_ok());
    }
}
