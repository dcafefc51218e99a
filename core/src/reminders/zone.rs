//! Wall-clock times in a time zone, with the daylight-saving rules the reminders follow
//! (docs/reminders.md): a local time that does not exist (spring forward) happens at the first
//! valid instant after it; a local time that happens twice (fall back) happens once, the first
//! time; a calendar day the zone skipped entirely (Samoa, 30 December 2011) has no times at all.

use crate::zone::Zone;
use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The local wall-clock time of `at` in `tz`.
pub fn local(tz: &Zone, at: DateTime<Utc>) -> NaiveDateTime {
    tz.wall_clock(&at.naive_utc())
}

/// The instant at which the wall clock in `tz` shows `local`, by the rules above.
pub fn resolve(tz: &Zone, local_time: NaiveDateTime) -> DateTime<Utc> {
    let instant = |offset: FixedOffset| {
        local_time
            .checked_sub_offset(offset)
            .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
    };
    match tz.offsets_of_local(&local_time) {
        LocalResult::Single(o) => instant(o),
        LocalResult::Ambiguous(a, b) => instant(a).min(instant(b)),
        LocalResult::None => gap_end(tz, local_time),
    }
}

/// The first instant whose wall-clock time is at or after `local_time`: the end of the gap that
/// hides it. Offsets lie within ±15 hours of UTC, so the instant lies within ±15 hours of
/// `local_time` read as UTC; inside that window the wall clock only moves forward (transitions
/// are months apart), so a binary search over it finds the gap's end to the second.
fn gap_end(tz: &Zone, local_time: NaiveDateTime) -> DateTime<Utc> {
    let shows_at_least = |secs: i64| {
        let u = DateTime::from_timestamp(secs, 0).unwrap_or_default();
        tz.wall_clock(&u.naive_utc()) >= local_time
    };
    let as_utc = local_time.and_utc().timestamp();
    let (mut lo, mut hi) = (as_utc - 15 * 3600, as_utc + 15 * 3600);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if shows_at_least(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).unwrap_or_default()
}

/// Whether the calendar day `date` happened at all in `tz`.
pub fn day_exists(tz: &Zone, date: NaiveDate) -> bool {
    let midnight = date.and_time(NaiveTime::MIN);
    local(tz, resolve(tz, midnight)).date() == date
}

/// Where the patient was, for [`super::OccurrenceContext::zones`]: the home zone until the first
/// recorded change, each recorded change from its time on, and the device's zone from `now`
/// when it differs from the last one (a phone that has not recorded its move yet).
pub fn timeline(
    profile: &crate::model::Profile,
    changes: &[crate::model::ZoneChange],
    device: &Zone,
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, Zone)> {
    let home = Zone::named(&profile.home_time_zone).unwrap_or_else(|| device.clone());
    let mut out = vec![(DateTime::<Utc>::MIN_UTC, home)];
    let mut changes: Vec<&crate::model::ZoneChange> = changes.iter().collect();
    crate::sorting::sort_by(&mut changes, |a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    for c in changes {
        if let Some(z) = Zone::named(&c.zone) {
            out.push((c.at.to_utc(), z));
        }
    }
    if out
        .last()
        .is_some_and(|(at, z)| z.name() != device.name() && *at <= now)
    {
        out.push((now, device.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn spring_forward_moves_to_the_end_of_the_gap() {
        let ny: Zone = "America/New_York".parse().expect("zone");
        // 2026-03-08 02:00 EST -> 03:00 EDT.
        let at = resolve(&ny, t("2026-03-08 02:30"));
        assert_eq!(
            at,
            "2026-03-08T07:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("utc")
        );
        let lh: Zone = "Australia/Lord_Howe".parse().expect("zone");
        // 2026-10-04 02:00 +10:30 -> 02:30 +11:00.
        let at = resolve(&lh, t("2026-10-04 02:15"));
        assert_eq!(local(&lh, at), t("2026-10-04 02:30"));
    }

    #[test]
    fn fall_back_takes_the_first_of_the_two() {
        let berlin: Zone = "Europe/Berlin".parse().expect("zone");
        // 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice; the first is 00:30 UTC.
        let at = resolve(&berlin, t("2026-10-25 02:30"));
        assert_eq!(
            at,
            "2026-10-25T00:30:00Z"
                .parse::<DateTime<Utc>>()
                .expect("utc")
        );
    }

    #[test]
    fn samoa_skipped_the_30th_of_december_2011() {
        let apia: Zone = "Pacific/Apia".parse().expect("zone");
        let d = |day| NaiveDate::from_ymd_opt(2011, 12, day).expect("date");
        assert!(day_exists(&apia, d(29)));
        assert!(!day_exists(&apia, d(30)));
        assert!(day_exists(&apia, d(31)));
        let sp: Zone = "America/Sao_Paulo".parse().expect("zone");
        // DST began at midnight on 2018-11-04: the day existed from 01:00.
        assert!(day_exists(
            &sp,
            NaiveDate::from_ymd_opt(2018, 11, 4).expect("date")
        ));
    }
}
