//! The sandbox store: a stand-in for the parts of Shopify the app talks to.
//! It speaks Shopify's wire formats and shares no types with the rest of the crate.
