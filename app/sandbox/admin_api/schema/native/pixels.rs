//! `webPixelCreate`, `webPixelUpdate` and `webPixel`: one pixel per app per shop, its settings a
//! JSON object of strings (sent as an object or as a JSON-encoded string, answered as the latter).

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use serde_json::Value;

use super::super::api;
use super::{allowed, gid_id, not_found, null_with};
use crate::sandbox::state::gid;
use crate::sandbox::store::native::WebPixelRecord;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ErrorsWebPixelUserErrorCode")]
pub enum ErrorsWebPixelUserErrorCode {
    #[graphql(name = "BLANK")]
    Blank,
    #[graphql(name = "TAKEN")]
    Taken,
    #[graphql(name = "NOT_FOUND")]
    NotFound,
    #[graphql(name = "INVALID_SETTINGS")]
    InvalidSettings,
    #[graphql(name = "INVALID_CONFIGURATION_JSON")]
    InvalidConfigurationJson,
    #[graphql(name = "UNEXPECTED_ERROR")]
    UnexpectedError,
}

#[derive(SimpleObject)]
#[graphql(name = "ErrorsWebPixelUserError")]
pub struct ErrorsWebPixelUserError {
    code: Option<ErrorsWebPixelUserErrorCode>,
    field: Option<Vec<String>>,
    message: String,
}

#[derive(SimpleObject)]
#[graphql(name = "WebPixel")]
pub struct WebPixel {
    id: ID,
    settings: Json<Value>,
}

impl From<&WebPixelRecord> for WebPixel {
    fn from(p: &WebPixelRecord) -> Self {
        Self {
            id: ID(gid("WebPixel", p.id)),
            settings: Json(Value::String(Value::Object(p.settings.clone()).to_string())),
        }
    }
}

#[derive(InputObject)]
#[graphql(name = "WebPixelInput")]
pub struct WebPixelInput {
    settings: Json<Value>,
}

#[derive(SimpleObject)]
#[graphql(name = "WebPixelCreatePayload")]
pub struct WebPixelCreatePayload {
    user_errors: Vec<ErrorsWebPixelUserError>,
    web_pixel: Option<WebPixel>,
}

#[derive(SimpleObject)]
#[graphql(name = "WebPixelUpdatePayload")]
pub struct WebPixelUpdatePayload {
    user_errors: Vec<ErrorsWebPixelUserError>,
    web_pixel: Option<WebPixel>,
}

fn failure(code: ErrorsWebPixelUserErrorCode, message: &str) -> ErrorsWebPixelUserError {
    ErrorsWebPixelUserError {
        code: Some(code),
        field: Some(vec!["webPixel".into(), "settings".into()]),
        message: message.into(),
    }
}

/// Pixel settings: a JSON object (or a string holding one) whose values are all strings, as a
/// pixel extension's settings definition declares them.
fn settings(input: Value) -> Result<serde_json::Map<String, Value>, ErrorsWebPixelUserError> {
    let value = match input {
        Value::String(s) => serde_json::from_str(&s).map_err(|_| {
            failure(
                ErrorsWebPixelUserErrorCode::InvalidConfigurationJson,
                "Settings is not valid JSON",
            )
        })?,
        other => other,
    };
    let Value::Object(map) = value else {
        return Err(failure(
            ErrorsWebPixelUserErrorCode::InvalidSettings,
            "Settings must be a JSON object",
        ));
    };
    if let Some((key, _)) = map.iter().find(|(_, v)| !v.is_string()) {
        return Err(failure(
            ErrorsWebPixelUserErrorCode::InvalidSettings,
            &format!("Settings field '{key}' must be a string"),
        ));
    }
    Ok(map)
}

#[derive(Default)]
pub struct PixelQuery;

#[Object]
impl PixelQuery {
    /// The app's web pixel; `id` may be left out since an app has at most one.
    async fn web_pixel(&self, ctx: &Context<'_>, id: Option<ID>) -> Result<Option<WebPixel>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "webPixel", "read_pixels") {
            return Ok(None);
        }
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let pixel = s.native.web_pixel.as_ref().filter(|p| {
            id.as_ref()
                .is_none_or(|id| gid_id(&id.0, "WebPixel") == Some(p.id))
        });
        match pixel {
            Some(p) => Ok(Some(WebPixel::from(p))),
            None => Ok(null_with(
                ctx,
                not_found("No web pixel was found for this app."),
            )),
        }
    }
}

#[derive(Default)]
pub struct PixelMutation;

#[Object]
impl PixelMutation {
    async fn web_pixel_create(
        &self,
        ctx: &Context<'_>,
        web_pixel: WebPixelInput,
    ) -> Result<Option<WebPixelCreatePayload>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "webPixelCreate", "write_pixels") {
            return Ok(None);
        }
        let fail = |e| {
            Ok(Some(WebPixelCreatePayload {
                user_errors: vec![e],
                web_pixel: None,
            }))
        };
        let settings = match settings(web_pixel.settings.0) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        let id = api.state.next_id();
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        if s.native.web_pixel.is_some() {
            return fail(ErrorsWebPixelUserError {
                code: Some(ErrorsWebPixelUserErrorCode::Taken),
                field: None,
                message: "Web pixel is taken.".into(),
            });
        }
        let record = WebPixelRecord { id, settings };
        let out = WebPixel::from(&record);
        s.native.web_pixel = Some(record);
        Ok(Some(WebPixelCreatePayload {
            user_errors: Vec::new(),
            web_pixel: Some(out),
        }))
    }

    async fn web_pixel_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        web_pixel: WebPixelInput,
    ) -> Result<Option<WebPixelUpdatePayload>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "webPixelUpdate", "write_pixels") {
            return Ok(None);
        }
        let fail = |e| {
            Ok(Some(WebPixelUpdatePayload {
                user_errors: vec![e],
                web_pixel: None,
            }))
        };
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        let Some(pixel) = s
            .native
            .web_pixel
            .as_mut()
            .filter(|p| gid_id(&id.0, "WebPixel") == Some(p.id))
        else {
            return fail(ErrorsWebPixelUserError {
                code: Some(ErrorsWebPixelUserErrorCode::NotFound),
                field: Some(vec!["id".into()]),
                message: "Web pixel not found".into(),
            });
        };
        match settings(web_pixel.settings.0) {
            Ok(settings) => pixel.settings = settings,
            Err(e) => return fail(e),
        }
        Ok(Some(WebPixelUpdatePayload {
            user_errors: Vec::new(),
            web_pixel: Some(WebPixel::from(&*pixel)),
        }))
    }
}
