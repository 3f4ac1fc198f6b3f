//! Workspace keys: a public storefront key (it ships in the pixel, so it is stored as is) and a
//! server key (shown once, then only its hash remains).

use crate::crypto::{self, Sealer};

pub struct IssuedKeys {
    pub public_key: String,
    pub server_key_hash: String,
    pub server_key_hint: String,
    /// The server key sealed until the merchant has seen it once.
    pub server_key_reveal: Vec<u8>,
}

/// A server key being shown for the first and only time.
pub struct ServerKeyReveal(pub String);

pub fn issue(sealer: &Sealer, tenant_id: &str) -> IssuedKeys {
    let public_key = format!("pk_{}", crypto::random_token(18));
    let (server_key_hash, server_key_hint, server_key_reveal) = issue_server_key(sealer, tenant_id);
    IssuedKeys {
        public_key,
        server_key_hash,
        server_key_hint,
        server_key_reveal,
    }
}

pub fn issue_server_key(sealer: &Sealer, tenant_id: &str) -> (String, String, Vec<u8>) {
    let key = format!("sk_{}", crypto::random_token(32));
    let hint = format!("sk_…{}", &key[key.len() - 4..]);
    let sealed = sealer.seal(key.as_bytes(), &reveal_context(tenant_id));
    (hash_server_key(&key), hint, sealed)
}

/// Server keys carry 256 bits of entropy, so a plain SHA-256 is enough to store them.
pub fn hash_server_key(key: &str) -> String {
    crypto::sha256_hex(key.as_bytes())
}

pub fn reveal_context(tenant_id: &str) -> Vec<u8> {
    format!("server-key:{tenant_id}").into_bytes()
}
