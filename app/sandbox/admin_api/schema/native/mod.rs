//! The app's native Shopify integrations: web pixel, customer segments, metafields and automatic
//! app discounts. Each file adds its fields to the query and mutation roots; this one merges them
//! and holds what they share (scope checks, top-level errors, the app's own identifiers).

mod discount_input;
mod discount_types;
mod discounts;
mod metafield_types;
mod metafield_values;
mod metafields;
mod pixels;
mod segment_members;
mod segment_types;
mod segments;

use async_graphql::{ErrorExtensions, MergedObject};
use sha2::Digest;

use super::ApiContext;

#[derive(MergedObject, Default)]
pub struct NativeQuery(
    pixels::PixelQuery,
    segments::SegmentQuery,
    segment_members::MemberQuery,
    discounts::DiscountQuery,
);

#[derive(MergedObject, Default)]
pub struct NativeMutation(
    pixels::PixelMutation,
    segments::SegmentMutation,
    metafields::MetafieldMutation,
    discounts::DiscountMutation,
);

/// Shopify's `ACCESS_DENIED` for a field the token's scopes do not reach (a `write_` scope
/// implies its `read_`).
fn require(api: &ApiContext, field: &str, scope: &str) -> async_graphql::Result<()> {
    let write = scope.replacen("read_", "write_", 1);
    if api.scopes.iter().any(|s| s == scope || *s == write) {
        return Ok(());
    }
    let required = format!("`{scope}` access scope.");
    Err(async_graphql::Error::new(format!(
        "Access denied for {field} field. Required access: {required}"
    ))
    .extend_with(|_, e| {
        e.set("code", "ACCESS_DENIED");
        e.set(
            "documentation",
            "https://shopify.dev/api/usage/access-scopes",
        );
        e.set("requiredAccess", required.clone());
    }))
}

/// For a nullable field: reports `error` in the response's `errors` (with the field's path) and
/// answers null, so the rest of `data` stands, as Shopify answers.
fn null_with<T>(ctx: &async_graphql::Context<'_>, error: async_graphql::Error) -> Option<T> {
    ctx.add_error(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
    None
}

/// `require` for a nullable field: false (with the error reported) when the scope is missing.
fn allowed(ctx: &async_graphql::Context<'_>, api: &ApiContext, field: &str, scope: &str) -> bool {
    match require(api, field, scope) {
        Ok(()) => true,
        Err(e) => null_with::<()>(ctx, e).is_some(),
    }
}

/// A top-level `NOT_FOUND` error, as `segment(id:)` answers for an unknown id.
fn not_found(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "NOT_FOUND"))
}

/// The numeric id at the end of a GID of the given kind.
fn gid_id(gid: &str, kind: &str) -> Option<u64> {
    gid.strip_prefix("gid://shopify/")?
        .strip_prefix(kind)?
        .strip_prefix('/')?
        .parse()
        .ok()
}

/// A number derived from the app's API key, stable across runs.
fn app_hash(api: &ApiContext, purpose: &str) -> [u8; 32] {
    let digest = sha2::Sha256::digest(format!("{purpose}:{}", api.state.config.api_key));
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest);
    out
}

/// The app's numeric id, as used in `app--<id>--…` namespaces.
fn app_id(api: &ApiContext) -> u64 {
    let h = app_hash(api, "app");
    u64::from_be_bytes([0, 0, 0, h[0], h[1], h[2], h[3], h[4]]) % 1_000_000_000_000
}

/// `$app:x` → `app--<id>--x` and `$app` → `app--<id>`, as Shopify resolves app-reserved namespaces.
fn resolve_namespace(api: &ApiContext, namespace: &str) -> String {
    if namespace == "$app" {
        return format!("app--{}", app_id(api));
    }
    match namespace.strip_prefix("$app:") {
        Some(rest) => format!("app--{}--{rest}", app_id(api)),
        None => namespace.to_string(),
    }
}
