//! SegOps checkout discount Function (Shopify Discount Function API, target
//! `cart.lines.discounts.generate.run`): discounts for members of SegOps segments.
//!
//! The library holds the whole Function as pure code, tested natively; `main.rs` only
//! moves bytes between stdin/stdout and [`run`].

pub mod amount;
mod bytes;
pub mod config;
mod escapes;
mod generate;
mod id_index;
pub mod input;
mod json;
pub mod output;

pub use generate::generate;

/// The answer when the input cannot be read: no discount rather than a failure.
pub const NO_OPERATIONS: &[u8] = br#"{"operations":[]}"#;

/// The Function: input JSON in, output JSON out. Never fails.
pub fn run(input: &[u8]) -> Vec<u8> {
    match input::Input::parse(input) {
        Ok(input) => generate(&input).to_json(),
        Err(_) => NO_OPERATIONS.to_vec(),
    }
}
