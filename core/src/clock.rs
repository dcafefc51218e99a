//! The device's clock, and when not to trust it.
//!
//! A phone whose battery ran flat can boot believing it is 1970, and a clock set by hand can
//! be centuries off. Every time the core stamps on a write (when a medication entered the
//! record, when an alert was acknowledged, a deletion) comes from [`now`], which refuses a
//! clock outside 2000-2199 with [`ValidationError::UntrustedClock`] instead of storing a wrong
//! time or panicking (chrono's `Utc::now` panics before 1970).

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, Utc};

use crate::model::ValidationError;

/// The first year a clock is believed in.
const FIRST_YEAR: i32 = 2000;
/// The first year a clock is no longer believed in.
const END_YEAR: i32 = 2200;

/// Now, by the device's clock; refused when the clock reads a year before 2000 or from 2200 on.
pub fn now() -> Result<DateTime<Utc>, ValidationError> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| ValidationError::UntrustedClock)?;
    let secs = i64::try_from(since_epoch.as_secs()).map_err(|_| ValidationError::UntrustedClock)?;
    let now = DateTime::from_timestamp(secs, since_epoch.subsec_nanos())
        .ok_or(ValidationError::UntrustedClock)?;
    if (FIRST_YEAR..END_YEAR).contains(&now.year()) {
        Ok(now)
    } else {
        Err(ValidationError::UntrustedClock)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_clock_of_this_machine_is_trusted() {
        assert!(super::now().is_ok());
    }
}
