//! The merchant's first minutes, in headless Chromium through `segops demo`: install, the history
//! import's progress bar reaching 100%, the suggested first segment accepted in one click, and
//! that segment pushed to Shopify as a `segops:<slug>` tag, as its page and the store both show.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::browser;

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `segops demo` and returns it with the sandbox and store-admin URLs it printed.
fn start_demo() -> (KillOnDrop, String, String) {
    let data_dir = std::env::temp_dir().join(format!("segops-onboarding-{}", uuid::Uuid::new_v4()));
    eprintln!("onboarding: demo data in {}", data_dir.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_segops"))
        .args(["demo", "--data-dir"])
        .arg(&data_dir)
        // `SEGOPS_ONBOARDING_LOG=debug` shows the demo's own log when diagnosing.
        .env(
            "SEGOPS_LOG",
            std::env::var("SEGOPS_ONBOARDING_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("segops demo starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let child = KillOnDrop(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let (mut sandbox, mut admin) = (None, None);
    while admin.is_none() {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the demo printed its URLs within 90 s");
        if let Some(url) = line.strip_prefix("sandbox: ") {
            sandbox = Some(url.trim().to_owned());
        }
        if let Some(url) = line.strip_prefix("admin: ") {
            admin = Some(url.trim().to_owned());
        }
    }
    (
        child,
        sandbox.expect("a sandbox line before the admin line"),
        admin.unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_merchant_sees_the_import_finish_accepts_the_suggestion_and_its_tag_reaches_shopify()
{
    if !browser::available("onboarding browser test") {
        return;
    }
    let (_demo, sandbox_url, admin_url) = start_demo();
    let screenshots = browser::artefacts("onboarding");
    let report = browser::run_script(
        "onboarding.mjs",
        &[
            "--url",
            &admin_url,
            "--screenshot-dir",
            &screenshots.display().to_string(),
        ],
    )
    .await;

    assert_eq!(report["progress"], 100, "{report}");
    println!(
        "onboarding: the suggested segment's push took {} ms",
        report["pushMs"]
    );
    let members = report["suggestion"]["members"].as_u64().unwrap_or_default();
    assert!(members > 0, "the suggestion names its members: {report}");
    let row = &report["row"];
    assert_eq!(row["state"], "done", "the tag push finished: {report}");
    assert_eq!(
        row["mode"], "tag",
        "a suggestion is pushed as a tag: {report}"
    );
    let cells: Vec<&str> = row["cells"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let tag = cells
        .iter()
        .find(|c| c.starts_with("segops:"))
        .copied()
        .unwrap_or_else(|| panic!("the row names its tag: {report}"))
        .to_owned();
    // The members column starts with the count (a link to their profiles).
    let shown: u64 = cells
        .get(2)
        .and_then(|c| c.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the row shows a member count: {report}"));
    assert!(shown > 0, "{report}");
    for shot in [
        "1-dashboard",
        "2-import-done",
        "3-accepted",
        "4-segment-pushed",
    ] {
        assert!(
            screenshots.join(format!("{shot}.png")).exists(),
            "{shot} kept"
        );
    }

    // The store itself: exactly the members the page counts carry the tag. (The demo's own
    // live orders may still be landing, so the store is read until it settles.)
    let url = format!("{sandbox_url}/_sandbox/shops/segops-demo.myshopify.com/customer_tags");
    let needle = format!("\"{tag}\"");
    let count = || {
        let (url, needle) = (url.clone(), needle.clone());
        async move {
            let body = match reqwest::get(&url).await {
                Ok(response) => response.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            body.matches(&needle).count() as u64
        }
    };
    segops::testing::eventually(Duration::from_secs(30), "the tags to settle", || async {
        count().await == shown
    })
    .await;
}
