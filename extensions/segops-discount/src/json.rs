//! A minimal borrowing JSON pull reader and string writer, sized for the Function.
//!
//! Why not serde_json: measured in wasm with fuel on a 200-line input (80 KB), serde_json
//! only *skipping* the document (`IgnoredAny`) costs 1.67M instructions and jiter 2.5M,
//! over the whole budget this Function targets (see BENCHMARKS.md). This reader walks the
//! input once, scans strings eight bytes at a time, borrows every string that has no
//! escape, and validates UTF-8 only where a string is not plain ASCII.

use std::borrow::Cow;

use crate::amount::Amount;
pub use crate::bytes::{same_bytes, word};
use crate::bytes::{same_bytes_inline, scan_plain};
use crate::escapes::decode;
pub use crate::escapes::write_string;

/// The input is not the JSON the query promises. No detail: the Function's answer to
/// any unreadable input is "no discount".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

pub type Result<T> = std::result::Result<T, Malformed>;

pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a [u8]) -> Reader<'a> {
        Reader {
            bytes: text,
            pos: 0,
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(&byte) = self.bytes.get(self.pos) {
            if !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.pos += 1;
        }
    }

    /// The next significant byte, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// Consumes a `null` if one is next.
    pub fn null(&mut self) -> bool {
        if self.peek() == Some(b'n') && self.bytes[self.pos..].starts_with(b"null") {
            self.pos += 4;
            true
        } else {
            false
        }
    }

    /// Only whitespace may follow the document.
    pub fn finish(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Malformed),
        }
    }

    /// Walks an object whose keys are expected in the order of `keys` (Shopify writes
    /// them in the query's order), calling `field` with the key's position in `keys`,
    /// or `None` for a key not listed; `field` must consume the value. The expected key
    /// is matched in place, so a well-ordered object never scans its keys.
    pub fn fields(
        &mut self,
        keys: &[&[u8]],
        mut field: impl FnMut(&mut Self, Option<usize>) -> Result<()>,
    ) -> Result<()> {
        self.eat(b'{')?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let mut next = 0;
        loop {
            let index = match keys.get(next) {
                Some(expected) if self.expected_key(expected) => Some(next),
                _ => {
                    let key = self.key()?;
                    keys.iter().position(|known| same_bytes(known, key))
                }
            };
            self.eat(b':')?;
            field(self, index)?;
            if let Some(index) = index {
                next = index + 1;
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(Malformed),
            }
        }
    }

    /// Where the reader is; with `rewind`, lets a caller try a fast path and fall
    /// back to the general walk from the same point.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn rewind(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// The text from `from` to where the reader is, leading whitespace left out.
    pub fn since(&self, from: usize) -> &'a [u8] {
        let text = &self.bytes[from..self.pos];
        let start = text
            .iter()
            .position(|byte| !byte.is_ascii_whitespace())
            .unwrap_or(text.len());
        &text[start..]
    }

    /// Consumes `text` if the input continues with exactly these bytes (no whitespace
    /// skipped): the fixed punctuation and keys Shopify writes between values.
    /// Inlined, so each call compares a constant length: whole words, no loop.
    #[inline(always)]
    pub fn literal(&mut self, text: &[u8]) -> bool {
        let end = self.pos + text.len();
        if end > self.bytes.len() {
            return false;
        }
        // SAFETY: `pos..end` is inside `bytes`, checked just above.
        let found = unsafe { self.bytes.get_unchecked(self.pos..end) };
        if same_bytes_inline(found, text) {
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// Consumes `text` and a closing quote if they come next. `text` must be a string
    /// body read before without escapes, so what matches reads as `string_body` would
    /// read it.
    #[inline(always)]
    pub fn text_then_quote(&mut self, text: &[u8]) -> bool {
        let end = self.pos + text.len();
        if end >= self.bytes.len() || self.bytes[end] != b'"' {
            return false;
        }
        // SAFETY: `pos..end` is inside `bytes`, checked just above.
        let found = unsafe { self.bytes.get_unchecked(self.pos..end) };
        if same_bytes_inline(found, text) {
            self.pos = end + 1;
            true
        } else {
            false
        }
    }

    /// An amount string's body and closing quote right here, read as `Amount::parse`
    /// reads the decoded string, or `None` (nothing consumed) when it holds anything
    /// else (an escape, say, which the walk decodes first).
    pub fn amount_body(&mut self) -> Option<Amount> {
        let rest = self.bytes.get(self.pos..)?;
        let (amount, used) = Amount::parse_prefix(rest)?;
        if rest.get(used) != Some(&b'"') {
            return None;
        }
        self.pos += used + 1;
        Some(amount)
    }

    /// An unsigned integer of at most 18 digits right here, as `integer` reads it, or
    /// `None` (nothing consumed) when the text is anything else.
    pub fn digits(&mut self) -> Option<i64> {
        let mut at = self.pos;
        let mut value: i64 = 0;
        while let Some(&byte) = self.bytes.get(at) {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            value = value * 10 + i64::from(digit);
            at += 1;
        }
        if at == self.pos || at - self.pos > 18 {
            return None;
        }
        self.pos = at;
        Some(value)
    }

    /// Consumes `"key"` if it is next.
    fn expected_key(&mut self, key: &[u8]) -> bool {
        self.skip_whitespace();
        let end = self.pos + key.len() + 2;
        match self.bytes.get(self.pos..end) {
            Some(quoted)
                if quoted[0] == b'"'
                    && quoted[quoted.len() - 1] == b'"'
                    && same_bytes(&quoted[1..quoted.len() - 1], key) =>
            {
                self.pos = end;
                true
            }
            _ => false,
        }
    }

    /// Walks an array, calling `item` for each element; `item` must consume it.
    pub fn array(&mut self, mut item: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.eat(b'[')?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(Malformed),
            }
        }
    }

    /// An object key as raw bytes (keys are compared, never decoded; a key with an
    /// escape simply matches none of ours).
    fn key(&mut self) -> Result<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.pos;
        let end = self.string_end()?;
        self.pos = end + 1;
        Ok(&self.bytes[start..end])
    }

    pub fn string(&mut self) -> Result<Cow<'a, str>> {
        self.eat(b'"')?;
        self.string_body()
    }

    /// The rest of a string whose opening quote was just consumed.
    #[inline(always)]
    pub fn string_body(&mut self) -> Result<Cow<'a, str>> {
        let start = self.pos;
        let stop = scan_plain(self.bytes, start);
        match self.bytes.get(stop) {
            Some(b'"') => {
                self.pos = stop + 1;
                let plain = &self.bytes[start..stop];
                // SAFETY: `scan_plain` stopped at the first byte that is `"`, `\`, a
                // control character or >= 0x80, so `plain` is ASCII, hence UTF-8.
                Ok(Cow::Borrowed(unsafe {
                    std::str::from_utf8_unchecked(plain)
                }))
            }
            Some(_) => {
                let end = self.string_end()?;
                self.pos = end + 1;
                decode(&self.bytes[start..end])
            }
            None => Err(Malformed),
        }
    }

    /// The index of the quote closing the string whose body starts at `self.pos`.
    fn string_end(&self) -> Result<usize> {
        let mut at = self.pos;
        loop {
            at = scan_plain(self.bytes, at);
            match self.bytes.get(at) {
                Some(b'"') => return Ok(at),
                Some(b'\\') => at += 2,
                Some(&byte) if byte >= 0x80 => at += 1,
                _ => return Err(Malformed),
            }
        }
    }

    pub fn bool(&mut self) -> Result<bool> {
        self.skip_whitespace();
        let rest = &self.bytes[self.pos..];
        if rest.starts_with(b"true") {
            self.pos += 4;
            Ok(true)
        } else if rest.starts_with(b"false") {
            self.pos += 5;
            Ok(false)
        } else {
            Err(Malformed)
        }
    }

    /// A number token's text, unparsed.
    pub fn number(&mut self) -> Result<&'a str> {
        self.skip_whitespace();
        let start = self.pos;
        while let Some(&byte) = self.bytes.get(self.pos) {
            if !matches!(byte, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                break;
            }
            self.pos += 1;
        }
        if start == self.pos {
            return Err(Malformed);
        }
        // SAFETY: only ASCII digits and signs were consumed.
        Ok(unsafe { std::str::from_utf8_unchecked(&self.bytes[start..self.pos]) })
    }

    pub fn integer(&mut self) -> Result<i64> {
        let text = self.number()?;
        text.parse().map_err(|_| Malformed)
    }

    /// A decimal given as a string (the wire form) or as a bare number.
    pub fn decimal_text(&mut self) -> Result<Cow<'a, str>> {
        if self.peek() == Some(b'"') {
            self.string()
        } else {
            self.number().map(Cow::Borrowed)
        }
    }

    /// Skips one value of any shape. Inside arrays and objects only strings and
    /// brackets are looked at: brackets are counted, not matched, and scalars are not
    /// checked, which is all skipping needs (a skipped configuration is parsed strictly
    /// later). Iterative, so hostile nesting cannot overflow the stack.
    pub fn skip(&mut self) -> Result<()> {
        match self.peek().ok_or(Malformed)? {
            b'{' | b'[' => {}
            b'"' => {
                self.pos += 1;
                self.pos = self.string_end()? + 1;
                return Ok(());
            }
            b'-' | b'0'..=b'9' => return self.number().map(drop),
            b't' | b'f' => return self.bool().map(drop),
            b'n' if self.null() => return Ok(()),
            _ => return Err(Malformed),
        }
        let mut depth = 0usize;
        while let Some(&byte) = self.bytes.get(self.pos) {
            match byte {
                b'"' => {
                    self.pos += 1;
                    self.pos = self.string_end()?;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        Err(Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_string(json: &str) -> Result<Cow<'_, str>> {
        let mut reader = Reader::new(json.as_bytes());
        let value = reader.string()?;
        reader.finish()?;
        Ok(value)
    }

    #[test]
    fn plain_strings_are_borrowed_at_any_length() {
        for length in 0..40 {
            let text = "gid://shopify/CartLine/0123456789abcdefghij"[..length].to_owned();
            let json = format!("\"{text}\"");
            let value = read_string(&json).unwrap();
            assert!(matches!(value, Cow::Borrowed(_)));
            assert_eq!(value, text);
        }
    }

    #[test]
    fn escapes_and_unicode_are_decoded() {
        assert_eq!(read_string(r#""a\"b\\c\/d\n""#).unwrap(), "a\"b\\c/d\n");
        assert_eq!(read_string(r#""\u00e9\ud83d\ude00""#).unwrap(), "é😀");
        assert_eq!(
            read_string("\"héllo wörld, long enough\"").unwrap(),
            "héllo wörld, long enough"
        );
        assert_eq!(
            read_string(r#""gid:\/\/shopify\/Product\/1""#).unwrap(),
            "gid://shopify/Product/1"
        );
    }

    #[test]
    fn broken_strings_are_malformed() {
        for json in [
            "\"abc",
            "\"a\\x\"",
            "\"\\ud800\"",
            "\"\\u12\"",
            "\"tab\there\"",
            "\"0123456789\n0123\"",
        ] {
            assert_eq!(read_string(json), Err(Malformed), "{json:?}");
        }
        let invalid_utf8 = [b'"', 0xff, 0xfe, b'"'];
        assert_eq!(Reader::new(&invalid_utf8).string(), Err(Malformed));
    }

    #[test]
    fn objects_and_arrays_are_walked_and_unknown_values_skipped() {
        let json = br#" { "a" : [1, 2 ,3], "skip": {"x": [true, null, {"y": "}"}], "z": -1.5e3},
                        "b": "text", "c": false, "d": null } "#;
        let mut reader = Reader::new(json);
        let mut numbers = Vec::new();
        let mut seen = Vec::new();
        reader
            .fields(&[b"a", b"b", b"c"], |reader, key| {
                seen.push(key);
                match key {
                    Some(0) => reader.array(|reader| {
                        numbers.push(reader.integer()?);
                        Ok(())
                    }),
                    Some(1) => reader.string().map(drop),
                    Some(_) => reader.bool().map(drop),
                    None => reader.skip(),
                }
            })
            .unwrap();
        reader.finish().unwrap();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(seen, [Some(0), None, Some(1), Some(2), None]);
    }

    #[test]
    fn fields_are_found_in_any_order_and_with_whitespace() {
        const KEYS: [&[u8]; 3] = [b"a", b"bb", b"ccc"];
        for json in [
            r#"{"a":1,"bb":2,"ccc":3,"x":9}"#,
            r#"{ "ccc" : 3 , "x":[9], "bb":2, "a": 1 }"#,
            r#"{"a":1,"a\u0062":7,"bb":2,"ccc":3}"#,
        ] {
            let mut reader = Reader::new(json.as_bytes());
            let mut seen = [0; 3];
            reader
                .fields(&KEYS, |reader, index| match index {
                    Some(index) => {
                        seen[index] = reader.integer()?;
                        Ok(())
                    }
                    None => reader.skip(),
                })
                .unwrap();
            reader.finish().unwrap();
            assert_eq!(seen, [1, 2, 3], "{json}");
        }
    }

    #[test]
    fn truncated_or_trailing_input_is_malformed() {
        for json in [&b"{\"a\": [1, 2"[..], b"\"abc", b"{} x", b"", b"nul"] {
            let mut reader = Reader::new(json);
            let outcome = reader.skip().and_then(|()| reader.finish());
            assert_eq!(
                outcome,
                Err(Malformed),
                "{:?}",
                String::from_utf8_lossy(json)
            );
        }
    }

    #[test]
    fn the_walkers_reject_broken_structure() {
        for json in [
            &b"{\"a\" 1}"[..],
            b"{\"a\": 1,}",
            b"{\"a\": 1 \"b\": 2}",
            b"[1 2]",
            b"[1,]",
        ] {
            let mut reader = Reader::new(json);
            let outcome = if json[0] == b'{' {
                reader.fields(&[], |reader, _| reader.skip())
            } else {
                reader.array(|reader| reader.skip())
            };
            assert_eq!(
                outcome,
                Err(Malformed),
                "{:?}",
                String::from_utf8_lossy(json)
            );
        }
    }

    #[test]
    fn since_gives_a_skipped_value_verbatim() {
        let mut reader = Reader::new(br#"[ {"k": ["v", 1]} , 2]"#);
        let mut raws = Vec::new();
        reader
            .array(|reader| {
                let from = reader.position();
                reader.skip()?;
                raws.push(reader.since(from));
                Ok(())
            })
            .unwrap();
        assert_eq!(raws, [&br#"{"k": ["v", 1]}"#[..], b"2"]);
    }

    #[test]
    fn same_bytes_is_byte_equality() {
        let texts = [
            "",
            "a",
            "ab",
            "gid://shopify/Product/1",
            "gid://shopify/Product/2",
            "gid://shopify/Product/12",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(
                    same_bytes(a.as_bytes(), b.as_bytes()),
                    a == b,
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn written_strings_round_trip_through_serde_json() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "line\nbreak\ttab\u{1}",
            "é😀",
            "",
        ] {
            let mut out = Vec::new();
            write_string(&mut out, text);
            let back: String = serde_json::from_slice(&out).unwrap();
            assert_eq!(back, text);
        }
    }
}
