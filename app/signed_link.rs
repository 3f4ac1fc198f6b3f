//! Short-lived links the app signs itself (connect links, re-grant links): a purpose, a subject
//! and an expiry, HMAC-signed with a key derived from the master key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Claims {
    purpose: String,
    subject: String,
    expires_at: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link's signature does not verify")]
    BadSignature,
    #[error("the link has expired; ask for a new one")]
    Expired,
    #[error("the link is not meant for this")]
    WrongPurpose,
}

pub fn sign(key: &[u8; 32], purpose: &str, subject: &str, ttl_secs: i64) -> String {
    let claims = Claims {
        purpose: purpose.to_owned(),
        subject: subject.to_owned(),
        expires_at: crate::clock::now_secs() + ttl_secs,
    };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let tag = URL_SAFE_NO_PAD.encode(crate::crypto::hmac_sha256(key, payload.as_bytes()));
    format!("{payload}.{tag}")
}

/// Returns the subject of a valid, unexpired link for `purpose`.
pub fn verify(key: &[u8; 32], purpose: &str, token: &str) -> Result<String, LinkError> {
    let (payload, tag) = token.split_once('.').ok_or(LinkError::Malformed)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| LinkError::Malformed)?;
    if !crate::crypto::verify_hmac_sha256(key, payload.as_bytes(), &tag) {
        return Err(LinkError::BadSignature);
    }
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(LinkError::Malformed)?;
    if claims.purpose != purpose {
        return Err(LinkError::WrongPurpose);
    }
    if claims.expires_at < crate::clock::now_secs() {
        return Err(LinkError::Expired);
    }
    Ok(claims.subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_verifies_only_unaltered_unexpired_and_for_its_purpose() {
        let key = [3u8; 32];
        let link = sign(&key, "connect", "tenant-1", 60);
        assert_eq!(verify(&key, "connect", &link), Ok("tenant-1".to_owned()));
        assert_eq!(verify(&key, "regrant", &link), Err(LinkError::WrongPurpose));
        assert_eq!(
            verify(&[4u8; 32], "connect", &link),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            verify(&key, "connect", &sign(&key, "connect", "t", -1)),
            Err(LinkError::Expired)
        );
        assert_eq!(
            verify(&key, "connect", "garbage"),
            Err(LinkError::Malformed)
        );
    }
}
