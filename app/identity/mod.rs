//! The per-shop identity graph: anonymous visitors (pixel client ids), cart and checkout
//! tokens, orders, Shopify customers and hashed emails, grouped into people. Only server-side
//! evidence links a visitor to a customer: tokens that a webhook ties to that customer.

mod graph;
pub mod ids;
mod stitch;
pub mod user_id;

pub use graph::{Linked, link, lock_shop, merge_customers, person_of};
pub use ids::{IdKind, Identifier};
pub use stitch::{StitchReport, record_attempt, report};
pub use user_id::{UserIdMode, user_id};
