//! The sandbox store: a stand-in for the parts of Shopify the app talks to.
//! It speaks Shopify's wire formats and shares no types with the rest of the crate.

mod admin_api;
mod admin_page;
mod bulk;
mod config;
mod control;
mod errors;
mod oauth;
mod segment_query;
mod server;
pub mod session_token;
pub mod signing;
mod state;
mod store;
mod webhooks;

pub use config::SandboxConfig;
pub use server::Sandbox;
