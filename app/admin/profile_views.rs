//! What the profile page renders: the read model turned into display text (dates, money with
//! its currency, readable labels) and links that carry the session token along; plus the
//! helpers the list page (`profiles_list_view`) shares.

use askama::Template;
use askama_web::WebTemplate;

use crate::clock::format_ms;
use crate::profiles::detail::Profile;
use crate::profiles::membership::Standing;
use crate::profiles::timeline::Timeline;

pub(super) fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

pub(super) fn when(ms: Option<i64>) -> String {
    ms.map(format_ms).unwrap_or_else(|| "—".into())
}

pub(super) fn money(amount: &str, currency: Option<&str>) -> String {
    match currency {
        Some(c) => format!("{amount} {c}"),
        None => amount.to_owned(),
    }
}

pub fn profile_href(person_id: &str, id_token: &str) -> String {
    format!("/admin/profiles/{}?id_token={id_token}", encode(person_id))
}

/// What a profile is called in lists: their name, else their email, else what they are.
pub(super) fn title_of(name: Option<&str>, email: Option<&str>, person_id: &str) -> String {
    name.or(email).map(str::to_owned).unwrap_or_else(|| {
        if person_id.starts_with("customer:") {
            "Customer without a name".into()
        } else {
            "Anonymous visitor".into()
        }
    })
}

pub struct DetailView {
    pub profile: Profile,
    pub timeline: Timeline,
    pub standings: Vec<Standing>,
}

pub struct EventRow {
    pub when: String,
    pub name: String,
    pub kind: String,
    pub source: String,
    pub properties: String,
}

pub struct LineView {
    pub indent: usize,
    pub clause: String,
    pub held: bool,
    pub actual: String,
}

pub struct StandingView {
    pub name: String,
    pub slug: String,
    pub status: &'static str,
    pub badge: &'static str,
    pub entered: String,
    pub left: String,
    pub holds_now: bool,
    pub lines: Vec<LineView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/profile.html")]
pub struct ProfilePageView {
    pub api_key: String,
    pub id_token: String,
    pub shop_domain: String,
    pub title: String,
    pub person_id: String,
    pub traits: Vec<(&'static str, String)>,
    pub identities: Vec<(String, String, String)>,
    pub events: Vec<EventRow>,
    pub next_events_url: Option<String>,
    pub standings: Vec<StandingView>,
    pub list_url: String,
}

fn text(value: Option<&str>) -> String {
    value.map(str::to_owned).unwrap_or_else(|| "—".into())
}

fn trait_rows(p: &Profile) -> Vec<(&'static str, String)> {
    let t = &p.traits;
    let currency = t.currency.as_deref();
    vec![
        (
            "Lifetime value (net of refunds)",
            money(&t.lifetime_value, currency),
        ),
        ("Orders", t.order_count.to_string()),
        (
            "Average order value",
            t.average_order_value
                .as_deref()
                .map(|a| money(a, currency))
                .unwrap_or_else(|| "—".into()),
        ),
        ("First order", when(t.first_order_at)),
        ("Last order", when(t.last_order_at)),
        ("Email", text(t.email.as_deref())),
        ("Phone", text(t.phone.as_deref())),
        ("First name", text(t.first_name.as_deref())),
        ("Last name", text(t.last_name.as_deref())),
        ("Country", text(t.country.as_deref())),
        ("Default address", text(t.default_address.as_deref())),
        (
            "Tags",
            if t.tags.is_empty() {
                "—".into()
            } else {
                t.tags.join(", ")
            },
        ),
        ("Account state", text(t.state.as_deref())),
        (
            "Verified email",
            match t.verified_email {
                Some(true) => "Yes".into(),
                Some(false) => "No".into(),
                None => "—".into(),
            },
        ),
        ("Email marketing", text(t.email_consent.as_deref())),
        ("Email opt-in level", text(t.email_opt_in.as_deref())),
        ("SMS marketing", text(t.sms_consent.as_deref())),
        ("SMS opt-in level", text(t.sms_opt_in.as_deref())),
        ("Customer since", when(t.created_at)),
        ("Last seen", when(t.last_seen_at)),
        ("Product views", t.product_views.to_string()),
        ("Add-to-carts", t.add_to_carts.to_string()),
        ("Storefront sessions", t.sessions.to_string()),
    ]
}

fn identity_label(kind: &str) -> String {
    match kind {
        "customer" => "Shopify customer id",
        "email_hash" => "Email (keyed hash)",
        "anonymous" => "Storefront visitor id",
        "checkout" => "Checkout token",
        "cart" => "Cart token",
        "order" => "Order",
        other => other,
    }
    .to_owned()
}

/// `consent_change` → `Consent change`, for kinds the Segment spec has no name for.
fn readable_kind(kind: &str) -> String {
    let spaced = kind.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

impl ProfilePageView {
    pub fn new(
        api_key: String,
        id_token: String,
        shop_domain: String,
        view: DetailView,
    ) -> ProfilePageView {
        let DetailView {
            profile,
            timeline,
            standings,
        } = view;
        let events = timeline
            .events
            .into_iter()
            .map(|e| EventRow {
                when: format_ms(e.occurred_at),
                name: e
                    .segment_name
                    .clone()
                    .unwrap_or_else(|| readable_kind(&e.kind)),
                kind: e.kind,
                source: e.source,
                properties: e
                    .properties
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect();
        let standings = standings
            .into_iter()
            .map(|s| StandingView {
                badge: match s.status {
                    "member" => "success",
                    "left" => "attention",
                    _ => "neutral",
                },
                status: match s.status {
                    "member" => "Member",
                    "left" => "Left",
                    _ => "Not a member",
                },
                entered: when(s.entered_at),
                left: when(s.left_at),
                holds_now: s.holds_now,
                lines: s
                    .explanation
                    .into_iter()
                    .map(|l| LineView {
                        indent: l.depth * 20,
                        clause: l.clause,
                        held: l.held,
                        actual: l.actual.unwrap_or_default(),
                    })
                    .collect(),
                name: s.name,
                slug: s.slug,
            })
            .collect();
        ProfilePageView {
            title: title_of(
                profile.name.as_deref(),
                profile.traits.email.as_deref(),
                &profile.person_id,
            ),
            traits: trait_rows(&profile),
            identities: profile
                .identities
                .iter()
                .map(|i| {
                    (
                        identity_label(&i.kind),
                        i.value.clone(),
                        format_ms(i.linked_at),
                    )
                })
                .collect(),
            events,
            next_events_url: timeline.next_cursor.map(|c| {
                format!(
                    "{}&events={}",
                    profile_href(&profile.person_id, &id_token),
                    encode(&c)
                )
            }),
            standings,
            list_url: format!("/admin/profiles?id_token={id_token}"),
            person_id: profile.person_id,
            api_key,
            id_token,
            shop_domain,
        }
    }
}
