//! The date and time types at the boundary, defined once as UniFFI custom types over text:
//!
//! | core type                | foreign type      | text form                                   |
//! |--------------------------|-------------------|---------------------------------------------|
//! | `DateTime<FixedOffset>`  | `Timestamp`       | RFC 3339 with the offset where it happened   |
//! | `DateTime<Utc>`          | `UtcTimestamp`    | RFC 3339 (any offset in, UTC out)           |
//! | `NaiveDate`              | `CalendarDate`    | `YYYY-MM-DD`                                 |
//! | `NaiveTime`              | `TimeOfDay`       | `HH:MM` (or `HH:MM:SS` when it has seconds)  |
//! | `NaiveDateTime`          | `LocalDateTime`   | `YYYY-MM-DDTHH:MM` (a wall-clock slot)       |
//! | `PageCursor`             | `PageCursor`      | the text a listing returned                  |
//!
//! Text that does not parse raises `CompanionError.InvalidInput` naming the kind of value.
//! Seconds may be left out of a timestamp, as Java's `OffsetDateTime.toString()` and Swift's ISO
//! 8601 formatters do when they are zero (`2026-11-23T08:05+01:00`).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc, Weekday};
use companion_core::PageCursor;

use crate::error::CompanionError;

/// An instant with the UTC offset of the place it happened.
pub type Timestamp = DateTime<FixedOffset>;
/// An instant, given back in UTC.
pub type UtcTimestamp = DateTime<Utc>;
/// A calendar date.
pub type CalendarDate = NaiveDate;
/// A time of day on the wall clock.
pub type TimeOfDay = NaiveTime;
/// A date and time on the wall clock, in no zone.
pub type LocalDateTime = NaiveDateTime;

fn refused(field: &'static str, reason: &'static str) -> uniffi::deps::anyhow::Error {
    CompanionError::invalid(field, reason).into()
}

/// Parses an RFC 3339 instant, seconds optional.
pub(crate) fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%:z"))
        .ok()
}

uniffi::custom_type!(Timestamp, String, {
    remote,
    lower: |at| at.to_rfc3339(),
    try_lift: |text| parse_timestamp(&text)
        .ok_or_else(|| refused("time", "expected an RFC 3339 time like 2026-11-23T08:05:00+01:00")),
});

uniffi::custom_type!(UtcTimestamp, String, {
    remote,
    lower: |at| at.to_rfc3339(),
    try_lift: |text| parse_timestamp(&text)
        .map(|at| at.to_utc())
        .ok_or_else(|| refused("time", "expected an RFC 3339 time like 2026-11-23T08:05:00Z")),
});

uniffi::custom_type!(CalendarDate, String, {
    remote,
    lower: |date| date.to_string(),
    try_lift: |text| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| refused("date", "expected a date like 2026-11-23")),
});

uniffi::custom_type!(TimeOfDay, String, {
    remote,
    lower: |time| if time.second() == 0 {
        time.format("%H:%M").to_string()
    } else {
        time.format("%H:%M:%S").to_string()
    },
    try_lift: |text| {
        let text = text.trim();
        NaiveTime::parse_from_str(text, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
            .map_err(|_| refused("time of day", "expected a time of day like 08:00"))
    },
});

uniffi::custom_type!(LocalDateTime, String, {
    remote,
    lower: |slot| slot.format("%Y-%m-%dT%H:%M").to_string(),
    try_lift: |text| {
        let text = text.trim();
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| refused("local time", "expected a local time like 2026-11-23T08:00"))
    },
});

uniffi::custom_type!(PageCursor, String, {
    remote,
    lower: |cursor| cursor.as_str().to_string(),
    try_lift: |text| PageCursor::parse(&text).map_err(|e| CompanionError::from(e).into()),
});

/// A day of the week (chrono's).
#[uniffi::remote(Enum)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}
