//! Two shops never see each other's rows.

use segops::pii::{CustomerPii, Vault};

use crate::helpers::TestApp;

crate::on_both_stores!(two_shops_never_see_each_others_rows);

async fn two_shops_never_see_each_others_rows(app: TestApp) {
    let (a, b) = ("alpha-goods.myshopify.com", "beta-goods.myshopify.com");
    app.create_shop(a).await;
    app.create_shop(b).await;
    app.install(a).await;
    app.install(b).await;

    let body_a: serde_json::Value = app
        .workspace(&app.session_token(a).await)
        .await
        .json()
        .await
        .unwrap();
    let body_b: serde_json::Value = app
        .workspace(&app.session_token(b).await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body_a["workspace"]["slug"], "alpha-goods");
    assert_eq!(body_b["workspace"]["slug"], "beta-goods");
    assert_eq!(body_a["shops"], serde_json::json!([a]));
    assert_eq!(body_b["shops"], serde_json::json!([b]));
    assert_ne!(body_a["public_key"], body_b["public_key"]);
    assert!(!body_a.to_string().contains("beta-goods"));

    // Protected data written for one shop cannot be found or opened through the other.
    let shop_a = app
        .state
        .installed_shop(&segops::shopify::ShopDomain::parse(a).unwrap())
        .await
        .unwrap()
        .unwrap();
    let shop_b = app
        .state
        .installed_shop(&segops::shopify::ShopDomain::parse(b).unwrap())
        .await
        .unwrap()
        .unwrap();
    let master = &app.state.config.master_key;
    let vault_a = Vault::for_shop(app.db(), master, &shop_a.id).await.unwrap();
    let vault_b = Vault::for_shop(app.db(), master, &shop_b.id).await.unwrap();
    let pii = CustomerPii {
        email: Some("shared@example.com".into()),
        ..Default::default()
    };
    vault_a.put(app.db(), "1001", &pii).await.unwrap();
    assert_eq!(
        vault_a
            .find_by_email(app.db(), "shared@example.com")
            .await
            .unwrap(),
        vec!["1001".to_owned()]
    );
    assert!(
        vault_b
            .find_by_email(app.db(), "shared@example.com")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(vault_b.get(app.db(), "1001").await.unwrap().is_none());
    // The same email hashes differently per shop, so hashes cannot be joined across shops.
    assert_ne!(
        vault_a.email_hash("shared@example.com"),
        vault_b.email_hash("shared@example.com")
    );
}
