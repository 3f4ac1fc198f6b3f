//! Configuration: environment variables, optionally backed by a TOML file, validated once at
//! start so that every bad or missing value is reported together, each on its own line.

mod source;

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::crypto::{MasterKey, Secret};
pub use source::Source;

/// Every setting, documented in one place (the README's table is generated from this list).
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "SEGOPS_SHOPIFY_API_KEY",
        "required for serve",
        "The app's client id from the Partner Dashboard.",
    ),
    (
        "SEGOPS_SHOPIFY_API_SECRET",
        "required for serve",
        "The app's client secret: verifies webhooks, OAuth and session tokens.",
    ),
    (
        "SEGOPS_APP_URL",
        "required for serve",
        "Public https URL of this app (OAuth redirect, webhook address).",
    ),
    (
        "SEGOPS_DATABASE_URL",
        "sqlite://data/segops.db",
        "sqlite://… (embedded) or postgres://… (production).",
    ),
    (
        "SEGOPS_SHOPIFY_BASE_URL",
        "https://{shop}",
        "Where a shop's Admin lives; `{shop}` is replaced by its myshopify domain.",
    ),
    (
        "SEGOPS_ENCRYPTION_KEY",
        "generated into ./data/ with SQLite",
        "Base64 of 32 random bytes: the master key for tokens and customer data.",
    ),
    (
        "SEGOPS_BIND",
        "127.0.0.1:8080",
        "Address the server listens on.",
    ),
    (
        "SEGOPS_API_VERSION",
        "2026-04",
        "Admin API version the app speaks.",
    ),
    (
        "SEGOPS_CONFIG",
        "(none)",
        "Optional TOML file with the same keys in lower case without the prefix.",
    ),
    (
        "SEGOPS_LOG",
        "info",
        "Log filter (tracing EnvFilter syntax).",
    ),
    (
        "SEGOPS_JOB_LEASE_SECS",
        "30",
        "How long a job worker's claim lasts without a heartbeat: a killed worker's jobs restart after it.",
    ),
    (
        "SEGOPS_PIXEL_RATE_LIMIT",
        "20000",
        "Pixel events per second one storefront may send (bursts of twice that); beyond it, 429 with Retry-After.",
    ),
    (
        "SEGOPS_PIXEL_ORIGINS",
        "(none)",
        "Comma-separated origins besides the shops' own domains that may post pixel events, e.g. `http://127.0.0.1:*` in development.",
    ),
];

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/segops.db";
pub const DEFAULT_API_VERSION: &str = "2026-04";
const DEFAULT_SHOPIFY_BASE_URL: &str = "https://{shop}";

#[derive(Clone)]
pub struct Config {
    pub api_key: String,
    pub api_secret: Secret<String>,
    /// Base URL of this app without a trailing slash.
    pub app_url: String,
    pub database_url: String,
    /// A template containing `{shop}`.
    pub shopify_base_url: String,
    pub api_version: String,
    pub master_key: MasterKey,
    pub bind: SocketAddr,
    pub pixel: PixelConfig,
    pub backfill: BackfillConfig,
}

/// The install backfill's pacing.
#[derive(Debug, Clone)]
pub struct BackfillConfig {
    /// Days of orders imported at install.
    pub days: u32,
    /// How often a running bulk operation is polled when no `bulk_operations/finish` webhook
    /// has woken the job first.
    pub poll: std::time::Duration,
    /// Root rows applied per job run before the job yields its worker (and checkpoints).
    pub rows_per_run: usize,
}

impl Default for BackfillConfig {
    fn default() -> Self {
        BackfillConfig {
            days: 90,
            poll: std::time::Duration::from_secs(2),
            // Well inside the HTTP client's 30 s timeout, which also bounds the download.
            rows_per_run: 2_000,
        }
    }
}

/// Limits and allowances of the public pixel intake.
#[derive(Debug, Clone)]
pub struct PixelConfig {
    /// Events a second one storefront may send (bursts of twice that).
    pub events_per_sec: u32,
    /// Origins besides the shop's own domains that may post events (development, tests).
    pub extra_origins: Vec<String>,
}

impl Default for PixelConfig {
    fn default() -> Self {
        PixelConfig {
            events_per_sec: 20_000,
            extra_origins: Vec::new(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &self.api_key)
            .field("app_url", &self.app_url)
            .field("database_url", &redact_url(&self.database_url))
            .field("shopify_base_url", &self.shopify_base_url)
            .field("api_version", &self.api_version)
            .field("bind", &self.bind)
            .finish_non_exhaustive()
    }
}

/// All problems found while loading, so the operator fixes them in one go.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n{}", .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl Config {
    /// Loads from the process environment (and `SEGOPS_CONFIG` when set).
    pub fn from_env() -> Result<Config, ConfigError> {
        let source = Source::from_env().map_err(|problem| ConfigError {
            problems: vec![problem],
        })?;
        Config::from_source(&source)
    }

    pub fn from_source(source: &Source) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let mut required = |key: &str| match source.get(key) {
            Some(value) if !value.trim().is_empty() => Some(value.trim().to_owned()),
            _ => {
                problems.push(format!("{key} is missing"));
                None
            }
        };
        let api_key = required("SEGOPS_SHOPIFY_API_KEY");
        let api_secret = required("SEGOPS_SHOPIFY_API_SECRET");
        let app_url = required("SEGOPS_APP_URL");

        let app_url = app_url.and_then(|url| match validate_base_url(&url) {
            Ok(url) => Some(url),
            Err(why) => {
                problems.push(format!("SEGOPS_APP_URL {why}"));
                None
            }
        });
        let database_url = source
            .get("SEGOPS_DATABASE_URL")
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            problems.push("SEGOPS_DATABASE_URL must start with sqlite: or postgres://".to_owned());
        }
        let shopify_base_url = source
            .get("SEGOPS_SHOPIFY_BASE_URL")
            .unwrap_or_else(|| DEFAULT_SHOPIFY_BASE_URL.to_owned());
        if !shopify_base_url.contains("{shop}") {
            problems.push(
                "SEGOPS_SHOPIFY_BASE_URL must contain {shop}, e.g. https://{shop}".to_owned(),
            );
        } else if let Err(why) =
            validate_base_url(&shopify_base_url.replace("{shop}", "x.myshopify.com"))
        {
            problems.push(format!("SEGOPS_SHOPIFY_BASE_URL {why}"));
        }
        let api_version = source
            .get("SEGOPS_API_VERSION")
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        if !is_api_version(&api_version) {
            problems.push(format!(
                "SEGOPS_API_VERSION must look like 2026-04 or be `unstable`, got {api_version:?}"
            ));
        }
        let bind = match source
            .get("SEGOPS_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
        {
            Ok(addr) => Some(addr),
            Err(_) => {
                problems.push("SEGOPS_BIND must be an address like 127.0.0.1:8080".to_owned());
                None
            }
        };
        let master_key = match source.get("SEGOPS_ENCRYPTION_KEY") {
            Some(encoded) => match MasterKey::from_base64(&encoded) {
                Ok(key) => Some(key),
                Err(why) => {
                    problems.push(format!("SEGOPS_ENCRYPTION_KEY {why}"));
                    None
                }
            },
            None => match sqlite_data_dir(&database_url) {
                Some(dir) => match MasterKey::load_or_generate(&dir.join("master.key")) {
                    Ok(key) => Some(key),
                    Err(err) => {
                        problems.push(format!("SEGOPS_ENCRYPTION_KEY unset and {err:#}"));
                        None
                    }
                },
                // Replicas sharing PostgreSQL must share one key, so none is invented.
                None => {
                    problems.push("SEGOPS_ENCRYPTION_KEY is required with PostgreSQL (every replica needs the same key)".to_owned());
                    None
                }
            },
        };

        let mut pixel = PixelConfig::default();
        if let Some(rate) = source.get("SEGOPS_PIXEL_RATE_LIMIT") {
            match rate.trim().parse::<u32>() {
                Ok(rate) if rate > 0 => pixel.events_per_sec = rate,
                _ => problems.push(format!(
                    "SEGOPS_PIXEL_RATE_LIMIT must be a positive whole number, got {rate:?}"
                )),
            }
        }
        if let Some(origins) = source.get("SEGOPS_PIXEL_ORIGINS") {
            pixel.extra_origins = origins
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect();
        }

        match (api_key, api_secret, app_url, bind, master_key) {
            (Some(api_key), Some(api_secret), Some(app_url), Some(bind), Some(master_key))
                if problems.is_empty() =>
            {
                Ok(Config {
                    api_key,
                    api_secret: Secret::new(api_secret),
                    app_url,
                    database_url,
                    shopify_base_url,
                    api_version,
                    master_key,
                    bind,
                    pixel,
                    backfill: BackfillConfig::default(),
                })
            }
            _ => Err(ConfigError { problems }),
        }
    }

    /// The Admin base of one shop, e.g. `https://demo.myshopify.com`.
    pub fn shop_base_url(&self, shop: &crate::shopify::ShopDomain) -> String {
        self.shopify_base_url.replace("{shop}", shop.as_str())
    }
}

/// The directory an embedded SQLite database lives in, where a generated key may be kept.
pub fn sqlite_data_dir(database_url: &str) -> Option<PathBuf> {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(
        PathBuf::from(path)
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default(),
    )
}

fn validate_base_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|err| format!("is not a URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http(s) URL".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not carry a query or fragment".to_owned());
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

fn is_api_version(version: &str) -> bool {
    if version == "unstable" {
        return true;
    }
    let bytes = version.as_bytes();
    bytes.len() == 7
        && bytes[4] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit())
}

fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(pairs: &[(&str, &str)]) -> Source {
        Source::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn every_missing_required_value_is_reported_at_once() {
        let err =
            Config::from_source(&source(&[("SEGOPS_DATABASE_URL", "postgres://x/y")])).unwrap_err();
        let text = err.to_string();
        for key in [
            "SEGOPS_SHOPIFY_API_KEY",
            "SEGOPS_SHOPIFY_API_SECRET",
            "SEGOPS_APP_URL",
            "SEGOPS_ENCRYPTION_KEY",
        ] {
            assert!(text.contains(key), "{key} not reported in {text}");
        }
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        let err = Config::from_source(&source(&[
            ("SEGOPS_SHOPIFY_API_KEY", "k"),
            ("SEGOPS_SHOPIFY_API_SECRET", "s"),
            ("SEGOPS_APP_URL", "ftp://nope"),
            ("SEGOPS_SHOPIFY_BASE_URL", "https://shopify.example"),
            ("SEGOPS_ENCRYPTION_KEY", "c2hvcnQ="),
            ("SEGOPS_API_VERSION", "latest"),
            ("SEGOPS_BIND", "nowhere"),
        ]))
        .unwrap_err();
        assert_eq!(err.problems.len(), 5, "{err}");
        assert!(err.to_string().contains("must contain {shop}"));
        assert!(err.to_string().contains("32 bytes"));
    }

    #[test]
    fn a_complete_configuration_loads() {
        let key = MasterKey::generate().to_base64();
        let config = Config::from_source(&source(&[
            ("SEGOPS_SHOPIFY_API_KEY", "k"),
            ("SEGOPS_SHOPIFY_API_SECRET", "s"),
            ("SEGOPS_APP_URL", "https://app.example/"),
            ("SEGOPS_DATABASE_URL", "postgres://postgres@localhost/test"),
            ("SEGOPS_ENCRYPTION_KEY", &key),
        ]))
        .unwrap();
        assert_eq!(config.app_url, "https://app.example");
        assert!(!format!("{config:?}").contains('s'.to_string().repeat(2).as_str()));
    }

    #[test]
    fn the_readme_documents_every_setting() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        for (name, _, _) in VARIABLES {
            assert!(
                readme.contains(&format!("`{name}`")),
                "{name} is not in the README's configuration table"
            );
        }
    }

    #[test]
    fn the_sqlite_data_dir_is_taken_from_the_url() {
        assert_eq!(
            sqlite_data_dir("sqlite://data/segops.db?mode=rwc"),
            Some(PathBuf::from("data"))
        );
        assert_eq!(sqlite_data_dir("sqlite::memory:"), None);
    }
}
