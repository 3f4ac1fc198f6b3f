//! Which rules name a given product or collection id, without comparing every line's
//! id against every rule's ids (200 lines × 25 rules × N ids of 30-byte strings would
//! cost more instructions than the rest of the Function).

use crate::json::{same_bytes, word};

/// An open-addressing hash table of `(key, id, rules)` entries; `rules` is a bit set of
/// rule indexes. A lookup is a multiply, a shift and usually one id comparison (a binary
/// search over sorted ids cost ~6 comparisons per cart line and lookup).
#[derive(Debug, Default)]
pub struct IdIndex<'a> {
    entries: Vec<(u64, &'a str, u32)>,
    /// Each slot holds an index into `entries` plus one, or 0 when empty; the length is
    /// a power of two at least twice the entries, so probes stay short and end.
    slots: Vec<u32>,
    shift: u32,
}

impl<'a> IdIndex<'a> {
    pub fn insert(&mut self, id: &'a str, rule: usize) {
        self.entries.push((key(id), id, 1 << rule));
    }

    /// Builds the table, merging the rules of equal ids; call once after the last
    /// `insert`.
    pub fn seal(&mut self) {
        let size = (self.entries.len() * 2).next_power_of_two().max(8);
        self.shift = 64 - size.trailing_zeros();
        self.slots = vec![0; size];
        let mut kept = 0;
        for at in 0..self.entries.len() {
            let (key, id, rules) = self.entries[at];
            let mut slot = self.home(key);
            loop {
                match self.slots[slot] {
                    0 => {
                        self.entries[kept] = (key, id, rules);
                        kept += 1;
                        self.slots[slot] = kept as u32;
                        break;
                    }
                    taken => {
                        let entry = &mut self.entries[taken as usize - 1];
                        if entry.0 == key && same_bytes(entry.1.as_bytes(), id.as_bytes()) {
                            entry.2 |= rules;
                            break;
                        }
                    }
                }
                slot = (slot + 1) & (size - 1);
            }
        }
        self.entries.truncate(kept);
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The rules naming `id`.
    pub fn rules_for(&self, id: &str) -> u32 {
        if self.slots.is_empty() {
            return 0;
        }
        let key = key(id);
        let mask = self.slots.len() - 1;
        let mut slot = self.home(key);
        loop {
            let taken = self.slots[slot & mask];
            if taken == 0 {
                return 0;
            }
            if let Some(&(found, known, rules)) = self.entries.get(taken as usize - 1)
                && found == key
                && same_bytes(known.as_bytes(), id.as_bytes())
            {
                return rules;
            }
            slot += 1;
        }
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
    fn many_ids_are_all_found_and_nothing_else() {
        let ids: Vec<String> = (0..200)
            .map(|number| format!("gid://shopify/Product/{number}"))
            .collect();
        let mut index = IdIndex::default();
        for (at, id) in ids.iter().enumerate() {
            index.insert(id, at % 25);
        }
        index.seal();
        for (at, id) in ids.iter().enumerate() {
            assert_eq!(index.rules_for(id), 1 << (at % 25), "{id}");
        }
        assert_eq!(index.rules_for("gid://shopify/Product/200"), 0);
        assert_eq!(IdIndex::default().rules_for("gid://shopify/Product/1"), 0);
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
