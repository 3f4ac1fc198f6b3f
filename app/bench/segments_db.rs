//! `segops bench segments-db`: fifty segments evaluated in full from the database over a million
//! synthetic profiles (the `bench segments` synthesis, stored as rows with their events), through
//! the path the `evaluate_segment` job and the daily sweep take: keyset-paged reads, evaluation in
//! memory, batched writes of the changes. Timed twice: a first run where every member enters and
//! a second where nothing changes. The fill is not timed. The member counts are checked against
//! an in-memory evaluation of the same profiles.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::segments::machine;
use super::shoppers;
use crate::segments::{Profile, Rule, SegmentSet};
use crate::segments_store::{self, FullOptions, NewSegment, PushMode};
use crate::store::{Db, dialect};

pub struct SegmentsDbOptions {
    pub profiles: usize,
    pub seed: u64,
    /// `sqlite` (a fresh file) or `postgres` (a fresh database).
    pub store: String,
    pub page_size: usize,
    pub batch_changes: usize,
    /// Write transactions in flight at once; `None`: the store's default.
    pub writers: Option<usize>,
    /// SQLite only: keep the filled database in this file, and reuse it when it already holds
    /// the same profiles (the fill of a million profiles takes minutes; the runs are what is
    /// measured). A `<file>.fill` beside it records what it holds.
    pub keep: Option<PathBuf>,
}

/// A shop id as `shops.id` holds them (UUID v7 text): it is on every row written, so its length
/// is part of what is measured.
const SHOP: &str = "0193c0de-5e90-7a3b-8f21-4d6e9b0c1a27";
/// Profiles written per transaction while filling.
const FILL_CHUNK: usize = 20_000;

/// The ten templates of `bench segments`, five thresholds or windows each.
fn segment_rules() -> Vec<(String, String)> {
    let mut rules = Vec::new();
    for v in 0..5usize {
        let value = [100, 250, 500, 1000, 2000][v];
        let days = [7, 30, 90, 180, 365][v];
        let short = [3, 7, 14, 30, 60][v];
        let count = [1, 2, 3, 4, 5][v];
        let tags = [
            ("wholesale", "b2b"),
            ("vip", "loyalty"),
            ("newsletter", "returning"),
            ("influencer", "vip"),
            ("b2b", "loyalty"),
        ][v];
        let collections = [
            "[7, 12, 42, 99, 150]",
            "[1, 2, 3]",
            "[50, 60, 70, 80]",
            "[199]",
            "[5, 10, 15, 20, 25, 30]",
        ][v];
        rules.extend([
            (format!("high-value {v}"), format!("lifetime_value >= {value}")),
            (
                format!("vip-north-america {v}"),
                format!(
                    r#"lifetime_value >= {value} AND (country IN ["US", "CA"] OR did purchase >= {count} times in last {days} days)"#
                ),
            ),
            (
                format!("lapsed {v}"),
                format!("order_count >= 1 AND last_order_at more than {days} days ago"),
            ),
            (
                format!("cart-abandoners {v}"),
                format!(
                    "did add_to_cart >= 1 time in last {short} days AND NOT did purchase >= 1 time in last {short} days"
                ),
            ),
            (
                format!("email-marketable {v}"),
                format!(
                    r#"email_consent = "SUBSCRIBED" AND has_email = true AND state = "ENABLED" AND sessions >= {}"#,
                    v * 5
                ),
            ),
            (
                format!("window-shoppers {v}"),
                format!("product_views >= {} AND order_count = 0", 5 + v * 5),
            ),
            (
                format!("new-customers {v}"),
                format!("created_at in last {days} days AND order_count <= 1"),
            ),
            (
                format!("wholesale {v}"),
                format!(r#"tags CONTAINS "{}" OR tags CONTAINS "{}""#, tags.0, tags.1),
            ),
            (
                format!("refunders {v}"),
                format!("did refund >= {} times in last {days} days", 1 + v % 2),
            ),
            (
                format!("collection-fans {v}"),
                format!("did purchase >= 1 time in last {days} days for collections {collections}"),
            ),
        ]);
    }
    rules
}

pub async fn segments_db(options: SegmentsDbOptions) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("segops-bench-{}", uuid::Uuid::new_v4()));
    let mut kept = None;
    let database_url = match (options.store.as_str(), &options.keep) {
        ("sqlite", Some(file)) => {
            let marker = file.with_extension("fill");
            let wanted = format!("{} {} {SHOP}", options.profiles, options.seed);
            kept = std::fs::read_to_string(&marker).ok().and_then(|text| {
                let (held, now) = text.trim().rsplit_once(' ')?;
                (held == wanted && file.exists()).then(|| now.parse::<i64>().ok())?
            });
            if kept.is_none() {
                let _ = std::fs::remove_file(file);
                let _ = std::fs::remove_file(&marker);
            }
            format!("sqlite://{}", file.display())
        }
        ("sqlite", None) => {
            std::fs::create_dir_all(&dir)?;
            format!("sqlite://{}/bench.db", dir.display())
        }
        ("postgres", None) => crate::testing::fresh_postgres_database()
            .await
            .context("PostgreSQL is not reachable")?,
        ("postgres", Some(_)) => anyhow::bail!("--keep is for --store sqlite"),
        (other, _) => anyhow::bail!("--store must be sqlite or postgres, not {other:?}"),
    };
    let _cleanup = RemoveDir(dir);
    let db = Db::connect(&database_url).await?;
    db.migrate().await?;
    let now = kept.unwrap_or_else(crate::clock::now_ms);

    let mut set = SegmentSet::new();
    let rules = segment_rules();
    for (index, (_, text)) in rules.iter().enumerate() {
        let rule = Rule::parse_text(text).map_err(|err| anyhow::anyhow!(err.pointer(text)))?;
        set.insert(index, &rule)?;
    }
    let started = Instant::now();
    let (expected, events) = fill(&db, &options, now, &mut set, kept.is_none()).await?;
    let fill_time = started.elapsed();
    if let Some(file) = &options.keep {
        if kept.is_some() {
            // The segments and memberships of the last run go; the profiles stay.
            for table in ["memberships", "segments", "jobs", "pending_evaluations"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                    .execute(db.pool())
                    .await?;
            }
        } else {
            std::fs::write(
                file.with_extension("fill"),
                format!("{} {} {SHOP} {now}\n", options.profiles, options.seed),
            )?;
        }
    }

    let mut ids = Vec::with_capacity(rules.len());
    for (name, text) in &rules {
        let rule = Rule::parse_text(text).map_err(|err| anyhow::anyhow!(err.pointer(text)))?;
        let new = NewSegment {
            name: name.clone(),
            rule,
            push_mode: PushMode::Tag,
        };
        ids.push(segments_store::create(&db, SHOP, &new).await?.id);
    }

    let full = FullOptions {
        page_size: options.page_size,
        batch_changes: options.batch_changes,
        as_of_ms: Some(now),
        writers: options.writers,
    };
    let mut runs = Vec::new();
    for name in [
        "first run (every member enters)",
        "second run (nothing changes)",
    ] {
        reset_peak_rss();
        let load = load_average();
        let started = Instant::now();
        let done = segments_store::evaluate_segments(&db, SHOP, &ids, &full).await?;
        runs.push((name, started.elapsed(), done, peak_rss(), load));
    }
    let counts = member_counts(&db, &ids).await?;
    anyhow::ensure!(
        counts == expected,
        "stored member counts {counts:?} differ from the in-memory evaluation {expected:?}"
    );

    println!(
        "segments-db benchmark: {} profiles (seed {}) with {} events on {}, {} segments, page {} profiles, write batch {} changes",
        options.profiles,
        options.seed,
        events,
        options.store,
        ids.len(),
        options.page_size,
        options.batch_changes
    );
    println!("machine: {}", machine());
    println!(
        "fill (not timed below): {:.0} s; member counts match an in-memory evaluation of the same profiles",
        fill_time.as_secs_f64()
    );
    println!();
    println!(
        "| run | time | profiles/s | entered | left | write transactions | reading / evaluating / writing | peak RSS | load average at start | target |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, elapsed, done, peak, load) in &runs {
        println!(
            "| {name} | {} | {:.0} | {} | {} | {} | {:.1} / {:.1} / {:.1} s | {:.0} MB | {load} | < 60 s |",
            seconds(*elapsed),
            done.profiles as f64 / elapsed.as_secs_f64().max(1e-9),
            done.entered,
            done.left,
            done.write_transactions,
            done.read_ms as f64 / 1e3,
            done.evaluate_ms as f64 / 1e3,
            done.write_ms as f64 / 1e3,
            *peak as f64 / 1e6,
        );
    }
    println!();
    println!(
        "members per segment: {}",
        counts
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// Writes the synthetic profiles and their events in large multi-row transactions (unless
/// `write` is false: a kept database holds them already), and counts each segment's members in
/// memory as it goes. Returns those counts and the events written.
async fn fill(
    db: &Db,
    options: &SegmentsDbOptions,
    now: i64,
    set: &mut SegmentSet<usize>,
    write: bool,
) -> anyhow::Result<(Vec<i64>, u64)> {
    let mut expected = vec![0i64; set.len()];
    let mut events = 0u64;
    let mut stream = shoppers::stream(options.seed, now, set.tags_mut());
    let mut written = 0usize;
    while written < options.profiles {
        let take = FILL_CHUNK.min(options.profiles - written);
        let chunk: Vec<(String, Profile)> = (written..written + take)
            .zip(stream.by_ref())
            .map(|(i, p)| (format!("person:{i:08}"), p))
            .collect();
        for (_, profile) in &chunk {
            set.evaluate_all(profile, now, |index, member| {
                expected[*index] += i64::from(member);
            });
        }
        if !write {
            events += chunk
                .iter()
                .map(|(_, p)| p.events.len() as u64)
                .sum::<u64>();
            written += take;
            continue;
        }
        let mut conn = db.pool().acquire().await?;
        sqlx::query(dialect::begin_write(db.backend()))
            .execute(&mut *conn)
            .await?;
        insert_profiles(&mut conn, &chunk, now).await?;
        events += insert_events(&mut conn, &chunk, now).await?;
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        written += take;
    }
    Ok((expected, events))
}

async fn insert_profiles(
    conn: &mut sqlx::AnyConnection,
    chunk: &[(String, Profile)],
    now: i64,
) -> anyhow::Result<()> {
    const COLUMNS: usize = 22;
    for rows in chunk.chunks(256) {
        let values: Vec<String> = (0..rows.len())
            .map(|r| {
                let marks: Vec<String> = (1..=COLUMNS)
                    .map(|c| format!("${}", r * COLUMNS + c))
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO profiles (shop_id, person_id, lifetime_value, order_count, first_order_at, \
             last_order_at, country, tags, state, verified_email, email_consent, email_opt_in, \
             sms_consent, sms_opt_in, has_email, has_phone, customer_created_at, last_seen_at, \
             product_views, add_to_carts, sessions, updated_at) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (person, p) in rows {
            let tags: Vec<&str> = p.tags.iter().map(|t| t.as_str()).collect();
            query = query
                .bind(SHOP)
                .bind(person.as_str())
                .bind(p.lifetime_value.to_string())
                .bind(i64::from(p.order_count))
                .bind(p.first_order_at)
                .bind(p.last_order_at)
                .bind(p.country.map(|c| c.as_str().to_owned()))
                .bind(tags.join(","))
                .bind(p.state.as_str())
                .bind(i64::from(p.verified_email))
                .bind(p.email_consent.as_str())
                .bind(p.email_opt_in.as_str())
                .bind(p.sms_consent.as_str())
                .bind(p.sms_opt_in.as_str())
                .bind(i64::from(p.has_email))
                .bind(i64::from(p.has_phone))
                .bind(p.created_at)
                .bind(p.last_seen_at)
                .bind(i64::from(p.product_views))
                .bind(i64::from(p.add_to_carts))
                .bind(i64::from(p.sessions))
                .bind(now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn insert_events(
    conn: &mut sqlx::AnyConnection,
    chunk: &[(String, Profile)],
    now: i64,
) -> anyhow::Result<u64> {
    // Bound per row; the shop is `$1`, shared.
    const COLUMNS: usize = 6;
    let mut rows: Vec<(&str, &'static str, String, i64, String)> = Vec::new();
    for (person, profile) in chunk {
        for (n, event) in profile.events.iter().enumerate() {
            let products: Vec<String> = event
                .products
                .iter()
                .map(|id| format!(r#"{{"product_id":{id}}}"#))
                .collect();
            let collection = event
                .collections
                .first()
                .map(|c| format!(r#","collection_id":{c}"#))
                .unwrap_or_default();
            rows.push((
                person,
                event.kind.as_str(),
                format!("{person}:{n}"),
                event.at_ms,
                format!(r#"{{"products":[{}]{collection}}}"#, products.join(",")),
            ));
        }
    }
    for part in rows.chunks(1024) {
        let values: Vec<String> = (0..part.len())
            .map(|r| {
                let p = r * COLUMNS;
                format!(
                    "($1, ${}, ${}, ${}, ${}, ${}, 'bench', ${})",
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO events (shop_id, person_id, kind, dedupe_key, occurred_at, properties, \
             source, created_at) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(SHOP);
        for (person, kind, key, at, properties) in part {
            query = query
                .bind(*person)
                .bind(*kind)
                .bind(key.as_str())
                .bind(*at)
                .bind(properties.as_str())
                .bind(now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(rows.len() as u64)
}

async fn member_counts(db: &Db, ids: &[String]) -> anyhow::Result<Vec<i64>> {
    let mut counts = Vec::with_capacity(ids.len());
    for id in ids {
        let count: i64 =
            sqlx::query_scalar("SELECT member_count FROM segments WHERE shop_id = $1 AND id = $2")
                .bind(SHOP)
                .bind(id)
                .fetch_one(db.pool())
                .await?;
        counts.push(count);
    }
    Ok(counts)
}

/// Resets the kernel's peak-RSS mark, so each run reports its own peak.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// VmHWM (peak resident set) in bytes, 0 where /proc cannot be read.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// The 1-, 5- and 15-minute load averages: the machine is shared.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

struct RemoveDir(PathBuf);

impl Drop for RemoveDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
