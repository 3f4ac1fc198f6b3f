//! `segops bench intake`: signed webhook deliveries (Shopify's sample payloads) against the real
//! server, in this process, on a fresh database: acknowledged deliveries per second and ack
//! latency under a closed loop of concurrent senders, and latency at a fixed arrival rate. Beside
//! them, the box's own limits measured in the same run: an empty HTTP round trip, and bare
//! durable inserts of the same bodies, one commit per row and grouped.

use std::sync::Arc;

use anyhow::Context;
use base64::Engine;
use tokio::net::TcpListener;

use super::{box_limit, load, payloads};
use crate::config::{Config, DEFAULT_API_VERSION};
use crate::crypto::{MasterKey, Secret};
use crate::shopify::ShopDomain;
use crate::startup::Application;
use crate::webhooks::writer_stats::WriterSnapshot;

pub struct IntakeOptions {
    pub deliveries: usize,
    pub concurrency: usize,
    /// `sqlite` (a fresh file) or `postgres` (a fresh database on SEGOPS_TEST_POSTGRES_URL's server).
    pub store: String,
    /// Every n-th delivery repeats the previous one (0: none), as Shopify's duplicates do.
    pub duplicate_every: usize,
    /// The arrival rate of the paced run (deliveries per second).
    pub rate: f64,
}

const SHOP: &str = "bench-store.myshopify.com";
const SECRET: &str = "bench-secret";

struct Signed {
    topic: &'static str,
    body: Vec<u8>,
    hmac: String,
}

pub async fn intake(options: IntakeOptions) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("segops-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let database_url = match options.store.as_str() {
        "sqlite" => format!("sqlite://{}/bench.db", dir.display()),
        "postgres" => crate::testing::fresh_postgres_database()
            .await
            .context("PostgreSQL is not reachable")?,
        other => anyhow::bail!("--store must be sqlite or postgres, not {other:?}"),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let config = Config {
        api_key: "bench".into(),
        api_secret: Secret::new(SECRET.into()),
        app_url: format!("http://{address}"),
        database_url: database_url.clone(),
        shopify_base_url: "http://127.0.0.1:9/{shop}".into(),
        api_version: DEFAULT_API_VERSION.into(),
        master_key: MasterKey::generate(),
        bind: address,
        pixel: Default::default(),
        backfill: Default::default(),
    };
    let app = Application::build(config, listener).await?;
    let state = app.state();
    let shop = ShopDomain::parse(SHOP).context("bench shop")?;
    crate::tenants::provision(
        &state.db,
        &state.token_sealer,
        &shop,
        &Secret::new("shpat_bench".into()),
        "",
        None,
    )
    .await?;
    tokio::spawn(app.run_until(std::future::pending()));

    let (payloads, source) = payloads::load();
    let signed: Arc<Vec<Signed>> = Arc::new(
        payloads
            .into_iter()
            .map(|p| Signed {
                hmac: base64::engine::general_purpose::STANDARD
                    .encode(crate::crypto::hmac_sha256(SECRET.as_bytes(), &p.body)),
                topic: p.topic,
                body: p.body,
            })
            .collect(),
    );
    let mean_bytes = signed.iter().map(|s| s.body.len()).sum::<usize>() / signed.len().max(1);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency.max(256))
        .build()?;
    let url = format!("http://{address}/webhooks");
    let sender = |prefix: &'static str, duplicate_every: usize| {
        let (client, url, signed) = (client.clone(), url.clone(), Arc::clone(&signed));
        move |i: usize| {
            let n = if duplicate_every > 0 && i % duplicate_every == duplicate_every - 1 {
                i - 1
            } else {
                i
            };
            let payload = &signed[n % signed.len()];
            client
                .post(&url)
                .header("Content-Type", "application/json")
                .header("X-Shopify-Topic", payload.topic)
                .header("X-Shopify-Hmac-Sha256", &payload.hmac)
                .header("X-Shopify-Shop-Domain", SHOP)
                .header("X-Shopify-Event-Id", format!("{prefix}-{n}"))
                .header("X-Shopify-Webhook-Id", format!("{prefix}-{i}"))
                .header("X-Shopify-API-Version", DEFAULT_API_VERSION)
                .body(payload.body.clone())
        }
    };

    let load_average = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let warm = load::run(500, options.concurrency, sender("warm", 0)).await;
    anyhow::ensure!(warm.failures == 0, "warm-up deliveries failed");
    let before = state.intake.stats();
    let closed = load::run(
        options.deliveries,
        options.concurrency,
        sender("closed", options.duplicate_every),
    )
    .await;
    let closed_writer = state.intake.stats().since(&before);
    let paced_total = ((options.rate * 10.0) as usize).max(100);
    let before = state.intake.stats();
    let paced = load::run_paced(paced_total, options.rate, sender("paced", 0)).await;
    let paced_writer = state.intake.stats().since(&before);
    let cpu = cpu_per_delivery(&signed);
    let health = {
        let (client, url) = (client.clone(), format!("http://{address}/health"));
        load::run(options.deliveries, options.concurrency, move |_| {
            client.get(&url)
        })
        .await
    };
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries")
        .fetch_one(state.db.pool())
        .await?;
    let bodies: Vec<Vec<u8>> = signed.iter().map(|s| s.body.clone()).collect();
    let limits = box_limit::measure(&state.db, &bodies, 4000, 8, 100).await?;
    let fsyncs = load::fsyncs_per_second(&dir)?;

    println!(
        "intake benchmark: {:?} store, {} deliveries from {source} (mean {mean_bytes} bytes), {} concurrent senders, every {}th a duplicate",
        state.db.backend(),
        options.deliveries,
        options.concurrency,
        options.duplicate_every
    );
    println!();
    println!("| measure | per second | p50 | p99 | failures |");
    println!("|---|---|---|---|---|");
    row(
        "webhook intake, closed loop (verify, seal, group commit, ack)",
        &closed,
    );
    row(
        &format!(
            "webhook intake, paced at {:.0}/s (latency from arrival time)",
            options.rate
        ),
        &paced,
    );
    row(
        "box: empty HTTP round trip (`/health`), same senders",
        &health,
    );
    println!(
        "| box: bare durable insert of the same bodies, one commit per row (8 clients) | {:.0} | | | |",
        limits.per_row
    );
    println!(
        "| box: bare durable insert, {} rows per commit | {:.0} | | | |",
        limits.group_size, limits.grouped
    );
    println!("| box: write + fsync on the data directory's disk | {fsyncs:.0} | | | |");
    println!();
    phases("closed loop", &closed_writer, closed.elapsed);
    phases("paced", &paced_writer, paced.elapsed);
    println!(
        "per delivery on one core, outside the writer: HMAC verify {:.1} µs, seal (LZ4 + AEAD) {:.1} µs",
        cpu.0, cpu.1
    );
    println!(
        "load average at the start (other work on the machine): {}",
        load_average
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "stored deliveries: {stored} (500 warm-up + {} closed-loop unique + {paced_total} paced; duplicates acknowledged, not stored)",
        options.deliveries
            - options
                .deliveries
                .checked_div(options.duplicate_every)
                .unwrap_or(0)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn row(label: &str, report: &load::LoadReport) {
    println!(
        "| {label} | {:.0} | {:.2} ms | {:.2} ms | {} |",
        report.per_second(),
        report.percentile(0.5).as_secs_f64() * 1000.0,
        report.percentile(0.99).as_secs_f64() * 1000.0,
        report.failures
    );
}

/// The writer's share of a run: batches, their mean size, and where a batch's time goes.
fn phases(run: &str, w: &WriterSnapshot, elapsed: std::time::Duration) {
    let batches = w.batches.max(1) as f64;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / batches;
    println!(
        "writer, {run}: {} batches of {:.1} deliveries on average; per batch: lock {:.2} ms, insert {:.2} ms, commit {:.2} ms; writers busy {:.0}% of the run",
        w.batches,
        w.rows as f64 / batches,
        ms(w.begin),
        ms(w.insert),
        ms(w.commit),
        100.0 * w.busy().as_secs_f64() / elapsed.as_secs_f64().max(f64::EPSILON)
    );
}

/// CPU per delivery of the request-side phases (µs): HMAC verification and sealing.
fn cpu_per_delivery(signed: &[Signed]) -> (f64, f64) {
    let rounds = 200;
    let sealer = crate::crypto::Sealer::new(&[7u8; 32]);
    let tags: Vec<Vec<u8>> = signed
        .iter()
        .map(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(&s.hmac)
                .unwrap_or_default()
        })
        .collect();
    let n = (rounds * signed.len()).max(1) as f64;
    let started = std::time::Instant::now();
    let mut valid = 0usize;
    for _ in 0..rounds {
        for (s, tag) in signed.iter().zip(&tags) {
            valid += usize::from(crate::crypto::verify_hmac_sha256(
                SECRET.as_bytes(),
                &s.body,
                tag,
            ));
        }
    }
    let hmac = started.elapsed().as_secs_f64() * 1e6 / n;
    let started = std::time::Instant::now();
    let mut bytes = 0usize;
    for _ in 0..rounds {
        for s in signed {
            bytes += crate::webhooks::body::seal(&sealer, "shop", s.topic, "event", &s.body).len();
        }
    }
    let seal = started.elapsed().as_secs_f64() * 1e6 / n;
    // Used, so the work is not optimised away.
    std::hint::black_box((valid, bytes));
    (hmac, seal)
}
