//! Request rate limits: a token bucket per device (after its signature is checked) and per
//! address for the calls a device makes before it is known (a new team, an enrolment).
//! Kept in memory: each relay process limits what reaches it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

/// How many requests a key may make: `burst` at once, then `per_sec` a second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_sec: f64,
    pub burst: f64,
}

#[derive(Debug)]
pub struct RateLimiter<K> {
    rate: Rate,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

/// Past this many keys, buckets that have filled up again are forgotten.
const MAX_KEYS: usize = 100_000;

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one request's token; `Err(seconds)` to wait when there is none.
    pub fn take(&self, key: &K) -> Result<(), u64> {
        self.take_at(key, Instant::now())
    }

    fn take_at(&self, key: &K, now: Instant) -> Result<(), u64> {
        let rate = self.rate;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_KEYS {
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate.per_sec < rate.burst
            });
        }
        let (tokens, at) = buckets.entry(key.clone()).or_insert((rate.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate.per_sec).min(rate.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - *tokens) / rate.per_sec.max(f64::MIN_POSITIVE);
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_then_a_steady_rate() {
        let limiter = RateLimiter::new(Rate {
            per_sec: 2.0,
            burst: 3.0,
        });
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take_at(&"a", start), Ok(()));
        }
        assert_eq!(limiter.take_at(&"a", start), Err(1));
        // Another key has its own bucket.
        assert_eq!(limiter.take_at(&"b", start), Ok(()));
        // Half a second later, one more token.
        let later = start + Duration::from_millis(500);
        assert_eq!(limiter.take_at(&"a", later), Ok(()));
        assert!(limiter.take_at(&"a", later).is_err());
    }
}
