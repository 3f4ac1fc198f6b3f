//! A model of Shopify's leaky bucket per shop, fed by the `throttleStatus` every response
//! carries: bucket size and restore rate come from Shopify, never from constants here.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::shopify::ShopDomain;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: f64,
    pub restore_rate: f64,
}

#[derive(Default)]
pub struct Throttle {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    buckets: HashMap<ShopDomain, Bucket>,
    /// Last requested cost per operation, the estimate for its next call.
    costs: HashMap<&'static str, f64>,
}

struct Bucket {
    status: ThrottleStatus,
    at: Instant,
}

impl Throttle {
    /// Takes the operation's expected cost from the model and says how long to wait first so
    /// that the bucket holds enough; concurrent callers each reserve their share.
    pub fn reserve(&self, shop: &ShopDomain, operation: &'static str) -> Duration {
        let Ok(mut state) = self.state.lock() else {
            return Duration::ZERO;
        };
        let cost = state.costs.get(operation).copied().unwrap_or(0.0);
        let Some(bucket) = state.buckets.get_mut(shop) else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let status = &mut bucket.status;
        let refilled = status.restore_rate * now.duration_since(bucket.at).as_secs_f64();
        status.currently_available =
            (status.currently_available + refilled).min(status.maximum_available) - cost;
        bucket.at = now;
        if status.currently_available >= 0.0 || status.restore_rate <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-status.currently_available / status.restore_rate)
        }
    }

    pub fn observe(
        &self,
        shop: &ShopDomain,
        operation: &'static str,
        requested: Option<f64>,
        status: Option<ThrottleStatus>,
    ) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if let Some(cost) = requested {
            state.costs.insert(operation, cost);
        }
        if let Some(status) = status {
            state.buckets.insert(
                shop.clone(),
                Bucket {
                    status,
                    at: Instant::now(),
                },
            );
        }
    }

    /// After a THROTTLED answer: the time until the bucket holds the requested cost again.
    pub fn wait_for(requested: Option<f64>, status: Option<&ThrottleStatus>) -> Duration {
        match (requested, status) {
            (Some(requested), Some(status)) if status.restore_rate > 0.0 => {
                let deficit = (requested - status.currently_available).max(0.0);
                // A little over the exact figure so the retry lands after the refill, not on it.
                Duration::from_secs_f64(deficit / status.restore_rate + 0.05)
            }
            _ => Duration::from_secs(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> ShopDomain {
        ShopDomain::parse("a.myshopify.com").unwrap()
    }

    #[test]
    fn an_unknown_shop_is_not_delayed() {
        assert_eq!(Throttle::default().reserve(&shop(), "Op"), Duration::ZERO);
    }

    #[test]
    fn calls_are_paced_once_the_reported_bucket_runs_dry() {
        let throttle = Throttle::default();
        let status = ThrottleStatus {
            maximum_available: 100.0,
            currently_available: 15.0,
            restore_rate: 50.0,
        };
        throttle.observe(&shop(), "Op", Some(10.0), Some(status));
        assert_eq!(throttle.reserve(&shop(), "Op"), Duration::ZERO);
        let wait = throttle.reserve(&shop(), "Op");
        assert!(
            wait > Duration::from_millis(50) && wait < Duration::from_millis(200),
            "{wait:?}"
        );
    }

    #[test]
    fn the_wait_after_throttling_comes_from_the_response() {
        let status = ThrottleStatus {
            maximum_available: 1000.0,
            currently_available: 66.0,
            restore_rate: 50.0,
        };
        let wait = Throttle::wait_for(Some(70.0), Some(&status));
        assert!(
            wait >= Duration::from_millis(80) && wait <= Duration::from_millis(200),
            "{wait:?}"
        );
    }
}
