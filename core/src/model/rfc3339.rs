//! Stored times read back: RFC 3339 as the record writes it, parsed by chrono's strict parser
//! first (its serde form goes through the relaxed one, a general format interpreter: an eighth
//! of decoding a reading), then the relaxed one, so anything read before still reads.

use chrono::{DateTime, FixedOffset};
use serde::{Deserializer, de::Error};

/// Deserializes an RFC 3339 time with its offset, parsing the text where it lies (no copy).
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<DateTime<FixedOffset>, D::Error> {
    d.deserialize_str(Rfc3339)
}

/// Reads a time from a JSON string.
struct Rfc3339;

impl serde::de::Visitor<'_> for Rfc3339 {
    type Value = DateTime<FixedOffset>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an RFC 3339 date and time")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<Self::Value, E> {
        DateTime::parse_from_rfc3339(text)
            .or_else(|_| text.parse())
            .map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<DateTime<FixedOffset>, serde_json::Error> {
        deserialize(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn strict_and_relaxed_forms_read_alike_and_nonsense_is_refused() {
        let t = read("\"2026-11-20T08:00:00.123+01:00\"").expect("strict");
        assert_eq!(t.to_rfc3339(), "2026-11-20T08:00:00.123+01:00");
        assert_eq!(
            read("\"2026-11-20 08:00:00.123+01:00\"").expect("relaxed"),
            t
        );
        assert_eq!(
            read("\"2026-11-20T07:00:00.123Z\"").expect("zulu"),
            t,
            "the same instant"
        );
        assert!(read("\"yesterday\"").is_err());
        assert!(read("17").is_err());
    }
}
