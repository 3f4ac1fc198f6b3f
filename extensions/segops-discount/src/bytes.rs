//! Byte work eight bytes at a time, the JSON reader's hot loop: finding where a plain string
//! ends, comparing byte strings, and reading little-endian words.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The first index at or after `at` holding `"`, `\`, a control character or a byte
/// >= 0x80; eight bytes per step while possible.
pub(crate) fn scan_plain(bytes: &[u8], mut at: usize) -> usize {
    while at + 8 <= bytes.len() {
        // SAFETY: the eight bytes from `at` are inside `bytes`.
        let word = unsafe { word_at(bytes.as_ptr(), at) };
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // A byte is flagged when it is zero (after the xor), below 0x20, or >= 0x80;
        // borrows only flag bytes after a real hit, so the lowest flag is exact.
        let special = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word)
            | word;
        let special = special & HIGHS;
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        if byte == b'"' || byte == b'\\' || !(0x20..0x80).contains(&byte) {
            break;
        }
        at += 1;
    }
    at
}

/// Byte equality eight bytes at a time: in wasm, `==` on slices calls a byte-by-byte
/// `memcmp`, which dominated the id lookups and key matching.
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    same_bytes_inline(a, b)
}

#[inline(always)]
pub(crate) fn same_bytes_inline(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let length = a.len();
    if length >= 8 {
        // Whole words, the last one overlapping its predecessor: no byte-wise tail.
        let (a, b) = (a.as_ptr(), b.as_ptr());
        let mut at = 0;
        // SAFETY: every word read starts at most at `length - 8` of slices of `length`.
        unsafe {
            while at + 8 < length {
                if word_at(a, at) != word_at(b, at) {
                    return false;
                }
                at += 8;
            }
            return word_at(a, length - 8) == word_at(b, length - 8);
        }
    }
    if length >= 4 {
        return half_word(a) == half_word(b)
            && half_word(&a[length - 4..]) == half_word(&b[length - 4..]);
    }
    a.iter().zip(b).all(|(a, b)| a == b)
}

pub(crate) fn half_word(bytes: &[u8]) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(word)
}

/// The eight bytes at `base + at` as a little-endian word, without bounds checks
/// (each costs instructions in the hottest loops).
///
/// # Safety
/// The eight bytes from `base + at` must be inside one allocation.
pub(crate) unsafe fn word_at(base: *const u8, at: usize) -> u64 {
    // SAFETY: guaranteed by the caller; `read_unaligned` needs no alignment.
    u64::from_le(unsafe { base.add(at).cast::<u64>().read_unaligned() })
}

pub fn word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(word)
}
