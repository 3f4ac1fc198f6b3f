//! Profiles: one per person of the identity graph, with the traits segments read. Customer
//! traits are recomputed per changed customer from their entity rows; behavioural counts are
//! added per new storefront event; merged people fold into one profile. The read side
//! (`directory`, `detail`, `timeline`, `membership`) is what the admin's Profiles pages show.

mod behaviour;
pub mod detail;
pub mod directory;
mod error;
pub mod membership;
mod search;
pub mod timeline;
mod traits;

pub use behaviour::{count_event, merge_into, note_person};
pub use error::QueryError;
pub use traits::{CUSTOMER_TRAITS, CustomerTraits, Refreshed, refresh_customer};
