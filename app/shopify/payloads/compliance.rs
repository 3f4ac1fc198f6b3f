//! The mandatory privacy topics: `customers/data_request`, `customers/redact`, `shop/redact`.

use serde::Deserialize;

use super::lines::non_empty;
use super::wire::Id;
use super::{PayloadError, decode};
use crate::events::ComplianceRequest;

#[derive(Debug, Deserialize)]
struct ComplianceBody {
    shop_domain: Option<String>,
    customer: Option<CustomerRef>,
    orders_requested: Option<Vec<Id>>,
    orders_to_redact: Option<Vec<Id>>,
    data_request: Option<DataRequestRef>,
}

#[derive(Debug, Deserialize)]
struct CustomerRef {
    id: Option<Id>,
}

#[derive(Debug, Deserialize)]
struct DataRequestRef {
    id: Option<Id>,
}

/// Parses one compliance body; `None` for a topic that is not a compliance topic.
pub fn compliance_request(
    topic: &str,
    body: &[u8],
) -> Option<Result<ComplianceRequest, PayloadError>> {
    if !matches!(
        topic,
        "customers/data_request" | "customers/redact" | "shop/redact"
    ) {
        return None;
    }
    Some(decode::<ComplianceBody>(body).and_then(|b| {
        let shop_domain =
            non_empty(&b.shop_domain).ok_or_else(|| PayloadError::missing("shop_domain"))?;
        let customer_id = b.customer.and_then(|c| c.id).map(|id| id.0);
        let ids = |list: Option<Vec<Id>>| list.into_iter().flatten().map(|id| id.0).collect();
        Ok(match topic {
            "customers/data_request" => ComplianceRequest::DataRequest {
                shop_domain,
                customer_id,
                orders_requested: ids(b.orders_requested),
                request_id: b.data_request.and_then(|r| r.id).map(|id| id.0),
            },
            "customers/redact" => ComplianceRequest::CustomerRedact {
                shop_domain,
                customer_id,
                orders_to_redact: ids(b.orders_to_redact),
            },
            _ => ComplianceRequest::ShopRedact { shop_domain },
        })
    }))
}
