//! Durability: the real server (`segops serve`, a child process) is killed with SIGKILL in the
//! middle of a burst of thousands of signed deliveries from the sandbox, which retries what was
//! not acknowledged. Afterwards every acknowledged delivery is stored exactly once and every
//! business change is processed exactly once, on both stores.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use segops::sandbox::{Sandbox, SandboxConfig};
use segops::testing::eventually;
use serde_json::{Value, json};

const SHOP: &str = "kill-nine.myshopify.com";
const API_KEY: &str = "durability-key";
const API_SECRET: &str = "durability-secret";
const CUSTOMERS: usize = 2500;

struct Server {
    child: Child,
}

impl Server {
    fn start(port: u16, database_url: &str, shop_url_template: &str, master_key: &str) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_segops"))
            .arg("serve")
            .env("SEGOPS_SHOPIFY_API_KEY", API_KEY)
            .env("SEGOPS_SHOPIFY_API_SECRET", API_SECRET)
            .env("SEGOPS_APP_URL", format!("http://127.0.0.1:{port}"))
            .env("SEGOPS_DATABASE_URL", database_url)
            .env("SEGOPS_SHOPIFY_BASE_URL", shop_url_template)
            .env("SEGOPS_ENCRYPTION_KEY", master_key)
            .env("SEGOPS_BIND", format!("127.0.0.1:{port}"))
            .env("SEGOPS_LOG", "warn")
            // Jobs the killed server had claimed are taken over two seconds after its last heartbeat.
            .env("SEGOPS_JOB_LEASE_SECS", "2")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("segops serve starts");
        Server { child }
    }

    /// SIGKILL: no shutdown hook, no flush, nothing.
    fn kill_9(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn get_json(http: &reqwest::Client, url: impl reqwest::IntoUrl) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_deliveries_survive_kill_9_mid_burst_exactly_once_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("segops-kill9-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    run(&format!("sqlite://{}/segops.db", dir.display())).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_deliveries_survive_kill_9_mid_burst_exactly_once_on_postgres() {
    if let Some(url) = segops::testing::fresh_postgres_database().await {
        run(&url).await;
    }
}

async fn run(database_url: &str) {
    segops::telemetry::install_crypto_provider();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let app_url = format!("http://127.0.0.1:{port}");
    let mut config = SandboxConfig::new(API_KEY, API_SECRET, app_url.clone());
    // 8 attempts over ~12 s (Shopify's schedule shape, compressed): enough to outlast a restart.
    config.retry_base = Duration::from_millis(100);
    config.scopes = segops::shopify::scopes::required()
        .map(str::to_owned)
        .collect();
    let sandbox = Sandbox::start(
        config,
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
    .await
    .unwrap();
    let sandbox_url = sandbox.base_url();
    let template = sandbox.shop_url_template();
    tokio::spawn(sandbox.stopped());
    let master_key = segops::crypto::MasterKey::generate().to_base64();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    let server = Server::start(port, database_url, &template, &master_key);
    eventually(Duration::from_secs(30), "the server to answer", || async {
        http.get(format!("{app_url}/health"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    http.post(format!("{sandbox_url}/_sandbox/shops"))
        .json(&json!({ "domain": SHOP }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let installed = http
        .get(format!("{sandbox_url}/store/{SHOP}/admin/apps/{API_KEY}"))
        .send()
        .await
        .unwrap();
    assert!(
        installed.status().is_success(),
        "install: {}",
        installed.status()
    );

    // The server's workers make the webhook subscriptions after the install.
    eventually(Duration::from_secs(30), "webhook subscriptions", || async {
        let shop: Value = get_json(&http, format!("{sandbox_url}/_sandbox/shops/{SHOP}")).await;
        shop["webhook_subscriptions"].as_array().map(Vec::len)
            == Some(segops::shopify::topics::SUBSCRIBED.len())
    })
    .await;

    // The burst: thousands of customers/create deliveries, each its own merchant action.
    let seeded = http
        .post(format!("{sandbox_url}/_sandbox/shops/{SHOP}/seed"))
        .json(&json!({ "customers": CUSTOMERS, "products": 0, "orders": 0, "deliver": true }))
        .send()
        .await
        .unwrap();
    assert!(
        seeded.status().is_success(),
        "seed: {}",
        seeded.text().await.unwrap()
    );

    // Kill it once a good part of the burst has been acknowledged, while the rest is in flight.
    let deliveries_url = format!("{sandbox_url}/_sandbox/shops/{SHOP}/deliveries");
    eventually(
        Duration::from_secs(60),
        "a third of the burst acknowledged",
        || async {
            let list: Value = get_json(&http, &deliveries_url).await;
            acknowledged(&list).len() >= CUSTOMERS / 3
        },
    )
    .await;
    server.kill_9();
    let at_kill: Value = get_json(&http, &deliveries_url).await;
    let acked_before_kill = acknowledged(&at_kill);
    assert!(
        acked_before_kill.len() < CUSTOMERS,
        "the burst finished before the kill; nothing was tested"
    );

    // Restart on the same port; the sandbox's retries bring the rest.
    let server = Server::start(port, database_url, &template, &master_key);
    eventually(
        Duration::from_secs(60),
        "the sandbox to finish delivering",
        || async {
            let idle: Value =
                get_json(&http, format!("{sandbox_url}/_sandbox/deliveries/idle")).await;
            idle["pending"] == json!(0)
        },
    )
    .await;
    let finally: Value = get_json(&http, &deliveries_url).await;
    let acked = acknowledged(&finally);

    let db = segops::store::Db::connect(database_url).await.unwrap();
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT topic, event_id FROM webhook_deliveries")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for key in stored {
        *seen.entry(key).or_default() += 1;
    }
    for key in &acked_before_kill {
        assert_eq!(
            seen.get(key),
            Some(&1),
            "acknowledged before the kill but not stored exactly once: {key:?}"
        );
    }
    for key in &acked {
        assert_eq!(
            seen.get(key),
            Some(&1),
            "acknowledged but not stored exactly once: {key:?}"
        );
    }
    let customer_creates = acked
        .iter()
        .filter(|(topic, _)| topic == "customers/create")
        .count();
    assert_eq!(
        customer_creates, CUSTOMERS,
        "every customer's delivery was eventually acknowledged"
    );

    // Processing: the restarted server's workers finish the queue; each customer counted once.
    eventually(
        Duration::from_secs(120),
        "every delivery processed",
        || async {
            let left: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'processed'",
            )
            .fetch_one(db.pool())
            .await
            .unwrap();
            left == 0
        },
    )
    .await;
    let created: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'customer_created'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let distinct: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT customer_id) FROM events WHERE kind = 'customer_created'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(created, CUSTOMERS as i64);
    assert_eq!(distinct, CUSTOMERS as i64);
    db.close().await;
    drop(server);
}

/// `(topic, event id)` of every delivery the sandbox saw answered with a 2xx.
fn acknowledged(list: &Value) -> HashSet<(String, String)> {
    let attempts = list
        .as_array()
        .cloned()
        .or_else(|| list["deliveries"].as_array().cloned())
        .unwrap_or_default();
    attempts
        .iter()
        .filter(|a| a["status"] == "delivered")
        .filter_map(|a| {
            Some((
                a["topic"].as_str()?.to_owned(),
                a["event_id"].as_str()?.to_owned(),
            ))
        })
        .collect()
}
