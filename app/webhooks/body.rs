//! How a raw delivery body is kept: LZ4-compressed (JSON shrinks several-fold, and the group
//! commit is bound by the bytes it writes), then sealed under the shop's key, bound to its
//! delivery by the associated data.

use crate::crypto::Sealer;

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the stored body does not open with this shop's key")]
    Sealed,
    #[error("the stored body is not valid LZ4")]
    Compressed,
}

pub fn seal(sealer: &Sealer, shop_id: &str, topic: &str, event_id: &str, raw: &[u8]) -> Vec<u8> {
    sealer.seal(
        &lz4_flex::compress_prepend_size(raw),
        &context(shop_id, topic, event_id),
    )
}

pub fn open(
    sealer: &Sealer,
    shop_id: &str,
    topic: &str,
    event_id: &str,
    sealed: &[u8],
) -> Result<Vec<u8>, BodyError> {
    let compressed = sealer
        .open(sealed, &context(shop_id, topic, event_id))
        .map_err(|_| BodyError::Sealed)?;
    lz4_flex::decompress_size_prepended(&compressed).map_err(|_| BodyError::Compressed)
}

fn context(shop_id: &str, topic: &str, event_id: &str) -> Vec<u8> {
    format!("delivery:{shop_id}:{topic}:{event_id}").into_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_body_opens_only_as_the_delivery_it_was_sealed_for() {
        let sealer = crate::crypto::Sealer::new(&[9u8; 32]);
        let raw = br#"{"id": 820982911946154508, "email": "someone@example.com"}"#.repeat(20);
        let sealed = super::seal(&sealer, "shop", "orders/create", "e1", &raw);
        assert!(
            sealed.len() < raw.len() / 2,
            "compressed: {} of {}",
            sealed.len(),
            raw.len()
        );
        assert_eq!(
            super::open(&sealer, "shop", "orders/create", "e1", &sealed).unwrap(),
            raw
        );
        assert!(super::open(&sealer, "shop", "orders/create", "e2", &sealed).is_err());
    }
}
