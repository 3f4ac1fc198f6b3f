//! What the profile list renders: one row per profile, and the links to the next page.

use askama::Template;
use askama_web::WebTemplate;

use super::profile_views::{encode, money, profile_href, title_of, when};
use crate::profiles::directory::{ProfilePage, ProfileSummary};

pub struct RowView {
    pub href: String,
    pub title: String,
    pub email: String,
    pub person_id: String,
    pub orders: i64,
    pub lifetime_value: String,
    pub last_order: String,
    pub last_seen: String,
    pub segments: Vec<String>,
}

pub struct ListView {
    pub rows: Vec<ProfileSummary>,
    pub next_cursor: Option<String>,
}

impl From<ProfilePage> for ListView {
    fn from(page: ProfilePage) -> ListView {
        ListView {
            rows: page.profiles,
            next_cursor: page.next_cursor,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/profiles.html")]
pub struct ProfilesPage {
    pub api_key: String,
    pub id_token: String,
    pub shop_domain: String,
    pub q: String,
    pub searched: bool,
    /// Not the first page: offer the way back to it.
    pub later_page: bool,
    pub rows: Vec<RowView>,
    pub next_url: Option<String>,
    pub first_url: String,
}

impl ProfilesPage {
    pub fn new(
        api_key: String,
        id_token: String,
        shop_domain: String,
        q: String,
        later_page: bool,
        list: ListView,
    ) -> ProfilesPage {
        let rows = list
            .rows
            .into_iter()
            .map(|p| RowView {
                href: profile_href(&p.person_id, &id_token),
                title: title_of(p.name.as_deref(), p.email.as_deref(), &p.person_id),
                email: p.email.clone().unwrap_or_default(),
                orders: p.order_count,
                lifetime_value: money(&p.lifetime_value, p.currency.as_deref()),
                last_order: when(p.last_order_at),
                last_seen: when(p.last_seen_at),
                segments: p.segments.into_iter().map(|s| s.name).collect(),
                person_id: p.person_id,
            })
            .collect();
        let base = format!("/admin/profiles?id_token={id_token}");
        ProfilesPage {
            next_url: list
                .next_cursor
                .map(|c| format!("{base}&q={}&cursor={c}", encode(&q))),
            first_url: base,
            searched: !q.trim().is_empty(),
            q,
            later_page,
            rows,
            api_key,
            id_token,
            shop_domain,
        }
    }
}
