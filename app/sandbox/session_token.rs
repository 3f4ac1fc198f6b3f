//! App Bridge session tokens: minting them as the Shopify admin does, and checking the ones an app
//! hands back in a token exchange.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Clock leeway all of Shopify's libraries allow on `exp`/`nbf`.
const LEEWAY_SECONDS: u64 = 10;
/// Session tokens live for one minute.
const LIFETIME_SECONDS: i64 = 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub dest: String,
    pub aud: String,
    #[serde(default)]
    pub sub: Option<String>,
    pub exp: i64,
    pub nbf: i64,
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Mints a token for `user_id` on `shop`, signed with the app's secret.
pub fn mint(api_key: &str, api_secret: &str, shop: &str, user_id: &str) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = Claims {
        iss: format!("https://{shop}/admin"),
        dest: format!("https://{shop}"),
        aud: api_key.to_string(),
        sub: Some(user_id.to_string()),
        exp: now + LIFETIME_SECONDS,
        nbf: now,
        iat: Some(now),
        jti: Some(uuid::Uuid::new_v4().to_string()),
        sid: Some(hex::encode(rand::random::<[u8; 32]>())),
    };
    // HS256 over serialisable claims cannot fail; an empty token would simply be rejected later.
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(api_secret.as_bytes()),
    )
    .unwrap_or_default()
}

fn host_of(url_or_host: &str) -> &str {
    url_or_host
        .strip_prefix("https://")
        .unwrap_or(url_or_host)
        .split('/')
        .next()
        .unwrap_or_default()
}

/// Checks a token the way Shopify's libraries do (HS256 only, 10 s leeway, `aud` = client id,
/// `iss` on the same host as `dest`) and returns its claims and the shop it is for.
pub fn verify(api_key: &str, api_secret: &str, token: &str) -> Result<(Claims, String), String> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation.set_audience(&[api_key]);
    validation.set_required_spec_claims(&["exp", "nbf", "aud"]);
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(api_secret.as_bytes()),
        &validation,
    )
    .map_err(|e| format!("invalid session token: {e}"))?;
    let claims = data.claims;
    let dest_host = host_of(&claims.dest).to_string();
    let iss_path = claims.iss.strip_prefix("https://").unwrap_or(&claims.iss);
    let Some((iss_host, iss_rest)) = iss_path.split_once('/') else {
        return Err("invalid issuer".into());
    };
    if iss_rest != "admin" && iss_rest != "checkouts" {
        return Err("invalid issuer".into());
    }
    if iss_host != dest_host || dest_host.is_empty() || !dest_host.contains('.') {
        return Err("the issuer and destination do not match".into());
    }
    Ok((claims, dest_host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value, json};

    #[test]
    fn a_minted_token_verifies_and_names_its_shop() {
        let token = mint("key", "secret", "demo.myshopify.com", "42");
        let (claims, shop) = verify("key", "secret", &token).expect("valid");
        assert_eq!(shop, "demo.myshopify.com");
        assert_eq!(claims.iss, "https://demo.myshopify.com/admin");
        assert_eq!(claims.dest, "https://demo.myshopify.com");
        assert_eq!(claims.sub.as_deref(), Some("42"));
        assert_eq!(claims.exp - claims.nbf, 60);
        assert!(verify("other", "secret", &token).is_err());
        assert!(verify("key", "wrong", &token).is_err());
    }

    fn resolve_time(v: &Value, now: i64) -> Value {
        match v.as_str() {
            Some(s) if s.starts_with("now") => {
                let rest = &s[3..];
                let delta: i64 = if rest.is_empty() {
                    0
                } else {
                    rest.parse().expect("offset")
                };
                json!(now + delta)
            }
            _ => v.clone(),
        }
    }

    #[test]
    fn session_tokens_are_judged_like_the_fixture_cases() {
        let dir = std::env::var_os("SEGOPS_FIXTURES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
            });
        let path = dir.join("shopify/hmac/session_token_cases.json");
        if !path.is_file() {
            println!("fixtures absent: skipping session_token_cases.json");
            return;
        }
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (mut base_payload, mut base_secret, mut base_key) =
            (Map::new(), String::new(), String::new());
        let mut checked = 0;
        for case in doc["cases"].as_array().expect("cases") {
            let id = case["id"].as_str().unwrap_or_default();
            if let Some(p) = case["payload"].as_object() {
                base_payload = p.clone();
                base_secret = case["secret"].as_str().unwrap_or_default().to_string();
                base_key = case["api_key"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        base_payload["aud"].as_str().unwrap_or_default().to_string()
                    });
            }
            let expect_valid = case["expect"]
                .as_str()
                .unwrap_or_default()
                .starts_with("valid");
            let verify_key = case["api_key"].as_str().unwrap_or(&base_key).to_string();
            let token = if let Some(t) = case["token"].as_str() {
                t.to_string()
            } else if case["alg"] == "none" {
                use base64::Engine;
                let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                let payload: Map<String, Value> = base_payload
                    .iter()
                    .map(|(k, v)| (k.clone(), resolve_time(v, now)))
                    .collect();
                format!(
                    "{}.{}.",
                    enc.encode(br#"{"alg":"none","typ":"JWT"}"#),
                    enc.encode(serde_json::to_vec(&payload).expect("json"))
                )
            } else {
                let mut payload = base_payload.clone();
                if let Some(o) = case["payload_override"].as_object() {
                    payload.extend(o.clone());
                }
                let payload: Map<String, Value> = payload
                    .iter()
                    .map(|(k, v)| (k.clone(), resolve_time(v, now)))
                    .collect();
                let secret = case["secret"].as_str().unwrap_or(&base_secret);
                jsonwebtoken::encode(
                    &Header::new(Algorithm::HS256),
                    &payload,
                    &EncodingKey::from_secret(secret.as_bytes()),
                )
                .expect("sign")
            };
            let result = verify(&verify_key, &base_secret, &token);
            assert_eq!(result.is_ok(), expect_valid, "{id}: {result:?}");
            checked += 1;
        }
        assert!(checked >= 20);
    }
}
