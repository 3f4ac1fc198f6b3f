//! The Function's configuration JSON, in the shape extensions/segops-discount/src/config.rs
//! reads: the top-level `tags`/`collectionIds` become its input query's variables.

use serde_json::{Value, json};

use super::rules::{Kind, Rule, Scope};

/// The Function's handle (extensions/segops-discount/shopify.extension.toml).
pub const FUNCTION_HANDLE: &str = "segops-discount";
/// Where the Function reads its configuration (`[extensions.input.variables]`).
pub const CONFIG_NAMESPACE: &str = "$app:segops-discount";
pub const CONFIG_KEY: &str = "function-configuration";
/// A segment with slug `vip` is pushed as the customer tag `segops:vip`.
const TAG_PREFIX: &str = "segops:";

/// The configuration for the active `rules`; `slug_of` names each rule's segment.
/// Inactive rules stay in the app only: the Function would drop them anyway.
pub fn configuration(rules: &[Rule], slug_of: impl Fn(&str) -> Option<String>) -> Value {
    let mut tags: Vec<String> = Vec::new();
    let mut collections: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for rule in rules.iter().filter(|r| r.active) {
        // A rule whose segment vanished cannot match anyone; leaving it out keeps the rest valid.
        let Some(slug) = slug_of(&rule.segment_id) else {
            continue;
        };
        push_unique(&mut tags, format!("{TAG_PREFIX}{slug}"));
        let mut entry = json!({
            "segment": slug,
            "kind": match rule.kind {
                Kind::Percentage => "percentage",
                Kind::Fixed => "fixed_amount",
            },
            "value": rule.value,
            "scope": rule.scope.as_str(),
            "priority": rule.priority,
            "active": true,
        });
        if rule.scope == Scope::Products {
            for id in &rule.collection_ids {
                push_unique(&mut collections, id.clone());
            }
            entry["productIds"] = json!(rule.product_ids);
            entry["collectionIds"] = json!(rule.collection_ids);
        }
        if let Some(minimum) = &rule.minimum_subtotal {
            entry["minimumSubtotal"] = json!(minimum);
        }
        if let Some(message) = &rule.message {
            entry["message"] = json!(message);
        }
        out.push(entry);
    }
    json!({ "tags": tags, "collectionIds": collections, "rules": out })
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use segops_discount::config::{Config, Kind as FnKind, Scope as FnScope};

    use super::*;

    fn rule(id: &str, segment: &str, kind: Kind, value: &str, scope: Scope) -> Rule {
        Rule {
            id: id.into(),
            segment_id: segment.into(),
            kind,
            value: value.into(),
            scope,
            product_ids: Vec::new(),
            collection_ids: Vec::new(),
            minimum_subtotal: None,
            message: None,
            priority: 0,
            active: true,
        }
    }

    #[test]
    fn the_written_configuration_is_accepted_by_the_functions_own_parser() {
        let mut products = rule("r2", "s-gold", Kind::Fixed, "5.5", Scope::Products);
        products.product_ids = vec!["gid://shopify/Product/7".into()];
        products.collection_ids = vec!["gid://shopify/Collection/3".into()];
        products.minimum_subtotal = Some("50".into());
        products.message = Some("Gold \"members\" é".into());
        products.priority = 2;
        let mut off = rule("r3", "s-vip", Kind::Percentage, "99", Scope::Order);
        off.active = false;
        let rules = vec![
            rule("r1", "s-vip", Kind::Percentage, "10", Scope::Order),
            products,
            off,
            rule("r4", "s-gone", Kind::Percentage, "10", Scope::Order),
        ];
        let config = configuration(&rules, |id| match id {
            "s-vip" => Some("vip".into()),
            "s-gold" => Some("gold".into()),
            _ => None,
        });
        assert_eq!(config["tags"], json!(["segops:vip", "segops:gold"]));
        let bytes = serde_json::to_vec(&config).unwrap();
        let parsed = Config::parse(&bytes).unwrap();
        assert_eq!(parsed.rules.len(), 2);
        assert_eq!(parsed.rules[0].segment, "vip");
        assert_eq!(parsed.rules[0].value.kind, FnKind::Percentage);
        assert!(matches!(parsed.rules[0].scope, FnScope::Order));
        let gold = &parsed.rules[1];
        assert_eq!(gold.value.kind, FnKind::FixedAmount);
        assert_eq!(gold.value.text, "5.5");
        assert_eq!(gold.message.as_deref(), Some("Gold \"members\" é"));
        assert_eq!(gold.priority, 2);
        assert!(gold.minimum_subtotal.is_some());
        assert!(
            matches!(&gold.scope, FnScope::Products { product_ids, collection_ids }
            if product_ids.len() == 1 && collection_ids.len() == 1)
        );
    }

    #[test]
    fn no_active_rule_is_still_a_valid_configuration() {
        let bytes = serde_json::to_vec(&configuration(&[], |_| None)).unwrap();
        assert!(Config::parse(&bytes).unwrap().rules.is_empty());
    }
}
