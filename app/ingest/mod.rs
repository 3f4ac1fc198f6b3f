//! Applying mapped changes: canonical events (once per business key), the latest state of
//! orders, customers, products and checkouts (newest `updated_at` wins, whatever the arrival
//! order), protected data through the vault, and checkout-abandonment timers.

mod apply;
mod batch;
mod changes;
pub mod entities;
mod purchases;
mod tags;

pub use apply::{apply, insert_event, mark_processed};
pub use batch::{InTransaction, apply_batch};
pub use changes::Changes;
