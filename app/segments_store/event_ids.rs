//! The product and collection ids in an event's stored properties, for rules that count events
//! "for products [...]" or "for collections [...]". Only the three fields those filters read are
//! looked at; the rest of the document is skipped without being built (a full evaluation reads
//! millions of events, and a `serde_json::Value` per event was most of its time).

use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Product ids (top-level `product_id`, and each `products[].product_id`), sorted and without
/// repeats, and collection ids (`collection_id`). Ids may be numbers, digit strings or GIDs;
/// anything else, and properties that are not a JSON object, count as no ids.
pub fn ids_of(properties: &str) -> (Vec<u64>, Vec<u64>) {
    let mut ids = Ids::default();
    let mut reader = serde_json::Deserializer::from_str(properties);
    if reader.deserialize_map(TopLevel(&mut ids)).is_err() {
        return (Vec::new(), Vec::new());
    }
    ids.products.sort_unstable();
    ids.products.dedup();
    (ids.products, ids.collections)
}

#[derive(Default)]
struct Ids {
    products: Vec<u64>,
    collections: Vec<u64>,
}

/// The properties object: picks the three fields, skips the others.
struct TopLevel<'a>(&'a mut Ids);

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of event properties")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // A repeated key counts once, as the last value would in a parsed document.
        let (mut product, mut collection, mut lines) = (None, None, None);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::ProductId => product = map.next_value_seed(Id)?,
                Key::CollectionId => collection = map.next_value_seed(Id)?,
                Key::Products => lines = Some(map.next_value_seed(Lines)?),
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.0.products.extend(product);
        self.0.products.extend(lines.unwrap_or_default());
        self.0.collections.extend(collection);
        Ok(())
    }
}

enum Key {
    ProductId,
    CollectionId,
    Products,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a property name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "product_id" => Key::ProductId,
                    "collection_id" => Key::CollectionId,
                    "products" => Key::Products,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// One id: a number, a string of digits, or a GID ending in one; `None` for anything else.
struct Id;

impl<'de> DeserializeSeed<'de> for Id {
    type Value = Option<u64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<u64>, D::Error> {
        deserializer.deserialize_any(IdVisitor)
    }
}

struct IdVisitor;

impl<'de> Visitor<'de> for IdVisitor {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id")
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Option<u64>, E> {
        Ok(Some(n))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Option<u64>, E> {
        Ok(u64::try_from(n).ok())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Option<u64>, E> {
        Ok(text.rsplit('/').next().and_then(|tail| tail.parse().ok()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u64>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<u64>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// `products`: the `product_id` of each line that has one; not an array: no ids.
struct Lines;

impl<'de> DeserializeSeed<'de> for Lines {
    type Value = Vec<u64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<u64>, D::Error> {
        deserializer.deserialize_any(LinesVisitor)
    }
}

struct LinesVisitor;

impl<'de> Visitor<'de> for LinesVisitor {
    type Value = Vec<u64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of product lines")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
        let mut ids = Vec::new();
        while let Some(id) = seq.next_element_seed(Line)? {
            ids.extend(id);
        }
        Ok(ids)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<u64>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<u64>, E> {
        Ok(Vec::new())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<u64>, E> {
        Ok(Vec::new())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<u64>, E> {
        Ok(Vec::new())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<u64>, E> {
        Ok(Vec::new())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<u64>, E> {
        Ok(Vec::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<u64>, E> {
        Ok(Vec::new())
    }
}

/// One product line: its `product_id`, if it is an object that has one.
struct Line;

impl<'de> DeserializeSeed<'de> for Line {
    type Value = Option<u64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<u64>, D::Error> {
        deserializer.deserialize_any(LineVisitor)
    }
}

struct LineVisitor;

impl<'de> Visitor<'de> for LineVisitor {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a product line")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<u64>, A::Error> {
        let mut id = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::ProductId => id = map.next_value_seed(Id)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(id)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u64>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::ids_of;

    #[test]
    fn product_ids_come_from_the_event_and_its_lines() {
        let (products, collections) = ids_of(
            r#"{"product_id":"gid://shopify/Product/7","products":[{"product_id":"9"},{"product_id":7}],"collection_id":3}"#,
        );
        assert_eq!(products, vec![7, 9]);
        assert_eq!(collections, vec![3]);
    }

    #[test]
    fn other_fields_of_any_shape_are_skipped() {
        let (products, collections) = ids_of(
            r#"{"order_id":"1","total":12.5,"customer":{"product_id":99},"tags":["a",{"b":[1]}],"products":[{"name":"x","product_id":5,"variant":{"product_id":6}}],"collection_id":null}"#,
        );
        assert_eq!(products, vec![5], "only a line's own product_id counts");
        assert!(collections.is_empty());
    }

    #[test]
    fn ids_of_the_wrong_shape_count_as_none() {
        for properties in [
            r#"{"product_id":-3,"products":"7","collection_id":1.5}"#,
            r#"{"product_id":{"id":7},"products":{"product_id":7},"collection_id":[1]}"#,
            r#"{"product_id":true,"products":[7,"8",null,[9]],"collection_id":"gid://shopify/Collection/x"}"#,
        ] {
            assert_eq!(ids_of(properties), (vec![], vec![]), "{properties}");
        }
    }

    #[test]
    fn properties_that_are_not_an_object_have_no_ids() {
        for properties in ["", "null", "[1,2]", "7", "{\"product_id\":", "not json"] {
            assert_eq!(ids_of(properties), (vec![], vec![]), "{properties:?}");
        }
    }

    #[test]
    fn a_repeated_key_counts_its_last_value() {
        assert_eq!(
            ids_of(r#"{"product_id":1,"product_id":2}"#),
            (vec![2], vec![])
        );
    }
}
