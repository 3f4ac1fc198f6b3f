//! The install backfill end to end: a sandbox store's history read through bulk operations,
//! fed into the webhook pipeline, shown in the admin, and resumed after a restart.

mod equivalence;
mod overlap;
mod progress;
mod restart;
mod wake;

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Declares each test on both stores with the app's configuration adjusted by `$tweak`.
#[macro_export]
macro_rules! on_both_stores_with {
    ($tweak:ident; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_app_with($crate::helpers::Store::Sqlite, super::$tweak).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_app_with($crate::helpers::Store::Postgres, super::$tweak).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

/// Polls bulk operations often, so tests spend little time waiting on Shopify's side.
pub fn quick_polls(config: &mut segops::config::Config) {
    config.backfill.poll = Duration::from_millis(50);
}

/// Seeds history in the sandbox: deterministic for a given `seed`; `deliver` sends webhooks.
pub async fn seed(
    app: &TestApp,
    shop: &str,
    customers: usize,
    orders: usize,
    days: i64,
    deliver: bool,
) {
    let body = app
        .sandbox_post(
            &format!("/shops/{shop}/seed"),
            json!({ "customers": customers, "products": 12, "orders": orders, "days": days,
                    "deliver": deliver, "seed": 7 }),
        )
        .await;
    assert_eq!(body["orders"], json!(orders), "{body}");
}

/// `GET /admin/api/backfill` as the shop's embedded admin.
pub async fn progress(app: &TestApp, shop: &str) -> Value {
    let response = app
        .http
        .get(format!("{}/admin/api/backfill", app.app_url))
        .bearer_auth(app.session_token(shop).await)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

pub async fn phase(app: &TestApp, shop: &str) -> Option<String> {
    sqlx::query_scalar::<_, String>(
        "SELECT phase FROM backfills WHERE shop_id = (SELECT id FROM shops WHERE domain = $1)",
    )
    .bind(shop)
    .fetch_optional(app.db().pool())
    .await
    .unwrap()
}

/// Runs jobs (as workers would) until the shop's backfill is done, within a deadline; every
/// webhook the sandbox sends meanwhile is processed too.
pub async fn finish_backfill(app: &TestApp, shop: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    loop {
        let report = app.drain().await;
        assert_eq!(report.parked, 0, "{report:?}");
        match phase(app, shop).await.as_deref() {
            Some("done") => break,
            Some("failed") => panic!("backfill failed: {}", progress(app, shop).await),
            _ => {}
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "backfill of {shop} not done in time: {}",
            progress(app, shop).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.sandbox_idle().await;
    app.drain().await;
}

/// Processes webhooks as they arrive until the sandbox has delivered them all: a seeded
/// history with delivery is thousands of webhooks, more than `sandbox_idle`'s deadline allows.
pub async fn deliver_everything(app: &TestApp) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(400);
    let url = format!("{}/_sandbox/deliveries/idle", app.sandbox_url);
    loop {
        let report = app.drain().await;
        assert_eq!(report.parked, 0, "{report:?}");
        let body: Value = app
            .http
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if body["pending"] == json!(0) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the sandbox still has {} deliveries to make",
            body["pending"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.drain().await;
}

/// One profile's traits that both sources must agree on.
#[derive(Debug, Clone, PartialEq)]
pub struct Traits {
    pub order_count: i64,
    pub lifetime_value: String,
    pub state: Option<String>,
    pub tags: String,
    pub email_consent: Option<String>,
    pub sms_consent: Option<String>,
    pub verified_email: Option<i64>,
}

type TraitRow = (
    String,
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// Every customer profile of the shop, in the order Shopify created the customers.
pub async fn traits_by_customer(app: &TestApp, shop: &str) -> Vec<(u64, Traits)> {
    let rows: Vec<TraitRow> = sqlx::query_as(
        "SELECT customer_id, order_count, lifetime_value, state, tags, email_consent, sms_consent, verified_email \
         FROM profiles WHERE shop_id = (SELECT id FROM shops WHERE domain = $1) AND customer_id IS NOT NULL",
    )
    .bind(shop)
    .fetch_all(app.db().pool())
    .await
    .unwrap();
    let mut out: Vec<(u64, Traits)> = rows
        .into_iter()
        .map(|r| {
            (
                r.0.parse().unwrap(),
                Traits {
                    order_count: r.1,
                    lifetime_value: r.2,
                    state: r.3,
                    tags: r.4,
                    email_consent: r.5,
                    sms_consent: r.6,
                    verified_email: r.7,
                },
            )
        })
        .collect();
    out.sort_by_key(|(id, _)| *id);
    out
}

/// Orders that have more than one purchase event (must be none).
pub async fn doubly_counted_orders(app: &TestApp, shop: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM (SELECT order_id FROM events WHERE shop_id = (SELECT id FROM shops WHERE domain = $1) \
         AND kind = 'purchase' GROUP BY order_id HAVING COUNT(*) > 1) AS twice",
    )
    .bind(shop)
    .fetch_one(app.db().pool())
    .await
    .unwrap()
}

pub async fn shop_count(app: &TestApp, shop: &str, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(shop)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}
