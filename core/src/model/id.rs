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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_depend_on_every_part_and_only_on_them() {
        assert_eq!(derived_id(&["a", "b"]), derived_id(&["a", "b"]));
        assert_ne!(derived_id(&["a", "b"]), derived_id(&["ab"]));
        assert_ne!(derived_id(&["a", "b"]), derived_id(&["a", "c"]));
        assert!(uuid::Uuid::try_parse(&derived_id(&["x"])).is_ok());
    }
}
