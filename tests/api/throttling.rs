//! The sandbox throttles as Shopify does, and the app's client waits and succeeds.

use serde_json::{Value, json};

use segops::shopify::admin_api::{
    AdminApi, WebhookSubscriptionCreate, webhook_subscription_create,
};

use crate::helpers::TestApp;

const SHOP: &str = "busy-bees.myshopify.com";

crate::on_both_stores!(a_throttled_install_waits_for_the_bucket_and_completes);

async fn a_throttled_install_waits_for_the_bucket_and_completes(app: TestApp) {
    app.create_shop(SHOP).await;
    // Installing makes ~30 calls worth ~270 points; this bucket holds 150 (a 100-node listing costs ~102) and refills 200/s, so
    // the install only completes if the client paces itself by the throttleStatus it reads.
    app.sandbox_settings(SHOP, json!({ "throttle": { "maximum_available": 150, "restore_rate": 200, "http_status": 200 } })).await;
    app.install(SHOP).await;
    let subscriptions = app.sandbox_shop(SHOP).await["webhook_subscriptions"]
        .as_array()
        .map(Vec::len);
    assert_eq!(
        subscriptions,
        Some(segops::shopify::topics::SUBSCRIBED.len())
    );

    // Two replicas share one shop's bucket, each pacing by its own view of it: together they
    // overdraw it, get THROTTLED (as HTTP 200 or 429), wait as told, and every call succeeds.
    let shop = app
        .state
        .installed_shop(&segops::shopify::ShopDomain::parse(SHOP).unwrap())
        .await
        .unwrap()
        .unwrap();
    let token = shop.access_token(&app.state.token_sealer).unwrap().unwrap();
    let base = app.state.config.shop_base_url(&shop.domain);
    for http_status in [200, 429] {
        app.sandbox_settings(SHOP, json!({ "throttle": { "maximum_available": 40, "restore_rate": 100, "http_status": http_status } })).await;
        let replicas: Vec<_> = (0..2)
            .map(|_| {
                AdminApi::new(
                    reqwest::Client::new(),
                    segops::config::DEFAULT_API_VERSION.to_owned(),
                )
            })
            .collect();
        let calls = replicas.iter().map(|api| {
            let client = api.shop(&shop.domain, &base, token.clone());
            async move {
                for _ in 0..8 {
                    let variables = webhook_subscription_create::Variables {
                        topic: webhook_subscription_create::WebhookSubscriptionTopic::ORDERS_CREATE,
                        uri: "https://example.com/other".to_owned(),
                    };
                    client
                        .run::<WebhookSubscriptionCreate>(variables)
                        .await
                        .expect("call succeeds after waiting");
                }
            }
        });
        futures::future::join_all(calls).await;
        let throttled: u64 = replicas.iter().map(|api| api.throttled_responses()).sum();
        assert!(
            throttled > 0,
            "the shared bucket never throttled (HTTP {http_status} mode)"
        );
    }

    // The throttled answer itself has Shopify's shape.
    let shop = app
        .state
        .installed_shop(&segops::shopify::ShopDomain::parse(SHOP).unwrap())
        .await
        .unwrap()
        .unwrap();
    let token = shop.access_token(&app.state.token_sealer).unwrap().unwrap();
    app.sandbox_settings(
        SHOP,
        json!({ "throttle": { "maximum_available": 5, "restore_rate": 1, "http_status": 200 } }),
    )
    .await;
    let mut throttled: Option<Value> = None;
    for _ in 0..10 {
        let body: Value = app
            .http
            .post(format!(
                "{}/store/{SHOP}/admin/api/2026-04/graphql.json",
                app.sandbox_url
            ))
            .header("X-Shopify-Access-Token", token.expose())
            .json(&json!({ "query": "{ webhookSubscriptions(first: 5) { nodes { id } } }" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if body["errors"][0]["extensions"]["code"] == "THROTTLED" {
            throttled = Some(body);
            break;
        }
    }
    let body = throttled.expect("a burst was never throttled");
    assert_eq!(body["errors"][0]["message"], "Throttled");
    assert!(body.get("data").is_none());
    let status = &body["extensions"]["cost"]["throttleStatus"];
    assert_eq!(status["maximumAvailable"].as_f64(), Some(5.0));
    assert_eq!(status["restoreRate"].as_f64(), Some(1.0));
    assert!(body["extensions"]["cost"]["actualQueryCost"].is_null());
}
