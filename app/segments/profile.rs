//! The profile snapshot segments read: compact enough for a million in memory (boxed slices,
//! shared tag strings, two-byte countries, one-byte enums) and read without allocating.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::events::EventKind;

/// What segments know about one customer. The profiles layer fills it; evaluation only reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Shop currency, net of refunds.
    pub lifetime_value: Decimal,
    pub average_order_value: Decimal,
    pub order_count: u32,
    pub first_order_at: Option<i64>,
    pub last_order_at: Option<i64>,
    pub created_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    pub has_email: bool,
    pub has_phone: bool,
    pub first_name: Option<Box<str>>,
    pub last_name: Option<Box<str>>,
    pub country: Option<CountryCode>,
    pub tags: Box<[Tag]>,
    pub state: CustomerState,
    pub verified_email: bool,
    pub email_consent: MarketingState,
    pub email_opt_in: OptInLevel,
    pub sms_consent: MarketingState,
    pub sms_opt_in: OptInLevel,
    pub product_views: u32,
    pub add_to_carts: u32,
    pub sessions: u32,
    pub events: EventHistory,
}

impl Profile {
    pub fn has_tag(&self, tag: &Tag) -> bool {
        self.tags.iter().any(|t| t.same(tag))
    }

    /// Heap bytes this profile owns beyond its own size (tag strings are shared, not counted).
    pub fn heap_bytes(&self) -> usize {
        let name = |n: &Option<Box<str>>| n.as_ref().map_or(0, |s| s.len());
        name(&self.first_name)
            + name(&self.last_name)
            + std::mem::size_of_val(&*self.tags)
            + self.events.heap_bytes()
    }
}

/// A customer tag. Equal tags from one [`TagPool`] share their string, so comparing them is a
/// pointer check; tags built elsewhere still compare by text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(Arc<str>);

impl Tag {
    pub fn new(text: &str) -> Tag {
        Tag(Arc::from(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Pointer equality first: tags interned in one pool hit it; otherwise the text decides.
    #[inline]
    pub fn same(&self, other: &Tag) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// Deduplicates tag strings across a shop's profiles (many customers carry the same few tags).
/// Dropping the pool and the profiles frees the strings, so one shop's tags never outlive it.
#[derive(Debug, Default)]
pub struct TagPool {
    tags: HashSet<Tag>,
}

impl TagPool {
    pub fn intern(&mut self, text: &str) -> Tag {
        if let Some(tag) = self.tags.get(text) {
            return tag.clone();
        }
        let tag = Tag::new(text);
        self.tags.insert(tag.clone());
        tag
    }

    pub fn len(&self) -> usize {
        self.tags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }
}

impl std::borrow::Borrow<str> for Tag {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// ISO 3166-1 alpha-2, upper case, in two bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Two ASCII letters, any case; anything else is not a country code.
    pub fn parse(text: &str) -> Option<CountryCode> {
        match text.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Some(CountryCode([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
            ])),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // Built only from ASCII letters in `parse`.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares a one-byte enum with Shopify's GraphQL names, parsing and listing them.
macro_rules! shopify_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? } default $default:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = $text] $variant,)+
        }

        impl $name {
            pub const NAMES: &'static [&'static str] = &[$($text),+];
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl Default for $name {
            fn default() -> Self { $name::$default }
        }
    };
}

shopify_enum!(
    /// Shopify's `CustomerState`.
    CustomerState { Enabled = "ENABLED", Disabled = "DISABLED", Invited = "INVITED", Declined = "DECLINED" }
    default Disabled
);

shopify_enum!(
    /// Shopify's `CustomerEmailMarketingState` (SMS uses the same names except `INVALID`).
    MarketingState {
        NotSubscribed = "NOT_SUBSCRIBED",
        Pending = "PENDING",
        Subscribed = "SUBSCRIBED",
        Unsubscribed = "UNSUBSCRIBED",
        Redacted = "REDACTED",
        Invalid = "INVALID",
    }
    default NotSubscribed
);

shopify_enum!(
    /// Shopify's `CustomerMarketingOptInLevel`.
    OptInLevel { SingleOptIn = "SINGLE_OPT_IN", ConfirmedOptIn = "CONFIRMED_OPT_IN", Unknown = "UNKNOWN" }
    default Unknown
);

/// One event as segments see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventView<'a> {
    pub kind: EventKind,
    pub at_ms: i64,
    pub products: &'a [u64],
    pub collections: &'a [u64],
}

/// A customer's recent events, oldest first, with their product and collection ids in one
/// shared slice (16 bytes per event plus 8 per id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventHistory {
    events: Box<[EventRecord]>,
    ids: Box<[u64]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EventRecord {
    at_ms: i64,
    /// Where this event's ids start in `ids`: products first, then collections.
    start: u32,
    products: u16,
    collections: u8,
    kind: EventKind,
}

/// More ids than this on one event are dropped: a product sits in a handful of collections, and
/// a cart line list longer than this is not what a segment filters on.
const MAX_PRODUCTS: usize = u16::MAX as usize;
const MAX_COLLECTIONS: usize = u8::MAX as usize;

impl EventHistory {
    /// Builds the history from events in any order; they are kept oldest first.
    pub fn from_events<'a>(events: impl IntoIterator<Item = EventView<'a>>) -> EventHistory {
        let mut views: Vec<EventView<'a>> = events.into_iter().collect();
        views.sort_by_key(|v| v.at_ms);
        let mut records = Vec::with_capacity(views.len());
        let mut ids = Vec::new();
        for view in views {
            let products = &view.products[..view.products.len().min(MAX_PRODUCTS)];
            let collections = &view.collections[..view.collections.len().min(MAX_COLLECTIONS)];
            records.push(EventRecord {
                at_ms: view.at_ms,
                start: u32::try_from(ids.len()).unwrap_or(u32::MAX),
                products: products.len() as u16,
                collections: collections.len() as u8,
                kind: view.kind,
            });
            ids.extend_from_slice(products);
            ids.extend_from_slice(collections);
        }
        EventHistory {
            events: records.into_boxed_slice(),
            ids: ids.into_boxed_slice(),
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = EventView<'_>> + '_ {
        self.events.iter().map(|r| self.view(r))
    }

    /// Events with `from_ms <= at_ms <= to_ms`, found by binary search.
    pub fn between(&self, from_ms: i64, to_ms: i64) -> impl Iterator<Item = EventView<'_>> + '_ {
        let start = self.events.partition_point(|r| r.at_ms < from_ms);
        self.events[start..]
            .iter()
            .take_while(move |r| r.at_ms <= to_ms)
            .map(|r| self.view(r))
    }

    fn view(&self, record: &EventRecord) -> EventView<'_> {
        let start = record.start as usize;
        let middle = start + record.products as usize;
        let end = middle + record.collections as usize;
        EventView {
            kind: record.kind,
            at_ms: record.at_ms,
            products: self.ids.get(start..middle).unwrap_or(&[]),
            collections: self.ids.get(middle..end).unwrap_or(&[]),
        }
    }

    fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.events) + std::mem::size_of_val(&*self.ids)
    }
}
