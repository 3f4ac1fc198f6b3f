//! The bulk query documents the install backfill runs, and where their child lines belong.
//! Shopify refuses connections inside list fields in bulk queries, so an order's refunds come
//! inline without their `refundLineItems`.

use super::stream::ChildField;

const MONEY: &str = "shopMoney { amount currencyCode }";

/// Orders created on or after `since` (UTC midnight), with line items and refunds.
pub fn orders_since(since: time::Date) -> String {
    format!(
        r#"{{
  orders(query: "created_at:>={since}") {{
    edges {{
      node {{
        id
        name
        createdAt
        updatedAt
        processedAt
        cancelledAt
        customer {{ id }}
        currencyCode
        totalPriceSet {{ {MONEY} }}
        subtotalPriceSet {{ {MONEY} }}
        totalTaxSet {{ {MONEY} }}
        totalShippingPriceSet {{ {MONEY} }}
        totalDiscountsSet {{ {MONEY} }}
        currentTotalPriceSet {{ {MONEY} }}
        totalRefundedSet {{ {MONEY} }}
        displayFinancialStatus
        displayFulfillmentStatus
        refunds {{
          id
          createdAt
          totalRefundedSet {{ {MONEY} }}
        }}
        lineItems {{
          edges {{
            node {{
              id
              title
              quantity
              sku
              vendor
              variant {{ id }}
              product {{ id }}
              originalUnitPriceSet {{ {MONEY} }}
            }}
          }}
        }}
      }}
    }}
  }}
}}"#
    )
}

/// Where the orders query's child lines go: line items under their order's `lineItems`.
pub const ORDER_CHILDREN: &[ChildField] = &[ChildField {
    parent_type: "Order",
    field: "lineItems",
}];

/// Every customer with what profiles need: identity, state, tags, consent, spend.
pub const CUSTOMERS: &str = r#"{
  customers {
    edges {
      node {
        id
        email
        phone
        firstName
        lastName
        state
        tags
        verifiedEmail
        createdAt
        updatedAt
        defaultAddress { countryCodeV2 }
        emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
        smsMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
        amountSpent { amount currencyCode }
        numberOfOrders
      }
    }
  }
}"#;

/// The customers query has no nested connections.
pub const CUSTOMER_CHILDREN: &[ChildField] = &[];
