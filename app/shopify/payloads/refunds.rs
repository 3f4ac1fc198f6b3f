//! `refunds/create`: the REST Refund resource.

use serde::Deserialize;

use super::lines::{LineBody, non_empty, sum};
use super::orders::shop_money;
use super::wire::{Amount, Id, MoneySet, Timestamp, ms};
use super::{PayloadError, decode};
use crate::events::commerce::Refund;

#[derive(Debug, Deserialize)]
struct RefundBody {
    id: Option<Id>,
    admin_graphql_api_id: Option<Id>,
    order_id: Option<Id>,
    created_at: Option<Timestamp>,
    processed_at: Option<Timestamp>,
    refund_line_items: Option<Vec<RefundLine>>,
    refund_shipping_lines: Option<Vec<RefundShippingLine>>,
    transactions: Option<Vec<Transaction>>,
    total_duties_set: Option<MoneySet>,
}

#[derive(Debug, Deserialize)]
struct RefundLine {
    quantity: Option<i64>,
    subtotal: Option<Amount>,
    subtotal_set: Option<MoneySet>,
    total_tax: Option<Amount>,
    total_tax_set: Option<MoneySet>,
    line_item: Option<LineBody>,
}

#[derive(Debug, Deserialize)]
struct RefundShippingLine {
    subtotal_amount_set: Option<MoneySet>,
}

#[derive(Debug, Deserialize)]
struct Transaction {
    kind: Option<String>,
    status: Option<String>,
    amount: Option<Amount>,
    currency: Option<String>,
}

impl Transaction {
    fn returned_money(&self) -> bool {
        self.kind.as_deref() == Some("refund") && self.status.as_deref() == Some("success")
    }
}

pub fn refund(body: &[u8]) -> Result<Refund, PayloadError> {
    let r: RefundBody = decode(body)?;
    let id =
        r.id.as_ref()
            .or(r.admin_graphql_api_id.as_ref())
            .map(|id| id.0.clone())
            .ok_or_else(|| PayloadError::missing("id"))?;
    let order_id = r
        .order_id
        .map(|id| id.0)
        .ok_or_else(|| PayloadError::missing("order_id"))?;
    let occurred_at_ms = ms(r.processed_at)
        .or(ms(r.created_at))
        .ok_or_else(|| PayloadError::missing("created_at"))?;
    let refund_lines = r.refund_line_items.as_deref().unwrap_or_default();

    // The shop currency, from any money set in the refund.
    let currency = refund_lines
        .iter()
        .find_map(|l| l.subtotal_set.as_ref().and_then(MoneySet::shop_currency))
        .or_else(|| {
            r.total_duties_set
                .as_ref()
                .and_then(MoneySet::shop_currency)
        })
        .map(str::to_owned);

    let merchandise = sum(
        refund_lines
            .iter()
            .map(|l| shop_money(l.subtotal, &l.subtotal_set).unwrap_or_default()),
        "refund_line_items[].subtotal",
    )?;
    let tax = sum(
        refund_lines
            .iter()
            .map(|l| shop_money(l.total_tax, &l.total_tax_set).unwrap_or_default()),
        "refund_line_items[].total_tax",
    )?;
    let shipping = sum(
        r.refund_shipping_lines.iter().flatten().map(|l| {
            l.subtotal_amount_set
                .as_ref()
                .and_then(MoneySet::shop)
                .unwrap_or_default()
        }),
        "refund_shipping_lines[].subtotal_amount_set",
    )?;
    let duties = r
        .total_duties_set
        .as_ref()
        .and_then(MoneySet::shop)
        .unwrap_or_default();

    // Money returned is what the successful refund transactions moved (none: nothing was paid
    // back, as for a return without refund). Transactions are in the buyer's currency; when
    // that is not the shop currency we fall back to the refund's own shop-money breakdown so
    // that totals never mix currencies.
    let returned: Vec<&Transaction> = r
        .transactions
        .iter()
        .flatten()
        .filter(|t| t.returned_money())
        .collect();
    let other_currency = returned.iter().any(|t| {
        non_empty(&t.currency)
            .is_some_and(|code| currency.as_deref().is_some_and(|shop| shop != code))
    });
    let amount = if other_currency {
        sum([merchandise, tax, shipping, duties], "refund")?
    } else {
        sum(
            returned
                .iter()
                .map(|t| t.amount.map(|a| a.0).unwrap_or_default()),
            "transactions[].amount",
        )?
    };
    let currency = currency.or_else(|| returned.iter().find_map(|t| non_empty(&t.currency)));

    let lines = refund_lines
        .iter()
        .filter_map(|l| {
            l.line_item
                .as_ref()
                .map(|item| item.to_line("refund_line_items[].line_item", l.quantity))
        })
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Refund {
        id,
        order_id,
        occurred_at_ms,
        currency,
        amount,
        merchandise,
        tax,
        shipping,
        lines,
    })
}
