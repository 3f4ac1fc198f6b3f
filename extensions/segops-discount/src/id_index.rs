//! Which rules name a given product or collection id, without comparing every line's
//! id against every rule's ids (200 lines × 25 rules × N ids of 30-byte strings would
//! cost more instructions than the rest of the Function).

use crate::json::{same_bytes, word};

/// Sorted `(key, id, rules)` entries; `rules` is a bit set of rule indexes.
#[derive(Debug, Default)]
pub struct IdIndex<'a> {
    entries: Vec<(u64, &'a str, u32)>,
}

impl<'a> IdIndex<'a> {
    pub fn insert(&mut self, id: &'a str, rule: usize) {
        self.entries.push((key(id), id, 1 << rule));
    }

    /// Sorts and merges entries; call once after the last `insert`.
    pub fn seal(&mut self) {
        self.entries
            .sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        self.entries.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0 && later.1 == earlier.1;
            if same {
                earlier.2 |= later.2;
            }
            same
        });
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The rules naming `id`.
    pub fn rules_for(&self, id: &str) -> u32 {
        let key = key(id);
        let start = self.entries.partition_point(|entry| entry.0 < key);
        let mut rules = 0;
        for entry in &self.entries[start..] {
            if entry.0 != key {
                break;
            }
            if same_bytes(entry.1.as_bytes(), id.as_bytes()) {
                rules |= entry.2;
            }
        }
        rules
    }
}

/// A cheap key from the length and the last eight bytes: GIDs of one type share a
/// prefix and differ in their numeric tail. Equal keys are confirmed by comparing ids.
fn key(id: &str) -> u64 {
    let bytes = id.as_bytes();
    if bytes.len() >= 8 {
        return word(&bytes[bytes.len() - 8..]) ^ ((bytes.len() as u64) << 56);
    }
    let take = bytes.len();
    let mut tail = [0u8; 8];
    tail[..take].copy_from_slice(&bytes[bytes.len() - take..]);
    u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_every_rule_that_names_them() {
        let mut index = IdIndex::default();
        index.insert("gid://shopify/Product/1", 0);
        index.insert("gid://shopify/Product/2", 1);
        index.insert("gid://shopify/Product/1", 3);
        index.insert("x/gid://shopify/Product/1", 4);
        index.seal();
        assert_eq!(index.rules_for("gid://shopify/Product/1"), 0b1001);
        assert_eq!(index.rules_for("gid://shopify/Product/2"), 0b0010);
        assert_eq!(index.rules_for("gid://shopify/Product/3"), 0);
        assert_eq!(index.rules_for(""), 0);
    }

    #[test]
    fn ids_with_equal_keys_are_told_apart() {
        let mut index = IdIndex::default();
        index.insert("aa/Product/12345678", 0);
        index.insert("bb/Product/12345678", 1);
        index.seal();
        assert_eq!(index.rules_for("aa/Product/12345678"), 0b01);
        assert_eq!(index.rules_for("bb/Product/12345678"), 0b10);
        assert_eq!(index.rules_for("cc/Product/12345678"), 0);
    }
}
