//! How the sandbox is told about the one app it hosts.

use std::time::Duration;

/// The app as registered with this stand-in Shopify (its Partner Dashboard entry and `shopify.app.toml`).
#[derive(Clone)]
pub struct SandboxConfig {
    /// The app's client id.
    pub api_key: String,
    /// The app's client secret: signs webhooks, OAuth query hmacs and session tokens.
    pub api_secret: String,
    /// The app's base URL, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub app_url: String,
    /// Where `customers/data_request`, `customers/redact` and `shop/redact` go; `{app_url}/webhooks` when unset.
    pub compliance_webhook_url: Option<String>,
    /// Scale of the webhook retry schedule: attempt n+1 waits `retry_base * 2^(n-1)`, 8 attempts in all.
    /// The default (2 min) gives Shopify's real ~4 hour schedule; tests pass a few milliseconds.
    pub retry_base: Duration,
    /// The scopes the app declares (`shopify.app.toml` `access_scopes.scopes`); a managed install
    /// through token exchange grants these. Empty: grant whatever the authorize request asks for.
    pub scopes: Vec<String>,
}

impl SandboxConfig {
    /// A config with Shopify's real defaults.
    pub fn new(
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
        app_url: impl Into<String>,
    ) -> Self {
        let app_url: String = app_url.into();
        Self {
            api_key: api_key.into(),
            api_secret: api_secret.into(),
            app_url: app_url.trim_end_matches('/').to_string(),
            compliance_webhook_url: None,
            retry_base: Duration::from_secs(120),
            scopes: Vec::new(),
        }
    }

    pub(crate) fn compliance_url(&self) -> String {
        self.compliance_webhook_url
            .clone()
            .unwrap_or_else(|| format!("{}/webhooks", self.app_url))
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never appears in logs.
        f.debug_struct("SandboxConfig")
            .field("api_key", &self.api_key)
            .field("app_url", &self.app_url)
            .field("compliance_webhook_url", &self.compliance_webhook_url)
            .field("retry_base", &self.retry_base)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}
