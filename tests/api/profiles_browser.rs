//! The Profiles pages in headless Chromium (tests/browser/profiles.mjs): the list, a search by
//! email, the profile it finds with its explained segments; plus each admin page's Largest
//! Contentful Paint with 2,001 customers in the shop, printed for BENCHMARKS.md
//! (`SEGOPS_LCP_RUNS=5` for medians).

use std::path::PathBuf;

use serde_json::Value;

use segops::pii::{CustomerPii, Vault};

use crate::browser::missing_prerequisite;
use crate::helpers::{Store, TestApp, spawn_app};
use crate::profiles::{create_segment, scripted_history, settle};

const SHOP: &str = "profiles-co.myshopify.com";

/// Synthetic customers added beside the scripted one, so the list's first page is full (50
/// named rows to open from the vault) and the keyset has a realistic table to walk.
const SYNTHETIC: i64 = 2_000;

/// Profiles with sealed names and emails, seen in the last few days (older than the scripted
/// customer), written directly: the pages under test only read them.
async fn seed_profiles(app: &TestApp) {
    let shop_id = app.shop_id(SHOP).await;
    let vault = Vault::for_shop(app.db(), &app.state.config.master_key, &shop_id)
        .await
        .unwrap();
    let now = segops::clock::now_ms();
    for n in 0..SYNTHETIC {
        let customer = format!("{}", 5_000_000 + n);
        sqlx::query(
            "INSERT INTO profiles (shop_id, person_id, customer_id, lifetime_value, order_count, last_order_at, currency, \
             last_seen_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'CAD', $7, $7)",
        )
        .bind(&shop_id)
        .bind(format!("customer:{customer}"))
        .bind(&customer)
        .bind(format!("{}.50", (n % 7) * 25))
        .bind(n % 7)
        .bind((n % 7 > 0).then_some(now - 86_400_000 - n * 60_000))
        .bind(now - 3_600_000 - n * 60_000)
        .execute(app.db().pool())
        .await
        .unwrap();
        let pii = CustomerPii {
            email: Some(format!("shopper{n}@example.org")),
            first_name: Some(format!("Shopper{n}")),
            last_name: Some("Example".into()),
            ..Default::default()
        };
        vault.put(app.db(), &customer, &pii).await.unwrap();
    }
}

async fn walk(app: &TestApp, screenshots: &std::path::Path) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = tokio::process::Command::new("node")
        .arg(root.join("tests/browser/profiles.mjs"))
        .args(["--base", &app.app_url])
        .args(["--token", &app.session_token(SHOP).await])
        .args(["--search", "ada@example.net"])
        .arg("--screenshot-dir")
        .arg(screenshots)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "profiles.mjs failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("{}");
    serde_json::from_str(line).unwrap()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_searches_the_profiles_and_opens_one_with_its_segments_explained() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if let Some(why) = missing_prerequisite(&root) {
        assert!(
            std::env::var_os("SEGOPS_REQUIRE_BROWSER").is_none(),
            "browser test required but {why}"
        );
        println!("profiles browser test skipped: {why}; .ci/run installs what it needs");
        return;
    }
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    scripted_history(&app).await;
    create_segment(&app, "Buyers", "order_count >= 1").await;
    create_segment(&app, "Loyal", "lifetime_value >= 150 AND order_count >= 3").await;
    settle(&app).await;
    seed_profiles(&app).await;
    let screenshots = std::env::temp_dir().join("segops-browser-artifacts");
    // A screenshot left by an earlier run must not pass for this one's.
    for file in ["profile-page.png", "profiles-list.png"] {
        let _ = std::fs::remove_file(screenshots.join(file));
    }

    let report = walk(&app, &screenshots).await;
    assert_eq!(report["listed"], 50, "a full first page: {report}");
    assert_eq!(report["found"], 1, "{report}");
    let profile = &report["profile"];
    assert_eq!(profile["title"], "Ada Lovelace", "{report}");
    assert!(profile["traits"].as_u64().unwrap() >= 20, "{report}");
    assert!(profile["identities"].as_u64().unwrap() >= 3, "{report}");
    assert!(profile["timeline"].as_u64().unwrap() >= 5, "{report}");
    // Buyers' one clause held; of Loyal's, `lifetime_value >= 150` held, while the whole rule
    // and `order_count >= 3` did not.
    assert_eq!(profile["held"], 2, "{report}");
    assert_eq!(profile["not_held"], 2, "{report}");
    assert_eq!(report["focus"]["tag"], "A", "{report}");
    assert_ne!(
        report["focus"]["outline"], "none",
        "keyboard focus is visible: {report}"
    );
    assert!(screenshots.join("profile-page.png").exists());
    assert!(screenshots.join("profiles-list.png").exists());

    let runs: usize = std::env::var("SEGOPS_LCP_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let mut reports = vec![report];
    for _ in 1..runs {
        reports.push(walk(&app, &screenshots).await);
    }
    for page in [
        "dashboard",
        "segments",
        "profiles",
        "profile",
        "profile_direct",
    ] {
        let values: Vec<f64> = reports
            .iter()
            .map(|r| {
                r["lcp"][page]
                    .as_f64()
                    .unwrap_or_else(|| panic!("no LCP for {page}: {r}"))
            })
            .collect();
        let lcp = median(values);
        println!("LCP {page}: {lcp:.0} ms (median of {runs})");
        // Built for Shopify's limit; the local target (1.0 s) is tracked in BENCHMARKS.md.
        assert!(lcp <= 2500.0, "{page} LCP {lcp} ms");
    }
}
