//! `segops bench segments`: ten realistic segments over a million synthetic profiles in memory:
//! a full evaluation on every core, and incremental re-evaluation after one event (only the
//! segments that read what changed). Prints the machine beside the figures.

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::shoppers;
use crate::segments::{Profile, Rule, SegmentSet};

pub struct SegmentsOptions {
    pub profiles: usize,
    /// Events applied one at a time for the incremental measure.
    pub events: usize,
    pub seed: u64,
    /// Threads for the full evaluation (default: every core).
    pub threads: Option<usize>,
}

/// 2026-01-01T00:00:00Z: a fixed clock, so windows select the same customers every run.
const NOW: i64 = 1_767_225_600_000;

pub const SEGMENTS: [(&str, &str); 10] = [
    ("high-value", "lifetime_value >= 500"),
    (
        "vip-north-america",
        r#"lifetime_value >= 500 AND (country IN ["US", "CA"] OR did purchase >= 3 times in last 90 days)"#,
    ),
    (
        "lapsed",
        "order_count >= 1 AND last_order_at more than 90 days ago",
    ),
    (
        "cart-abandoners",
        "did add_to_cart >= 1 time in last 7 days AND NOT did purchase >= 1 time in last 7 days",
    ),
    (
        "email-marketable",
        r#"email_consent = "SUBSCRIBED" AND has_email = true AND state = "ENABLED""#,
    ),
    ("window-shoppers", "product_views >= 10 AND order_count = 0"),
    (
        "new-customers",
        "created_at in last 30 days AND order_count <= 1",
    ),
    (
        "wholesale",
        r#"tags CONTAINS "wholesale" OR tags CONTAINS "b2b""#,
    ),
    ("refunders", "did refund >= 2 times in last 180 days"),
    (
        "collection-fans",
        "did purchase >= 1 time in last 365 days for collections [7, 12, 42, 99, 150]",
    ),
];

pub fn segments(options: SegmentsOptions) -> anyhow::Result<()> {
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut set = SegmentSet::new();
    for (key, text) in SEGMENTS {
        let rule = Rule::parse_text(text).map_err(|err| anyhow::anyhow!(err.pointer(text)))?;
        set.insert(key, &rule)?;
    }

    let rss_before = rss_bytes();
    let started = Instant::now();
    let mut profiles = shoppers::profiles(options.profiles, options.seed, NOW, set.tags_mut());
    let synthesis = started.elapsed();
    let rss_after = rss_bytes();
    let events: usize = profiles.iter().map(|p| p.events.len()).sum();

    let mut members = Vec::new();
    let mut full_runs = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        members = evaluate_all(&set, &profiles, threads);
        full_runs.push(started.elapsed());
    }
    let single = {
        let started = Instant::now();
        let single_members = evaluate_all(&set, &profiles, 1);
        anyhow::ensure!(single_members == members, "thread split changed the answer");
        started.elapsed()
    };
    full_runs.sort();

    let mut rng = StdRng::seed_from_u64(options.seed ^ 0x5e9);
    let mut updates = Vec::with_capacity(options.events);
    let mut latencies = Vec::with_capacity(options.events);
    let mut everything = Vec::with_capacity(options.events);
    let mut affected_total = 0usize;
    for _ in 0..options.events {
        let index = rand::Rng::random_range(&mut rng, 0..profiles.len());
        let started = Instant::now();
        let changes = shoppers::apply_event(&mut rng, &mut profiles[index], NOW);
        updates.push(started.elapsed());
        let profile = &profiles[index];
        let started = Instant::now();
        let mut affected = 0usize;
        set.evaluate_changed(profile, &changes, NOW, |_, member| {
            affected += 1;
            std::hint::black_box(member);
        });
        latencies.push(started.elapsed());
        affected_total += affected;
        // The same profile with every segment re-evaluated, to show what the filter saves.
        let started = Instant::now();
        set.evaluate_all(profile, NOW, |_, member| {
            std::hint::black_box(member);
        });
        everything.push(started.elapsed());
    }
    for sample in [&mut updates, &mut latencies, &mut everything] {
        sample.sort_unstable();
    }

    println!(
        "segments benchmark: {} profiles (seed {}), {} events in their histories, {} segments, {} threads",
        options.profiles,
        options.seed,
        events,
        SEGMENTS.len(),
        threads
    );
    println!("machine: {}", machine());
    println!(
        "synthesis: {:.2} s; resident memory for the profiles: {:.0} MB ({:.0} bytes per profile)",
        synthesis.as_secs_f64(),
        (rss_after.saturating_sub(rss_before)) as f64 / 1e6,
        (rss_after.saturating_sub(rss_before)) as f64 / options.profiles.max(1) as f64
    );
    println!();
    println!("| measure | figure | target |");
    println!("|---|---|---|");
    println!(
        "| full evaluation, {} segments × {} profiles, {threads} threads (best of 3 / median) | {} / {} | < 2 s |",
        SEGMENTS.len(),
        options.profiles,
        ms(full_runs[0]),
        ms(full_runs[1])
    );
    println!("| full evaluation, 1 thread | {} | |", ms(single));
    println!(
        "| incremental, one event, affected segments only: p50 / p99 / max ({} events, {:.1} segments affected on average) | {} | < 50 µs |",
        options.events,
        affected_total as f64 / options.events.max(1) as f64,
        spread(&latencies)
    );
    println!(
        "| same events, all {} segments re-evaluated: p50 / p99 / max | {} | |",
        SEGMENTS.len(),
        spread(&everything)
    );
    println!(
        "| profile update before it (append the event, rebuild the history): p50 / p99 / max | {} | |",
        spread(&updates)
    );
    println!();
    println!("| segment | members |");
    println!("|---|---|");
    for ((key, _), count) in SEGMENTS.iter().zip(&members) {
        println!("| {key} | {count} |");
    }
    Ok(())
}

/// Members per segment, splitting the profiles across `threads` scoped threads.
fn evaluate_all(set: &SegmentSet<&str>, profiles: &[Profile], threads: usize) -> Vec<u64> {
    let chunk = profiles.len().div_ceil(threads).max(1);
    let partials: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = profiles
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut counts = vec![0u64; set.len()];
                    for profile in part {
                        let mut i = 0;
                        set.evaluate_all(profile, NOW, |_, member| {
                            counts[i] += u64::from(member);
                            i += 1;
                        });
                    }
                    counts
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut total = vec![0u64; set.len()];
    for part in partials {
        for (sum, n) in total.iter_mut().zip(part) {
            *sum += n;
        }
    }
    total
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

/// `p50 / p99 / max` of sorted latencies.
fn spread(sorted: &[Duration]) -> String {
    format!(
        "{} / {} / {}",
        us(percentile(sorted, 0.5)),
        us(percentile(sorted, 0.99)),
        us(sorted.last().copied().unwrap_or_default())
    )
}

/// Resident set size from /proc (0 where it cannot be read).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

pub(super) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores available")
}
