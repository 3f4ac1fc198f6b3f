//! The real Web Pixel bundle, in headless Chromium inside a Web Worker shaped like Shopify's
//! strict sandbox (tests/browser), posting to the real intake: what the database holds after
//! each scenario is exactly what the pixel was allowed to send.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::browser::missing_prerequisite;
use crate::helpers::{Store, TestApp, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_pixel_in_chromium_sends_exactly_what_consent_sampling_and_the_filter_allow() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let Some(fixtures) = segops::testing::fixtures_dir() else {
        println!("fixtures absent: skipping the pixel browser test");
        return;
    };
    if let Some(why) = missing_prerequisite(&root) {
        assert!(
            std::env::var_os("SEGOPS_REQUIRE_BROWSER").is_none(),
            "browser test required but {why}"
        );
        println!("pixel browser test skipped: {why}; .ci/run installs what it needs");
        return;
    }
    // The bundle under test is a build output, which `.ci/run` makes before the tests.
    if !root
        .join("extensions/segops-pixel/dist/segops-pixel.js")
        .exists()
    {
        let why =
            "the pixel bundle is not built (npm ci && npm run build in extensions/segops-pixel)";
        assert!(
            std::env::var_os("SEGOPS_REQUIRE_BROWSER").is_none(),
            "browser test required but {why}"
        );
        println!("pixel browser test skipped: {why}");
        return;
    }
    let Some(app) = spawn_app_with(Store::Sqlite, |config| {
        config.pixel.extra_origins = vec!["http://127.0.0.1:*".into()];
    })
    .await
    else {
        return;
    };
    for scenario in [
        "all-events",
        "consent-later",
        "unload",
        "no-consent",
        "sampling",
    ] {
        let shop = format!("pixel-{scenario}.myshopify.com");
        app.create_shop(&shop).await;
        app.install(&shop).await;
        app.sandbox_idle().await;
        app.drain().await;
        let key: String = sqlx::query_scalar(
            "SELECT storefront_key FROM pixels WHERE shop_id = (SELECT id FROM shops WHERE domain = $1)",
        )
        .bind(&shop)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
        let report = run_scenario(&app, &root, &fixtures, scenario, &key).await;
        assert_eq!(report["matches_expected"], true, "{scenario}: {report}");
        app.drain().await;
        check_stored(&app, &shop, scenario, &report).await;
    }
}

async fn run_scenario(
    app: &TestApp,
    root: &Path,
    fixtures: &Path,
    scenario: &str,
    key: &str,
) -> Value {
    let screenshots = std::env::temp_dir().join("segops-browser-artifacts");
    let output = tokio::process::Command::new("node")
        .arg(root.join("tests/browser/pixel.mjs"))
        .args(["--endpoint", &format!("{}/pixel/v1/events", app.app_url)])
        .args(["--key", key])
        .arg("--fixtures")
        .arg(fixtures)
        .args(["--scenario", scenario])
        .arg("--screenshot-dir")
        .arg(&screenshots)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{scenario}: pixel.mjs failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("{}");
    serde_json::from_str(line).unwrap()
}

async fn check_stored(app: &TestApp, shop: &str, scenario: &str, report: &Value) {
    let stored: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT kind, message_id FROM events WHERE source = 'pixel' AND shop_id = (SELECT id FROM shops WHERE domain = $1)",
    )
    .bind(shop)
    .fetch_all(app.db().pool())
    .await
    .unwrap();
    let ids = |field: &str| -> Vec<String> {
        report[field]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    // The sampling scenario also has visitors at rate 0.5 who may or may not send: there the
    // page's record of what it sent is the bound; elsewhere it is what had to arrive.
    let allowed = if scenario == "sampling" {
        ids("sent_event_ids")
    } else {
        ids("expected_event_ids")
    };
    // Nothing the pixel was not allowed to send reached the database.
    for (kind, id) in &stored {
        let id = id.clone().unwrap_or_default();
        assert!(allowed.contains(&id), "{scenario}: unexpected {kind} {id}");
    }
    let kinds: std::collections::BTreeSet<&str> = stored.iter().map(|(k, _)| k.as_str()).collect();
    match scenario {
        "no-consent" => assert!(stored.is_empty(), "{scenario}: {stored:?}"),
        "sampling" => assert!(kinds.contains("purchase"), "{scenario}: {kinds:?}"),
        // One visitor's 12 tracked events, each stored once.
        _ => assert_eq!(kinds.len(), 12, "{scenario}: {kinds:?}"),
    }
}
