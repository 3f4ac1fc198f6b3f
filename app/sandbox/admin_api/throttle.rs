//! The per-shop leaky bucket behind `extensions.cost.throttleStatus`.

use std::time::Instant;

use serde_json::{Value, json};

use crate::sandbox::state::Shop;

fn refill(shop: &mut Shop) {
    let now = Instant::now();
    let elapsed = now.duration_since(shop.bucket.updated).as_secs_f64();
    shop.bucket.available = (shop.bucket.available + elapsed * shop.throttle.restore_rate)
        .min(shop.throttle.maximum_available);
    shop.bucket.updated = now;
}

/// Takes `cost` points if the bucket holds them; otherwise leaves it and reports the shortfall.
pub fn take(shop: &mut Shop, cost: u64) -> Result<(), ()> {
    refill(shop);
    if cost as f64 > shop.bucket.available {
        return Err(());
    }
    shop.bucket.available -= cost as f64;
    Ok(())
}

/// Gives back what a query did not use (requested − actual).
pub fn refund(shop: &mut Shop, points: u64) {
    refill(shop);
    shop.bucket.available =
        (shop.bucket.available + points as f64).min(shop.throttle.maximum_available);
}

/// Seconds until `cost` points are available (for `Retry-After`).
pub fn wait_seconds(shop: &Shop, cost: u64) -> u64 {
    let missing = (cost as f64 - shop.bucket.available).max(0.0);
    (missing / shop.throttle.restore_rate.max(0.001)).ceil() as u64
}

/// Whole numbers render as integers, as the 2026 captures show them (`2000`, `100`).
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

pub fn throttle_status(shop: &Shop) -> Value {
    json!({
        "maximumAvailable": number(shop.throttle.maximum_available),
        "currentlyAvailable": shop.bucket.available.floor() as i64,
        "restoreRate": number(shop.throttle.restore_rate),
    })
}
