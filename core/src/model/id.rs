/// A new entry id: a UUID v7 in its hyphenated text form.
///
/// Version 7 ids sort by creation time, so ids made on one device sort in the order they were
/// made, and ids made on different devices never collide.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
