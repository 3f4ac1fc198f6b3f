//! OAuth as Shopify runs it: the authorize redirect (or grant page), and `/admin/oauth/access_token`
//! for authorization codes, token exchange of session tokens, and refresh tokens.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::session_token;
use super::signing::{parse_query, signed_query};
use super::state::{
    AccessToken, AuthorizationCode, Installation, PendingGrant, RefreshToken, SharedState,
    TokenKind, World, random_hex,
};
use super::webhooks::{emit, payloads};

const CODE_LIFETIME: Duration = Duration::from_secs(60);
const EXPIRING_TOKEN_SECONDS: u64 = 3600;
const REFRESH_TOKEN_SECONDS: u64 = 7_776_000;
const ONLINE_TOKEN_SECONDS: u64 = 86_400;
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE: &str = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE: &str = "urn:shopify:params:oauth:token-type:online-access-token";

/// A 302, as Shopify's OAuth and admin redirects use (axum's `Redirect::to` is a 303).
pub fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

fn text_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_string(),
    )
        .into_response()
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// `admin.shopify.com/store/<handle>`, base64-encoded: the `host` parameter.
pub fn host_param(shop_domain: &str) -> String {
    let handle = shop_domain
        .strip_suffix(".myshopify.com")
        .unwrap_or(shop_domain);
    base64::engine::general_purpose::STANDARD.encode(format!("admin.shopify.com/store/{handle}"))
}

fn origin(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u).ok()?;
    Some(parsed.origin().ascii_serialization())
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn intersect(requested: &[String], allowed: Option<&Vec<String>>) -> Vec<String> {
    match allowed {
        Some(allowed) => requested
            .iter()
            .filter(|s| allowed.contains(s))
            .cloned()
            .collect(),
        None => requested.to_vec(),
    }
}

/// `GET /store/{shop}/admin/oauth/authorize`
pub async fn authorize(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params: HashMap<String, String> = parse_query(query.as_deref().unwrap_or_default())
        .into_iter()
        .collect();
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let client_id = get("client_id");
    if client_id != state.config.api_key {
        return text_error(
            StatusCode::BAD_REQUEST,
            &format!(
                "Oauth error invalid_request: Could not find Shopify API application with api_key {client_id}"
            ),
        );
    }
    let redirect_uri = get("redirect_uri");
    if redirect_uri.is_empty() || origin(&redirect_uri) != origin(&state.config.app_url) {
        return text_error(
            StatusCode::BAD_REQUEST,
            "Oauth error invalid_request: The redirect_uri is not whitelisted",
        );
    }
    let requested = split_scopes(&get("scope"));
    let oauth_state = params.get("state").cloned();
    let mut world = state.world();
    let Some(s) = world.shops.get(&shop) else {
        return text_error(StatusCode::NOT_FOUND, "There's no store at this address.");
    };
    let scopes = intersect(&requested, s.grant_scopes.as_ref());
    if s.auto_approve {
        let location = approve(
            &state,
            &mut world,
            &shop,
            scopes,
            &redirect_uri,
            oauth_state,
        );
        return found(&location);
    }
    let grant_id = random_hex(16);
    world.pending_grants.insert(
        grant_id.clone(),
        PendingGrant {
            shop: shop.clone(),
            scopes: scopes.clone(),
            redirect_uri,
            state: oauth_state,
        },
    );
    let items: String = scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", html_escape(s)))
        .collect();
    Html(format!(
        "<!doctype html><html><head><title>Install app</title></head><body>\
         <h1>Install app on {shop}</h1><p>This app wants to:</p><ul id=\"scopes\">{items}</ul>\
         <form method=\"post\" action=\"/store/{shop}/admin/oauth/authorize/approve\">\
         <input type=\"hidden\" name=\"grant\" value=\"{grant_id}\">\
         <button type=\"submit\" id=\"install\">Install</button></form></body></html>",
        shop = html_escape(&shop),
    ))
    .into_response()
}

/// `POST /store/{shop}/admin/oauth/authorize/approve`: the merchant pressed Install.
pub async fn approve_form(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: String,
) -> Response {
    let grant = parse_query(&body)
        .into_iter()
        .find(|(k, _)| k == "grant")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let mut world = state.world();
    match world.pending_grants.remove(&grant) {
        Some(g) if g.shop == shop => {
            let location = approve(
                &state,
                &mut world,
                &shop,
                g.scopes,
                &g.redirect_uri,
                g.state,
            );
            found(&location)
        }
        _ => text_error(
            StatusCode::BAD_REQUEST,
            "Oauth error invalid_request: unknown or used grant",
        ),
    }
}

fn approve(
    state: &SharedState,
    world: &mut World,
    shop: &str,
    scopes: Vec<String>,
    redirect_uri: &str,
    oauth_state: Option<String>,
) -> String {
    let code = random_hex(16);
    world.codes.insert(
        code.clone(),
        AuthorizationCode {
            shop: shop.to_string(),
            scopes,
            expires_at: Instant::now() + CODE_LIFETIME,
        },
    );
    let mut params = vec![
        ("code".to_string(), code),
        ("host".to_string(), host_param(shop)),
        ("shop".to_string(), shop.to_string()),
        (
            "timestamp".to_string(),
            time::OffsetDateTime::now_utc().unix_timestamp().to_string(),
        ),
    ];
    if let Some(s) = oauth_state {
        params.push(("state".to_string(), s));
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!(
        "{redirect_uri}{sep}{}",
        signed_query(&state.config.api_secret, params)
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn read_params(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if is_json {
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        value
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (k.clone(), v)
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        parse_query(&String::from_utf8_lossy(body))
            .into_iter()
            .collect()
    }
}

/// `POST /store/{shop}/admin/oauth/access_token`
pub async fn access_token(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let p = read_params(&headers, &body);
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
    if get("client_id") != state.config.api_key || get("client_secret") != state.config.api_secret {
        return oauth_error("invalid_request", "Client credentials are invalid");
    }
    if !state.world().shops.contains_key(&shop) {
        return text_error(StatusCode::NOT_FOUND, "There's no store at this address.");
    }
    match get("grant_type") {
        TOKEN_EXCHANGE => token_exchange(&state, &shop, &p),
        "refresh_token" => refresh(&state, &shop, get("refresh_token")),
        "" | "authorization_code" => authorization_code(&state, &shop, get("code")),
        other => oauth_error(
            "unsupported_grant_type",
            &format!("grant_type {other} is not supported"),
        ),
    }
}

fn authorization_code(state: &SharedState, shop: &str, code: &str) -> Response {
    let mut world = state.world();
    // Codes are single-use: taken out whether or not they are still valid.
    let grant = world.codes.remove(code);
    let Some(grant) = grant.filter(|g| g.shop == shop && g.expires_at > Instant::now()) else {
        return oauth_error(
            "invalid_request",
            "The authorization code was not found or was already used",
        );
    };
    let token = issue_offline(state, &mut world, shop, grant.scopes.clone(), false);
    Json(token).into_response()
}

fn token_exchange(state: &SharedState, shop: &str, p: &HashMap<String, String>) -> Response {
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
    if get("subject_token_type") != ID_TOKEN {
        return oauth_error(
            "invalid_request",
            "subject_token_type must be urn:ietf:params:oauth:token-type:id_token",
        );
    }
    let requested = get("requested_token_type");
    if requested != OFFLINE && requested != ONLINE {
        return oauth_error("invalid_request", "requested_token_type is not supported");
    }
    let claims = match session_token::verify(
        &state.config.api_key,
        &state.config.api_secret,
        get("subject_token"),
    ) {
        Ok((claims, token_shop)) if token_shop == shop => claims,
        Ok(_) => {
            return oauth_error(
                "invalid_subject_token",
                "The session token was issued for another shop",
            );
        }
        Err(e) => return oauth_error("invalid_subject_token", &e),
    };
    let mut world = state.world();
    let scopes = match world.shops.get(shop).and_then(|s| s.installation.as_ref()) {
        Some(installation) => installation.scopes.clone(),
        // Managed install: the app's declared scopes, as the merchant approved them in the admin.
        None => {
            let allowed = world.shops.get(shop).and_then(|s| s.grant_scopes.clone());
            intersect(&state.config.scopes, allowed.as_ref())
        }
    };
    let expiring = get("expiring") == "1";
    if requested == ONLINE {
        if world
            .shops
            .get(shop)
            .is_some_and(|s| s.installation.is_none())
        {
            install(state, &mut world, shop, scopes.clone());
        }
        let token = format!("shpua_{}", random_hex(16));
        world.tokens.insert(
            token.clone(),
            AccessToken {
                shop: shop.to_string(),
                scopes: scopes.clone(),
                kind: TokenKind::Online,
                expires_at: Some(Instant::now() + Duration::from_secs(ONLINE_TOKEN_SECONDS)),
            },
        );
        let user_id: u64 = claims
            .sub
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        let scope = scopes.join(",");
        return Json(json!({
            "access_token": token,
            "scope": scope,
            "expires_in": ONLINE_TOKEN_SECONDS,
            "associated_user_scope": scope,
            "session": claims.sid,
            "associated_user": {
                "id": user_id,
                "first_name": "Sandbox",
                "last_name": "Merchant",
                "email": format!("owner@{shop}"),
                "email_verified": true,
                "account_owner": true,
                "locale": "en",
                "collaborator": false,
            }
        }))
        .into_response();
    }
    Json(issue_offline(state, &mut world, shop, scopes, expiring)).into_response()
}

fn refresh(state: &SharedState, shop: &str, refresh_token: &str) -> Response {
    let mut world = state.world();
    let record = world.refresh_tokens.remove(refresh_token);
    let Some(record) = record.filter(|r| r.shop == shop && r.expires_at > Instant::now()) else {
        return oauth_error("invalid_grant", "The refresh token is invalid or expired");
    };
    let scopes = world
        .tokens
        .get(&record.access_token)
        .map(|t| t.scopes.clone())
        .unwrap_or_default();
    Json(issue_offline(state, &mut world, shop, scopes, true)).into_response()
}

/// Records (or updates) the installation; a scope change on an installed app sends `app/scopes_update`.
fn install(state: &SharedState, world: &mut World, shop: &str, scopes: Vec<String>) {
    let id = state.next_id();
    let Some(s) = world.shops.get_mut(shop) else {
        return;
    };
    let previous = match &s.installation {
        None => {
            s.installation = Some(Installation { id, scopes });
            return;
        }
        Some(installation) if installation.scopes == scopes => return,
        Some(installation) => (installation.id, installation.scopes.clone()),
    };
    let (installation_id, previous) = previous;
    let body = payloads::scopes_update(s, &previous, &scopes, installation_id);
    if let Some(installation) = &mut s.installation {
        installation.scopes = scopes;
    }
    emit(state, s, vec![("app/scopes_update", body)]);
}

/// A new offline token; the shop's previous offline tokens for this app stop working.
fn issue_offline(
    state: &SharedState,
    world: &mut World,
    shop: &str,
    scopes: Vec<String>,
    expiring: bool,
) -> Value {
    install(state, world, shop, scopes.clone());
    world
        .tokens
        .retain(|_, t| !(t.shop == shop && t.kind == TokenKind::Offline));
    world.refresh_tokens.retain(|_, r| r.shop != shop);
    let token = format!("shpat_{}", random_hex(16));
    let expires_at = expiring.then(|| Instant::now() + Duration::from_secs(EXPIRING_TOKEN_SECONDS));
    world.tokens.insert(
        token.clone(),
        AccessToken {
            shop: shop.to_string(),
            scopes: scopes.clone(),
            kind: TokenKind::Offline,
            expires_at,
        },
    );
    let scope = scopes.join(",");
    if !expiring {
        return json!({ "access_token": token, "scope": scope });
    }
    let refresh_token = format!("shprt_{}", random_hex(16));
    world.refresh_tokens.insert(
        refresh_token.clone(),
        RefreshToken {
            shop: shop.to_string(),
            access_token: token.clone(),
            expires_at: Instant::now() + Duration::from_secs(REFRESH_TOKEN_SECONDS),
        },
    );
    json!({
        "access_token": token,
        "scope": scope,
        "expires_in": EXPIRING_TOKEN_SECONDS,
        "refresh_token": refresh_token,
        "refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
    })
}
