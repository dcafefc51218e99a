//! The limits of an as-needed medication (at most N a day, at least M minutes apart), judged
//! on the doses already taken: a pure rule the record applies inside the write that logs a
//! dose, so two devices logging at once see each other's doses.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Utc};

use crate::error::DoseLimit;
use crate::model::AsNeededLimits;

/// The span whose taken doses [`check_as_needed`] reads for a dose taken at `at`: the local
/// day of `at` (in its own offset) and the minimum interval around it.
pub fn as_needed_span(
    limits: &AsNeededLimits,
    at: DateTime<FixedOffset>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let day_start = at
        .date_naive()
        .and_time(NaiveTime::MIN)
        .and_local_timezone(*at.offset())
        .single()
        .map_or(at.to_utc(), |t| t.to_utc());
    let gap = Duration::minutes(i64::from(limits.min_interval_minutes));
    (
        (at.to_utc() - gap).min(day_start),
        (at.to_utc() + gap).max(day_start + Duration::days(1)),
    )
}

/// Whether a dose taken at `at` stays within `limits`, given the times of the doses already
/// taken around it (those of [`as_needed_span`]): no more than the daily maximum on its local
/// day, none closer than the minimum interval.
pub fn check_as_needed(
    limits: &AsNeededLimits,
    at: DateTime<FixedOffset>,
    taken: &[DateTime<FixedOffset>],
) -> Result<(), DoseLimit> {
    let offset = *at.offset();
    let same_day = taken
        .iter()
        .filter(|t| t.with_timezone(&offset).date_naive() == at.date_naive())
        .count();
    if same_day >= limits.max_per_day as usize {
        return Err(DoseLimit::DailyMaximum {
            max: limits.max_per_day,
        });
    }
    let gap = Duration::minutes(i64::from(limits.min_interval_minutes));
    if taken.iter().any(|t| (*t - at).abs() < gap) {
        return Err(DoseLimit::MinimumInterval {
            minutes: limits.min_interval_minutes,
        });
    }
    Ok(())
}

/// The earliest time from `at` on at which a dose would stay within `limits`, given the doses
/// already taken (those of [`as_needed_span`] around it and after): one minimum interval after
/// a dose too close, or the start of the next local day when the day is full.
pub fn next_allowed(
    limits: &AsNeededLimits,
    at: DateTime<FixedOffset>,
    taken: &[DateTime<FixedOffset>],
) -> DateTime<FixedOffset> {
    let gap = Duration::minutes(i64::from(limits.min_interval_minutes));
    let mut candidates: Vec<DateTime<FixedOffset>> = vec![at];
    candidates.extend(taken.iter().map(|t| *t + gap).filter(|t| *t > at));
    let mut day = at;
    for _ in 0..3 {
        let next_day = day.date_naive().succ_opt().and_then(|d| {
            d.and_time(NaiveTime::MIN)
                .and_local_timezone(*at.offset())
                .single()
        });
        let Some(next_day) = next_day else { break };
        candidates.push(next_day);
        candidates.extend(taken.iter().map(|t| *t + gap).filter(|t| *t > next_day));
        day = next_day;
    }
    crate::sorting::sort(&mut candidates);
    candidates
        .into_iter()
        .find(|t| check_as_needed(limits, *t, taken).is_ok())
        .unwrap_or(at + Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    #[test]
    fn the_next_allowed_time_follows_the_interval_and_the_day() {
        let limits = AsNeededLimits {
            max_per_day: 2,
            min_interval_minutes: 360,
        };
        let first = at("2026-11-20T06:00:00+01:00");
        assert_eq!(
            next_allowed(&limits, at("2026-11-20T08:00:00+01:00"), &[first]),
            at("2026-11-20T12:00:00+01:00")
        );
        let second = at("2026-11-20T12:00:00+01:00");
        assert_eq!(
            next_allowed(&limits, at("2026-11-20T13:00:00+01:00"), &[first, second]),
            at("2026-11-21T00:00:00+01:00")
        );
    }

    #[test]
    fn the_daily_maximum_and_the_interval_at_their_boundaries() {
        let limits = AsNeededLimits {
            max_per_day: 2,
            min_interval_minutes: 360,
        };
        let first = at("2026-11-20T06:00:00+01:00");
        // Exactly six hours later is allowed; a minute less is not.
        assert!(check_as_needed(&limits, at("2026-11-20T12:00:00+01:00"), &[first]).is_ok());
        assert_eq!(
            check_as_needed(&limits, at("2026-11-20T11:59:00+01:00"), &[first]),
            Err(DoseLimit::MinimumInterval { minutes: 360 })
        );
        // A third dose on the same local day is over the maximum; the next day is not.
        let second = at("2026-11-20T12:00:00+01:00");
        assert_eq!(
            check_as_needed(&limits, at("2026-11-20T23:00:00+01:00"), &[first, second]),
            Err(DoseLimit::DailyMaximum { max: 2 })
        );
        assert!(
            check_as_needed(&limits, at("2026-11-21T06:00:00+01:00"), &[first, second]).is_ok()
        );
    }
}
