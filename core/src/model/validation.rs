use crate::zone::Zone;

/// Why a value was refused. The text names the field and the limits, never the value a person
/// entered, so that it can be logged and shown across the FFI without leaking health data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A number outside the range that a living person can present.
    #[error("{field} must be between {min} and {max} {unit}")]
    OutOfRange {
        /// The field that was wrong.
        field: &'static str,
        /// The lowest accepted value, in `unit`.
        min: f64,
        /// The highest accepted value, in `unit`.
        max: f64,
        /// The unit of `min` and `max`.
        unit: &'static str,
    },
    /// A diastolic pressure at or above its systolic.
    #[error("diastolic pressure must be below systolic pressure")]
    DiastolicNotBelowSystolic,
    /// A required text was empty.
    #[error("{field} must not be empty")]
    Empty {
        /// The field that was empty.
        field: &'static str,
    },
    /// A time zone name that is not in the IANA time zone database.
    #[error("{field} is not a known IANA time zone (Area/City)")]
    UnknownTimeZone {
        /// The field that held the zone.
        field: &'static str,
    },
    /// A name that is none of the names a field accepts.
    #[error("unknown {field}: use {}", one_of(names))]
    NotOneOf {
        /// The field that was wrong.
        field: &'static str,
        /// The names it accepts.
        names: &'static [&'static str],
    },
    /// The device's clock reads a time that cannot be true (before 2000, or 2200 and later):
    /// nothing that needs the time now was written.
    #[error(
        "the device's clock is not set (it reads a year before 2000 or after 2199): set the date and time"
    )]
    UntrustedClock,
    /// A value whose form or combination with other fields is wrong.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field that was wrong.
        field: &'static str,
        /// What is expected of it.
        reason: &'static str,
    },
}

impl ValidationError {
    /// The name of the field that was refused (`systolic`, `home time zone`), as the core
    /// calls it: shells show it beside the input.
    pub fn field(&self) -> &'static str {
        match self {
            Self::OutOfRange { field, .. }
            | Self::Empty { field }
            | Self::UnknownTimeZone { field }
            | Self::Invalid { field, .. }
            | Self::NotOneOf { field, .. } => field,
            Self::DiastolicNotBelowSystolic => "diastolic",
            Self::UntrustedClock => "device clock",
        }
    }
}

/// `a, b or c`.
fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A value that can check itself.
pub trait Validate {
    /// `Ok` when every field is plausible and consistent; otherwise the first problem found.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// Parses an IANA zone name (`Europe/Berlin`); refuses names the database does not know.
pub fn parse_time_zone(field: &'static str, name: &str) -> Result<Zone, ValidationError> {
    Zone::named(name).ok_or(ValidationError::UnknownTimeZone { field })
}

/// Checks that `value` lies in `min..=max` (and is a number at all).
pub(crate) fn check_range(
    field: &'static str,
    value: f64,
    min: f64,
    max: f64,
    unit: &'static str,
) -> Result<(), ValidationError> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::OutOfRange {
            field,
            min,
            max,
            unit,
        })
    }
}

/// The most characters of a required short text (a name, a title, a unit, an id): a name of
/// 130,000 characters is a paste gone wrong, and would fill every screen and report.
pub const MAX_SHORT_TEXT: usize = 500;

/// Checks that a required text has something visible in it (not only white space, zero-width
/// or other invisible characters) and at most [`MAX_SHORT_TEXT`] characters.
pub(crate) fn check_not_empty(field: &'static str, value: &str) -> Result<(), ValidationError> {
    check_present(field, value)?;
    if value.chars().count() > MAX_SHORT_TEXT {
        return Err(ValidationError::Invalid {
            field,
            reason: "is longer than 500 characters",
        });
    }
    Ok(())
}

/// A person's display name as typed (a member of a shared record: "Ana (daughter)"): trimmed,
/// something visible in it, one line, at most [`MAX_SHORT_TEXT`] characters.
pub fn display_name(field: &'static str, value: &str) -> Result<String, ValidationError> {
    let value = value.trim();
    check_not_empty(field, value)?;
    if value.chars().any(char::is_control) {
        return Err(ValidationError::Invalid {
            field,
            reason: "must be one line",
        });
    }
    Ok(value.to_string())
}

/// Checks that a required text of any length (a template's JSON) has something visible in it.
pub(crate) fn check_present(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.chars().all(invisible) {
        return Err(ValidationError::Empty { field });
    }
    Ok(())
}

/// A character that shows as nothing: white space, a control or format character (zero-width
/// space and joiners, byte-order mark, direction marks, the soft hyphen), or a blank that
/// looks like a letter (Hangul fillers, the blank braille pattern).
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_required_text_of_invisible_characters_is_empty_and_a_huge_one_is_refused() {
        for blank in [
            "",
            "  ",
            "\u{200B}",
            "\u{FEFF}\u{200D} ",
            "\u{3164}",
            "\u{2800}\u{2060}",
        ] {
            assert_eq!(
                check_not_empty("name", blank),
                Err(ValidationError::Empty { field: "name" }),
                "{blank:?}"
            );
        }
        assert!(check_not_empty("name", "Ana").is_ok());
        assert!(check_not_empty("name", "王芳").is_ok());
        assert!(check_not_empty("name", &"a".repeat(MAX_SHORT_TEXT)).is_ok());
        assert_eq!(
            display_name("name", "  Ana (daughter) "),
            Ok("Ana (daughter)".into())
        );
        assert!(display_name("name", "Ana\nBob").is_err());
        assert!(display_name("name", "\u{200B}").is_err());
        assert!(matches!(
            check_not_empty("name", &"a".repeat(130_000)),
            Err(ValidationError::Invalid { field: "name", .. })
        ));
    }
}
