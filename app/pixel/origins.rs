//! Which pages may post a shop's pixel events: its own storefront domains over https, plus
//! origins the operator lists for development (`SEGOPS_PIXEL_ORIGINS`, `:*` for any port).

pub fn allowed(origin: &str, shop_hosts: &[String], extra: &[String]) -> bool {
    if extra.iter().any(|pattern| matches(pattern, origin)) {
        return true;
    }
    let Some(host) = origin.strip_prefix("https://") else {
        return false;
    };
    shop_hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
}

fn matches(pattern: &str, origin: &str) -> bool {
    match pattern.strip_suffix(":*") {
        Some(prefix) => origin
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())),
        None => pattern == origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shops_own_domains_over_https_are_allowed() {
        let hosts = vec![
            "demo.myshopify.com".to_owned(),
            "shop.example.com".to_owned(),
        ];
        assert!(allowed("https://demo.myshopify.com", &hosts, &[]));
        assert!(allowed("https://shop.example.com", &hosts, &[]));
        assert!(!allowed("http://shop.example.com", &hosts, &[]));
        assert!(!allowed("https://evil.example.com", &hosts, &[]));
        assert!(!allowed("https://shop.example.com.evil.io", &hosts, &[]));
    }

    #[test]
    fn listed_development_origins_may_use_any_port() {
        let extra = vec!["http://127.0.0.1:*".to_owned()];
        assert!(allowed("http://127.0.0.1:4321", &[], &extra));
        assert!(!allowed("http://127.0.0.1:", &[], &extra));
        assert!(!allowed("http://127.0.0.1.evil:80", &[], &extra));
    }
}
