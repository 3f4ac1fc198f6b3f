//! Who viewed a customer's personal data, and when: every place that shows protected data to a
//! staff user records it here, with the user from the session token (`sub`).

use crate::clock::now_ms;
use crate::store::Db;
use crate::store::ExecuteInTurn;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Access {
    pub staff_user_id: Option<String>,
    pub customer_id: Option<String>,
    pub what: String,
    pub accessed_at: i64,
}

pub async fn record(
    db: &Db,
    shop_id: &str,
    staff_user_id: Option<&str>,
    customer_id: Option<&str>,
    what: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO pii_access_log (shop_id, staff_user_id, customer_id, what, accessed_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(shop_id)
        .bind(staff_user_id)
        .bind(customer_id)
        .bind(what)
        .bind(now_ms())
        .execute_in_turn(db)
        .await?;
    Ok(())
}

pub async fn recent(db: &Db, shop_id: &str, limit: i64) -> Result<Vec<Access>, sqlx::Error> {
    let rows: Vec<(Option<String>, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT staff_user_id, customer_id, what, accessed_at FROM pii_access_log WHERE shop_id = $1 ORDER BY accessed_at DESC, id DESC LIMIT $2",
    )
    .bind(shop_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(staff_user_id, customer_id, what, accessed_at)| Access {
            staff_user_id,
            customer_id,
            what,
            accessed_at,
        })
        .collect())
}
