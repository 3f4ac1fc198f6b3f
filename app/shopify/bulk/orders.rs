//! Order rows of the backfill's bulk query → our commerce types: the order (line items nested
//! by the result stream) and its refunds with their amounts, so lifetime value stays net.

use rust_decimal::Decimal;
use serde_json::Value;

use super::BulkError;
use super::rows::{bad, enum_lower, id, nested_id, shop_currency, shop_money, text, time_ms};
use crate::events::commerce::{Line, Order, Refund, Totals};

/// One order of the bulk result with its refunds.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkOrder {
    pub order: Order,
    pub refunds: Vec<Refund>,
}

/// Converts one root object of [`super::queries::orders_since`]'s result.
pub fn order(row: &Value) -> Result<BulkOrder, BulkError> {
    let order_id = id(row, "id")?;
    let created_at_ms = time_ms(row, "createdAt").ok_or_else(|| bad("createdAt"))?;
    let currency = text(row, "currencyCode")
        .or_else(|| shop_currency(row, "totalPriceSet"))
        .ok_or_else(|| bad("currencyCode"))?;
    let total = shop_money(row, "totalPriceSet").ok_or_else(|| bad("totalPriceSet"))?;
    let money = |field: &str| shop_money(row, field).unwrap_or_default();
    let lines = row["lineItems"]["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(line).collect())
        .unwrap_or_default();
    let refunds = row["refunds"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| refund(r, &order_id, &currency, created_at_ms))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let refunded: Decimal = refunds.iter().map(|r: &Refund| r.amount).sum();
    let order = Order {
        id: order_id,
        created_at_ms,
        updated_at_ms: time_ms(row, "updatedAt").unwrap_or(created_at_ms),
        processed_at_ms: time_ms(row, "processedAt"),
        cancelled_at_ms: time_ms(row, "cancelledAt"),
        cancel_reason: None,
        customer_id: nested_id(row, "customer"),
        checkout_id: None,
        checkout_token: None,
        cart_token: None,
        financial_status: enum_lower(row, "displayFinancialStatus"),
        fulfillment_status: enum_lower(row, "displayFulfillmentStatus"),
        source_name: None,
        test: false,
        // Shopify's current total is already net of refunds and edits; without it, net it here.
        current_total: shop_money(row, "currentTotalPriceSet").unwrap_or(total - refunded),
        totals: Totals {
            currency,
            total,
            subtotal: money("subtotalPriceSet"),
            tax: money("totalTaxSet"),
            shipping: money("totalShippingPriceSet"),
            discount: money("totalDiscountsSet"),
        },
        presentment: None,
        coupons: Vec::new(),
        lines,
        // The bulk query asks for the customer's id only: protected data comes with the
        // customers phase, and never overwrites fuller data from webhooks.
        person: None,
    };
    Ok(BulkOrder { order, refunds })
}

fn line(node: &Value) -> Line {
    Line {
        product_id: nested_id(node, "product"),
        variant_id: nested_id(node, "variant"),
        sku: text(node, "sku"),
        name: text(node, "title"),
        variant: None,
        brand: text(node, "vendor"),
        price: shop_money(node, "originalUnitPriceSet").unwrap_or_default(),
        quantity: node["quantity"].as_u64().unwrap_or(0),
    }
}

/// Bulk queries cannot reach `refundLineItems` (a connection inside a list), so the refund's
/// split into merchandise, tax and shipping is unknown: the whole amount counts as merchandise.
fn refund(
    row: &Value,
    order_id: &str,
    currency: &str,
    order_created_ms: i64,
) -> Result<Refund, BulkError> {
    let amount = shop_money(row, "totalRefundedSet").unwrap_or_default();
    Ok(Refund {
        id: id(row, "id")?,
        order_id: order_id.to_owned(),
        occurred_at_ms: time_ms(row, "createdAt").unwrap_or(order_created_ms),
        currency: shop_currency(row, "totalRefundedSet").or_else(|| Some(currency.to_owned())),
        amount,
        merchandise: amount,
        tax: Decimal::ZERO,
        shipping: Decimal::ZERO,
        lines: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_order_row_keeps_its_refunds_and_net_total() {
        let row = json!({
            "id": "gid://shopify/Order/7", "createdAt": "2026-10-01T10:00:00Z",
            "updatedAt": "2026-10-02T10:00:00Z", "processedAt": "2026-10-01T10:00:00Z",
            "cancelledAt": null, "customer": { "id": "gid://shopify/Customer/9" },
            "currencyCode": "USD",
            "totalPriceSet": { "shopMoney": { "amount": "50.00", "currencyCode": "USD" } },
            "currentTotalPriceSet": { "shopMoney": { "amount": "40.00", "currencyCode": "USD" } },
            "displayFinancialStatus": "PARTIALLY_REFUNDED",
            "refunds": [{ "id": "gid://shopify/Refund/3", "createdAt": "2026-10-02T10:00:00Z",
                          "totalRefundedSet": { "shopMoney": { "amount": "10.00", "currencyCode": "USD" } } }],
            "lineItems": { "nodes": [{ "id": "gid://shopify/LineItem/1", "title": "Mug", "quantity": 2,
                "variant": { "id": "gid://shopify/ProductVariant/5" }, "product": { "id": "gid://shopify/Product/4" },
                "originalUnitPriceSet": { "shopMoney": { "amount": "25.00" } } }] }
        });
        let bulk = order(&row).unwrap();
        assert_eq!(bulk.order.id, "7");
        assert_eq!(bulk.order.customer_id.as_deref(), Some("9"));
        assert_eq!(bulk.order.current_total, Decimal::new(4000, 2));
        assert_eq!(
            bulk.order.financial_status.as_deref(),
            Some("partially_refunded")
        );
        assert_eq!(bulk.order.lines[0].quantity, 2);
        assert_eq!(bulk.refunds.len(), 1);
        assert_eq!(bulk.refunds[0].amount, Decimal::new(1000, 2));
        assert_eq!(bulk.refunds[0].order_id, "7");
    }

    #[test]
    fn an_order_row_without_an_id_is_refused_by_field_name() {
        let err = order(&json!({ "createdAt": "2026-10-01T10:00:00Z" })).unwrap_err();
        assert!(err.to_string().contains("`id`"), "{err}");
    }
}
