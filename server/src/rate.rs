//! How often one device may call the relay: a token bucket per device, refilled at the
//! configured rate. Kept in memory (a restart forgets it) and pruned, so a flood of device
//! ids cannot grow it without bound.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// The buckets of one relay process.
pub(crate) struct Rates {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// Beyond this many devices, buckets that are full again are dropped.
const PRUNE_AT: usize = 10_000;

impl Rates {
    /// `per_minute` requests per device, and as many as half a minute's worth (at least 10) at
    /// once.
    pub(crate) fn new(per_minute: u32) -> Self {
        let per_minute = f64::from(per_minute.max(1));
        Self {
            per_second: per_minute / 60.0,
            burst: (per_minute / 2.0).max(10.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `device` may make a request now (and counts it).
    pub(crate) fn allow(&self, device: &str) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() >= PRUNE_AT {
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, (tokens, at)| {
                *tokens + rate * now.duration_since(*at).as_secs_f64() < burst
            });
        }
        let (tokens, at) = buckets
            .entry(device.to_string())
            .or_insert((self.burst, now));
        *tokens =
            (*tokens + self.per_second * now.duration_since(*at).as_secs_f64()).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_gets_its_burst_then_waits_and_others_are_not_affected() {
        let rates = Rates::new(60);
        let allowed = (0..100).filter(|_| rates.allow("a")).count();
        assert_eq!(allowed, 30, "half a minute's worth at once");
        assert!(!rates.allow("a"));
        assert!(rates.allow("b"), "another device has its own bucket");
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert!(rates.allow("a"), "one more a second later");
    }
}
