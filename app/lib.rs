//! SegOps for Shopify: the server crate.
//!
//! One folder per idea; `main.rs` only parses the command line and calls into here.

pub mod sandbox;
