//! Keys and ciphers: the master key, keys derived from it per purpose and per shop,
//! authenticated encryption at rest, keyed lookup hashes, and redacted secrets.

mod aead;
mod master_key;
mod secret;

pub use aead::{CryptoError, Sealer};
pub use master_key::MasterKey;
pub use secret::Secret;

use hmac::{KeyInit, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

type HmacSha256 = hmac::Hmac<Sha256>;

/// Hex HMAC-SHA256, for lookups of values we must not store in clear.
pub fn keyed_hash(key: &[u8; 32], message: &[u8]) -> String {
    hex::encode(hmac_sha256(key, message))
}

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Constant-time check of an HMAC-SHA256 tag.
pub fn verify_hmac_sha256(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.verify_slice(tag).is_ok()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// URL-safe random token of `n` bytes of entropy.
pub fn random_token(n: usize) -> String {
    use base64::Engine;
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
