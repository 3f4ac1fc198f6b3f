//! `ShopDomain`: a validated `<name>.myshopify.com`, the only form the app accepts.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShopDomain(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a shop domain: expected <name>.myshopify.com")]
pub struct ShopDomainError(pub String);

const SUFFIX: &str = ".myshopify.com";

impl ShopDomain {
    /// Accepts `name.myshopify.com` (any case) and the admin URL form `admin.shopify.com/store/name`.
    pub fn parse(raw: &str) -> Result<ShopDomain, ShopDomainError> {
        let trimmed = raw
            .trim()
            .trim_start_matches("https://")
            .trim_end_matches('/');
        let lower = trimmed.to_ascii_lowercase();
        let candidate = match lower.strip_prefix("admin.shopify.com/store/") {
            Some(name) => format!("{name}{SUFFIX}"),
            None => lower,
        };
        let Some(name) = candidate.strip_suffix(SUFFIX) else {
            return Err(ShopDomainError(raw.to_owned()));
        };
        let valid = !name.is_empty()
            && name.len() <= 60
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.starts_with('-');
        if valid {
            Ok(ShopDomain(candidate))
        } else {
            Err(ShopDomainError(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `.myshopify.com`, used as the default workspace slug.
    pub fn name(&self) -> &str {
        self.0.strip_suffix(SUFFIX).unwrap_or(&self.0)
    }
}

impl fmt::Display for ShopDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_myshopify_domains_are_shops() {
        assert_eq!(
            ShopDomain::parse("Some-Shop.myshopify.com")
                .unwrap()
                .as_str(),
            "some-shop.myshopify.com"
        );
        assert_eq!(
            ShopDomain::parse("admin.shopify.com/store/my-shop")
                .unwrap()
                .as_str(),
            "my-shop.myshopify.com"
        );
        for bad in [
            "notshopify.com",
            "-invalid.myshopify.com",
            "evil.com/.myshopify.com",
            "a.b.myshopify.com",
            "shop.myshopify.com.evil.com",
            "not-admin.shopify.com/store/my-shop",
            ".myshopify.com",
            "",
        ] {
            assert!(ShopDomain::parse(bad).is_err(), "{bad} accepted");
        }
    }

    /// Shopify's own validator cases (shop_and_host_validation_cases.json), restricted to the
    /// `.myshopify.com` family this app accepts.
    #[test]
    fn shopify_library_cases_agree() {
        let Some(cases) =
            crate::testing::fixture_json("shopify/oauth/shop_and_host_validation_cases.json")
        else {
            return;
        };
        for case in cases["sanitize_shop"]["valid"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let output = case["output"].as_str().unwrap_or_default();
            if output.ends_with(".myshopify.com") {
                let input = case["input"].as_str().unwrap_or_default();
                assert_eq!(ShopDomain::parse(input).unwrap().as_str(), output);
            }
        }
        for invalid in cases["sanitize_shop"]["invalid"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(ShopDomain::parse(invalid.as_str().unwrap_or_default()).is_err());
        }
    }
}
