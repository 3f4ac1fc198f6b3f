//! A small closed-loop HTTP load generator: `concurrency` clients each send requests back to
//! back; latencies are recorded per request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct LoadReport {
    pub requests: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
    pub failures: usize,
}

impl LoadReport {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index.min(sorted.len() - 1)]
    }
}

/// Runs `total` requests built by `make(i)` over `concurrency` connections.
pub async fn run<F>(total: usize, concurrency: usize, make: F) -> LoadReport
where
    F: Fn(usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let make = Arc::clone(&make);
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let sent = Instant::now();
                match make(i).send().await {
                    Ok(response) if response.status().is_success() => {
                        latencies.push(sent.elapsed())
                    }
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failures = 0;
    for task in tasks {
        if let Ok((l, f)) = task.await {
            latencies.extend(l);
            failures += f;
        }
    }
    LoadReport {
        requests: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
        failures,
    }
}

/// Open loop: request `i` is due at `start + i / rate`, whether or not earlier ones have been
/// answered; latency counts from the due time, so a stall shows up instead of hiding (no
/// coordinated omission).
pub async fn run_paced<F>(total: usize, rate: f64, make: F) -> LoadReport
where
    F: Fn(usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let make = Arc::clone(&make);
        tasks.push(tokio::spawn(async move {
            match make(i).send().await {
                Ok(response) if response.status().is_success() => Ok(due.elapsed()),
                _ => Err(()),
            }
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failures = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(latency)) => latencies.push(latency),
            _ => failures += 1,
        }
    }
    LoadReport {
        requests: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
        failures,
    }
}

/// How many write+fsync pairs the disk under `dir` completes per second: the ceiling for
/// one-commit-per-request durability, which group commit exists to beat.
pub fn fsyncs_per_second(dir: &std::path::Path) -> std::io::Result<f64> {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&path)?;
    let started = Instant::now();
    let mut count = 0u32;
    while started.elapsed() < Duration::from_secs(1) {
        file.write_all(&[0u8; 512])?;
        file.sync_data()?;
        count += 1;
    }
    let rate = f64::from(count) / started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(path);
    Ok(rate)
}
