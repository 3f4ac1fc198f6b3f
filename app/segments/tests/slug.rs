//! Segment slugs: shape, uniqueness against the shop's slugs, and bounded length.

use std::collections::HashSet;

use crate::segments::{MAX_SLUG_LEN, Slug, slugify, unique_slug};

#[test]
fn names_become_lower_case_ascii_dashed_slugs() {
    assert_eq!(
        slugify("High-value customers").as_str(),
        "high-value-customers"
    );
    assert_eq!(slugify("  VIP   (EU) 2026!! ").as_str(), "vip-eu-2026");
    assert_eq!(slugify("Café crème lovers").as_str(), "cafe-creme-lovers");
    assert_eq!(slugify("Pets & Dogs").as_str(), "pets-and-dogs");
    assert_eq!(slugify("Straße").as_str(), "strasse");
}

#[test]
fn a_name_with_nothing_sluggable_gets_a_plain_slug() {
    assert_eq!(slugify("").as_str(), "segment");
    assert_eq!(slugify("顧客 🎉").as_str(), "segment");
}

#[test]
fn long_names_are_cut_at_a_word_within_the_limit() {
    let slug = slugify("Customers who bought running shoes in spring and never came back again");
    assert!(slug.as_str().len() <= MAX_SLUG_LEN);
    assert_eq!(
        slug.as_str(),
        "customers-who-bought-running-shoes-in-spring-and"
    );
    let unbroken = slugify(&"x".repeat(100));
    assert_eq!(unbroken.as_str().len(), MAX_SLUG_LEN);
}

#[test]
fn a_taken_slug_gets_the_first_free_numeric_suffix() {
    let taken: HashSet<&str> = ["vip", "vip-2"].into();
    assert_eq!(unique_slug("VIP", |s| taken.contains(s)).as_str(), "vip-3");
    assert_eq!(
        unique_slug("Lapsed", |s| taken.contains(s)).as_str(),
        "lapsed"
    );
    let long = "y".repeat(60);
    let base = slugify(&long);
    let taken: HashSet<String> = [base.as_str().to_owned()].into();
    let unique = unique_slug(&long, |s| taken.contains(s));
    assert_eq!(unique.as_str().len(), MAX_SLUG_LEN);
    assert!(unique.as_str().ends_with("-2"));
}

#[test]
fn slugs_parse_only_in_their_canonical_shape_and_tag_as_segops() {
    assert_eq!(
        Slug::parse("high-value").unwrap().tag(),
        "segops:high-value"
    );
    for bad in [
        "",
        "High",
        "a--b",
        "-a",
        "a-",
        "a b",
        "a:b",
        &"a".repeat(MAX_SLUG_LEN + 1),
    ] {
        assert!(Slug::parse(bad).is_err(), "{bad:?}");
    }
    let slug = slugify("Anything at all, even Ünïcode");
    assert_eq!(Slug::parse(slug.as_str()), Ok(slug));
}
