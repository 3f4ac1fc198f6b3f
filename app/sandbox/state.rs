//! The sandbox's in-memory world: shops, the app's installation on each, tokens and codes.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use time::OffsetDateTime;

use super::bulk::BulkOperations;
use super::config::SandboxConfig;
use super::store::native::NativeData;
use super::store::{Cart, Checkout, Customer, Order, Product};
use super::webhooks::delivery::DeliveryQueue;
use super::webhooks::topics::WebhookSubscriptionTopic;

/// Shopify's live buckets (2026 captures): 2000 points, 100 points/s.
pub const DEFAULT_BUCKET_SIZE: f64 = 2000.0;
pub const DEFAULT_RESTORE_RATE: f64 = 100.0;

#[derive(Debug, Clone)]
pub struct ThrottleSettings {
    pub maximum_available: f64,
    pub restore_rate: f64,
    /// 200 (what Shopify's GraphQL API answers) or 429.
    pub http_status: u16,
}

/// The leaky bucket of one shop's Admin API calls.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub available: f64,
    pub updated: Instant,
}

#[derive(Debug, Clone, Default)]
pub struct WebhookSettings {
    pub duplicates: bool,
    pub delay_ms: u64,
    pub out_of_order: bool,
    pub paused: bool,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: u64,
    pub topic: WebhookSubscriptionTopic,
    pub uri: String,
    pub format: String,
    pub include_fields: Vec<String>,
    pub metafield_namespaces: Vec<String>,
    pub filter: Option<String>,
    pub name: Option<String>,
    pub api_version: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct Installation {
    pub id: u64,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Shop {
    pub numeric_id: u64,
    pub domain: String,
    pub name: String,
    pub email: String,
    pub currency: String,
    pub plan: String,
    pub iana_timezone: String,
    pub auto_approve: bool,
    pub grant_scopes: Option<Vec<String>>,
    pub throttle: ThrottleSettings,
    pub bucket: Bucket,
    pub webhooks: WebhookSettings,
    pub installation: Option<Installation>,
    pub subscriptions: Vec<Subscription>,
    pub customers: BTreeMap<u64, Customer>,
    pub products: BTreeMap<u64, Product>,
    pub orders: BTreeMap<u64, Order>,
    pub checkouts: BTreeMap<String, Checkout>,
    pub carts: BTreeMap<String, Cart>,
    pub orders_placed: u64,
    pub created_at: OffsetDateTime,
    /// Web pixel, segments, metafields and app discounts.
    pub native: NativeData,
    /// What the shop's Admin API answered, for tests that must prove no call failed.
    pub api_calls: ApiCalls,
}

/// Admin GraphQL calls the shop answered: all of them, those refused as `THROTTLED`, and those
/// answered with any other error.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiCalls {
    pub total: u64,
    pub throttled: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Offline,
    Online,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub shop: String,
    pub scopes: Vec<String>,
    pub kind: TokenKind,
    pub expires_at: Option<Instant>,
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub shop: String,
    pub access_token: String,
    pub expires_at: Instant,
}

#[derive(Debug, Clone)]
pub struct AuthorizationCode {
    pub shop: String,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
}

/// A grant the merchant has not approved yet (shops with `auto_approve: false`).
#[derive(Debug, Clone)]
pub struct PendingGrant {
    pub shop: String,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub state: Option<String>,
}

#[derive(Debug, Default)]
pub struct World {
    pub shops: HashMap<String, Shop>,
    pub tokens: HashMap<String, AccessToken>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub codes: HashMap<String, AuthorizationCode>,
    pub pending_grants: HashMap<String, PendingGrant>,
}

pub struct SandboxState {
    pub config: SandboxConfig,
    pub base_url: String,
    world: Mutex<World>,
    next_id: AtomicU64,
    pub deliveries: Arc<DeliveryQueue>,
    pub bulk: BulkOperations,
}

pub type SharedState = Arc<SandboxState>;

/// Shopify ids exceed 2^53 (see the fixtures README); ours start above it so a JS-double bug shows.
const FIRST_ID: u64 = 9_007_199_254_740_993;

impl SandboxState {
    pub fn new(config: SandboxConfig, base_url: String, deliveries: Arc<DeliveryQueue>) -> Self {
        Self {
            config,
            base_url,
            world: Mutex::new(World::default()),
            next_id: AtomicU64::new(FIRST_ID),
            deliveries,
            bulk: BulkOperations::default(),
        }
    }

    /// The world, locked. Never held across an await.
    pub fn world(&self) -> MutexGuard<'_, World> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep serving it.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh id, unique across every resource of every shop.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(7, Ordering::Relaxed)
    }
}

pub fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

/// A random lowercase hex string of `bytes` bytes.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::Rng::fill(&mut rand::rng(), buf.as_mut_slice());
    hex::encode(buf)
}
