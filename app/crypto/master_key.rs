//! The master key and the keys derived from it. Each purpose gets its own HKDF output so that
//! a leak of one derived key says nothing of the others; per-shop keys also mix in a random
//! salt kept with the shop, which `shop/redact` destroys to make leftovers unreadable.

use std::fmt;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use sha2::Sha256;

use super::Sealer;

#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    pub fn generate() -> MasterKey {
        MasterKey(super::random_bytes())
    }

    pub fn from_base64(encoded: &str) -> Result<MasterKey, String> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| "is not valid base64".to_owned())?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|v: Vec<u8>| format!("must decode to 32 bytes, got {}", v.len()))?;
        Ok(MasterKey(bytes))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// For the embedded (SQLite) setup: a key kept beside the database, created on first run.
    pub fn load_or_generate(path: &Path) -> anyhow::Result<MasterKey> {
        if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            return MasterKey::from_base64(&text)
                .map_err(|why| anyhow::anyhow!("{} {why}", path.display()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let key = MasterKey::generate();
        write_private(path, key.to_base64().as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        tracing::warn!(path = %path.display(), "generated a master key; set SEGOPS_ENCRYPTION_KEY in production");
        Ok(key)
    }

    pub fn derive(&self, salt: &[u8], info: &str) -> [u8; 32] {
        let hkdf = Hkdf::<Sha256>::new(Some(salt), &self.0);
        let mut out = [0u8; 32];
        hkdf.expand(info.as_bytes(), &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }

    /// Encrypts Shopify access tokens.
    pub fn token_sealer(&self) -> Sealer {
        Sealer::new(&self.derive(b"", "segops/access-token/v1"))
    }

    /// Signs connect links and other app-issued tokens.
    pub fn link_signing_key(&self) -> [u8; 32] {
        self.derive(b"", "segops/connect-link/v1")
    }

    /// Encrypts one shop's protected customer data.
    pub fn shop_pii_sealer(&self, shop_salt: &[u8]) -> Sealer {
        Sealer::new(&self.derive(shop_salt, "segops/pii/encrypt/v1"))
    }

    /// Keys the lookup hashes of one shop's protected customer data.
    pub fn shop_pii_lookup_key(&self, shop_salt: &[u8]) -> [u8; 32] {
        self.derive(shop_salt, "segops/pii/lookup/v1")
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_differ_by_purpose_and_by_shop_salt() {
        let key = MasterKey::generate();
        assert_ne!(key.derive(b"", "a"), key.derive(b"", "b"));
        assert_ne!(
            key.shop_pii_lookup_key(b"shop-1"),
            key.shop_pii_lookup_key(b"shop-2")
        );
    }

    #[test]
    fn a_generated_key_file_is_reused() {
        let dir = std::env::temp_dir().join(format!("segops-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("master.key");
        let first = MasterKey::load_or_generate(&path).unwrap();
        let second = MasterKey::load_or_generate(&path).unwrap();
        assert_eq!(first.to_base64(), second.to_base64());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
