//! A token bucket per storefront key, counted in events: a flood from one storefront (or
//! anyone holding its public key) is answered with 429 and `Retry-After` before any work.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `per_sec` events a second per key, with bursts of twice that.
    pub fn new(per_sec: u32) -> RateLimiter {
        let per_sec = f64::from(per_sec.max(1));
        RateLimiter {
            per_sec,
            burst: per_sec * 2.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes `events` tokens from `key`'s bucket, or says how many seconds until it could.
    pub fn take(&self, key: &str, events: usize) -> Result<(), u64> {
        self.take_at(key, events, Instant::now())
    }

    fn take_at(&self, key: &str, events: usize, now: Instant) -> Result<(), u64> {
        let wanted = events as f64;
        let Ok(mut buckets) = self.buckets.lock() else {
            // A poisoned lock only means another request panicked mid-update; admit.
            return Ok(());
        };
        if buckets.len() > 100_000 {
            // Idle keys refill to full anyway; forgetting them bounds the memory.
            buckets
                .retain(|_, b| now.duration_since(b.at).as_secs_f64() * self.per_sec < self.burst);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * self.per_sec;
        bucket.tokens = (bucket.tokens + refill).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= wanted {
            bucket.tokens -= wanted;
            Ok(())
        } else {
            let missing = (wanted - bucket.tokens).min(self.burst);
            Err((missing / self.per_sec).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_is_admitted_then_refused_until_the_bucket_refills() {
        let limiter = RateLimiter::new(10);
        let start = Instant::now();
        assert_eq!(limiter.take_at("k", 20, start), Ok(()));
        assert_eq!(limiter.take_at("k", 5, start), Err(1));
        assert_eq!(
            limiter.take_at("k", 5, start + Duration::from_millis(500)),
            Ok(())
        );
    }

    #[test]
    fn keys_have_their_own_buckets() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        assert_eq!(limiter.take_at("a", 2, now), Ok(()));
        assert!(limiter.take_at("a", 1, now).is_err());
        assert_eq!(limiter.take_at("b", 2, now), Ok(()));
    }

    #[test]
    fn retry_after_covers_the_missing_tokens() {
        let limiter = RateLimiter::new(2);
        let now = Instant::now();
        assert_eq!(limiter.take_at("k", 4, now), Ok(()));
        assert_eq!(limiter.take_at("k", 4, now), Err(2));
    }
}
