//! Text forms of times and dates at the boundary: instants are RFC 3339 with their UTC offset,
//! dates `YYYY-MM-DD`, times of day `HH:MM`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};

use crate::error::CompanionError;

/// Parses an RFC 3339 instant; seconds may be left out, as Java's `OffsetDateTime.toString()`
/// and Swift's ISO 8601 formatters do when they are zero (`2026-11-23T08:05+01:00`).
pub(crate) fn instant(field: &str, text: &str) -> Result<DateTime<FixedOffset>, CompanionError> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%:z"))
        .map_err(|_| {
            CompanionError::invalid(
                field,
                "expected an RFC 3339 time like 2026-11-23T08:05:00+01:00",
            )
        })
}

/// Parses an optional RFC 3339 instant as UTC.
pub(crate) fn utc(
    field: &str,
    text: Option<String>,
) -> Result<Option<DateTime<Utc>>, CompanionError> {
    text.map(|t| instant(field, &t).map(|i| i.to_utc()))
        .transpose()
}

/// Formats an instant as RFC 3339.
pub(crate) fn instant_text(at: &DateTime<FixedOffset>) -> String {
    at.to_rfc3339()
}

/// Parses a date.
pub(crate) fn date(field: &str, text: &str) -> Result<NaiveDate, CompanionError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| CompanionError::invalid(field, "expected a date like 2026-11-23"))
}

/// Parses a time of day, `HH:MM` or `HH:MM:SS`.
pub(crate) fn time(field: &str, text: &str) -> Result<NaiveTime, CompanionError> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .map_err(|_| CompanionError::invalid(field, "expected a time of day like 08:00"))
}

/// Parses a list of times of day.
pub(crate) fn times(field: &str, texts: &[String]) -> Result<Vec<NaiveTime>, CompanionError> {
    texts.iter().map(|t| time(field, t)).collect()
}

/// Formats a time of day as `HH:MM` (or `HH:MM:SS` when it has seconds).
pub(crate) fn time_text(t: &NaiveTime) -> String {
    use chrono::Timelike;
    if t.second() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

/// Formats times of day.
pub(crate) fn times_text(ts: &[NaiveTime]) -> Vec<String> {
    ts.iter().map(time_text).collect()
}
