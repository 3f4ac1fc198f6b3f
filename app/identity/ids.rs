//! The identifiers a person is known by, and how a group of them is named: after its strongest
//! identifier, so the name of a merged group does not depend on the order links arrived in.

use crate::events::CanonicalEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdKind {
    // Weakest first: the derived ordering ranks them.
    Order,
    Cart,
    Checkout,
    Anonymous,
    EmailHash,
    Customer,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Order => "order",
            IdKind::Cart => "cart",
            IdKind::Checkout => "checkout",
            IdKind::Anonymous => "anonymous",
            IdKind::EmailHash => "email_hash",
            IdKind::Customer => "customer",
        }
    }

    pub fn parse(text: &str) -> Option<IdKind> {
        [
            IdKind::Order,
            IdKind::Cart,
            IdKind::Checkout,
            IdKind::Anonymous,
            IdKind::EmailHash,
            IdKind::Customer,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identifier {
    pub kind: IdKind,
    pub value: String,
}

impl Identifier {
    pub fn new(kind: IdKind, value: impl Into<String>) -> Identifier {
        Identifier {
            kind,
            value: value.into(),
        }
    }

    /// The person id of a group whose strongest identifier this is.
    pub fn person_id(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.value)
    }
}

/// A person id's strongest identifier, back from its text.
pub fn identifier_of(person_id: &str) -> Option<Identifier> {
    let (kind, value) = person_id.split_once(':')?;
    Some(Identifier::new(IdKind::parse(kind)?, value))
}

/// Stronger kind first; within a kind the smaller value, so any two runs pick the same.
pub fn stronger(a: &Identifier, b: &Identifier) -> bool {
    (a.kind, std::cmp::Reverse(&a.value)) > (b.kind, std::cmp::Reverse(&b.value))
}

/// What an event tells about who did it. A pixel event never carries a customer id (the client
/// could forge one); webhooks do.
pub fn of_event(event: &CanonicalEvent) -> Vec<Identifier> {
    let mut ids = Vec::new();
    if let Some(customer) = &event.customer_id {
        ids.push(Identifier::new(IdKind::Customer, customer));
    }
    if let Some(anonymous) = &event.anonymous_id {
        ids.push(Identifier::new(IdKind::Anonymous, anonymous));
    }
    if let Some(token) = &event.checkout_token {
        ids.push(Identifier::new(IdKind::Checkout, token));
    }
    if let Some(token) = &event.cart_token {
        ids.push(Identifier::new(IdKind::Cart, token));
    }
    if let Some(order) = &event.order_id {
        ids.push(Identifier::new(IdKind::Order, order));
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_outranks_every_other_identifier() {
        let customer = Identifier::new(IdKind::Customer, "9");
        for kind in [
            IdKind::Order,
            IdKind::Cart,
            IdKind::Checkout,
            IdKind::Anonymous,
            IdKind::EmailHash,
        ] {
            assert!(stronger(&customer, &Identifier::new(kind, "1")));
        }
    }

    #[test]
    fn within_a_kind_the_smaller_value_wins_whatever_the_order_asked() {
        let a = Identifier::new(IdKind::Anonymous, "aaa");
        let b = Identifier::new(IdKind::Anonymous, "bbb");
        assert!(stronger(&a, &b));
        assert!(!stronger(&b, &a));
    }

    #[test]
    fn person_ids_round_trip_to_their_identifier() {
        let id = Identifier::new(IdKind::Checkout, "tok:with:colons");
        assert_eq!(identifier_of(&id.person_id()), Some(id));
    }
}
