//! App Bridge session tokens: HS256 JWTs signed with the client secret, sent by the embedded
//! admin as `Authorization: Bearer …` (or `id_token` on first load).

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::ShopDomain;

/// Shopify's libraries all allow this much clock skew.
const LEEWAY_SECS: u64 = 10;

#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub dest: String,
    pub aud: String,
    pub sub: Option<String>,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    pub sid: Option<String>,
}

/// What a verified token tells us.
#[derive(Debug, Clone)]
pub struct SessionToken {
    pub shop: ShopDomain,
    pub user_id: Option<String>,
    pub claims: Claims,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SessionTokenError {
    #[error("no session token: send Authorization: Bearer <token>")]
    Missing,
    #[error("session token has expired")]
    Expired,
    #[error("session token is not valid yet")]
    Immature,
    #[error("session token signature does not verify")]
    BadSignature,
    #[error("session token is for another app (aud)")]
    WrongAudience,
    #[error("session token is malformed: {0}")]
    Malformed(String),
    #[error("session token names no valid shop (dest/iss)")]
    BadShop,
}

pub fn verify(
    token: &str,
    api_key: &str,
    api_secret: &[u8],
) -> Result<SessionToken, SessionTokenError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation.set_audience(&[api_key]);
    validation.set_required_spec_claims(&["exp", "nbf", "aud", "iss"]);
    let data =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(api_secret), &validation)
            .map_err(|err| {
            use jsonwebtoken::errors::ErrorKind;
            match err.kind() {
                ErrorKind::ExpiredSignature => SessionTokenError::Expired,
                ErrorKind::ImmatureSignature => SessionTokenError::Immature,
                ErrorKind::InvalidSignature => SessionTokenError::BadSignature,
                ErrorKind::InvalidAudience => SessionTokenError::WrongAudience,
                ErrorKind::InvalidAlgorithm => {
                    SessionTokenError::Malformed("algorithm must be HS256".into())
                }
                other => SessionTokenError::Malformed(format!("{other:?}")),
            }
        })?;
    let claims = data.claims;
    let dest_host = host_of(&claims.dest);
    let iss_host = host_of(claims.iss.trim_end_matches("/admin"));
    if dest_host != iss_host {
        return Err(SessionTokenError::BadShop);
    }
    let shop = ShopDomain::parse(dest_host).map_err(|_| SessionTokenError::BadShop)?;
    let user_id = claims.sub.clone();
    Ok(SessionToken {
        shop,
        user_id,
        claims,
    })
}

fn host_of(url: &str) -> &str {
    let without_scheme = url.strip_prefix("https://").unwrap_or(url);
    without_scheme.split('/').next().unwrap_or(without_scheme)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::{Value, json};

    fn sign(secret: &str, claims: &Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn claims(now: i64) -> Value {
        json!({
            "iss": "https://shop-a.myshopify.com/admin", "dest": "https://shop-a.myshopify.com",
            "aud": "key", "sub": "42", "exp": now + 60, "nbf": now, "iat": now, "jti": "j", "sid": "s"
        })
    }

    #[test]
    fn a_good_token_names_its_shop_and_user() {
        let now = crate::clock::now_secs();
        let token = verify(&sign("secret", &claims(now)), "key", b"secret").unwrap();
        assert_eq!(token.shop.as_str(), "shop-a.myshopify.com");
        assert_eq!(token.user_id.as_deref(), Some("42"));
    }

    #[test]
    fn each_bad_token_is_rejected_with_its_reason() {
        let now = crate::clock::now_secs();
        let mut expired = claims(now);
        expired["exp"] = json!(now - 40);
        let mut early = claims(now);
        early["nbf"] = json!(now + 40);
        let mut other_shop = claims(now);
        other_shop["dest"] = json!("https://shop-b.myshopify.com");
        let mut not_shopify = claims(now);
        not_shopify["dest"] = json!("https://evil.com");
        not_shopify["iss"] = json!("https://evil.com/admin");
        assert_eq!(
            verify(&sign("secret", &expired), "key", b"secret").unwrap_err(),
            SessionTokenError::Expired
        );
        assert_eq!(
            verify(&sign("secret", &early), "key", b"secret").unwrap_err(),
            SessionTokenError::Immature
        );
        assert_eq!(
            verify(&sign("other", &claims(now)), "key", b"secret").unwrap_err(),
            SessionTokenError::BadSignature
        );
        assert_eq!(
            verify(&sign("secret", &claims(now)), "nope", b"secret").unwrap_err(),
            SessionTokenError::WrongAudience
        );
        assert_eq!(
            verify(&sign("secret", &other_shop), "key", b"secret").unwrap_err(),
            SessionTokenError::BadShop
        );
        assert_eq!(
            verify(&sign("secret", &not_shopify), "key", b"secret").unwrap_err(),
            SessionTokenError::BadShop
        );
        assert!(matches!(
            verify("not_a_valid_token", "key", b"secret"),
            Err(SessionTokenError::Malformed(_))
        ));
    }

    /// The cases Shopify's libraries test (session_token_cases.json), signed here at run time as
    /// they are there. Cases come in groups: the first of each names the library's configured
    /// secret, API key and base payload; later ones override claims or sign with another key.
    /// This app serves `.myshopify.com` admins only, so `.myshopify.io` test shops become
    /// `.myshopify.com`, and checkout-extension and spin-domain tokens are out of scope.
    #[test]
    fn shopify_library_cases_agree() {
        let Some(fixture) = crate::testing::fixture_json("shopify/hmac/session_token_cases.json")
        else {
            return;
        };
        let now = crate::clock::now_secs();
        let (mut library_secret, mut library_key, mut base) =
            (String::new(), String::new(), Value::Null);
        let mut checked = 0;
        for case in fixture["cases"].as_array().into_iter().flatten() {
            let id = case["id"].as_str().unwrap_or_default();
            let expect_valid = case["expect"]
                .as_str()
                .unwrap_or_default()
                .starts_with("valid");
            if let Some(token) = case["token"].as_str() {
                assert!(
                    verify(token, &library_key, library_secret.as_bytes()).is_err(),
                    "case {id}"
                );
                continue;
            }
            if case["payload"].is_object() {
                base = case["payload"].clone();
                library_secret = case["secret"].as_str().unwrap_or_default().to_owned();
                library_key = case["api_key"]
                    .as_str()
                    .or(base["aud"].as_str())
                    .unwrap_or_default()
                    .to_owned();
            }
            let mut payload = base.clone();
            for (k, v) in case["payload_override"].as_object().into_iter().flatten() {
                payload[k] = v.clone();
            }
            let iss = payload["iss"].as_str().unwrap_or_default();
            if iss.ends_with("/checkouts") || iss.contains(".spin.dev") {
                continue;
            }
            for (key, value) in payload.as_object_mut().into_iter().flatten() {
                let Some(text) = value.as_str().map(str::to_owned) else {
                    continue;
                };
                if let Some(delta) = text.strip_prefix("now") {
                    *value = json!(now + delta.parse::<i64>().unwrap_or(0));
                } else if (key == "iss" || key == "dest") && text.contains(".myshopify.") {
                    let text = text.replace(".myshopify.io", ".myshopify.com");
                    *value = json!(if text.starts_with("https://") {
                        text
                    } else {
                        format!("https://{text}")
                    });
                }
            }
            let token = if case["alg"] == "none" {
                use base64::Engine;
                let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                format!(
                    "{}.{}.",
                    engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
                    engine.encode(payload.to_string())
                )
            } else {
                sign(case["secret"].as_str().unwrap_or(&library_secret), &payload)
            };
            let api_key = case["api_key"].as_str().unwrap_or(&library_key);
            let result = verify(&token, api_key, library_secret.as_bytes());
            assert_eq!(
                result.is_ok(),
                expect_valid,
                "case {id}: {:?}",
                result.err()
            );
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} cases checked");
    }
}
