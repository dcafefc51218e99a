//! What a local write may hold, beyond each value's own validation (issue 15): no event time
//! more than a few minutes ahead of the device's clock (clock skew) or before 1900, no birth
//! date in the future, and no control characters in names and notes. Checked where this device
//! writes, never when a change from another replica is applied (its clock may differ, and what
//! it wrote must merge).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;

use super::ValidationError;

/// How far ahead of the device's clock an event may be dated (clocks differ a little).
pub const MOST_AHEAD_MINUTES: i64 = 5;
/// The earliest year an event may be dated in.
pub const FIRST_YEAR: i32 = 1900;

/// Refuses an event time before 1900 or more than [`MOST_AHEAD_MINUTES`] after `now`.
pub fn check_event_time(
    field: &'static str,
    at: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if at.year() < FIRST_YEAR {
        return Err(ValidationError::Invalid {
            field,
            reason: "dated before 1900",
        });
    }
    if at.to_utc() > now + chrono::Duration::minutes(MOST_AHEAD_MINUTES) {
        return Err(ValidationError::Invalid {
            field,
            reason: "dated more than 5 minutes in the future (check the date, or the device's clock)",
        });
    }
    Ok(())
}

/// How far ahead of the device's clock an appointment may be booked, in years.
pub const APPOINTMENT_YEARS_AHEAD: i64 = 5;
/// How far ahead of the device's clock a dose may name its scheduled time, in days (a skip
/// said in advance, a weekly dose taken early; never a slot years away).
pub const SCHEDULED_DAYS_AHEAD: i64 = 7;

/// Refuses an appointment before 1900 or more than [`APPOINTMENT_YEARS_AHEAD`] years after
/// `now`.
pub fn check_appointment_time(
    at: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Result<(), ValidationError> {
    use chrono::Datelike;
    let latest = now + chrono::Duration::days(366 * APPOINTMENT_YEARS_AHEAD);
    if at.year() < FIRST_YEAR || at.to_utc() > latest {
        return Err(ValidationError::Invalid {
            field: "appointment time",
            reason: "must be from 1900 on and at most 5 years ahead",
        });
    }
    Ok(())
}

/// Refuses a dose's scheduled time before 1900 or more than [`SCHEDULED_DAYS_AHEAD`] days
/// after `now`.
pub fn check_scheduled_time(
    at: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if at.year() < FIRST_YEAR || at.to_utc() > now + chrono::Duration::days(SCHEDULED_DAYS_AHEAD) {
        return Err(ValidationError::Invalid {
            field: "scheduled time",
            reason: "must be from 1900 on and at most 7 days ahead",
        });
    }
    Ok(())
}

/// Refuses a birth date after `today` or before 1900.
pub fn check_birth_date(date: NaiveDate, today: NaiveDate) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if date > today || date.year() < FIRST_YEAR {
        return Err(ValidationError::Invalid {
            field: "birth date",
            reason: "must be a past date from 1900 on",
        });
    }
    Ok(())
}

/// Refuses any text of `entry` holding a control character (line breaks and tabs in notes
/// aside): they come from pasting or a broken keyboard, show as nothing, and break exports.
pub fn check_text(entry: &impl Serialize) -> Result<(), ValidationError> {
    let value = serde_json::to_value(entry).map_err(|_| ValidationError::Invalid {
        field: "text",
        reason: "cannot be read",
    })?;
    control_free([&value].into_iter())
}

/// [`check_text`] of an entry already in its JSON form, its fields (a write has them:
/// serializing the entry again was a twentieth of an import).
pub fn check_text_of(
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), ValidationError> {
    control_free(fields.values())
}

fn control_free<'a>(
    mut values: impl Iterator<Item = &'a serde_json::Value>,
) -> Result<(), ValidationError> {
    if values.any(holds_control) {
        return Err(ValidationError::Invalid {
            field: "text",
            reason: "holds a control character (only line breaks and tabs are allowed)",
        });
    }
    Ok(())
}

/// [`check_text`] of JSON text as serde_json writes it (an import block's rows), read in place:
/// a control character other than a line break or a tab, raw (serde_json writes DEL and the
/// C1 controls as they are) or escaped (`\r`, `\b`, `\f`, `\u0001`), is refused.
pub fn check_json_text(json: &str) -> Result<(), ValidationError> {
    let refused = || ValidationError::Invalid {
        field: "text",
        reason: "holds a control character (only line breaks and tabs are allowed)",
    };
    let allowed = |c: char| !c.is_control() || c == '\n' || c == '\t';
    // Byte by byte (a block's rows are read at import speed): a control character is a byte
    // below 0x20, DEL, or a C1 control (0xC2 then 0x80..=0x9F); an escape starts with `\`.
    let bytes = json.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                match bytes.get(i + 1) {
                    Some(b'r' | b'b' | b'f') => return Err(refused()),
                    Some(b'u') => {
                        let hex = json.get(i + 2..i + 6).ok_or_else(refused)?;
                        let code = u32::from_str_radix(hex, 16).map_err(|_| refused())?;
                        if !char::from_u32(code).is_none_or(allowed) {
                            return Err(refused());
                        }
                        i += 4;
                    }
                    _ => {}
                }
                i += 2;
            }
            b if b < 0x20 || b == 0x7f => {
                if !allowed(char::from(b)) {
                    return Err(refused());
                }
                i += 1;
            }
            0xc2 if bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)) => {
                return Err(refused());
            }
            _ => i += 1,
        }
    }
    Ok(())
}

fn holds_control(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
        serde_json::Value::Array(items) => items.iter().any(holds_control),
        serde_json::Value::Object(map) => map.values().any(holds_control),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_is_judged_as_its_strings_are() {
        for text in [
            "plain",
            "line\nbreak",
            "tab\there",
            "cr\rhere",
            "nul\u{0}",
            "bell\u{7}",
            "del\u{7f}",
            "c1\u{85}",
            "back\\slash",
            "\\u0001 typed",
            "quote\"d",
            "back\u{8}",
            "feed\u{c}",
            "\u{1f}unit",
            "ünïcödé",
            "\\r typed",
        ] {
            let json =
                serde_json::to_string(&serde_json::json!([1, {"note": text}, text])).expect("json");
            assert_eq!(
                check_json_text(&json).is_ok(),
                check_text(&text).is_ok(),
                "{text:?} as {json}"
            );
        }
    }

    #[test]
    fn times_dates_and_texts_at_their_bounds() {
        let now: DateTime<Utc> = "2026-12-02T12:00:00Z".parse().expect("now");
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time");
        assert!(check_event_time("time", at("2026-12-02T12:05:00Z"), now).is_ok());
        assert!(check_event_time("time", at("2026-12-02T12:05:01Z"), now).is_err());
        assert!(check_event_time("time", at("9999-01-01T00:00:00Z"), now).is_err());
        assert!(check_event_time("time", at("1900-01-01T00:00:00Z"), now).is_ok());
        assert!(check_event_time("time", at("1899-12-31T23:59:59Z"), now).is_err());
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert!(check_birth_date(d("2026-12-02"), d("2026-12-02")).is_ok());
        assert!(check_birth_date(d("2026-12-03"), d("2026-12-02")).is_err());
        assert!(check_appointment_time(at("2031-12-01T12:00:00Z"), now).is_ok());
        assert!(check_appointment_time(at("9999-01-01T09:00:00Z"), now).is_err());
        assert!(check_scheduled_time(at("2026-12-09T12:00:00Z"), now).is_ok());
        assert!(check_scheduled_time(at("2029-11-20T08:00:00Z"), now).is_err());
        assert!(check_text(&serde_json::json!({"note": "two\nlines\tok"})).is_ok());
        assert!(check_text(&serde_json::json!({"name": "Ana\u{7}"})).is_err());
        assert!(check_text(&serde_json::json!({"list": ["x\u{1b}[31m"]})).is_err());
    }
}
