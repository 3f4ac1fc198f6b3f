//! The Function's input, shaped by `src/cart_lines_discounts_generate_run.graphql`,
//! read in one pass into borrowed data (see `json.rs` for why not serde).
//!
//! Only what the decision needs is kept: the tags the buyer has, and per line its id,
//! quantity, subtotal, product id and the configured collections it belongs to. The
//! configuration stays raw JSON until the buyer turns out to hold a segment tag.

use std::borrow::Cow;

use crate::amount::Amount;
use crate::config::{Config, ConfigError};
use crate::json::{Malformed, Reader, Result};

#[derive(Debug, Default)]
pub struct Input<'a> {
    /// `None` for a guest checkout.
    pub customer: Option<Customer<'a>>,
    pub lines: Vec<CartLine<'a>>,
    /// The collection ids of every line's product that answered `isMember: true`,
    /// one list for the whole cart; each line holds its range.
    memberships: Vec<Cow<'a, str>>,
    pub order_class: bool,
    pub product_class: bool,
    /// `discount.metafield.jsonValue`, unparsed.
    pub configuration: Option<&'a [u8]>,
    /// The `inCollections` ids of the last line read, by position: Shopify answers them
    /// in the order of the `$collectionIds` variable, so the next line's are usually the
    /// same text, compared in place instead of scanned.
    collection_ids: Vec<&'a str>,
    /// The same, parsed where it stood when the buyer was already known to hold a
    /// queried tag (the cart comes first): reading it once costs less than skipping it
    /// and parsing it later. `None` when it was only skipped.
    pub parsed: Option<std::result::Result<Config<'a>, ConfigError>>,
}

#[derive(Debug, Default)]
pub struct Customer<'a> {
    /// The queried tags the customer has (`hasTags` entries with `hasTag: true`).
    pub tags: Vec<Cow<'a, str>>,
}

#[derive(Debug)]
pub struct CartLine<'a> {
    /// Borrowed only when the input's string needs no escaping (no quote, backslash or
    /// control character: the reader guarantees it), which `output` relies on.
    pub id: Cow<'a, str>,
    pub quantity: i64,
    pub subtotal: Amount,
    /// `None` unless the merchandise is a product variant.
    pub product: Option<Cow<'a, str>>,
    memberships: (u32, u32),
}

/// Shopify's limit for a Function input is well below this; reading into a buffer of
/// this capacity never reallocates, which would copy the input byte by byte in wasm.
pub const INPUT_CAPACITY: usize = 256 * 1024;

// Keys in the order the query selects them, which is the order Shopify writes them.
const ROOT: [&[u8]; 2] = [b"cart", b"discount"];
const CART: [&[u8]; 2] = [b"buyerIdentity", b"lines"];
const BUYER_IDENTITY: [&[u8]; 1] = [b"customer"];
const CUSTOMER: [&[u8]; 1] = [b"hasTags"];
const HAS_TAG: [&[u8]; 2] = [b"tag", b"hasTag"];
const LINE: [&[u8]; 4] = [b"id", b"quantity", b"cost", b"merchandise"];
const COST: [&[u8]; 1] = [b"subtotalAmount"];
const MONEY: [&[u8]; 1] = [b"amount"];
const MERCHANDISE: [&[u8]; 1] = [b"product"];
const PRODUCT: [&[u8]; 2] = [b"id", b"inCollections"];
const MEMBERSHIP: [&[u8]; 2] = [b"collectionId", b"isMember"];
const DISCOUNT: [&[u8]; 2] = [b"discountClasses", b"metafield"];
const METAFIELD: [&[u8]; 1] = [b"jsonValue"];

impl<'a> Input<'a> {
    pub fn parse(text: &'a [u8]) -> Result<Input<'a>> {
        let mut input = Input::default();
        let mut reader = Reader::new(text);
        let mut seen = [false; 2];
        reader.fields(&ROOT, |reader, key| match key {
            Some(0) => {
                seen[0] = true;
                input.read_cart(reader)
            }
            Some(_) => {
                seen[1] = true;
                input.read_discount(reader)
            }
            None => reader.skip(),
        })?;
        reader.finish()?;
        if seen != [true; 2] {
            return Err(Malformed);
        }
        Ok(input)
    }

    /// The configured collections that `line`'s product belongs to.
    pub fn memberships(&self, line: &CartLine<'a>) -> &[Cow<'a, str>] {
        let (start, end) = line.memberships;
        &self.memberships[start as usize..end as usize]
    }

    fn read_cart(&mut self, reader: &mut Reader<'a>) -> Result<()> {
        let mut has_lines = false;
        reader.fields(&CART, |reader, key| match key {
            Some(0) if !reader.null() => reader.fields(&BUYER_IDENTITY, |reader, key| match key {
                Some(_) if !reader.null() => {
                    let customer = self.customer.insert(Customer::default());
                    reader.fields(&CUSTOMER, |reader, key| match key {
                        Some(_) => reader.array(|reader| read_has_tag(reader, customer)),
                        None => reader.skip(),
                    })
                }
                Some(_) => Ok(()),
                None => reader.skip(),
            }),
            Some(0) => Ok(()),
            Some(_) => {
                has_lines = true;
                self.lines.reserve(256);
                self.memberships.reserve(256);
                reader.array(|reader| {
                    let line = self.read_line(reader)?;
                    self.lines.push(line);
                    Ok(())
                })
            }
            None => reader.skip(),
        })?;
        if has_lines { Ok(()) } else { Err(Malformed) }
    }

    /// A cart line: first as the exact text Shopify writes (compact, keys in the
    /// query's order), which skips matching every key; on any difference, from the same
    /// point again with the general walk.
    fn read_line(&mut self, reader: &mut Reader<'a>) -> Result<CartLine<'a>> {
        let from = reader.position();
        let start = self.memberships.len();
        if let Some(line) = self.read_line_as_written(reader) {
            return Ok(line);
        }
        reader.rewind(from);
        self.memberships.truncate(start);
        self.read_line_walked(reader)
    }

    /// `{"id":"…","quantity":N,"cost":{"subtotalAmount":{"amount":"…"}},
    /// "merchandise":{"product":{"id":"…","inCollections":[{"collectionId":"…",
    /// "isMember":B},…]}}}`, or `"merchandise":{}` for a custom item. `None` as soon as
    /// the text differs; values are read with the walker's own readers, so whatever is
    /// accepted here reads exactly as the walk would read it.
    fn read_line_as_written(&mut self, reader: &mut Reader<'a>) -> Option<CartLine<'a>> {
        let start = self.memberships.len() as u32;
        if !reader.literal(b"{\"id\":\"") {
            return None;
        }
        let id = reader.string_body().ok()?;
        if !reader.literal(b",\"quantity\":") {
            return None;
        }
        // Digits followed by the next literal's comma: what `integer` reads as well.
        let quantity = reader.digits()?;
        if !reader.literal(b",\"cost\":{\"subtotalAmount\":{\"amount\":\"") {
            return None;
        }
        let subtotal = reader.amount_body()?;
        if !reader.literal(b"}},\"merchandise\":{") {
            return None;
        }
        let product = if reader.literal(b"}}") {
            None
        } else {
            if !reader.literal(b"\"product\":{\"id\":\"") {
                return None;
            }
            let product = reader.string_body().ok()?;
            if !reader.literal(b",\"inCollections\":[") {
                return None;
            }
            if !reader.literal(b"]") {
                let mut position = 0;
                loop {
                    if !reader.literal(b"{\"collectionId\":\"") {
                        return None;
                    }
                    let collection = match self.collection_ids.get(position) {
                        Some(&known) if reader.text_then_quote(known.as_bytes()) => {
                            Cow::Borrowed(known)
                        }
                        _ => {
                            let collection = reader.string_body().ok()?;
                            if let Cow::Borrowed(text) = collection {
                                self.collection_ids.truncate(position);
                                self.collection_ids.push(text);
                            }
                            collection
                        }
                    };
                    position += 1;
                    if reader.literal(b",\"isMember\":true") {
                        self.memberships.push(collection);
                    } else if !reader.literal(b",\"isMember\":false") {
                        return None;
                    }
                    if reader.literal(b"},") {
                        continue;
                    }
                    if reader.literal(b"}]") {
                        break;
                    }
                    return None;
                }
            }
            if !reader.literal(b"}}}") {
                return None;
            }
            Some(product)
        };
        Some(CartLine {
            id,
            quantity,
            subtotal,
            product,
            memberships: (start, self.memberships.len() as u32),
        })
    }

    fn read_line_walked(&mut self, reader: &mut Reader<'a>) -> Result<CartLine<'a>> {
        let mut id = None;
        let mut quantity = None;
        let mut subtotal = None;
        let mut product = None;
        let start = self.memberships.len() as u32;
        reader.fields(&LINE, |reader, key| {
            match key {
                Some(0) => id = Some(reader.string()?),
                Some(1) => quantity = Some(reader.integer()?),
                Some(2) => reader.fields(&COST, |reader, key| match key {
                    Some(_) => reader.fields(&MONEY, |reader, key| match key {
                        Some(_) => {
                            let text = reader.decimal_text()?;
                            subtotal = Some(Amount::parse(&text).ok_or(Malformed)?);
                            Ok(())
                        }
                        None => reader.skip(),
                    }),
                    None => reader.skip(),
                })?,
                Some(_) => reader.fields(&MERCHANDISE, |reader, key| match key {
                    Some(_) => reader.fields(&PRODUCT, |reader, key| match key {
                        Some(0) => {
                            product = Some(reader.string()?);
                            Ok(())
                        }
                        Some(_) => reader.array(|reader| self.read_membership(reader)),
                        None => reader.skip(),
                    }),
                    None => reader.skip(),
                })?,
                None => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(CartLine {
            id: id.ok_or(Malformed)?,
            quantity: quantity.ok_or(Malformed)?,
            subtotal: subtotal.ok_or(Malformed)?,
            product,
            memberships: (start, self.memberships.len() as u32),
        })
    }

    fn read_membership(&mut self, reader: &mut Reader<'a>) -> Result<()> {
        let mut collection = None;
        let mut member = false;
        reader.fields(&MEMBERSHIP, |reader, key| {
            match key {
                Some(0) => collection = Some(reader.string()?),
                Some(_) => member = reader.bool()?,
                None => reader.skip()?,
            }
            Ok(())
        })?;
        let collection = collection.ok_or(Malformed)?;
        if member {
            self.memberships.push(collection);
        }
        Ok(())
    }

    fn read_discount(&mut self, reader: &mut Reader<'a>) -> Result<()> {
        let mut has_classes = false;
        reader.fields(&DISCOUNT, |reader, key| match key {
            Some(0) => {
                has_classes = true;
                reader.array(|reader| {
                    match reader.string()?.as_ref() {
                        "ORDER" => self.order_class = true,
                        "PRODUCT" => self.product_class = true,
                        // SHIPPING, or a class added to the API later.
                        _ => {}
                    }
                    Ok(())
                })
            }
            Some(_) if !reader.null() => reader.fields(&METAFIELD, |reader, key| match key {
                Some(_) => {
                    let wanted = self
                        .customer
                        .as_ref()
                        .is_some_and(|customer| !customer.tags.is_empty());
                    let from = reader.position();
                    let parsed = if wanted {
                        Some(Config::read(reader))
                    } else {
                        None
                    };
                    // A malformed configuration still leaves the input readable: skip it
                    // from its start, as if it had not been parsed.
                    if !matches!(parsed, Some(Ok(_))) {
                        reader.rewind(from);
                        reader.skip()?;
                    }
                    self.configuration = Some(reader.since(from));
                    self.parsed = parsed;
                    Ok(())
                }
                None => reader.skip(),
            }),
            Some(_) => Ok(()),
            None => reader.skip(),
        })?;
        if has_classes { Ok(()) } else { Err(Malformed) }
    }
}

fn read_has_tag<'a>(reader: &mut Reader<'a>, customer: &mut Customer<'a>) -> Result<()> {
    let mut tag = None;
    let mut has = None;
    reader.fields(&HAS_TAG, |reader, key| {
        match key {
            Some(0) => tag = Some(reader.string()?),
            Some(_) => has = Some(reader.bool()?),
            None => reader.skip()?,
        }
        Ok(())
    })?;
    let (Some(tag), Some(has)) = (tag, has) else {
        return Err(Malformed);
    };
    if has {
        customer.tags.push(tag);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOPIFY_SHAPED: &str = r#"{
      "cart": {
        "buyerIdentity": {"customer": {"hasTags": [
          {"tag": "segops:vip", "hasTag": true}, {"tag": "segops:gold", "hasTag": false}]}},
        "lines": [
          {"id": "gid://shopify/CartLine/1", "quantity": 2,
           "cost": {"subtotalAmount": {"amount": "39.98"}},
           "merchandise": {"product": {"id": "gid://shopify/Product/7", "inCollections": [
             {"collectionId": "gid://shopify/Collection/1", "isMember": true},
             {"collectionId": "gid://shopify/Collection/2", "isMember": false}]}}},
          {"id": "gid://shopify/CartLine/2", "quantity": 1,
           "cost": {"subtotalAmount": {"amount": "5.0"}}, "merchandise": {}}
        ]
      },
      "discount": {"discountClasses": ["ORDER", "SHIPPING"],
                   "metafield": {"jsonValue": {"rules":[]}}}
    }"#;

    #[test]
    fn a_shopify_shaped_input_is_read() {
        let input = Input::parse(SHOPIFY_SHAPED.as_bytes()).unwrap();
        let customer = input.customer.as_ref().unwrap();
        assert_eq!(customer.tags, ["segops:vip"]);
        assert_eq!(input.lines.len(), 2);
        let first = &input.lines[0];
        assert_eq!(first.id, "gid://shopify/CartLine/1");
        assert_eq!(first.quantity, 2);
        assert_eq!(first.subtotal, Amount::parse("39.98").unwrap());
        assert_eq!(first.product.as_deref(), Some("gid://shopify/Product/7"));
        assert_eq!(input.memberships(first), ["gid://shopify/Collection/1"]);
        let custom = &input.lines[1];
        assert_eq!(custom.product, None);
        assert!(input.memberships(custom).is_empty());
        assert!(input.order_class && !input.product_class);
        assert_eq!(input.configuration, Some(&br#"{"rules":[]}"#[..]));
    }

    #[test]
    fn key_order_and_whitespace_do_not_change_what_is_read() {
        let compact: serde_json::Value = serde_json::from_str(SHOPIFY_SHAPED).unwrap();
        let compact = compact.to_string();
        let reordered = SHOPIFY_SHAPED
            .replace(r#""quantity": 2,"#, "")
            .replace(
                r#""id": "gid://shopify/CartLine/1","#,
                r#""id": "gid://shopify/CartLine/1", "extra": [1, {"a": null}],"#,
            )
            .replace(
                r#""cost": {"subtotalAmount": {"amount": "39.98"}},"#,
                r#""cost": {"subtotalAmount": {"amount": "39.98"}}, "quantity": 2,"#,
            );
        let read = |json: &str| format!("{:?}", Input::parse(json.as_bytes()).unwrap());
        assert_eq!(read(&compact), read(SHOPIFY_SHAPED));
        assert_eq!(read(&reordered), read(SHOPIFY_SHAPED));
    }

    #[test]
    fn lines_as_shopify_writes_them_read_as_the_walk_reads_them() {
        let line = r#"{"id":"gid://shopify/CartLine/1","quantity":2,"cost":{"subtotalAmount":{"amount":"39.98"}},"merchandise":{"product":{"id":"gid://shopify/Product/7","inCollections":[{"collectionId":"gid://shopify/Collection/1","isMember":true},{"collectionId":"gid://shopify/Collection/2","isMember":false},{"collectionId":"gid://shopify/Collection/3","isMember":true}]}}}"#;
        let bare = r#"{"id":"gid://shopify/CartLine/2","quantity":1,"cost":{"subtotalAmount":{"amount":"5.0"}},"merchandise":{"product":{"id":"gid://shopify/Product/8","inCollections":[]}}}"#;
        let custom = r#"{"id":"gid://shopify/CartLine/3","quantity":1,"cost":{"subtotalAmount":{"amount":"5"}},"merchandise":{}}"#;
        // Differences found late, after memberships were taken: the walk starts over.
        let late = line.replace(r#"]}}}"#, r#"],"x":1}}}"#);
        let number = line.replace(r#""amount":"39.98""#, r#""amount":39.98"#);
        // Collection ids that differ from the previous line's at the same position.
        let shifted = line
            .replace("Collection/1\"", "Collection/12\"")
            .replace("Collection/3\"", "Collection/4\"");
        let escaped = line.replace("Collection/2\"", "Collection\\/2\"");
        let read = |lines: &[&str]| {
            let json = format!(
                r#"{{"cart":{{"buyerIdentity":null,"lines":[{}]}},"discount":{{"discountClasses":[]}}}}"#,
                lines.join(",")
            );
            let input = Input::parse(json.as_bytes()).unwrap();
            let memberships: Vec<_> = input.lines.iter().map(|l| input.memberships(l)).collect();
            format!("{:?} {memberships:?}", input.lines)
        };
        let spaced = |text: &str| text.replace(",\"", " , \"").replace("\":", "\" : ");
        for lines in [
            vec![line, bare, custom],
            vec![late.as_str(), line],
            vec![number.as_str(), custom, line],
            vec![
                line,
                shifted.as_str(),
                line,
                escaped.as_str(),
                line,
                bare,
                line,
            ],
        ] {
            let walked: Vec<String> = lines.iter().map(|text| spaced(text)).collect();
            let walked: Vec<&str> = walked.iter().map(String::as_str).collect();
            assert_eq!(read(&lines), read(&walked), "{lines:?}");
        }
        assert!(read(&[line]).contains("Collection/3"));
        let mixed = read(&[line, shifted.as_str(), line]);
        assert!(mixed.contains("Collection/12") && mixed.contains("Collection/4"));
    }

    #[test]
    fn guests_and_missing_metafields_read_as_none() {
        let json = r#"{"cart": {"buyerIdentity": {"customer": null}, "lines": []},
                       "discount": {"discountClasses": [], "metafield": null}}"#;
        let input = Input::parse(json.as_bytes()).unwrap();
        assert!(input.customer.is_none() && input.configuration.is_none());
        let json = r#"{"cart": {"buyerIdentity": null, "lines": []}, "discount": {"discountClasses": []}}"#;
        assert!(Input::parse(json.as_bytes()).unwrap().customer.is_none());
    }

    #[test]
    fn inputs_missing_what_the_query_selects_are_malformed() {
        for json in [
            r#"{"cart": {"lines": []}}"#,
            r#"{"discount": {"discountClasses": []}}"#,
            r#"{"cart": {}, "discount": {"discountClasses": []}}"#,
            r#"{"cart": {"lines": [{"id": "l", "cost": {"subtotalAmount": {"amount": "1"}}}]},
                "discount": {"discountClasses": []}}"#,
            r#"{"cart": {"lines": [{"id": "l", "quantity": 1, "cost": {"subtotalAmount": {"amount": "x"}}}]},
                "discount": {"discountClasses": []}}"#,
            r#"{"cart": {"lines": []}, "discount": {"discountClasses": []}} trailing"#,
            "",
        ] {
            assert!(Input::parse(json.as_bytes()).is_err(), "{json}");
        }
    }
}
