//! Times as people type them on the command line, read in the record's home zone:
//!
//! | typed                         | means                                                        |
//! |-------------------------------|--------------------------------------------------------------|
//! | `now`                         | now                                                          |
//! | `20:00`                       | the most recent 20:00: today's, or yesterday's if still ahead |
//! | `today 20:00`, `yesterday 7:30`, `tomorrow 08:00` | that day, at that time              |
//! | `2026-11-23 08:05`, `2026-11-23T08:05` | that wall-clock time in the home zone               |
//! | `-2h`, `-90m`, `-1d`, `-1h30m`, `+15m`, `2h ago` | that long before (or after) now      |
//! | `2026-11-23T08:05:00+01:00`   | exactly that (RFC 3339; seconds may be left out)             |
//!
//! A wall-clock time the zone skipped (the hour clocks spring forward) is refused; one that
//! happens twice (fall back) is the first.

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Utc,
};
use companion_core::zone::Zone;

/// What to say when a time cannot be read.
const FORMS: &str = "expected a time like 20:00, \"yesterday 20:00\", -2h, \
                     \"2026-11-23 08:05\" or 2026-11-23T08:05:00+01:00 (RFC 3339)";

/// A time as typed, before it is read against the clock and the record's zone.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// `now`.
    Now,
    /// An instant with its offset.
    Exact(DateTime<FixedOffset>),
    /// A wall-clock time on a day.
    Local(Day, NaiveTime),
    /// Now plus this (negative: before now).
    Offset(Duration),
}

/// The day of a wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Day {
    /// The most recent day on which that time has come (today or yesterday).
    Latest,
    /// This many days from today (-1 yesterday, 0 today, 1 tomorrow).
    Relative(i64),
    /// That date.
    On(NaiveDate),
}

/// Reads a time as typed (clap's value parser for every time argument).
pub fn parse(text: &str) -> Result<When, String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if lower == "now" {
        return Ok(When::Now);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%:z"))
    {
        return Ok(When::Exact(at));
    }
    if let Some(offset) = offset(&lower) {
        return Ok(When::Offset(offset));
    }
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(When::Local(Day::On(local.date()), local.time()));
        }
    }
    let (day, time) = match lower.split_once(' ') {
        Some(("today", t)) => (Day::Relative(0), t),
        Some(("yesterday", t)) => (Day::Relative(-1), t),
        Some(("tomorrow", t)) => (Day::Relative(1), t),
        Some(_) => return Err(FORMS.into()),
        None => (Day::Latest, lower.as_str()),
    };
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| FORMS.to_string())?;
    Ok(When::Local(day, time))
}

/// `-2h`, `+15m`, `-1h30m`, `1d`, `2h ago`: a signed span of days, hours and minutes.
fn offset(text: &str) -> Option<Duration> {
    let (text, ago) = match text.strip_suffix("ago") {
        Some(rest) => (rest.trim_end(), true),
        None => (text, false),
    };
    let (sign, rest) = match text.as_bytes().first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ if ago => (1, text),
        _ => return None,
    };
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'd' | 'h' | 'm' if !number.is_empty() => {
                let n: i64 = number.parse().ok()?;
                let part = match c {
                    'd' => Duration::try_days(n)?,
                    'h' => Duration::try_hours(n)?,
                    _ => Duration::try_minutes(n)?,
                };
                total = total.checked_add(&part)?;
                number.clear();
                any = true;
            }
            _ => return None,
        }
    }
    if !any || !number.is_empty() {
        return None;
    }
    let sign = if ago { -sign } else { sign };
    Some(if sign < 0 { -total } else { total })
}

impl When {
    /// The instant this names at `now`, with the offset `zone` has then.
    pub fn resolve(
        &self,
        now: DateTime<Utc>,
        zone: &Zone,
    ) -> Result<DateTime<FixedOffset>, String> {
        let in_zone = |at: DateTime<Utc>| at.with_timezone(zone).fixed_offset();
        match *self {
            When::Now => Ok(in_zone(now)),
            When::Exact(at) => Ok(at),
            When::Offset(d) => now
                .checked_add_signed(d)
                .map(in_zone)
                .ok_or_else(|| "that time is out of range".to_string()),
            When::Local(day, time) => {
                let today = now.with_timezone(zone).date_naive();
                let date = match day {
                    Day::On(date) => date,
                    Day::Relative(n) => today + Duration::days(n),
                    Day::Latest => today,
                };
                let at = wall_clock(zone, date.and_time(time))?;
                // A bare time still ahead today means yesterday's (the dose taken last night).
                if day == Day::Latest && at.to_utc() > now + Duration::minutes(1) {
                    return wall_clock(zone, (date - Duration::days(1)).and_time(time));
                }
                Ok(at)
            }
        }
    }
}

/// `local` on the wall clock of `zone`: refused in a spring-forward gap, the first of two in a
/// fall-back hour.
fn wall_clock(zone: &Zone, local: NaiveDateTime) -> Result<DateTime<FixedOffset>, String> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(at.fixed_offset()),
        LocalResult::Ambiguous(first, _) => Ok(first.fixed_offset()),
        LocalResult::None => Err(format!(
            "{} does not exist in {} (the clocks moved forward)",
            local.format("%Y-%m-%d %H:%M"),
            zone.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("utc")
    }

    fn read(text: &str, now: &str) -> Result<String, String> {
        let zone = Zone::named("Europe/Berlin").expect("zone");
        Ok(parse(text)?.resolve(at(now), &zone)?.to_rfc3339())
    }

    #[test]
    fn times_as_people_type_them() {
        let now = "2026-11-23T12:00:00Z"; // 13:00 in Berlin
        assert_eq!(read("08:05", now), Ok("2026-11-23T08:05:00+01:00".into()));
        assert_eq!(
            read("20:00", now),
            Ok("2026-11-22T20:00:00+01:00".into()),
            "still ahead: yesterday's"
        );
        assert_eq!(
            read("today 20:00", now),
            Ok("2026-11-23T20:00:00+01:00".into())
        );
        assert_eq!(
            read("yesterday 20:00", now),
            Ok("2026-11-22T20:00:00+01:00".into())
        );
        assert_eq!(
            read("Tomorrow 07:30", now),
            Ok("2026-11-24T07:30:00+01:00".into())
        );
        assert_eq!(
            read("2026-11-20 07:30", now),
            Ok("2026-11-20T07:30:00+01:00".into())
        );
        assert_eq!(
            read("2026-07-20T07:30", now),
            Ok("2026-07-20T07:30:00+02:00".into())
        );
        assert_eq!(read("-2h", now), Ok("2026-11-23T11:00:00+01:00".into()));
        assert_eq!(read("-1h30m", now), Ok("2026-11-23T11:30:00+01:00".into()));
        assert_eq!(read("90m ago", now), Ok("2026-11-23T11:30:00+01:00".into()));
        assert_eq!(read("+15m", now), Ok("2026-11-23T13:15:00+01:00".into()));
        assert_eq!(read("-1d", now), Ok("2026-11-22T13:00:00+01:00".into()));
        assert_eq!(read("now", now), Ok("2026-11-23T13:00:00+01:00".into()));
        assert_eq!(
            read("2026-11-23T08:05:00-05:00", now),
            Ok("2026-11-23T08:05:00-05:00".into())
        );
        assert_eq!(
            read("2026-11-23T08:05+01:00", now),
            Ok("2026-11-23T08:05:00+01:00".into())
        );
    }

    #[test]
    fn what_is_not_a_time_is_refused() {
        let now = "2026-11-23T12:00:00Z";
        for bad in [
            "",
            "soon",
            "25:00",
            "yesterday",
            "last week 20:00",
            "-2",
            "-2x",
            "h",
            "--2h",
            "2h30",
        ] {
            assert!(read(bad, now).is_err(), "{bad:?}");
        }
        // 02:30 on 29 March 2026 did not happen in Berlin.
        let gap = read("2026-03-29 02:30", now).expect_err("gap");
        assert!(gap.contains("does not exist"), "{gap}");
        // 02:30 on 25 October 2026 happened twice: the first.
        assert_eq!(
            read("2026-10-25 02:30", now),
            Ok("2026-10-25T02:30:00+02:00".into())
        );
    }
}
