//! IANA time zones read from the platform's own zone database.
//!
//! Phones already ship the zone database and keep it current with the operating system: iOS and
//! macOS in `/usr/share/zoneinfo`, Android in its concatenated `tzdata` file, Linux in
//! `/usr/share/zoneinfo` (or `$TZDIR`). [`Zone`] looks zones up there through jiff, so the
//! library carries no copy of its own (a bundled copy cost about 1.9 MB of the phone library).
//! Only platforms with no system database (Windows) fall back to the copy jiff bundles.
//!
//! [`Zone`] implements chrono's [`TimeZone`], so the rest of the core computes with chrono types.

use std::fmt;
use std::sync::Arc;

use chrono::{
    DateTime, Datelike, FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, Offset, TimeZone,
    Timelike, Utc,
};

/// A time zone of the IANA database, by name (`Europe/Berlin`).
///
/// Cheap to clone (the zone's rules are shared). Equal zones have equal names.
#[derive(Clone)]
pub struct Zone {
    name: Arc<str>,
    tz: jiff::tz::TimeZone,
}

impl Zone {
    /// The zone called `name`, or `None` when the platform's database has no such zone.
    pub fn named(name: &str) -> Option<Self> {
        let name = name.trim();
        // An empty or path-like name is never an IANA zone (and must not reach the file system).
        if name.is_empty() || name.starts_with('/') || name.contains("..") {
            return None;
        }
        let tz = jiff::tz::db().get(name).ok()?;
        Some(Self {
            name: Arc::from(tz.iana_name().unwrap_or(name)),
            tz,
        })
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self {
            name: Arc::from("UTC"),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// A zone that is always `offset` from UTC (named like `UTC+01:00`): the clock a time
    /// written with that offset was read on.
    pub fn fixed(offset: FixedOffset) -> Self {
        let seconds = offset.local_minus_utc();
        let tz = jiff::tz::Offset::from_seconds(seconds)
            .map(jiff::tz::TimeZone::fixed)
            .unwrap_or(jiff::tz::TimeZone::UTC);
        Self {
            name: Arc::from(format!("UTC{offset}").as_str()),
            tz,
        }
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's abbreviation at the instant `at` (`CET`, `EDT`; a numeric offset such as
    /// `+0545` where the database has no letters), for showing a time to a person.
    pub fn abbreviation(&self, at: DateTime<Utc>) -> String {
        let at =
            jiff::Timestamp::from_second(at.timestamp()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        self.tz.to_offset_info(at).abbreviation().to_string()
    }

    /// The offset from UTC in force at the instant `utc`.
    fn offset_at(&self, utc: &NaiveDateTime) -> FixedOffset {
        let secs = utc.and_utc().timestamp().clamp(
            jiff::Timestamp::MIN.as_second(),
            jiff::Timestamp::MAX.as_second(),
        );
        let at = jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        fixed(self.tz.to_offset(at))
    }

    /// The wall-clock time of the instant `utc` in this zone. Unlike chrono's
    /// `with_timezone`, it neither clones the zone nor allocates: the planner asks it for
    /// every occurrence.
    pub fn wall_clock(&self, utc: &NaiveDateTime) -> NaiveDateTime {
        let offset = self.offset_at(utc).local_minus_utc();
        utc.checked_add_signed(chrono::Duration::seconds(i64::from(offset)))
            .unwrap_or(*utc)
    }

    /// The offsets the wall-clock time `local` has in this zone: one, two (the clocks went
    /// back) or none (the clocks skipped it), as chrono's `from_local_datetime` gives them,
    /// without cloning the zone.
    pub fn offsets_of_local(&self, local: &NaiveDateTime) -> MappedLocalTime<FixedOffset> {
        use jiff::tz::AmbiguousOffset as A;
        let Some(civil) = civil(local) else {
            // Beyond the database's years: the offset of the nearest representable instant.
            return MappedLocalTime::Single(self.offset_at(local));
        };
        match self.tz.to_ambiguous_timestamp(civil).offset() {
            A::Unambiguous { offset } => MappedLocalTime::Single(fixed(offset)),
            A::Fold { before, after } => MappedLocalTime::Ambiguous(fixed(before), fixed(after)),
            A::Gap { .. } => MappedLocalTime::None,
        }
    }

    fn at(&self, offset: FixedOffset) -> ZoneOffset {
        ZoneOffset {
            zone: self.clone(),
            offset,
        }
    }
}

impl std::str::FromStr for Zone {
    type Err = crate::model::ValidationError;

    /// Parses an IANA name; an unknown one is [`ValidationError::UnknownTimeZone`](crate::model::ValidationError::UnknownTimeZone).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::named(name)
            .ok_or(crate::model::ValidationError::UnknownTimeZone { field: "time zone" })
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

fn fixed(offset: jiff::tz::Offset) -> FixedOffset {
    FixedOffset::east_opt(offset.seconds()).unwrap_or_else(|| Utc.fix())
}

/// A civil date and time as jiff's type; `None` outside jiff's years (-9999 to 9999).
fn civil(local: &NaiveDateTime) -> Option<jiff::civil::DateTime> {
    let year = i16::try_from(local.year()).ok()?;
    jiff::civil::DateTime::new(
        year,
        i8::try_from(local.month()).ok()?,
        i8::try_from(local.day()).ok()?,
        i8::try_from(local.hour()).ok()?,
        i8::try_from(local.minute()).ok()?,
        i8::try_from(local.second().min(59)).ok()?,
        0,
    )
    .ok()
}

/// The offset of a [`Zone`] at one instant, as chrono's date-times carry it.
#[derive(Clone, Debug)]
pub struct ZoneOffset {
    zone: Zone,
    offset: FixedOffset,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.offset
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.offset, f)
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Self {
        offset.zone.clone()
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<ZoneOffset> {
        self.offsets_of_local(local).map(|offset| self.at(offset))
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.at(self.offset_at(utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_zones_in_the_platform_database() {
        let berlin = Zone::named("Europe/Berlin").expect("zone");
        assert_eq!(berlin.name(), "Europe/Berlin");
        let winter = NaiveDate::from_ymd_opt(2026, 1, 10)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("date");
        assert_eq!(
            berlin
                .offset_from_utc_datetime(&winter)
                .fix()
                .local_minus_utc(),
            3600
        );
        let summer = "2026-07-01T12:00:00Z".parse().expect("utc");
        assert_eq!(berlin.abbreviation(summer), "CEST");
        assert!(Zone::named("Mars/Olympus").is_none());
        assert!(Zone::named("").is_none());
        assert!(Zone::named("../../etc/passwd").is_none());
        assert!(Zone::named("/etc/localtime").is_none());
    }

    #[test]
    fn years_beyond_the_database_do_not_panic() {
        let zone = Zone::named("America/New_York").expect("zone");
        let far = NaiveDate::from_ymd_opt(200_000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("date");
        let _ = zone.from_local_datetime(&far);
        let _ = zone.offset_from_utc_datetime(&far);
    }
}
