//! The profile search box and the list's keyset cursor: what a query names, and where the
//! next page starts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::QueryError;

/// What the merchant typed in the search box, read as the one identifier it can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    All,
    Email(String),
    Phone(String),
    Customer(String),
    Person(String),
    /// `segment:<slug>`: the segment's current members, paged like the whole list.
    Segment(String),
}

impl Search {
    pub fn parse(q: &str) -> Search {
        let q = q.trim();
        if q.is_empty() {
            return Search::All;
        }
        if q.contains('@') {
            return Search::Email(q.to_owned());
        }
        // Shopify's GID as the admin shows it, or the bare number.
        let bare = q.strip_prefix("gid://shopify/Customer/").unwrap_or(q);
        if !bare.is_empty() && bare.chars().all(|c| c.is_ascii_digit()) {
            return Search::Customer(bare.to_owned());
        }
        if let Some(slug) = q.strip_prefix("segment:") {
            return Search::Segment(slug.trim().to_owned());
        }
        if q.starts_with('+') {
            return Search::Phone(q.to_owned());
        }
        Search::Person(q.to_owned())
    }
}

/// Where the next page starts: after this recency and person id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub(super) recency: i64,
    pub(super) person_id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{}", self.recency, self.person_id))
    }

    pub fn decode(text: &str) -> Result<Cursor, QueryError> {
        let raw = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| QueryError::BadCursor)?;
        let raw = String::from_utf8(raw).map_err(|_| QueryError::BadCursor)?;
        let (recency, person_id) = raw.split_once('|').ok_or(QueryError::BadCursor)?;
        Ok(Cursor {
            recency: recency.parse().map_err(|_| QueryError::BadCursor)?,
            person_id: person_id.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Cursor, Search, URL_SAFE_NO_PAD};
    use base64::Engine;

    #[test]
    fn the_search_box_reads_each_kind_of_identifier() {
        assert_eq!(Search::parse("  "), Search::All);
        assert_eq!(
            Search::parse("Ada@Example.net"),
            Search::Email("Ada@Example.net".into())
        );
        assert_eq!(
            Search::parse("gid://shopify/Customer/42"),
            Search::Customer("42".into())
        );
        assert_eq!(Search::parse("42"), Search::Customer("42".into()));
        assert_eq!(
            Search::parse("+1 415 555 0100"),
            Search::Phone("+1 415 555 0100".into())
        );
        assert_eq!(Search::parse("segment:vip"), Search::Segment("vip".into()));
        assert_eq!(
            Search::parse("anonymous:abc"),
            Search::Person("anonymous:abc".into())
        );
    }

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let cursor = Cursor {
            recency: 1_700_000_000_000,
            person_id: "checkout:a|b".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).ok(), Some(cursor));
        assert!(Cursor::decode("not base64 !").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("x|y")).is_err());
    }
}
