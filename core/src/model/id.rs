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
