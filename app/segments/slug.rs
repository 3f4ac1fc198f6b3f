//! Segment slugs, the `<slug>` in the `segops:<slug>` tag pushed to Shopify. A slug is chosen
//! once, when the segment is created, and stored: renaming a segment keeps its slug, because
//! customers already carry the tag and Shopify automations may key on it.

use std::fmt;

use thiserror::Error;

/// Longest slug: keeps `segops:<slug>` short in Shopify's admin, far under its 255-character
/// tag limit, with room for a `-NNN` suffix.
pub const MAX_SLUG_LEN: usize = 48;

/// Lower-case ASCII letters, digits and single dashes, not starting or ending with a dash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "`{0}` is not a segment slug (1 to 48 of a-z, 0-9 and single dashes, no dash at either end)"
)]
pub struct SlugError(pub String);

impl Slug {
    pub fn parse(text: &str) -> Result<Slug, SlugError> {
        let valid = !text.is_empty()
            && text.len() <= MAX_SLUG_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--");
        if valid {
            Ok(Slug(text.to_owned()))
        } else {
            Err(SlugError(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Shopify customer tag for this segment.
    pub fn tag(&self) -> String {
        format!("segops:{}", self.0)
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The slug a name reads as: accents folded (`Café` → `cafe`), anything else between words
/// becomes one dash, cut at a word boundary within [`MAX_SLUG_LEN`]; `segment` when nothing
/// is left.
pub fn slugify(name: &str) -> Slug {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars().flat_map(fold) {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    let slug = truncate(&out, MAX_SLUG_LEN);
    if slug.is_empty() {
        Slug("segment".into())
    } else {
        Slug(slug)
    }
}

/// The slug for a new segment named `name`, not among the shop's `taken` slugs: the name's
/// slug, else it with `-2`, `-3`, … (shortened so the suffix fits).
pub fn unique_slug(name: &str, taken: impl Fn(&str) -> bool) -> Slug {
    let base = slugify(name);
    if !taken(base.as_str()) {
        return base;
    }
    (2u32..)
        .map(|n| {
            let suffix = format!("-{n}");
            let stem = truncate(base.as_str(), MAX_SLUG_LEN - suffix.len());
            Slug(format!("{stem}{suffix}"))
        })
        .find(|slug| !taken(slug.as_str()))
        .unwrap_or(base)
}

/// At most `max` bytes of an ASCII slug, cut at a dash when one is near, never ending in one.
fn truncate(slug: &str, max: usize) -> String {
    if slug.len() <= max {
        return slug.to_owned();
    }
    let cut = &slug[..max];
    if slug.as_bytes()[max] == b'-' {
        return cut.to_owned();
    }
    let cut = match cut.rfind('-') {
        Some(at) if at >= max / 2 => &cut[..at],
        _ => cut,
    };
    cut.trim_end_matches('-').to_owned()
}

/// Latin letters with accents to their base letters; other characters pass unchanged.
fn fold(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'œ' | 'Œ' => "oe",
        '&' => " and ",
        _ => "",
    };
    let single = folded.is_empty().then_some(c);
    folded.chars().chain(single)
}
