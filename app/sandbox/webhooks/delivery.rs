//! Webhook delivery: a queue of signed POSTs, retried on failure on Shopify's schedule
//! (8 attempts, exponential backoff), with per-shop faults: duplicates, lateness, reordering, pausing.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{Notify, oneshot};

use super::super::signing::webhook_hmac;
use crate::sandbox::state::WebhookSettings;

/// Shopify makes 8 attempts in all before giving up on a delivery.
pub const MAX_ATTEMPTS: u32 = 8;
/// Shopify waits at most 5 s for an answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// How long an out-of-order shop gathers a batch before releasing it reversed.
const REORDER_WINDOW: Duration = Duration::from_millis(300);

/// One message to one endpoint, as a merchant action produced it.
#[derive(Debug, Clone)]
pub struct Message {
    pub topic: String,
    pub uri: String,
    pub api_version: String,
    pub name: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Job {
    key: u64,
    shop: String,
    topic: String,
    uri: String,
    api_version: String,
    name: Option<String>,
    body: Arc<Vec<u8>>,
    webhook_id: String,
    event_id: String,
    triggered_at: String,
    attempt: u32,
    due: Instant,
    forced: bool,
    record: usize,
}

/// One delivery attempt, as `GET /_sandbox/shops/{shop}/deliveries` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptRecord {
    #[serde(skip)]
    pub shop: String,
    pub webhook_id: String,
    pub event_id: String,
    pub topic: String,
    pub uri: String,
    pub attempt: u32,
    pub status: &'static str,
    pub response_status: Option<u16>,
    pub error: Option<String>,
}

#[derive(Default)]
struct Inner {
    queue: Vec<Job>,
    /// Out-of-order shops: jobs gathered since the batch opened.
    batches: HashMap<String, (Instant, Vec<Job>)>,
    in_flight: HashSet<u64>,
    records: Vec<AttemptRecord>,
    settings: HashMap<String, WebhookSettings>,
    waiters: Vec<(HashSet<u64>, Option<oneshot::Sender<()>>)>,
    next_key: u64,
}

pub struct DeliveryQueue {
    inner: Mutex<Inner>,
    wake: Notify,
    secret: String,
    retry_base: Duration,
    http: reqwest::Client,
}

impl DeliveryQueue {
    pub fn new(secret: String, retry_base: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // Shopify counts a redirect as a failed delivery.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            inner: Mutex::new(Inner::default()),
            wake: Notify::new(),
            secret,
            retry_base,
            http,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_settings(&self, shop: &str, settings: WebhookSettings) {
        self.lock().settings.insert(shop.to_string(), settings);
        self.wake.notify_one();
    }

    /// Queues every message one merchant action produced; they share one event id.
    pub fn enqueue(&self, shop: &str, messages: Vec<Message>) {
        if messages.is_empty() {
            return;
        }
        let event_id = uuid::Uuid::new_v4().to_string();
        let triggered_at = triggered_at_now();
        let mut inner = self.lock();
        let settings = inner.settings.get(shop).cloned().unwrap_or_default();
        let due = Instant::now() + Duration::from_millis(settings.delay_ms);
        let copies = if settings.duplicates { 2 } else { 1 };
        for message in messages {
            let body = Arc::new(message.body);
            for _ in 0..copies {
                // A duplicate is a separate delivery: new webhook id, same event id.
                let webhook_id = uuid::Uuid::new_v4().to_string();
                let key = inner.next_key;
                inner.next_key += 1;
                let record = inner.records.len();
                inner.records.push(AttemptRecord {
                    shop: shop.to_string(),
                    webhook_id: webhook_id.clone(),
                    event_id: event_id.clone(),
                    topic: message.topic.clone(),
                    uri: message.uri.clone(),
                    attempt: 1,
                    status: "pending",
                    response_status: None,
                    error: None,
                });
                let job = Job {
                    key,
                    shop: shop.to_string(),
                    topic: message.topic.clone(),
                    uri: message.uri.clone(),
                    api_version: message.api_version.clone(),
                    name: message.name.clone(),
                    body: body.clone(),
                    webhook_id,
                    event_id: event_id.clone(),
                    triggered_at: triggered_at.clone(),
                    attempt: 1,
                    due,
                    forced: false,
                    record,
                };
                if settings.out_of_order {
                    inner
                        .batches
                        .entry(shop.to_string())
                        .or_insert_with(|| (due + REORDER_WINDOW, Vec::new()))
                        .1
                        .push(job);
                } else {
                    inner.queue.push(job);
                }
            }
        }
        drop(inner);
        // A paused shop's delivery cannot become due: waking the sender would only make it scan
        // the held queue again, which made bulk work on a paused shop quadratic.
        if !settings.paused {
            self.wake.notify_one();
        }
    }

    /// Attempts recorded for one shop, oldest first.
    pub fn records(&self, shop: &str) -> Vec<AttemptRecord> {
        self.lock()
            .records
            .iter()
            .filter(|r| r.shop == shop)
            .cloned()
            .collect()
    }

    /// Deliveries not finished yet: queued, held, or in flight.
    pub fn pending(&self) -> usize {
        let inner = self.lock();
        inner.queue.len()
            + inner.in_flight.len()
            + inner.batches.values().map(|b| b.1.len()).sum::<usize>()
    }

    /// Makes every queued delivery (paused, delayed, held for reordering, awaiting a retry) due now
    /// and waits until those attempts, and any in flight, have finished.
    pub async fn flush(&self, timeout: Duration) -> bool {
        let (tx, rx) = oneshot::channel();
        {
            let mut inner = self.lock();
            let now = Instant::now();
            let batches: Vec<(String, (Instant, Vec<Job>))> = inner.batches.drain().collect();
            for (_, (_, mut jobs)) in batches {
                jobs.reverse();
                inner.queue.extend(jobs);
            }
            let mut keys: HashSet<u64> = inner.in_flight.clone();
            for job in &mut inner.queue {
                job.due = now;
                job.forced = true;
                keys.insert(job.key);
            }
            if keys.is_empty() {
                return true;
            }
            inner.waiters.push((keys, Some(tx)));
        }
        self.wake.notify_one();
        tokio::time::timeout(timeout, rx).await.is_ok()
    }

    /// Runs forever, sending due deliveries.
    pub async fn run(self: Arc<Self>) {
        loop {
            let (groups, next) = self.take_due();
            for group in groups {
                let this = self.clone();
                tokio::spawn(async move {
                    // One shop's batch goes out in order, one request at a time.
                    for job in group {
                        let outcome = this.send(&job).await;
                        this.complete(job, outcome);
                    }
                });
            }
            match next {
                Some(at) => {
                    let _ = tokio::time::timeout_at(at.into(), self.wake.notified()).await;
                }
                None => self.wake.notified().await,
            }
        }
    }

    fn take_due(&self) -> (Vec<Vec<Job>>, Option<Instant>) {
        let mut inner = self.lock();
        let now = Instant::now();
        let ripe: Vec<String> = inner
            .batches
            .iter()
            .filter(|(_, (release, _))| *release <= now)
            .map(|(shop, _)| shop.clone())
            .collect();
        for shop in ripe {
            if let Some((_, mut jobs)) = inner.batches.remove(&shop) {
                jobs.reverse();
                for job in &mut jobs {
                    job.due = now;
                }
                inner.queue.extend(jobs);
            }
        }
        let mut groups: Vec<(String, Vec<Job>)> = Vec::new();
        let mut rest = Vec::new();
        let mut next: Option<Instant> = inner.batches.values().map(|b| b.0).min();
        let queue = std::mem::take(&mut inner.queue);
        for job in queue {
            let paused = inner.settings.get(&job.shop).is_some_and(|s| s.paused);
            if job.forced || (!paused && job.due <= now) {
                inner.in_flight.insert(job.key);
                match groups.iter_mut().find(|(shop, _)| *shop == job.shop) {
                    Some((_, jobs)) => jobs.push(job),
                    None => groups.push((job.shop.clone(), vec![job])),
                }
            } else {
                if !paused {
                    next = Some(next.map_or(job.due, |n| n.min(job.due)));
                }
                rest.push(job);
            }
        }
        inner.queue = rest;
        (groups.into_iter().map(|(_, jobs)| jobs).collect(), next)
    }

    async fn send(&self, job: &Job) -> Result<u16, (Option<u16>, String)> {
        let mut request = self
            .http
            .post(&job.uri)
            .header("Content-Type", "application/json")
            .header("X-Shopify-Topic", &job.topic)
            .header(
                "X-Shopify-Hmac-Sha256",
                webhook_hmac(&self.secret, &job.body),
            )
            .header("X-Shopify-Shop-Domain", &job.shop)
            .header("X-Shopify-API-Version", &job.api_version)
            .header("X-Shopify-Webhook-Id", &job.webhook_id)
            .header("X-Shopify-Event-Id", &job.event_id)
            .header("X-Shopify-Triggered-At", &job.triggered_at);
        if let Some(name) = &job.name {
            request = request.header("X-Shopify-Name", name);
        }
        match request.body(job.body.as_ref().clone()).send().await {
            Ok(response) if response.status().is_success() => Ok(response.status().as_u16()),
            Ok(response) => {
                let status = response.status().as_u16();
                Err((Some(status), format!("HTTP {status}")))
            }
            Err(e) if e.is_timeout() => Err((None, "timed out after 5 s".into())),
            Err(e) => Err((None, format!("connection failed: {e}"))),
        }
    }

    fn complete(&self, job: Job, outcome: Result<u16, (Option<u16>, String)>) {
        let mut inner = self.lock();
        inner.in_flight.remove(&job.key);
        let failed = outcome.is_err();
        if let Some(record) = inner.records.get_mut(job.record) {
            match &outcome {
                Ok(status) => {
                    record.status = "delivered";
                    record.response_status = Some(*status);
                }
                Err((status, error)) => {
                    record.status = "failed";
                    record.response_status = *status;
                    record.error = Some(error.clone());
                }
            }
        }
        if failed && job.attempt < MAX_ATTEMPTS {
            let backoff = self.retry_base.saturating_mul(1 << (job.attempt - 1));
            let record = inner.records.len();
            inner.records.push(AttemptRecord {
                shop: job.shop.clone(),
                webhook_id: job.webhook_id.clone(),
                event_id: job.event_id.clone(),
                topic: job.topic.clone(),
                uri: job.uri.clone(),
                attempt: job.attempt + 1,
                status: "pending",
                response_status: None,
                error: None,
            });
            let key = inner.next_key;
            inner.next_key += 1;
            inner.queue.push(Job {
                key,
                attempt: job.attempt + 1,
                due: Instant::now() + backoff,
                forced: false,
                record,
                ..job.clone()
            });
        }
        for (keys, tx) in &mut inner.waiters {
            keys.remove(&job.key);
            if keys.is_empty()
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(());
            }
        }
        inner.waiters.retain(|(keys, _)| !keys.is_empty());
        drop(inner);
        self.wake.notify_one();
    }
}

/// `X-Shopify-Triggered-At`, e.g. `2025-07-10T16:15:47.000000Z`.
fn triggered_at_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    )
}
