//! JSON string escapes: decoding a string body that holds escapes or non-ASCII bytes, and
//! writing a string with the escapes JSON requires.

use std::borrow::Cow;

use crate::bytes::scan_plain;
use crate::json::{Malformed, Result};

/// Decodes a string body holding escapes or non-ASCII bytes.
pub(crate) fn decode(body: &[u8]) -> Result<Cow<'_, str>> {
    if !body.contains(&b'\\') {
        return std::str::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|_| Malformed);
    }
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    let mut at = 0;
    while at < body.len() {
        let byte = body[at];
        if byte != b'\\' {
            if byte < 0x20 {
                return Err(Malformed);
            }
            out.push(byte);
            at += 1;
            continue;
        }
        let escaped = *body.get(at + 1).ok_or(Malformed)?;
        at += 2;
        let simple = match escaped {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let mut code = u32::from(hex4(body, at)?);
                at += 4;
                if (0xD800..0xDC00).contains(&code) {
                    if body.get(at..at + 2) != Some(b"\\u") {
                        return Err(Malformed);
                    }
                    let low = u32::from(hex4(body, at + 2)?);
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(Malformed);
                    }
                    at += 6;
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                let ch = char::from_u32(code).ok_or(Malformed)?;
                let mut buffer = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes());
                continue;
            }
            _ => return Err(Malformed),
        };
        out.push(simple);
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| Malformed)
}

pub(crate) fn hex4(body: &[u8], at: usize) -> Result<u16> {
    let digits = body.get(at..at + 4).ok_or(Malformed)?;
    let mut value = 0u16;
    for &digit in digits {
        let nibble = match digit {
            b'0'..=b'9' => digit - b'0',
            b'a'..=b'f' => digit - b'a' + 10,
            b'A'..=b'F' => digit - b'A' + 10,
            _ => return Err(Malformed),
        };
        value = value << 4 | u16::from(nibble);
    }
    Ok(value)
}

/// Appends `text` as a JSON string literal.
pub fn write_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    // Ids and decimals never need escaping; only scan byte by byte when something might.
    let plain = scan_plain(bytes, 0);
    if plain == bytes.len() {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut from = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..at]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        from = at + 1;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}
