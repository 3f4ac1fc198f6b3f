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
    let mut child = Command::new(env!("CARGO_BIN_EXE_segops"))
        .args(["demo", "--data-dir"])
        .arg(&data_dir)
        .env("SEGOPS_LOG", "warn")
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
    assert!(
        cells.iter().any(|c| c.starts_with(&members.to_string())),
        "the page counts the suggested members: {report}"
    );
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

    // The store itself: exactly the members carry the tag.
    let tags: Value = reqwest::get(format!(
        "{sandbox_url}/_sandbox/shops/segops-demo.myshopify.com/customer_tags"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let tagged = tags.to_string().matches(&format!("\"{tag}\"")).count();
    assert_eq!(tagged as u64, members, "{tag} in the store: {tags}");
}
