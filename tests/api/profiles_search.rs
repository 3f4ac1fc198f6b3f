//! Finding profiles: exact searches (email in any spelling, customer id, GID, a joined token),
//! keyset pages that return every profile once, segment member lists, redacted customers gone,
//! and another shop's profiles never found.

use std::collections::BTreeSet;

use serde_json::json;

use crate::helpers::TestApp;
use crate::profiles::{
    OTHER, SHOP, create_segment, customer, get, person_ids, scripted_history, settle,
};

crate::on_both_stores!(
    searching_and_paging_find_each_profile_of_the_shop_exactly_once,
    another_shops_profile_is_not_found_and_never_searched,
);

async fn searching_and_paging_find_each_profile_of_the_shop_exactly_once(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let empty = app
        .admin_page("/admin/profiles", &app.session_token(SHOP).await)
        .await;
    assert!(empty.contains("data-testid=\"empty-state\""), "{empty}");
    let (ada, token) = scripted_history(&app).await;
    let mut others = Vec::new();
    for n in 0..4 {
        others.push(
            customer(
                &app,
                SHOP,
                &format!("Guest{n}"),
                &format!("guest{n}@example.net"),
            )
            .await,
        );
    }
    settle(&app).await;

    for q in ["ADA@Example.net ", "ada@example.net"] {
        let (status, found) = get(
            &app,
            SHOP,
            &format!("/admin/api/profiles?q={}", q.replace('@', "%40")),
        )
        .await;
        assert_eq!(status, 200, "{found}");
        let ids: Vec<&str> = found["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["person_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [format!("customer:{ada}")], "search {q:?}");
    }
    for q in [ada.clone(), format!("gid://shopify/Customer/{ada}")] {
        let (_, found) = get(
            &app,
            SHOP,
            &format!(
                "/admin/api/profiles?q={}",
                q.replace('/', "%2F").replace(':', "%3A")
            ),
        )
        .await;
        let profiles = found["profiles"].as_array().unwrap();
        assert_eq!(profiles.len(), 1, "{found}");
        assert_eq!(profiles[0]["customer_id"], ada.as_str());
        assert_eq!(profiles[0]["lifetime_value"], "160.00");
        assert_eq!(profiles[0]["order_count"], 2);
        assert_eq!(profiles[0]["email"], "ada@example.net");
    }
    // Any identifier joined into the profile finds it too: here the checkout token.
    let (_, by_token) = get(&app, SHOP, &format!("/admin/api/profiles?q={token}")).await;
    assert_eq!(
        person_ids(&by_token),
        [format!("customer:{ada}")],
        "{by_token}"
    );
    let (status, bad_limit) = get(&app, SHOP, "/admin/api/profiles?limit=many").await;
    assert_eq!(status, 400, "{bad_limit}");
    assert!(bad_limit["error"].is_string(), "{bad_limit}");
    // Neither the searched email (in the URL) nor what the pages showed reaches the logs.
    let logs = crate::helpers::captured_logs();
    for secret in [
        "ada@example.net",
        "ada%40example.net",
        "ADA%40Example.net",
        "Lovelace",
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs");
    }
    let (_, none) = get(&app, SHOP, "/admin/api/profiles?q=nobody%40example.net").await;
    assert_eq!(none["profiles"], json!([]));
    let (status, bad) = get(&app, SHOP, "/admin/api/profiles?cursor=%21%21").await;
    assert_eq!(status, 400, "{bad}");

    // Pages of two: every profile of the shop exactly once, most recently active first.
    let shop_id = app.shop_id(SHOP).await;
    let expected: BTreeSet<String> =
        sqlx::query_scalar("SELECT person_id FROM profiles WHERE shop_id = $1")
            .bind(&shop_id)
            .fetch_all(app.db().pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert!(expected.len() >= 5, "{expected:?}");
    let mut seen: Vec<String> = Vec::new();
    let mut last_seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..20 {
        let (status, page) = get(
            &app,
            SHOP,
            &format!("/admin/api/profiles?limit=2&cursor={cursor}"),
        )
        .await;
        assert_eq!(status, 200, "{page}");
        for p in page["profiles"].as_array().unwrap() {
            seen.push(p["person_id"].as_str().unwrap().to_owned());
            last_seen.push(p["last_seen_at"].as_i64().unwrap_or(0));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), expected.len(), "no profile twice: {seen:?}");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(last_seen.windows(2).all(|w| w[0] >= w[1]), "{last_seen:?}");
    if app.store == crate::helpers::Store::Sqlite {
        // A later page walks the `profiles_recent` index: no sort over the shop's profiles.
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "EXPLAIN QUERY PLAN {}",
            segops::profiles::directory::NEXT_PAGE_SQL
        )))
        .bind(&shop_id)
        .bind(0_i64)
        .bind("")
        .bind(2_i64)
        .fetch_all(app.db().pool())
        .await
        .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|row| row.3).collect();
        assert!(
            plan.iter().any(|step| step.contains("profiles_recent")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{plan:?}"
        );
    }

    // The HTML list pages the same way, and the segment member count links to its members.
    let session = app.session_token(SHOP).await;
    let first = app.admin_page("/admin/profiles", &session).await;
    assert!(first.contains("Ada Lovelace") && first.contains("guest0@example.net"));
    create_segment(&app, "Buyers", "order_count >= 1").await;
    settle(&app).await;
    let (_, members) = get(&app, SHOP, "/admin/api/profiles?q=segment%3Abuyers").await;
    let members: Vec<&str> = members["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["person_id"].as_str().unwrap())
        .collect();
    assert_eq!(members, [format!("customer:{ada}")]);
    let segments = app.admin_page("/admin/segments", &session).await;
    assert!(
        segments.contains("q=segment:buyers"),
        "member count links the members"
    );

    // A redacted customer leaves the list, the search and their page.
    let guest = others[0].clone();
    app.sandbox_post(
        &format!("/shops/{SHOP}/webhooks/send"),
        json!({ "topic": "customers/redact", "payload": { "shop_id": 1, "shop_domain": SHOP,
                "customer": { "id": guest.parse::<u64>().unwrap(), "email": "guest0@example.net" }, "orders_to_redact": [] } }),
    )
    .await;
    settle(&app).await;
    let (_, found) = get(&app, SHOP, "/admin/api/profiles?q=guest0%40example.net").await;
    assert_eq!(found["profiles"], json!([]));
    let (status, _) = get(&app, SHOP, &format!("/admin/api/profiles/customer:{guest}")).await;
    assert_eq!(status, 404);
    let (_, all) = get(&app, SHOP, "/admin/api/profiles?limit=100").await;
    let ids = person_ids(&all);
    assert!(!ids.contains(&format!("customer:{guest}")), "{ids:?}");
    assert!(!ids.iter().any(|id| id.contains("redacted")), "{ids:?}");
    assert_eq!(ids.len(), expected.len() - 1, "{ids:?}");
}

async fn another_shops_profile_is_not_found_and_never_searched(app: TestApp) {
    for shop in [SHOP, OTHER] {
        app.create_shop(shop).await;
        app.install(shop).await;
    }
    let (ada, _) = scripted_history(&app).await;
    // The other shop has a customer with the very same email.
    let twin = customer(&app, OTHER, "Ada", "ada@example.net").await;
    settle(&app).await;

    let person = format!("customer:{ada}");
    let (status, body) = get(&app, OTHER, &format!("/admin/api/profiles/{person}")).await;
    assert_eq!(status, 404, "{body}");
    let response = app
        .http
        .get(format!(
            "{}/admin/profiles/{person}?id_token={}",
            app.app_url,
            app.session_token(OTHER).await
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    for q in ["ada%40example.net", ada.as_str(), person.as_str()] {
        let (_, found) = get(&app, OTHER, &format!("/admin/api/profiles?q={q}")).await;
        assert!(!person_ids(&found).contains(&person), "{q}: {found}");
    }
    let (_, twin_found) = get(&app, OTHER, "/admin/api/profiles?q=ada%40example.net").await;
    let ids: Vec<&str> = twin_found["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["person_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [format!("customer:{twin}")]);
    let (_, list) = get(&app, OTHER, "/admin/api/profiles?limit=100").await;
    assert_eq!(person_ids(&list), [format!("customer:{twin}")]);
    // No session, no profiles.
    let anonymous = app
        .http
        .get(format!("{}/admin/api/profiles", app.app_url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
