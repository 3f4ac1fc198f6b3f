//! Integration tests: the real app and the real sandbox store on random ports, against SQLite
//! and (when reachable) PostgreSQL.

mod helpers;

mod admin_browser;
mod backfill;
mod browser;
mod capture;
mod customer_tags;
mod discounts;
mod discounts_browser;
mod install;
mod isolation;
mod lifecycle;
mod onboarding_browser;
mod pending_evaluations;
mod privacy;
mod processing_lag;
mod profiles;
mod profiles_browser;
mod profiles_search;
mod profiles_versions;
mod protected_data;
mod segment_metafields;
mod segment_push;
mod segment_push_bench;
mod segments;
mod segments_full;
mod session_bounce;
mod storefront;
mod storefront_browser;
mod throttling;
