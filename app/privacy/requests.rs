//! Privacy requests as the admin lists them.

use crate::clock::now_ms;
use crate::store::Db;

#[derive(Debug, Clone, serde::Serialize)]
pub struct PrivacyRequest {
    pub id: String,
    #[serde(skip)]
    pub shop_id: String,
    pub kind: String,
    pub customer_id: Option<String>,
    #[serde(skip)]
    pub orders: Vec<String>,
    #[serde(skip)]
    pub delivery_id: i64,
    pub received_at: i64,
    pub due_at: i64,
    pub status: String,
    pub completed_at: Option<i64>,
    pub has_export: bool,
}

impl PrivacyRequest {
    /// `pending`, `done` or `overdue` (pending past its due date).
    pub fn state(&self) -> &'static str {
        match (self.status.as_str(), self.due_at < now_ms()) {
            ("done", _) => "done",
            (_, true) => "overdue",
            _ => "pending",
        }
    }
}

type Row = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    i64,
    i64,
    String,
    Option<i64>,
    i64,
);

// A comparison is a boolean on PostgreSQL but an integer on SQLite, so it is cast to one type.
const COLUMNS: &str = "SELECT id, shop_id, kind, customer_id, orders, delivery_id, received_at, due_at, status, completed_at, \
     CAST(CASE WHEN export_enc IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM privacy_requests";

fn from_row(row: Row) -> PrivacyRequest {
    let (
        id,
        shop_id,
        kind,
        customer_id,
        orders,
        delivery_id,
        received_at,
        due_at,
        status,
        completed_at,
        has_export,
    ) = row;
    PrivacyRequest {
        id,
        shop_id,
        kind,
        customer_id,
        orders: serde_json::from_str(&orders).unwrap_or_default(),
        delivery_id,
        received_at,
        due_at,
        status,
        completed_at,
        has_export: has_export == 1,
    }
}

pub async fn find(db: &Db, id: &str) -> Result<Option<PrivacyRequest>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE id = $1"));
    Ok(sqlx::query_as::<_, Row>(sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(from_row))
}

pub async fn list(db: &Db, shop_id: &str) -> Result<Vec<PrivacyRequest>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE shop_id = $1 ORDER BY received_at DESC"
    ));
    Ok(sqlx::query_as::<_, Row>(sql)
        .bind(shop_id)
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(from_row)
        .collect())
}

/// The sealed export of a fulfilled data request of this shop.
pub async fn load_export(db: &Db, shop_id: &str, id: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, Option<Vec<u8>>>(
        "SELECT export_enc FROM privacy_requests WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .flatten())
}

pub fn export_context(shop_id: &str, request_id: &str) -> Vec<u8> {
    format!("privacy-export:{shop_id}:{request_id}").into_bytes()
}
