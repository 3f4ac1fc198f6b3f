//! Protected customer data is encrypted field by field: a known customer's email and phone are
//! nowhere in the database (file or rows) nor in the logs.

use segops::pii::{CustomerPii, Vault};

use crate::helpers::{Store, TestApp, captured_logs};

const SHOP: &str = "quiet-shop.myshopify.com";
const EMAIL: &str = "marguerite.known@example.org";
const PHONE: &str = "+16135550199";

crate::on_both_stores!(a_known_customers_email_and_phone_are_nowhere_in_the_database_or_logs);

async fn a_known_customers_email_and_phone_are_nowhere_in_the_database_or_logs(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let shop = app
        .state
        .installed_shop(&segops::shopify::ShopDomain::parse(SHOP).unwrap())
        .await
        .unwrap()
        .unwrap();
    let vault = Vault::for_shop(app.db(), &app.state.config.master_key, &shop.id)
        .await
        .unwrap();
    let pii = CustomerPii {
        email: Some(EMAIL.into()),
        phone: Some(PHONE.into()),
        first_name: Some("Marguerite".into()),
        last_name: Some("Known".into()),
        address: Some(r#"{"city":"Ottawa","country_code":"CA"}"#.into()),
    };
    vault.put(app.db(), "7001", &pii).await.unwrap();
    // It reads back, and is found by any spelling of the email.
    assert_eq!(vault.get(app.db(), "7001").await.unwrap(), Some(pii));
    assert_eq!(
        vault
            .find_by_email(app.db(), " Marguerite.Known@EXAMPLE.org")
            .await
            .unwrap(),
        vec!["7001".to_owned()]
    );

    let needles = [EMAIL, PHONE, "6135550199", "Marguerite"];
    match app.store {
        Store::Sqlite => {
            // Checkpoint so the WAL's contents are in the main file too; search both anyway.
            sqlx::query("PRAGMA wal_checkpoint(FULL)")
                .execute(app.db().pool())
                .await
                .unwrap();
            let file = app.sqlite_file.as_ref().unwrap();
            for path in [file.clone(), file.with_extension("db-wal")] {
                if let Ok(bytes) = std::fs::read(&path) {
                    let text = String::from_utf8_lossy(&bytes).to_lowercase();
                    for needle in needles {
                        assert!(
                            !text.contains(&needle.to_lowercase()),
                            "{needle} found in {}",
                            path.display()
                        );
                    }
                }
            }
        }
        Store::Postgres => {
            // Every row of every table, as text.
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            )
            .fetch_all(app.db().pool())
            .await
            .unwrap();
            for table in tables {
                let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT row_to_json(t)::text FROM \"{table}\" t"
                )))
                .fetch_all(app.db().pool())
                .await
                .unwrap();
                let text = rows.join("\n").to_lowercase();
                for needle in needles {
                    assert!(
                        !text.contains(&needle.to_lowercase()),
                        "{needle} found in table {table}"
                    );
                }
            }
        }
    }
    let logs = captured_logs().to_lowercase();
    assert!(!logs.is_empty(), "logs were not captured");
    for needle in needles {
        assert!(
            !logs.contains(&needle.to_lowercase()),
            "{needle} found in the logs"
        );
    }
}
