//! OAuth with Shopify: the authorization-code grant (through the `oauth2` crate, adapted to
//! Shopify's token response, which has no `token_type` and a comma-separated `scope`) and
//! token exchange of an App Bridge session token for an offline token (managed install).

use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::crypto::Secret;

/// What Shopify grants: an offline access token and the scopes it carries.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub access_token: Secret<String>,
    pub scopes: String,
}

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("Shopify refused the grant: {0}")]
    Refused(String),
    #[error("Shopify could not be reached: {0}")]
    Transport(String),
    #[error("Shopify's token response was not understood: {0}")]
    Response(String),
}

/// Shopify's token response: `{"access_token": "...", "scope": "a,b"}` (+ expiry fields for
/// expiring tokens).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShopifyTokenResponse {
    access_token: AccessToken,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
    #[serde(skip, default = "bearer")]
    token_type: BasicTokenType,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

impl oauth2::TokenResponse for ShopifyTokenResponse {
    type TokenType = BasicTokenType;
    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

type ShopifyClient = oauth2::Client<
    BasicErrorResponse,
    ShopifyTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Clone)]
pub struct OAuth {
    api_key: String,
    api_secret: Secret<String>,
    redirect_url: String,
    http: reqwest::Client,
}

impl OAuth {
    pub fn new(
        api_key: String,
        api_secret: Secret<String>,
        redirect_url: String,
        http: reqwest::Client,
    ) -> OAuth {
        OAuth {
            api_key,
            api_secret,
            redirect_url,
            http,
        }
    }

    fn client(&self, shop_base: &str) -> Result<ShopifyClient, OAuthError> {
        let bad =
            |err: oauth2::url::ParseError| OAuthError::Transport(format!("bad Shopify URL: {err}"));
        Ok(oauth2::Client::new(ClientId::new(self.api_key.clone()))
            .set_client_secret(ClientSecret::new(self.api_secret.expose().clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::new(format!("{shop_base}/admin/oauth/authorize")).map_err(bad)?)
            .set_token_uri(
                TokenUrl::new(format!("{shop_base}/admin/oauth/access_token")).map_err(bad)?,
            )
            .set_redirect_uri(RedirectUrl::new(self.redirect_url.clone()).map_err(bad)?))
    }

    /// Where to send the merchant to grant `scopes_csv` (offline access).
    pub fn authorize_url(
        &self,
        shop_base: &str,
        state: &str,
        scopes_csv: &str,
    ) -> Result<String, OAuthError> {
        let state = state.to_owned();
        let (url, _) = self
            .client(shop_base)?
            .authorize_url(move || CsrfToken::new(state))
            // Shopify takes one comma-separated `scope` value rather than space-separated ones.
            .add_scope(Scope::new(scopes_csv.to_owned()))
            .url();
        Ok(url.to_string())
    }

    pub async fn exchange_code(
        &self,
        shop_base: &str,
        code: &str,
    ) -> Result<AccessGrant, OAuthError> {
        let http = self.http.clone();
        let send = move |request: oauth2::HttpRequest| {
            let http = http.clone();
            async move { send(&http, request).await }
        };
        let response = self
            .client(shop_base)?
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&send)
            .await
            .map_err(|err| match err {
                RequestTokenError::ServerResponse(body) => OAuthError::Refused(
                    body.error_description()
                        .cloned()
                        .unwrap_or_else(|| body.error().to_string()),
                ),
                RequestTokenError::Request(err) => OAuthError::Transport(err.to_string()),
                RequestTokenError::Parse(err, _) => OAuthError::Response(err.to_string()),
                RequestTokenError::Other(text) => OAuthError::Response(text),
            })?;
        Ok(AccessGrant {
            access_token: Secret::new(response.access_token.secret().clone()),
            scopes: response.scope,
        })
    }

    /// Token exchange: the session token of a merchant who opened the app becomes an offline
    /// access token, without a redirect (Shopify's managed install).
    pub async fn exchange_session_token(
        &self,
        shop_base: &str,
        session_token: &str,
    ) -> Result<AccessGrant, OAuthError> {
        let form = [
            ("client_id", self.api_key.as_str()),
            ("client_secret", self.api_secret.expose().as_str()),
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("subject_token", session_token),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
            (
                "requested_token_type",
                "urn:shopify:params:oauth:token-type:offline-access-token",
            ),
        ];
        let response = self
            .http
            .post(format!("{shop_base}/admin/oauth/access_token"))
            .header("Accept", "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|err| OAuthError::Transport(err.without_url().to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|err| OAuthError::Transport(err.to_string()))?;
        if !status.is_success() {
            let reason = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| {
                    let error = v["error"].as_str()?.to_owned();
                    Some(match v["error_description"].as_str() {
                        Some(desc) => format!("{error}: {desc}"),
                        None => error,
                    })
                })
                .unwrap_or_else(|| format!("HTTP {status}"));
            return Err(OAuthError::Refused(reason));
        }
        let parsed: ShopifyTokenResponse =
            serde_json::from_slice(&body).map_err(|err| OAuthError::Response(err.to_string()))?;
        Ok(AccessGrant {
            access_token: Secret::new(parsed.access_token.secret().clone()),
            scopes: parsed.scope,
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// Runs one of the oauth2 crate's requests over our reqwest client.
async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpError> {
    let request = reqwest::Request::try_from(request).map_err(|err| HttpError(err.to_string()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|err| HttpError(err.without_url().to_string()))?;
    let mut builder = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response
        .bytes()
        .await
        .map_err(|err| HttpError(err.to_string()))?;
    builder
        .body(body.to_vec())
        .map_err(|err| HttpError(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_carries_what_shopify_expects() {
        let oauth = OAuth::new(
            "key".into(),
            Secret::new("s".into()),
            "https://app.example/auth/callback".into(),
            reqwest::Client::new(),
        );
        let url = oauth
            .authorize_url(
                "https://shop.myshopify.com",
                "nonce",
                "read_orders,write_customers",
            )
            .unwrap();
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.path(), "/admin/oauth/authorize");
        let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(query["client_id"], "key");
        assert_eq!(query["scope"], "read_orders,write_customers");
        assert_eq!(query["state"], "nonce");
        assert_eq!(query["redirect_uri"], "https://app.example/auth/callback");
    }

    #[test]
    fn shopifys_token_response_parses_without_a_token_type() {
        let parsed: ShopifyTokenResponse =
            serde_json::from_str(r#"{"access_token":"shpat_x","scope":"read_orders"}"#).unwrap();
        assert_eq!(parsed.scope, "read_orders");
        assert_eq!(
            oauth2::TokenResponse::access_token(&parsed).secret(),
            "shpat_x"
        );
    }
}
