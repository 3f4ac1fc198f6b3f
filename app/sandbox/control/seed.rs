//! `POST /_sandbox/shops/{shop}/seed`: bulk history, silent by default (the app backfills it).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::common::shop_mut;
use crate::sandbox::errors::{ControlError, parse_body};
use crate::sandbox::state::SharedState;
use crate::sandbox::store::Customer;
use crate::sandbox::store::Product;
use crate::sandbox::store::seed::{SeedCounts, generate};
use crate::sandbox::webhooks::{emit, payloads};

const MAX_RECORDS: usize = 100_000;

#[derive(Deserialize)]
struct SeedInput {
    #[serde(default)]
    customers: usize,
    #[serde(default)]
    products: usize,
    #[serde(default)]
    orders: usize,
    #[serde(default)]
    deliver: bool,
    seed: Option<u64>,
    /// Days of history to spread records over.
    #[serde(default = "default_days")]
    days: i64,
}

fn default_days() -> i64 {
    90
}

pub async fn seed(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ControlError> {
    let input: SeedInput = parse_body(&body)?;
    if input.customers + input.products + input.orders > MAX_RECORDS {
        return Err(ControlError::Invalid(format!(
            "at most {MAX_RECORDS} records per seed"
        )));
    }
    if !(1..=3650).contains(&input.days) {
        return Err(ControlError::Invalid(
            "days must be between 1 and 3650".into(),
        ));
    }
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    if input.orders > 0 && input.products == 0 && s.products.is_empty() {
        return Err(ControlError::Invalid(
            "orders need products: seed some products too".into(),
        ));
    }
    let existing_customers: Vec<Customer> = s.customers.values().cloned().collect();
    let existing_products: Vec<Product> = s.products.values().cloned().collect();
    let counts = SeedCounts {
        customers: input.customers,
        products: input.products,
        orders: input.orders,
        days: input.days,
    };
    let seeded = generate(
        &counts,
        input.seed.unwrap_or(42),
        time::OffsetDateTime::now_utc(),
        s.orders_placed + 1,
        &existing_customers,
        &existing_products,
        || state.next_id(),
    );
    s.orders_placed += seeded.orders.len() as u64;
    let refunds: usize = seeded.orders.iter().map(|o| o.refunds.len()).sum();
    let summary = json!({
        "customers": seeded.customers.len(),
        "products": seeded.products.len(),
        "orders": seeded.orders.len(),
        "refunds": refunds,
        "delivered": input.deliver,
    });
    let mut actions: Vec<(&str, Value)> = Vec::new();
    for c in seeded.customers {
        if input.deliver {
            actions.push(("customers/create", payloads::customer(s, &c)));
        }
        s.customers.insert(c.id, c);
    }
    for p in seeded.products {
        if input.deliver {
            actions.push(("products/create", payloads::product(&p)));
        }
        s.products.insert(p.id, p);
    }
    for o in seeded.orders {
        s.orders.insert(o.id, o);
    }
    if input.deliver {
        let order_ids: Vec<u64> = s.orders.keys().copied().rev().take(input.orders).collect();
        for id in order_ids.into_iter().rev() {
            if let Some(o) = s.orders.get(&id) {
                let body = payloads::order(s, o);
                actions.push(("orders/create", body.clone()));
                actions.push(("orders/paid", body));
            }
        }
        // Each seeded record is its own merchant action: one event id per record (orders: create + paid).
        let mut pending = actions.into_iter().peekable();
        while let Some((topic, body)) = pending.next() {
            let mut batch = vec![(topic, body)];
            if topic == "orders/create"
                && let Some(next) = pending.next_if(|(t, _)| *t == "orders/paid")
            {
                batch.push(next);
            }
            emit(&state, s, batch);
        }
    }
    Ok((StatusCode::CREATED, Json(summary)))
}
