//! Protected customer data (Shopify's level-2 fields: names, emails, phones, addresses). The only
//! place such data is written: each field is sealed under the shop's own key, and emails and
//! phones are found again through keyed hashes of their normalised form, never stored in clear.

mod normalise;
mod vault;

pub use normalise::{normalise_email, normalise_phone};
pub use vault::{CustomerPii, StoredPii, Vault, VaultError};
