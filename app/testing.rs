//! Access to the shared public fixtures (`../shared/fixtures`), for unit and integration tests.
//! When the folder is absent, callers skip with one clear line instead of failing or passing
//! silently.

use std::path::PathBuf;

/// `SEGOPS_FIXTURES`, else the `shared/fixtures` folder beside the repository.
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("SEGOPS_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"),
    };
    dir.is_dir().then_some(dir)
}

/// Reads a fixture file, or prints `fixtures absent: skipping <path>` and returns `None`.
pub fn fixture_bytes(relative: &str) -> Option<Vec<u8>> {
    let Some(dir) = fixtures_dir() else {
        println!(
            "fixtures absent: skipping {relative} (set SEGOPS_FIXTURES or add ../shared/fixtures)"
        );
        return None;
    };
    match std::fs::read(dir.join(relative)) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            panic!("fixture {relative} unreadable although the fixtures folder exists: {err}")
        }
    }
}

pub fn fixture_json(relative: &str) -> Option<serde_json::Value> {
    let bytes = fixture_bytes(relative)?;
    Some(
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|err| panic!("fixture {relative} is not JSON: {err}")),
    )
}
