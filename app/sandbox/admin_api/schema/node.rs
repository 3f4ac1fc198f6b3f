//! The `Node` interface and `node(id)`: resolves customers, orders and bulk operations by GID.

use async_graphql::{Context, ID, Interface, Object, Result};

use super::api;
use super::bulk::{BulkOperationNode, bulk_operation_node};
use super::customers::{CustomerNode, customer_node, numeric_id, spend_by_customer};
use super::orders::OrderNode;

#[derive(Interface)]
#[graphql(name = "Node", field(name = "id", ty = "&ID"))]
pub enum Node {
    Customer(CustomerNode),
    Order(OrderNode),
    BulkOperation(BulkOperationNode),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let api = api(ctx)?;
        if let Some(n) = numeric_id(&id.0, "BulkOperation") {
            return Ok(api
                .state
                .bulk
                .get(&api.shop, n)
                .map(|op| Node::BulkOperation(bulk_operation_node(&op))));
        }
        if numeric_id(&id.0, "Order").is_some() {
            return Ok(super::orders::order_by_gid(api, &id.0)?.map(Node::Order));
        }
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let Some(c) = numeric_id(&id.0, "Customer").and_then(|n| s.customers.get(&n)) else {
            return Ok(None);
        };
        let stats = spend_by_customer(s);
        Ok(Some(Node::Customer(customer_node(
            s,
            c,
            stats.get(&c.id).copied().unwrap_or_default(),
        ))))
    }
}
