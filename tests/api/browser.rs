//! What the headless-Chromium tests need, and running their playwright-core scripts.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The repository root, where `tests/browser` lives.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Why the browser cannot run here, if it cannot.
pub fn missing_prerequisite(root: &Path) -> Option<String> {
    let chromium = [
        "/usr/lib/chromium/chromium-headless-shell",
        "/usr/bin/chromium",
    ]
    .iter()
    .any(|p| Path::new(p).exists())
        || std::env::var_os("SEGOPS_CHROMIUM").is_some();
    if !chromium {
        return Some("Chromium is not installed (apt-get install chromium-headless-shell)".into());
    }
    if !root
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        return Some("tests/browser has no node_modules (npm ci there)".into());
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node is not installed".into());
    }
    None
}

/// True when the test may run; otherwise prints why it is skipped (or fails when CI set
/// SEGOPS_REQUIRE_BROWSER, since then a skip would hide a broken setup).
pub fn available(test: &str) -> bool {
    match missing_prerequisite(&root()) {
        None => true,
        Some(why) => {
            assert!(
                std::env::var_os("SEGOPS_REQUIRE_BROWSER").is_none(),
                "browser test required but {why}"
            );
            println!("{test} skipped: {why}; .ci/run installs what it needs");
            false
        }
    }
}

/// Runs `tests/browser/<script>` with `args` and returns the JSON line it printed last.
pub async fn run_script(script: &str, args: &[&str]) -> Value {
    let output = tokio::process::Command::new("node")
        .arg(root().join("tests/browser").join(script))
        .args(args)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("{}");
    serde_json::from_str(line).expect("a JSON report line")
}

/// Where screenshots are kept as test artefacts (outside the repository).
pub fn artefacts(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("segops-browser-artifacts")
        .join(name);
    // Screenshots left by an earlier run must not pass for this one's.
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
