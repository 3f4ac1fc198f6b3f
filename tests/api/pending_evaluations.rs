//! Changed people wait in `pending_evaluations` until a worker evaluates them in batches: a
//! batch reaches the memberships a full re-evaluation finds, a crash before or during it loses
//! nobody, and a batch that cannot be evaluated is parked with its reason and replays.

use serde_json::json;

use crate::helpers::TestApp;
use segops::jobs::{ProcessDelivery, queue};
use segops::segments::Rule;
use segops::segments_store::{self, NewSegment, PushMode};
use segops::store::dialect;

const SHOP: &str = "pending-evaluations.myshopify.com";

crate::on_both_stores!(
    one_batch_evaluates_many_changes_and_reaches_what_a_full_re_evaluation_finds,
    people_marked_before_a_crash_are_evaluated_after_the_restart,
    a_batch_that_cannot_be_evaluated_is_parked_with_its_reason_and_replays_once_fixed,
);

/// The shop, installed, with its storefront key.
async fn installed(app: &TestApp) -> (String, String) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    app.sandbox_idle().await;
    app.drain().await;
    let shop_id = app.shop_id(SHOP).await;
    let key: String = sqlx::query_scalar("SELECT storefront_key FROM pixels WHERE shop_id = $1")
        .bind(&shop_id)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    (shop_id, key)
}

async fn segment(app: &TestApp, shop_id: &str, name: &str, rule: &str) -> String {
    let segment = segments_store::create(
        &app.state.db,
        shop_id,
        &NewSegment {
            name: name.into(),
            rule: Rule::parse_text(rule).unwrap(),
            push_mode: PushMode::None,
        },
    )
    .await
    .unwrap();
    segment.id
}

/// One pixel request from `visitor` with events of these names.
async fn visit(app: &TestApp, key: &str, visitor: &str, names: &[&str]) {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let batch: Vec<_> = names
        .iter()
        .map(|name| {
            json!({
                "id": format!("ev-{}", uuid::Uuid::new_v4()),
                "name": name,
                "timestamp": now,
                "client_id": visitor,
                "context": {"url": format!("https://{SHOP}/products/tent"), "title": "Tent"},
                "data": {},
                "consent": {"analytics": true, "marketing": true, "preferences": true, "sale_of_data": true},
            })
        })
        .collect();
    let response = app
        .http
        .post(format!("{}/pixel/v1/events", app.app_url))
        .header("Content-Type", "text/plain;charset=UTF-8")
        .body(json!({ "key": key, "batch": batch }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// Processes every stored delivery as a worker would, but evaluates nobody: the changes wait
/// in `pending_evaluations`, as they do while workers are busy.
async fn process_deliveries_only(app: &TestApp) {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM webhook_deliveries WHERE status = 'queued' ORDER BY id")
            .fetch_all(app.db().pool())
            .await
            .unwrap();
    for delivery_id in ids {
        ProcessDelivery { delivery_id }
            .run(&app.state)
            .await
            .unwrap();
    }
}

async fn members(app: &TestApp, segment_id: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT person_id FROM memberships WHERE segment_id = $1 AND member = 1 ORDER BY person_id",
    )
    .bind(segment_id)
    .fetch_all(app.db().pool())
    .await
    .unwrap()
}

async fn pending(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM pending_evaluations").await
}

async fn one_batch_evaluates_many_changes_and_reaches_what_a_full_re_evaluation_finds(
    app: TestApp,
) {
    let (shop_id, key) = installed(&app).await;
    let carted = segment(
        &app,
        &shop_id,
        "Carted",
        "did add_to_cart >= 1 time in last 7 days",
    )
    .await;
    let browsers = segment(&app, &shop_id, "Browsers", "product_views >= 2").await;
    let visitors = segment(&app, &shop_id, "Visitors", "sessions >= 1").await;
    app.drain().await;

    // Several requests per visitor, so one person has several pending changes.
    visit(&app, &key, "v1", &["product_added_to_cart"]).await;
    visit(&app, &key, "v1", &["product_viewed"]).await;
    visit(&app, &key, "v1", &["product_viewed"]).await;
    visit(&app, &key, "v2", &["product_viewed"]).await;
    visit(&app, &key, "v2", &["product_added_to_cart"]).await;
    visit(&app, &key, "v3", &["page_viewed"]).await;
    process_deliveries_only(&app).await;
    assert_eq!(
        pending(&app).await,
        6,
        "one mark per changed person per delivery"
    );
    assert!(members(&app, &carted).await.is_empty());

    let report = app.drain().await;
    assert_eq!(
        report.done, 1,
        "one batch evaluates every waiting change: {report:?}"
    );
    assert_eq!(pending(&app).await, 0);
    assert_eq!(
        members(&app, &carted).await,
        ["anonymous:v1", "anonymous:v2"]
    );
    assert_eq!(members(&app, &browsers).await, ["anonymous:v1"]);
    assert_eq!(
        members(&app, &visitors).await,
        ["anonymous:v1", "anonymous:v2", "anonymous:v3"]
    );
    // Evaluating every profile against every segment from scratch moves nobody.
    for segment_id in [&carted, &browsers, &visitors] {
        let full = segments_store::reevaluate_segment(&app.state.db, &shop_id, segment_id)
            .await
            .unwrap();
        assert_eq!((full.entered, full.left), (0, 0), "segment {segment_id}");
    }
}

async fn people_marked_before_a_crash_are_evaluated_after_the_restart(app: TestApp) {
    let (shop_id, key) = installed(&app).await;
    let carted = segment(
        &app,
        &shop_id,
        "Carted",
        "did add_to_cart >= 1 time in last 7 days",
    )
    .await;
    app.drain().await;
    visit(&app, &key, "early", &["product_added_to_cart"]).await;
    visit(&app, &key, "late", &["product_added_to_cart"]).await;
    process_deliveries_only(&app).await;
    assert_eq!(pending(&app).await, 2);

    // A worker takes the batch in its transaction and dies before committing: its connection
    // goes away, and so does everything it did.
    let mut worker = segops::store::Db::connect(&app.state.config.database_url)
        .await
        .unwrap()
        .pool()
        .acquire()
        .await
        .unwrap()
        .detach();
    sqlx::query(dialect::begin_write(app.state.db.backend()))
        .execute(&mut worker)
        .await
        .unwrap();
    let taken: Vec<i64> = sqlx::query_scalar("DELETE FROM pending_evaluations RETURNING id")
        .fetch_all(&mut worker)
        .await
        .unwrap();
    assert_eq!(taken.len(), 2);
    drop(worker);

    // The process ends too: nothing but the database carries over.
    let app = app.restart().await;
    assert_eq!(
        pending(&app).await,
        2,
        "the dead worker's claim took nothing"
    );
    assert!(members(&app, &carted).await.is_empty());
    let report = app.drain().await;
    assert_eq!(report.parked, 0, "{report:?}");
    assert_eq!(pending(&app).await, 0);
    assert_eq!(
        members(&app, &carted).await,
        ["anonymous:early", "anonymous:late"]
    );
}

async fn a_batch_that_cannot_be_evaluated_is_parked_with_its_reason_and_replays_once_fixed(
    app: TestApp,
) {
    let (shop_id, key) = installed(&app).await;
    let carted = segment(
        &app,
        &shop_id,
        "Carted",
        "did add_to_cart >= 1 time in last 7 days",
    )
    .await;
    app.drain().await;
    let stored: String = sqlx::query_scalar("SELECT rule FROM segments WHERE id = $1")
        .bind(&carted)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    // A stored rule this release cannot read: retrying cannot help.
    sqlx::query("UPDATE segments SET rule = $1 WHERE id = $2")
        .bind(r#"{"no_such_node": true}"#)
        .bind(&carted)
        .execute(app.db().pool())
        .await
        .unwrap();
    visit(&app, &key, "shopper", &["product_added_to_cart"]).await;

    let report = app.drain().await;
    assert_eq!(report.parked, 1, "{report:?}");
    assert_eq!(pending(&app).await, 0, "the batch moved to the jobs table");
    let parked = queue::parked(&app.state.db, &shop_id).await.unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].kind, "evaluate_membership");
    assert!(parked[0].last_error.is_some());
    let payload: serde_json::Value = serde_json::from_str(&parked[0].payload).unwrap();
    assert_eq!(payload["person_ids"], json!(["anonymous:shopper"]));

    sqlx::query("UPDATE segments SET rule = $1 WHERE id = $2")
        .bind(&stored)
        .bind(&carted)
        .execute(app.db().pool())
        .await
        .unwrap();
    assert!(
        queue::replay(&app.state.db, &shop_id, parked[0].id)
            .await
            .unwrap()
    );
    let report = app.drain().await;
    assert_eq!((report.done, report.parked), (1, 0), "{report:?}");
    assert_eq!(members(&app, &carted).await, ["anonymous:shopper"]);
}
