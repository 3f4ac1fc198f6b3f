//! The part of Shopify's customer segment query language the app translates to: parsing with
//! Shopify's error positions and wording, and evaluating a query over the sandbox's customers.

mod ast;
mod eval;
mod lexer;
mod parser;

use std::fmt;

pub use ast::{Expr, MetaKind};
pub use eval::{CustomerFacts, matches};

/// One problem in a query, at a line (from 1) and column (from 0) as Shopify counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl QueryError {
    fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    /// `Line 1 Column 6: 'valid' is unexpected.`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Line {} Column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Parses `query`; `metafield(namespace, key)` says how a customer metafield filter compares
/// (None when the shop has no such definition). Every problem found is returned, syntax first.
pub fn parse(
    query: &str,
    metafield: &dyn Fn(&str, &str) -> Option<MetaKind>,
) -> Result<Expr, Vec<QueryError>> {
    let tokens = lexer::tokens(query).map_err(|u| {
        vec![QueryError::new(
            u.line,
            u.column,
            "A quoted value is missing its closing quote.",
        )]
    })?;
    let end = tokens
        .last()
        .map_or((1, 0), |t| (t.line, t.column + t.text.chars().count()));
    let mut parser = parser::Parser::new(tokens, end, metafield);
    let parsed = parser.query();
    let mut problems = Vec::new();
    if let Err(syntax) = &parsed {
        problems.push(syntax.clone());
    }
    problems.append(&mut parser.problems);
    match parsed {
        Ok(expr) if problems.is_empty() => Ok(expr),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rust_decimal::Decimal;
    use time::macros::{date, datetime};

    use super::*;

    fn no_metafields(_: &str, _: &str) -> Option<MetaKind> {
        None
    }

    fn loyalty(ns: &str, key: &str) -> Option<MetaKind> {
        match (ns, key) {
            ("segops", "score") => Some(MetaKind::Decimal),
            ("segops", "vip") => Some(MetaKind::Boolean),
            ("segops", "tier") => Some(MetaKind::Text),
            ("segops", "last_seen") => Some(MetaKind::DateTime),
            _ => None,
        }
    }

    fn errors(query: &str) -> Vec<String> {
        parse(query, &loyalty)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn customer() -> CustomerFacts {
        CustomerFacts {
            amount_spent: Decimal::new(15050, 2),
            number_of_orders: 3,
            countries: vec!["CA".into()],
            tags: vec!["VIP".into(), "wholesale".into()],
            email_status: "SUBSCRIBED".into(),
            sms_status: "NOT_SUBSCRIBED".into(),
            last_order_at: Some(datetime!(2026-10-20 12:00 UTC)),
            created_at: datetime!(2025-06-01 09:00 UTC),
            metafields: HashMap::from([
                (("segops".into(), "score".into()), "0.82".into()),
                (("segops".into(), "vip".into()), "true".into()),
                (("segops".into(), "tier".into()), "Gold".into()),
            ]),
        }
    }

    fn holds(query: &str) -> bool {
        let expr = parse(query, &loyalty).unwrap_or_else(|e| panic!("{query}: {e:?}"));
        matches(&expr, &customer(), date!(2026 - 11 - 01))
    }

    #[test]
    fn queries_shopify_accepted_in_live_captures_parse() {
        for q in [
            "customer_countries CONTAINS 'CA'",
            "amount_spent > 100.50",
            "number_of_orders >= 1 AND customer_countries CONTAINS 'CA'",
            "(number_of_orders >= 1) OR (number_of_orders = 0)",
            "last_order_date >= -30d",
            "customer_tags NOT CONTAINS 'segment-query-grammar-1783213891271'",
            "number_of_orders = 999999",
        ] {
            assert!(parse(q, &no_metafields).is_ok(), "{q}");
        }
    }

    #[test]
    fn a_malformed_query_reports_the_syntax_error_then_the_unknown_filter_as_shopify_does() {
        assert_eq!(
            errors("not a valid segment query ???"),
            vec![
                "Line 1 Column 6: 'valid' is unexpected.",
                "Line 1 Column 4: 'a' filter cannot be found."
            ]
        );
        assert_eq!(
            errors("not another valid segment query ???"),
            vec![
                "Line 1 Column 12: 'valid' is unexpected.",
                "Line 1 Column 4: 'another' filter cannot be found."
            ]
        );
    }

    #[test]
    fn operators_and_values_a_filter_cannot_take_are_named_with_their_position() {
        assert_eq!(
            errors("customer_tags > 5"),
            vec!["Line 1 Column 14: '>' is unexpected."]
        );
        assert_eq!(
            errors("amount_spent > 'lots'"),
            vec!["Line 1 Column 15: 'lots' is not a valid value for this filter."]
        );
        assert_eq!(
            errors("email_subscription_status = 'MAYBE'"),
            vec!["Line 1 Column 28: 'MAYBE' is not a valid value for this filter."]
        );
        assert_eq!(
            errors("number_of_orders >= 1 AND\n  metafields.segops.unknown = 1"),
            vec!["Line 2 Column 2: 'metafields.segops.unknown' filter cannot be found."]
        );
        assert_eq!(
            errors("(amount_spent > 1"),
            vec!["Line 1 Column 17: The query ends before the condition is complete."]
        );
        assert_eq!(
            errors("amount_spent > 1 number_of_orders = 2"),
            vec!["Line 1 Column 17: 'number_of_orders' is unexpected."]
        );
        assert_eq!(
            errors("customer_tags CONTAINS 'vip"),
            vec!["Line 1 Column 23: A quoted value is missing its closing quote."]
        );
    }

    #[test]
    fn conditions_evaluate_over_a_customers_facts() {
        assert!(holds("amount_spent > 100.50"));
        assert!(!holds("amount_spent >= 200"));
        assert!(holds("number_of_orders BETWEEN 2 AND 3"));
        assert!(holds("customer_countries CONTAINS 'CA'"));
        assert!(!holds("customer_countries CONTAINS 'US'"));
        assert!(holds("customer_tags CONTAINS 'vip'"));
        assert!(holds("customer_tags NOT CONTAINS 'churned'"));
        assert!(holds("email_subscription_status = 'SUBSCRIBED'"));
        assert!(holds("sms_subscription_status != 'SUBSCRIBED'"));
        assert!(holds("last_order_date > -30d"));
        assert!(!holds("last_order_date < -30d"));
        assert!(holds("last_order_date BETWEEN -90d AND -5d"));
        assert!(holds("customer_added_date < 2026-01-01"));
        assert!(holds("metafields.segops.score >= 0.8"));
        assert!(holds("metafields.segops.vip = true"));
        assert!(holds("metafields.segops.tier = 'gold'"));
        assert!(holds("metafields.segops.last_seen IS NULL"));
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_negates_a_group() {
        assert!(holds(
            "number_of_orders = 0 AND amount_spent > 1 OR customer_tags CONTAINS 'VIP'"
        ));
        assert!(!holds(
            "number_of_orders = 0 AND (amount_spent > 1 OR customer_tags CONTAINS 'VIP')"
        ));
        assert!(holds(
            "NOT (number_of_orders = 0 OR customer_countries CONTAINS 'US')"
        ));
        assert!(!holds("NOT customer_tags CONTAINS 'VIP'"));
    }
}
