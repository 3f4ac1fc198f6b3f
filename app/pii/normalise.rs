//! Canonical forms used for lookup hashes, so `Jane@Example.com ` and `jane@example.com` match.

pub fn normalise_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    (!local.is_empty() && domain.contains('.')).then_some(email)
}

/// Digits with a leading `+` when the number had one (E.164 as Shopify sends it).
pub fn normalise_phone(phone: &str) -> Option<String> {
    let trimmed = phone.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return None;
    }
    Some(if trimmed.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn equivalent_spellings_normalise_alike() {
        assert_eq!(
            super::normalise_email(" Jane@Example.COM "),
            Some("jane@example.com".into())
        );
        assert_eq!(super::normalise_email("nope"), None);
        assert_eq!(
            super::normalise_phone("+1 (613) 555-0199"),
            Some("+16135550199".into())
        );
        assert_eq!(super::normalise_phone("12"), None);
    }
}
