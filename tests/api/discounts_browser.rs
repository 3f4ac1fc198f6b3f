//! The Discounts page in headless Chromium (tests/browser/discounts.mjs): a rule filled in and
//! saved through the real form ends up as the sandbox's automatic discount configuration.

use std::path::PathBuf;

use serde_json::Value;

use crate::browser::missing_prerequisite;
use crate::discounts::{configuration_of, function_id, insert_segment, sandbox_discounts};
use crate::helpers::{Store, spawn_app};

const SHOP: &str = "discounts-browser.myshopify.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_created_in_the_discounts_page_becomes_the_sandbox_automatic_discount() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if let Some(why) = missing_prerequisite(&root) {
        assert!(
            std::env::var_os("SEGOPS_REQUIRE_BROWSER").is_none(),
            "browser test required but {why}"
        );
        println!("discounts browser test skipped: {why}; .ci/run installs what it needs");
        return;
    }
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    insert_segment(&app, SHOP, "seg-vip", "vip", "tag").await;
    let token = app.session_token(SHOP).await;
    let screenshots = std::env::temp_dir().join("segops-browser-artifacts");
    // A screenshot left by an earlier run must not pass for this one's.
    let _ = std::fs::remove_file(screenshots.join("discounts-page.png"));
    let output = tokio::process::Command::new("node")
        .arg(root.join("tests/browser/discounts.mjs"))
        .args([
            "--url",
            &format!("{}/admin/discounts?id_token={token}", app.app_url),
        ])
        .args(["--segment", "seg-vip", "--value", "15"])
        .args(["--message", "VIP 15% off"])
        .arg("--screenshot-dir")
        .arg(&screenshots)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "discounts.mjs failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("{}");
    let report: Value = serde_json::from_str(line).unwrap();
    assert_eq!(report["status"], 200, "{report}");
    assert_eq!(report["body"]["pushed"], true, "{report}");
    assert_eq!(report["warning"], false, "a tag segment needs no warning");
    assert_eq!(report["listed"], 1, "{report}");
    assert!(screenshots.join("discounts-page.png").exists());

    let discounts = sandbox_discounts(&app, SHOP).await;
    assert_eq!(discounts.len(), 1, "{discounts:?}");
    assert_eq!(discounts[0]["function_id"], function_id(&app, SHOP).await);
    assert_eq!(
        configuration_of(&discounts[0]),
        serde_json::json!({ "tags": ["segops:vip"], "collectionIds": [],
            "rules": [{ "segment": "vip", "kind": "percentage", "value": "15", "scope": "order",
                        "message": "VIP 15% off", "priority": 0, "active": true }] })
    );
}
