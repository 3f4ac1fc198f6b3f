//! Access to the shared public fixtures (`../shared/fixtures`), for unit and integration tests.
//! When the folder is absent, callers skip with one clear line instead of failing or passing
//! silently.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

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

fn postgres_admin_url() -> String {
    std::env::var("SEGOPS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A new, empty PostgreSQL database for one test, or `None` (after one clear line,
/// `postgres suite skipped: <reason>`) when no server is reachable. `SEGOPS_REQUIRE_POSTGRES`
/// turns the skip into a failure.
pub async fn fresh_postgres_database() -> Option<String> {
    static AVAILABLE: tokio::sync::OnceCell<Result<(), String>> =
        tokio::sync::OnceCell::const_new();
    sqlx::any::install_default_drivers();
    let admin = postgres_admin_url();
    let availability = AVAILABLE
        .get_or_init(|| async {
            match tokio::time::timeout(Duration::from_secs(5), sqlx::AnyPool::connect(&admin)).await
            {
                Ok(Ok(pool)) => {
                    drop_stale_databases(&pool).await;
                    pool.close().await;
                    Ok(())
                }
                Ok(Err(err)) => Err(err.to_string()),
                Err(_) => Err("connection timed out".to_owned()),
            }
        })
        .await;
    if let Err(reason) = availability {
        assert!(
            std::env::var_os("SEGOPS_REQUIRE_POSTGRES").is_none(),
            "PostgreSQL is required (SEGOPS_REQUIRE_POSTGRES) but unreachable at {admin}: {reason}"
        );
        static SAID: Once = Once::new();
        // Written past the test harness's output capture, once per test binary.
        SAID.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "postgres suite skipped: {reason} ({admin})"
            );
        });
        return None;
    }
    let name = format!(
        "segops_t_{}_{}",
        crate::clock::now_secs(),
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let pool = sqlx::AnyPool::connect(&admin).await.ok()?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .ok()?;
    pool.close().await;
    let mut url = url::Url::parse(&admin).ok()?;
    url.set_path(&name);
    Some(url.to_string())
}

/// Test databases left by earlier runs (older than an hour) are dropped.
async fn drop_stale_databases(pool: &sqlx::AnyPool) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE 'segops_t_%'")
            .fetch_all(pool)
            .await
            .unwrap_or_default();
    let cutoff = crate::clock::now_secs() - 3600;
    for name in names {
        let created: i64 = name
            .split('_')
            .nth(2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if created < cutoff {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(pool)
            .await;
        }
    }
}

/// Polls `condition` every 20 ms until it holds, failing the test after `timeout`: tests wait
/// for a condition, never for a fixed time.
pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
