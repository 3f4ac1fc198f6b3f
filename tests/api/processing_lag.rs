//! The dashboard's processing lag: what waits (acknowledged, not yet processed), how long the
//! oldest has waited, and how long the shop's latest deliveries took, for this shop alone.

use serde_json::json;

use crate::helpers::TestApp;

const SHOP: &str = "lag-co.myshopify.com";
const OTHER: &str = "lag-other.myshopify.com";

crate::on_both_stores!(the_dashboard_shows_what_waits_and_how_long_processing_takes);

/// A product change, delivered by the sandbox and left unprocessed (no worker runs here).
async fn deliver_product(app: &TestApp, shop: &str) {
    app.sandbox_post(
        &format!("/shops/{shop}/products"),
        json!({ "title": "Lantern", "variants": [{ "title": "Default", "sku": "LAN-1", "price": "19.00" }] }),
    )
    .await;
    app.sandbox_idle().await;
}

fn lag_row(page: &str) -> (String, String) {
    let cell = |testid: &str| {
        let start = page
            .find(&format!("data-testid=\"{testid}\">"))
            .unwrap_or_else(|| panic!("no {testid} in {page}"));
        let text = &page[start..];
        let text = &text[text.find('>').unwrap() + 1..];
        text[..text.find('<').unwrap()].to_owned()
    };
    (cell("processing-lag"), cell("processing-lag-detail"))
}

async fn the_dashboard_shows_what_waits_and_how_long_processing_takes(app: TestApp) {
    for shop in [SHOP, OTHER] {
        app.create_shop(shop).await;
        app.install(shop).await;
    }
    app.settle(2).await;
    let (status, detail) = lag_row(&app.open_admin(SHOP).await);
    assert_eq!(status, "up to date");
    assert!(detail.starts_with("nothing waiting"), "{detail}");

    // One delivery of ours waits; another shop's has waited ten minutes.
    deliver_product(&app, SHOP).await;
    deliver_product(&app, OTHER).await;
    sqlx::query(
        "UPDATE webhook_deliveries SET received_at = received_at - 600000 \
         WHERE status = 'queued' AND shop_id = (SELECT id FROM shops WHERE domain = $1)",
    )
    .bind(OTHER)
    .execute(app.db().pool())
    .await
    .unwrap();
    let (status, detail) = lag_row(&app.open_admin(SHOP).await);
    assert_eq!(status, "up to date", "another shop's backlog is not ours");
    assert!(detail.starts_with("1 waiting, the oldest for "), "{detail}");
    let (status, detail) = lag_row(&app.open_admin(OTHER).await);
    assert_eq!(status, "behind by 10 min");
    assert!(
        detail.starts_with("1 waiting, the oldest for 10 min"),
        "{detail}"
    );

    // Processed: nothing waits, and the latest deliveries' wait is shown.
    app.settle(2).await;
    let (status, detail) = lag_row(&app.open_admin(OTHER).await);
    assert_eq!(status, "up to date");
    assert!(detail.starts_with("nothing waiting; the last "), "{detail}");
    assert!(detail.ends_with("10 min at most"), "{detail}");
}
