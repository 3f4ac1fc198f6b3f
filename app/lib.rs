//! SegOps for Shopify: the server crate.
//!
//! One folder per idea; `main.rs` only parses the command line and calls into here.

pub mod admin;
pub mod backfill;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod discounts;
pub mod error;
pub mod events;
pub mod health;
pub mod identity;
pub mod ingest;
pub mod install;
pub mod jobs;
pub mod pii;
pub mod pixel;
pub mod privacy;
pub mod profiles;
pub mod sandbox;
pub mod segments;
pub mod segments_store;
pub mod shopify;
pub mod signed_link;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tenants;
pub mod testing;
pub mod webhooks;
