//! The Profiles pages: the shop's customers and visitors (search, keyset pages) and one
//! profile with its traits, identities, event timeline and segment explanations; plus the JSON
//! endpoints with the same content. Showing a profile's personal data is recorded in the
//! privacy access log, as every place that shows it is.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AdminSession;
use super::page_session::PageSession;
use super::profile_views::{DetailView, ProfilePageView};
use super::profiles_list_view::{ListView, ProfilesPage};
use crate::clock::now_ms;
use crate::error::AppError;
use crate::pii::Vault;
use crate::privacy;
use crate::profiles::detail;
use crate::profiles::directory::{self, Cursor, ProfilePage, Search};
use crate::profiles::membership;
use crate::profiles::timeline::{self, TIMELINE_PAGE};
use crate::state::{App, AppState};
use crate::tenants::ShopRecord;

/// Profiles per list page.
const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    /// Timeline cursor: where the next page of events starts.
    events: Option<String>,
}

async fn vault(app: &App, shop: &ShopRecord) -> Result<Vault, AppError> {
    Vault::for_shop(&app.db, &app.config.master_key, &shop.id)
        .await
        .map_err(AppError::internal)
}

async fn find(
    app: &App,
    session: &AdminSession,
    query: &ListQuery,
) -> Result<ProfilePage, AppError> {
    let shop = &session.shop;
    let cursor = query
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(Cursor::decode)
        .transpose()?;
    let vault = vault(app, shop).await?;
    let page = directory::list(
        &app.db,
        &vault,
        &shop.id,
        &Search::parse(&query.q),
        cursor.as_ref(),
        query.limit.unwrap_or(PAGE_SIZE),
        shop.currency.as_deref(),
    )
    .await?;
    if !page.profiles.is_empty() {
        privacy::access_log::record(
            &app.db,
            &shop.id,
            session.token.user_id.as_deref(),
            None,
            "profiles list (names, emails)",
        )
        .await?;
    }
    Ok(page)
}

/// A query string that does not parse (`limit=abc`) is the caller's mistake, said as such.
fn read<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, AppError> {
    query
        .map(|Query(q)| q)
        .map_err(|rejection| AppError::BadRequest(rejection.body_text()))
}

/// `GET /admin/profiles?q=&cursor=`.
pub async fn list_page(
    State(app): State<AppState>,
    page: PageSession,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<ProfilesPage, AppError> {
    let query = read(query)?;
    let found = find(&app, &page.session, &query).await?;
    Ok(ProfilesPage::new(
        page.api_key,
        page.id_token,
        page.session.shop.domain.to_string(),
        query.q,
        query.cursor.is_some_and(|c| !c.is_empty()),
        ListView::from(found),
    ))
}

/// `GET /admin/api/profiles?q=&cursor=&limit=`.
pub async fn list(
    State(app): State<AppState>,
    session: AdminSession,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ProfilePage>, AppError> {
    Ok(Json(find(&app, &session, &read(query)?).await?))
}

async fn load(
    app: &App,
    session: &AdminSession,
    person_id: &str,
    events: Option<&str>,
) -> Result<DetailView, AppError> {
    let shop = &session.shop;
    let vault = vault(app, shop).await?;
    let profile = detail::load(
        &app.db,
        &vault,
        &shop.id,
        person_id,
        shop.currency.as_deref(),
    )
    .await?
    .ok_or_else(|| AppError::NotFound("no such profile in this shop".into()))?;
    let timeline = timeline::timeline(
        &app.db,
        &shop.id,
        person_id,
        events.filter(|e| !e.is_empty()),
        TIMELINE_PAGE,
    )
    .await?;
    let standings = membership::standings(&app.db, &shop.id, person_id, now_ms()).await?;
    privacy::access_log::record(
        &app.db,
        &shop.id,
        session.token.user_id.as_deref(),
        profile.customer_id.as_deref(),
        "profile page",
    )
    .await?;
    Ok(DetailView {
        profile,
        timeline,
        standings,
    })
}

/// `GET /admin/profiles/{id}?events=`.
pub async fn detail_page(
    State(app): State<AppState>,
    page: PageSession,
    Path(person_id): Path<String>,
    query: Result<Query<DetailQuery>, QueryRejection>,
) -> Result<ProfilePageView, AppError> {
    let query = read(query)?;
    let view = load(&app, &page.session, &person_id, query.events.as_deref()).await?;
    Ok(ProfilePageView::new(
        page.api_key,
        page.id_token,
        page.session.shop.domain.to_string(),
        view,
    ))
}

/// `GET /admin/api/profiles/{id}?events=`.
pub async fn detail(
    State(app): State<AppState>,
    session: AdminSession,
    Path(person_id): Path<String>,
    query: Result<Query<DetailQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    let query = read(query)?;
    let view = load(&app, &session, &person_id, query.events.as_deref()).await?;
    Ok(Json(json!({
        "profile": view.profile,
        "timeline": view.timeline,
        "segments": view.standings,
    })))
}
