//! AES-256-GCM at rest. A sealed value is `version || nonce || ciphertext+tag`; the
//! associated data binds it to its row (shop, column), so a copied ciphertext won't open
//! elsewhere.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("ciphertext is malformed")]
    Malformed,
    #[error("ciphertext does not open with this key and context")]
    Rejected,
}

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        Sealer {
            cipher: Aes256Gcm::new_from_slice(key).expect("AES-256 takes a 32-byte key"),
        }
    }

    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = super::random_bytes();
        let nonce = Nonce::from(nonce_bytes);
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer does not fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != VERSION {
            return Err(CryptoError::Malformed);
        }
        let nonce_bytes: [u8; NONCE_LEN] = sealed[1..1 + NONCE_LEN]
            .try_into()
            .map_err(|_| CryptoError::Malformed)?;
        let nonce = Nonce::from(nonce_bytes);
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed[1 + NONCE_LEN..],
                    aad: context,
                },
            )
            .map_err(|_| CryptoError::Rejected)
    }

    pub fn open_string(&self, sealed: &[u8], context: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open(sealed, context)?).map_err(|_| CryptoError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_in_its_context() {
        let sealer = Sealer::new(&[7u8; 32]);
        let sealed = sealer.seal(b"shpat_secret", b"shop-a");
        assert_eq!(sealer.open(&sealed, b"shop-a").unwrap(), b"shpat_secret");
        assert!(matches!(
            sealer.open(&sealed, b"shop-b"),
            Err(CryptoError::Rejected)
        ));
        assert!(!sealed.windows(12).any(|w| w == b"shpat_secret"));
    }

    #[test]
    fn tampering_is_detected() {
        let sealer = Sealer::new(&[7u8; 32]);
        let mut sealed = sealer.seal(b"x", b"");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(sealer.open(&sealed, b"").is_err());
        assert!(matches!(
            sealer.open(&[1, 2], b""),
            Err(CryptoError::Malformed)
        ));
    }
}
