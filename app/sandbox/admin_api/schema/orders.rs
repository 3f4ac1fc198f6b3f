//! `Order` with its money bags, statuses, `lineItems` connection and `refunds` (each with its
//! `refundLineItems` connection), and the `orders` connection with `created_at`/`updated_at` search.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use rust_decimal::Decimal;

use super::customers::{CustomerNode, customer_node, numeric_id, spend_by_customer};
use super::money::{MoneyBag, bag, datetime};
use super::paging::{Window, page};
use super::{CurrencyCode, DateTime, PageInfo, api, search};
use crate::sandbox::state::gid;
use crate::sandbox::store::{LineItem, Order, Refund};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "OrderDisplayFinancialStatus",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum OrderDisplayFinancialStatus {
    Pending,
    Authorized,
    PartiallyPaid,
    PartiallyRefunded,
    Voided,
    Paid,
    Refunded,
    Expired,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "OrderDisplayFulfillmentStatus",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum OrderDisplayFulfillmentStatus {
    Unfulfilled,
    PartiallyFulfilled,
    Fulfilled,
    Restocked,
    PendingFulfillment,
    Open,
    InProgress,
    OnHold,
    Scheduled,
    RequestDeclined,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "OrderSortKeys", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum OrderSortKeys {
    CreatedAt,
    Id,
    ProcessedAt,
    UpdatedAt,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ProductVariant")]
pub struct ProductVariantRef {
    id: ID,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Product")]
pub struct ProductRef {
    id: ID,
}

/// One order as the schema serves it: the record, its customer's view and the shop currency.
pub struct OrderNode {
    gid: ID,
    order: Arc<Order>,
    customer: Option<CustomerNode>,
    currency: CurrencyCode,
}

#[derive(Clone)]
pub struct LineItemNode {
    line: LineItem,
    currency: CurrencyCode,
}

pub struct RefundNode {
    refund: Refund,
    order: Arc<Order>,
    currency: CurrencyCode,
}

#[derive(SimpleObject)]
#[graphql(name = "LineItemEdge")]
pub struct LineItemEdge {
    cursor: String,
    node: LineItemNode,
}

#[derive(SimpleObject)]
#[graphql(name = "LineItemConnection")]
pub struct LineItemConnection {
    edges: Vec<LineItemEdge>,
    nodes: Vec<LineItemNode>,
    page_info: PageInfo,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "RefundLineItem")]
pub struct RefundLineItemNode {
    id: Option<ID>,
    line_item: LineItemNode,
    quantity: i32,
    subtotal_set: MoneyBag,
}

#[derive(SimpleObject)]
#[graphql(name = "RefundLineItemEdge")]
pub struct RefundLineItemEdge {
    cursor: String,
    node: RefundLineItemNode,
}

#[derive(SimpleObject)]
#[graphql(name = "RefundLineItemConnection")]
pub struct RefundLineItemConnection {
    edges: Vec<RefundLineItemEdge>,
    nodes: Vec<RefundLineItemNode>,
    page_info: PageInfo,
}

#[derive(SimpleObject)]
#[graphql(name = "OrderEdge")]
pub struct OrderEdge {
    cursor: String,
    node: OrderNode,
}

#[derive(SimpleObject)]
#[graphql(name = "OrderConnection")]
pub struct OrderConnection {
    edges: Vec<OrderEdge>,
    nodes: Vec<OrderNode>,
    page_info: PageInfo,
}

fn clamp(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[Object(name = "LineItem")]
impl LineItemNode {
    async fn id(&self) -> ID {
        ID(gid("LineItem", self.line.id))
    }
    async fn title(&self) -> &str {
        &self.line.title
    }
    async fn quantity(&self) -> i32 {
        clamp(self.line.quantity)
    }
    async fn sku(&self) -> Option<&str> {
        self.line.sku.as_deref()
    }
    async fn vendor(&self) -> Option<&str> {
        self.line.vendor.as_deref()
    }
    async fn variant(&self) -> Option<ProductVariantRef> {
        self.line.variant_id.map(|id| ProductVariantRef {
            id: ID(gid("ProductVariant", id)),
        })
    }
    async fn product(&self) -> Option<ProductRef> {
        self.line.product_id.map(|id| ProductRef {
            id: ID(gid("Product", id)),
        })
    }
    async fn original_unit_price_set(&self) -> MoneyBag {
        bag(self.line.price, self.currency)
    }
}

#[Object(name = "Refund")]
impl RefundNode {
    async fn id(&self) -> ID {
        ID(gid("Refund", self.refund.id))
    }
    async fn created_at(&self) -> Option<DateTime> {
        Some(datetime(self.refund.created_at))
    }
    async fn total_refunded_set(&self) -> MoneyBag {
        bag(self.refund.amount(), self.currency)
    }
    async fn refund_line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(default = false)] reverse: bool,
    ) -> Result<RefundLineItemConnection> {
        let all = self
            .refund
            .line_items
            .iter()
            .filter_map(|r| {
                let line = self
                    .order
                    .line_items
                    .iter()
                    .find(|l| l.id == r.line_item_id)?;
                Some((
                    r.id,
                    RefundLineItemNode {
                        id: Some(ID(gid("RefundLineItem", r.id))),
                        line_item: LineItemNode {
                            line: line.clone(),
                            currency: self.currency,
                        },
                        quantity: clamp(r.quantity),
                        subtotal_set: bag(r.subtotal, self.currency),
                    },
                ))
            })
            .collect();
        let window = Window {
            first,
            after,
            last,
            before,
            reverse,
        };
        let (items, page_info) = page(ctx, all, window, false)?;
        let nodes = items.iter().map(|(_, n)| n.clone()).collect();
        let edges = items
            .into_iter()
            .map(|(cursor, node)| RefundLineItemEdge { cursor, node })
            .collect();
        Ok(RefundLineItemConnection {
            edges,
            nodes,
            page_info,
        })
    }
}

#[Object(name = "Order")]
impl OrderNode {
    pub async fn id(&self) -> &ID {
        &self.gid
    }
    async fn name(&self) -> String {
        self.order.name()
    }
    async fn created_at(&self) -> DateTime {
        datetime(self.order.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        datetime(self.order.updated_at)
    }
    async fn processed_at(&self) -> DateTime {
        datetime(self.order.created_at)
    }
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.order.cancelled_at.map(datetime)
    }
    async fn customer(&self) -> Option<&CustomerNode> {
        self.customer.as_ref()
    }
    async fn currency_code(&self) -> CurrencyCode {
        self.currency
    }
    async fn total_price_set(&self) -> MoneyBag {
        bag(self.order.total(), self.currency)
    }
    async fn subtotal_price_set(&self) -> Option<MoneyBag> {
        Some(bag(self.order.subtotal(), self.currency))
    }
    async fn total_tax_set(&self) -> Option<MoneyBag> {
        Some(bag(self.order.tax, self.currency))
    }
    async fn total_shipping_price_set(&self) -> MoneyBag {
        bag(self.order.shipping, self.currency)
    }
    async fn total_discounts_set(&self) -> Option<MoneyBag> {
        Some(bag(self.order.discount_amount(), self.currency))
    }
    async fn current_total_price_set(&self) -> MoneyBag {
        let current = (self.order.total() - self.order.refunded()).max(Decimal::ZERO);
        bag(current, self.currency)
    }
    async fn total_refunded_set(&self) -> MoneyBag {
        bag(self.order.refunded(), self.currency)
    }
    async fn display_financial_status(&self) -> Option<OrderDisplayFinancialStatus> {
        use OrderDisplayFinancialStatus as S;
        Some(match self.order.financial_status.as_str() {
            "pending" => S::Pending,
            "authorized" => S::Authorized,
            "partially_paid" => S::PartiallyPaid,
            "partially_refunded" => S::PartiallyRefunded,
            "voided" => S::Voided,
            "refunded" => S::Refunded,
            "expired" => S::Expired,
            _ => S::Paid,
        })
    }
    async fn display_fulfillment_status(&self) -> OrderDisplayFulfillmentStatus {
        match self.order.fulfillment_status() {
            Some("fulfilled") => OrderDisplayFulfillmentStatus::Fulfilled,
            Some(_) => OrderDisplayFulfillmentStatus::PartiallyFulfilled,
            None => OrderDisplayFulfillmentStatus::Unfulfilled,
        }
    }
    async fn line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(default = false)] reverse: bool,
    ) -> Result<LineItemConnection> {
        let all = self
            .order
            .line_items
            .iter()
            .map(|l| {
                (
                    l.id,
                    LineItemNode {
                        line: l.clone(),
                        currency: self.currency,
                    },
                )
            })
            .collect();
        let window = Window {
            first,
            after,
            last,
            before,
            reverse,
        };
        let (items, page_info) = page(ctx, all, window, false)?;
        let nodes = items.iter().map(|(_, n)| n.clone()).collect();
        let edges = items
            .into_iter()
            .map(|(cursor, node)| LineItemEdge { cursor, node })
            .collect();
        Ok(LineItemConnection {
            edges,
            nodes,
            page_info,
        })
    }
    async fn refunds(&self, first: Option<i32>) -> Vec<RefundNode> {
        let limit = first.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(0));
        self.order
            .refunds
            .iter()
            .take(limit)
            .map(|r| RefundNode {
                refund: r.clone(),
                order: Arc::clone(&self.order),
                currency: self.currency,
            })
            .collect()
    }
}

#[derive(Default)]
pub struct OrdersQuery;

#[Object]
impl OrdersQuery {
    #[allow(clippy::too_many_arguments)]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(default = false)] reverse: bool,
        #[graphql(default_with = "OrderSortKeys::ProcessedAt")] sort_key: OrderSortKeys,
        query: Option<String>,
        saved_search_id: Option<ID>,
    ) -> Result<OrderConnection> {
        let _ = saved_search_id;
        let api = api(ctx)?;
        let terms = search::parse(query.as_deref());
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let mut all: Vec<&Order> = s
            .orders
            .values()
            .filter(|o| {
                terms.iter().all(|t| match t.field.as_str() {
                    "created_at" | "processed_at" => t.time_matches(o.created_at),
                    "updated_at" => t.time_matches(o.updated_at),
                    "id" => t.id_matches(o.id),
                    "customer_id" => o.customer_id.is_some_and(|c| t.id_matches(c)),
                    _ => true,
                })
            })
            .collect();
        match sort_key {
            OrderSortKeys::CreatedAt | OrderSortKeys::ProcessedAt => {
                all.sort_by_key(|o| (o.created_at, o.id))
            }
            OrderSortKeys::UpdatedAt => all.sort_by_key(|o| (o.updated_at, o.id)),
            OrderSortKeys::Id => {}
        }
        let all = all.into_iter().map(|o| (o.id, o)).collect();
        let window = Window {
            first,
            after,
            last,
            before,
            reverse,
        };
        let (items, page_info) = page(ctx, all, window, true)?;
        let stats = spend_by_customer(s);
        let currency = CurrencyCode::parse(&s.currency).unwrap_or(CurrencyCode::Usd);
        let make = |o: &Order| OrderNode {
            gid: ID(gid("Order", o.id)),
            order: Arc::new(o.clone()),
            customer: o
                .customer_id
                .and_then(|id| s.customers.get(&id))
                .map(|c| customer_node(s, c, stats.get(&c.id).copied().unwrap_or_default())),
            currency,
        };
        let nodes = items.iter().map(|(_, o)| make(o)).collect();
        let edges = items
            .iter()
            .map(|(cursor, o)| OrderEdge {
                cursor: cursor.clone(),
                node: make(o),
            })
            .collect();
        Ok(OrderConnection {
            edges,
            nodes,
            page_info,
        })
    }

    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Option<OrderNode>> {
        order_by_gid(api(ctx)?, &id.0)
    }
}

/// The order a GID names in the calling shop, if any.
pub fn order_by_gid(api: &super::ApiContext, id: &str) -> Result<Option<OrderNode>> {
    let world = api.state.world();
    let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
    let Some(o) = numeric_id(id, "Order").and_then(|n| s.orders.get(&n)) else {
        return Ok(None);
    };
    let stats = spend_by_customer(s);
    Ok(Some(OrderNode {
        gid: ID(gid("Order", o.id)),
        order: Arc::new(o.clone()),
        customer: o
            .customer_id
            .and_then(|id| s.customers.get(&id))
            .map(|c| customer_node(s, c, stats.get(&c.id).copied().unwrap_or_default())),
        currency: CurrencyCode::parse(&s.currency).unwrap_or(CurrencyCode::Usd),
    }))
}
