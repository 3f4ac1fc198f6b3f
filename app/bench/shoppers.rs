//! Synthetic customer profiles for `bench segments`: seeded, so every run evaluates the same
//! million customers, with shop-like skew (most never order, a few spend a lot).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use crate::events::EventKind;
use crate::segments::{
    Changes, CountryCode, CustomerState, DAY_MS, EventHistory, EventView, MarketingState,
    OptInLevel, Profile, Tag, TagPool, Trait,
};

const COUNTRIES: [(&str, u32); 8] = [
    ("US", 45),
    ("CA", 10),
    ("GB", 12),
    ("DE", 9),
    ("FR", 8),
    ("AU", 6),
    ("NL", 5),
    ("SE", 5),
];
const TAGS: [&str; 7] = [
    "vip",
    "wholesale",
    "newsletter",
    "b2b",
    "loyalty",
    "returning",
    "influencer",
];
/// Storefront and order events, weighted as a shop sees them.
const KINDS: [(EventKind, u32); 7] = [
    (EventKind::PageView, 30),
    (EventKind::ProductView, 35),
    (EventKind::AddToCart, 12),
    (EventKind::CheckoutStart, 6),
    (EventKind::Purchase, 10),
    (EventKind::Refund, 2),
    (EventKind::CollectionView, 5),
];

fn weighted<T: Copy>(rng: &mut StdRng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, weight) in table {
        if pick < *weight {
            return *item;
        }
        pick -= weight;
    }
    table[0].0
}

/// `count` profiles as of `now_ms`, the same for the same seed.
pub fn profiles(count: usize, seed: u64, now_ms: i64, tags: &mut TagPool) -> Vec<Profile> {
    stream(seed, now_ms, tags).take(count).collect()
}

/// The same customers as [`profiles`], one at a time, so a million need not sit in memory.
pub fn stream(seed: u64, now_ms: i64, tags: &mut TagPool) -> impl Iterator<Item = Profile> + use<> {
    let mut rng = StdRng::seed_from_u64(seed);
    let pool: Vec<Tag> = TAGS.iter().map(|t| tags.intern(t)).collect();
    std::iter::repeat_with(move || profile(&mut rng, now_ms, &pool))
}

fn profile(rng: &mut StdRng, now_ms: i64, pool: &[Tag]) -> Profile {
    let ago = |rng: &mut StdRng, max_days: i64| now_ms - rng.random_range(0..max_days * DAY_MS);
    let created_at = ago(rng, 1500);
    let orders: u32 = if rng.random_bool(0.45) {
        0
    } else {
        // Geometric-ish: most buyers order once or twice, a tail orders often.
        1 + (rng.random::<f64>().powi(3) * 25.0) as u32
    };
    let average = Decimal::new(rng.random_range(1_500..25_000), 2);
    let lifetime_value = average * Decimal::from(orders);
    let last_order_at = (orders > 0).then(|| ago(rng, 700).max(created_at));
    let mut events: Vec<(EventKind, i64, [u64; 2], u64)> = (0..rng.random_range(0..13))
        .map(|_| {
            let kind = weighted(rng, &KINDS);
            let at = ago(rng, 365);
            let products = [rng.random_range(1..5_000), rng.random_range(1..5_000)];
            (kind, at, products, rng.random_range(1..200))
        })
        .collect();
    events.sort_by_key(|e| e.1);
    let history =
        EventHistory::from_events(events.iter().map(|(kind, at, products, collection)| {
            EventView {
                kind: *kind,
                at_ms: *at,
                products: match kind {
                    EventKind::PageView | EventKind::CollectionView => &[],
                    EventKind::ProductView => &products[..1],
                    _ => &products[..],
                },
                collections: std::slice::from_ref(collection),
            }
        }));
    let tag_count = weighted(rng, &[(0usize, 60), (1, 28), (2, 10), (3, 2)]);
    let mut tags: Vec<Tag> = (0..tag_count)
        .map(|_| pool[rng.random_range(0..pool.len())].clone())
        .collect();
    tags.dedup();
    Profile {
        lifetime_value,
        average_order_value: if orders > 0 { average } else { Decimal::ZERO },
        order_count: orders,
        first_order_at: last_order_at.map(|last| last.min(ago(rng, 1000).max(created_at))),
        last_order_at,
        created_at: Some(created_at),
        last_seen_at: rng.random_bool(0.8).then(|| ago(rng, 200)),
        has_email: rng.random_bool(0.9),
        has_phone: rng.random_bool(0.4),
        first_name: rng.random_bool(0.85).then(|| "Alex".into()),
        last_name: rng.random_bool(0.8).then(|| "Morgan".into()),
        country: rng
            .random_bool(0.9)
            .then(|| CountryCode::parse(weighted(rng, &COUNTRIES)))
            .flatten(),
        tags: tags.into_boxed_slice(),
        state: weighted(
            rng,
            &[
                (CustomerState::Enabled, 55),
                (CustomerState::Disabled, 40),
                (CustomerState::Invited, 4),
                (CustomerState::Declined, 1),
            ],
        ),
        verified_email: rng.random_bool(0.7),
        email_consent: weighted(
            rng,
            &[
                (MarketingState::Subscribed, 35),
                (MarketingState::NotSubscribed, 50),
                (MarketingState::Unsubscribed, 10),
                (MarketingState::Pending, 5),
            ],
        ),
        email_opt_in: OptInLevel::SingleOptIn,
        sms_consent: if rng.random_bool(0.15) {
            MarketingState::Subscribed
        } else {
            MarketingState::NotSubscribed
        },
        sms_opt_in: OptInLevel::Unknown,
        product_views: rng.random_range(0..40),
        add_to_carts: rng.random_range(0..8),
        sessions: rng.random_range(0..30),
        events: history,
    }
}

/// Applies one new event to a profile as the profiles layer would, and says what changed.
pub fn apply_event(rng: &mut StdRng, profile: &mut Profile, now_ms: i64) -> Changes {
    let kind = weighted(rng, &KINDS);
    let products = [rng.random_range(1..5_000)];
    let collections = [rng.random_range(1..200)];
    let mut views: Vec<EventView<'_>> = profile.events.iter().collect();
    views.push(EventView {
        kind,
        at_ms: now_ms,
        products: &products,
        collections: &collections,
    });
    let events = EventHistory::from_events(views);
    profile.events = events;
    profile.last_seen_at = Some(now_ms);
    let mut changes = Changes::traits([Trait::LastSeenAt]).with_event(kind);
    match kind {
        EventKind::ProductView => {
            profile.product_views += 1;
            changes = changes.with_trait(Trait::ProductViews);
        }
        EventKind::AddToCart => {
            profile.add_to_carts += 1;
            changes = changes.with_trait(Trait::AddToCarts);
        }
        EventKind::PageView => {
            profile.sessions += 1;
            changes = changes.with_trait(Trait::Sessions);
        }
        EventKind::Purchase => {
            profile.order_count += 1;
            profile.lifetime_value += Decimal::new(rng.random_range(1_500..25_000), 2);
            profile.average_order_value =
                profile.lifetime_value / Decimal::from(profile.order_count);
            profile.first_order_at.get_or_insert(now_ms);
            profile.last_order_at = Some(now_ms);
            for field in [
                Trait::OrderCount,
                Trait::LifetimeValue,
                Trait::AverageOrderValue,
                Trait::FirstOrderAt,
                Trait::LastOrderAt,
            ] {
                changes = changes.with_trait(field);
            }
        }
        EventKind::Refund => {
            profile.lifetime_value =
                (profile.lifetime_value - Decimal::new(1_000, 2)).max(Decimal::ZERO);
            changes = changes.with_trait(Trait::LifetimeValue);
        }
        _ => {}
    }
    changes
}
