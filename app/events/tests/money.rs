//! Exact money on the `orders/paid` sample, and net revenue after a refund.

use serde_json::Value;

use super::*;

/// Amounts read from the raw sample as Decimals (strings, or numbers via their literal).
fn raw_amount(value: &Value) -> Decimal {
    match value {
        Value::String(text) => dec(text),
        Value::Number(number) => dec(&number.to_string()),
        other => panic!("not an amount: {other}"),
    }
}

#[test]
fn order_completed_carries_the_samples_exact_totals() {
    let Some(paid) = mapped("orders/paid") else {
        return;
    };
    let event = only_event(&paid);
    let p = &event.properties;
    assert_eq!(event.segment_name, Some("Order Completed"));
    assert_eq!(p["order_id"], "820982911946154508");
    assert_eq!(event.decimal("total"), Some(dec("404.95")));
    assert_eq!(event.decimal("subtotal"), Some(dec("404.95")));
    assert_eq!(event.decimal("revenue"), Some(dec("404.95")));
    assert_eq!(event.decimal("shipping"), Some(dec("10.00")));
    assert_eq!(event.decimal("tax"), Some(dec("0")));
    assert_eq!(event.decimal("discount"), Some(dec("20.00")));
    assert_eq!(p["currency"], "USD");
    assert_eq!(p["presentment_currency"], "USD");
    assert_eq!(event.decimal("presentment_total"), Some(dec("404.95")));
    assert!(
        p.get("coupon").is_none(),
        "the sample has no discount codes"
    );
    assert!(
        p.get("checkout_id").is_none(),
        "the sample's checkout token is null"
    );
    // Serialised exactly as the shop's amounts are written.
    assert_eq!(p["total"].to_string(), "404.95");
    assert_eq!(p["shipping"].to_string(), "10");
}

#[test]
fn order_completed_products_match_the_samples_line_items() {
    let Some(paid) = mapped("orders/paid") else {
        return;
    };
    let products = only_event(&paid).properties["products"]
        .as_array()
        .unwrap()
        .clone();
    let expected = [
        (
            Some("788032119674292922"),
            "SKU2006-001",
            "Aviator sunglasses",
            "89.99",
        ),
        (
            None,
            "LENS-PROTECT-2YR",
            "Lens Protection Plan (2 Year)",
            "19.99",
        ),
        (None, "CASE-LEATHER-PREM", "Premium Leather Case", "24.99"),
        (
            Some("788032119674292922"),
            "SKU2006-020",
            "Mid-century lounger",
            "159.99",
        ),
        (
            Some("788032119674292922"),
            "SKU2006-035",
            "Coffee table",
            "119.99",
        ),
    ];
    assert_eq!(products.len(), expected.len());
    let mut line_sum = Decimal::ZERO;
    for (index, (item, (product_id, sku, name, price))) in products.iter().zip(expected).enumerate()
    {
        assert_eq!(
            item.get("product_id").and_then(Value::as_str),
            product_id,
            "{index}"
        );
        assert_eq!(item["sku"], sku);
        assert_eq!(item["name"], name);
        assert_eq!(dec(&item["price"].to_string()), dec(price));
        assert_eq!(item["quantity"], 1);
        assert_eq!(item["position"], index + 1);
        // The sample's vendor and variant title are null: no `brand`/`variant` key, not null.
        assert!(item.get("brand").is_none() && item.get("variant").is_none());
        line_sum += dec(price);
    }
    // Shopify's total_line_items_price.
    assert_eq!(line_sum, dec("414.95"));
}

#[test]
fn brand_and_variant_come_from_vendor_and_variant_title() {
    let Some(created) = mapped("checkouts/create") else {
        return;
    };
    let item = &only_event(&created).properties["products"][0];
    assert_eq!(item["brand"], "Apple");
    assert_eq!(item["variant"], "Pink");
    assert_eq!(item["variant_id"], "808950810");
    assert_eq!(item["product_id"], "632910392");
    assert_eq!(item["name"], "IPod Nano - 8GB");
}

#[test]
fn a_refund_makes_net_totals_and_revenue_right() {
    let (Some(paid), Some(refunded), Some(refund_json)) = (
        mapped("orders/paid"),
        mapped("refunds/create"),
        sample_json("refunds/create"),
    ) else {
        return;
    };
    let purchase = only_event(&paid);
    let refund = only_event(&refunded);
    assert_eq!(refund.segment_name, Some("Order Refunded"));
    assert_eq!(
        refund.order_id, purchase.order_id,
        "refers to the original order"
    );
    assert_eq!(refund.properties["currency"], "USD");

    // What the sample says was returned and which merchandise was refunded.
    let returned: Decimal = refund_json["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "refund" && t["status"] == "success")
        .map(|t| raw_amount(&t["amount"]))
        .sum();
    let merchandise: Decimal = refund_json["refund_line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| raw_amount(&l["subtotal"]))
        .sum();
    assert_eq!(returned, dec("85.00"));
    assert_eq!(merchandise, dec("414.95"));

    let net = |property: &str| -> Decimal {
        [purchase, refund]
            .iter()
            .map(|e| e.decimal(property).unwrap())
            .sum()
    };
    assert!(refund.decimal("total").unwrap() < Decimal::ZERO);
    assert_eq!(net("total"), dec("404.95") - returned);
    assert_eq!(net("revenue"), dec("404.95") - merchandise);
    assert_eq!(refund.properties["products"].as_array().unwrap().len(), 5);
}

fn refund_body(transactions: Value) -> Vec<u8> {
    serde_json::json!({
        "id": 1, "order_id": 2, "created_at": "2024-01-01T00:00:00Z",
        "refund_line_items": [{
            "quantity": 2, "subtotal": 30.5, "total_tax": 2.25,
            "subtotal_set": {"shop_money": {"amount": "30.50", "currency_code": "USD"},
                             "presentment_money": {"amount": "28.00", "currency_code": "EUR"}},
            "total_tax_set": {"shop_money": {"amount": "2.25", "currency_code": "USD"}},
            "line_item": {"product_id": 3, "title": "Mug", "price": "15.25", "quantity": 2}
        }],
        "transactions": transactions,
    })
    .to_string()
    .into_bytes()
}

#[test]
fn a_refund_paid_in_another_currency_is_totalled_in_shop_money() {
    let body = refund_body(serde_json::json!([
        {"kind": "refund", "status": "success", "amount": "30.25", "currency": "EUR"}
    ]));
    let mapped = map_webhook("refunds/create", &body).unwrap();
    let event = only_event(&mapped);
    assert_eq!(event.decimal("total"), Some(dec("-32.75")));
    assert_eq!(event.decimal("revenue"), Some(dec("-30.50")));
    assert_eq!(event.decimal("tax"), Some(dec("-2.25")));
    assert_eq!(event.properties["products"][0]["quantity"], 2);
}

#[test]
fn only_successful_refund_transactions_count_as_money_returned() {
    let body = refund_body(serde_json::json!([
        {"kind": "refund", "status": "success", "amount": "10.10", "currency": "USD"},
        {"kind": "refund", "status": "failure", "amount": "99.00", "currency": "USD"},
        {"kind": "sale", "status": "success", "amount": "5.00", "currency": "USD"}
    ]));
    let mapped = map_webhook("refunds/create", &body).unwrap();
    assert_eq!(only_event(&mapped).decimal("total"), Some(dec("-10.10")));
    let body = refund_body(serde_json::json!([]));
    let mapped = map_webhook("refunds/create", &body).unwrap();
    assert_eq!(only_event(&mapped).decimal("total"), Some(Decimal::ZERO));
}

#[test]
fn discount_codes_become_the_coupon() {
    let Some(mut body) = sample_json("orders/paid") else {
        return;
    };
    body["discount_codes"] = serde_json::json!([
        {"code": "SUMMER", "amount": "10.00", "type": "fixed_amount"},
        {"code": "VIP", "amount": "10.00", "type": "fixed_amount"}
    ]);
    let mapped = map_webhook("orders/paid", body.to_string().as_bytes()).unwrap();
    assert_eq!(only_event(&mapped).properties["coupon"], "SUMMER,VIP");
}

#[test]
fn presentment_money_is_kept_beside_shop_money() {
    let Some(mut body) = sample_json("orders/paid") else {
        return;
    };
    body["presentment_currency"] = "EUR".into();
    body["total_price_set"]["presentment_money"] =
        serde_json::json!({"amount": "371.20", "currency_code": "EUR"});
    let mapped = map_webhook("orders/paid", body.to_string().as_bytes()).unwrap();
    let event = only_event(&mapped);
    assert_eq!(event.properties["currency"], "USD");
    assert_eq!(event.decimal("total"), Some(dec("404.95")));
    assert_eq!(event.properties["presentment_currency"], "EUR");
    assert_eq!(event.decimal("presentment_total"), Some(dec("371.20")));
}
