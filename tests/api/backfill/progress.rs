//! What the merchant sees: progress from 0 to 100% in the JSON and on the dashboard, a failure
//! with its reason, and the suggested first segment created once however often it is accepted.

use serde_json::{Value, json};

use super::{finish_backfill, phase, progress, quick_polls, seed};
use crate::helpers::TestApp;

const SHOP: &str = "progress-co.myshopify.com";
const BROKEN: &str = "broken-co.myshopify.com";

crate::on_both_stores_with!(quick_polls;
    progress_goes_from_zero_to_done_and_the_suggestion_is_created_once,
    a_failed_export_is_shown_with_its_reason,
);

async fn accept(app: &TestApp, shop: &str) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}/admin/api/segments/suggested", app.app_url))
        .bearer_auth(app.session_token(shop).await)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn progress_goes_from_zero_to_done_and_the_suggestion_is_created_once(app: TestApp) {
    app.create_shop(SHOP).await;
    seed(&app, SHOP, 80, 400, 60, false).await;
    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/pause"), json!({}))
        .await;
    let home = app.install(SHOP).await;
    assert!(home.contains("History import"), "{home}");
    assert!(home.contains("data-testid=\"backfill-progress\""));
    let start = progress(&app, SHOP).await;
    assert_eq!(start["phase"], "orders", "{start}");
    assert_eq!(start["percent"], 0);
    assert!(start["suggestion"].is_null());
    let (status, _) = accept(&app, SHOP).await;
    assert_eq!(status, 404, "no suggestion before the import is done");

    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/resume"), json!({}))
        .await;
    finish_backfill(&app, SHOP).await;
    let done = progress(&app, SHOP).await;
    assert_eq!(done["phase"], "done", "{done}");
    assert_eq!(done["percent"], 100);
    assert_eq!(done["rows_done"], 480);
    assert_eq!(done["rows_expected"], 480);
    let suggestion = &done["suggestion"];
    let members = suggestion["members"].as_i64().unwrap();
    assert!(members > 0, "{done}");
    assert!(
        suggestion["rule"].as_str().unwrap().contains("order_count"),
        "{done}"
    );
    assert!(!suggestion["why"].as_str().unwrap().is_empty());

    let (first, segment) = accept(&app, SHOP).await;
    assert_eq!(first, 201, "{segment}");
    let (again, same) = accept(&app, SHOP).await;
    assert_eq!(again, 200, "{same}");
    assert_eq!(same["id"], segment["id"]);
    let report = app.drain().await;
    assert_eq!(report.parked, 0, "{report:?}");
    let (count, mode): (i64, String) =
        sqlx::query_as("SELECT member_count, push_mode FROM segments WHERE id = $1")
            .bind(segment["id"].as_str().unwrap())
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!((count, mode.as_str()), (members, "tag"));
    let segments = app.count("SELECT COUNT(*) FROM segments").await;
    assert_eq!(segments, 1);

    let home = app.admin_page("/", &app.session_token(SHOP).await).await;
    assert!(home.contains("data-testid=\"suggestion-link\""), "{home}");
    assert!(home.contains(segment["id"].as_str().unwrap()));
    assert!(home.contains("value=\"100\""));
}

async fn a_failed_export_is_shown_with_its_reason(app: TestApp) {
    app.create_shop(BROKEN).await;
    // More than one page of orders: the sandbox fails an export after its first page.
    seed(&app, BROKEN, 10, 600, 30, false).await;
    app.sandbox_post(
        &format!("/shops/{BROKEN}/bulk_operations/fail_next"),
        json!({ "error_code": "INTERNAL_SERVER_ERROR" }),
    )
    .await;
    app.install(BROKEN).await;
    crate::helpers::eventually(
        std::time::Duration::from_secs(60),
        "backfill failed",
        || async {
            app.sandbox_idle().await;
            app.drain().await;
            phase(&app, BROKEN).await.as_deref() == Some("failed")
        },
    )
    .await;
    let body = progress(&app, BROKEN).await;
    assert_eq!(body["phase"], "failed");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("INTERNAL_SERVER_ERROR"),
        "{body}"
    );
    let home = app.admin_page("/", &app.session_token(BROKEN).await).await;
    assert!(home.contains("History import stopped"), "{home}");
}
