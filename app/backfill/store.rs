//! The `backfills` table: one row per shop, its phase, its checkpoint and its suggestion.

use futures::future::BoxFuture;
use sqlx::AnyConnection;

use super::Phase;
use crate::clock::now_ms;
use crate::ingest::InTransaction;
use crate::store::Db;
use crate::store::ExecuteInTurn;

#[derive(Debug, Clone)]
pub struct BackfillRow {
    pub phase: Phase,
    pub orders_since: String,
    pub operation_id: Option<String>,
    pub cursor: i64,
    pub rows_done: i64,
    pub rows_expected: i64,
    pub last_error: Option<String>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub suggestion_name: Option<String>,
    pub suggestion_rule: Option<String>,
    pub suggestion_members: Option<i64>,
    pub suggestion_segment_id: Option<String>,
}

type Row = (
    String,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    Option<String>,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// Records a new backfill (first install only: a reinstall keeps the history it has).
pub async fn begin_in(
    conn: &mut AnyConnection,
    shop_id: &str,
    orders_since: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "INSERT INTO backfills (shop_id, phase, orders_since, started_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (shop_id) DO NOTHING",
    )
    .bind(shop_id)
    .bind(Phase::Orders.as_str())
    .bind(orders_since)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn load(db: &Db, shop_id: &str) -> Result<Option<BackfillRow>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT phase, orders_since, operation_id, row_cursor, rows_done, rows_expected, last_error, started_at, finished_at, \
         suggestion_name, suggestion_rule, suggestion_members, suggestion_segment_id FROM backfills WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| BackfillRow {
        phase: Phase::parse(&r.0),
        orders_since: r.1,
        operation_id: r.2,
        cursor: r.3,
        rows_done: r.4,
        rows_expected: r.5,
        last_error: r.6,
        started_at: r.7,
        finished_at: r.8,
        suggestion_name: r.9,
        suggestion_rule: r.10,
        suggestion_members: r.11,
        suggestion_segment_id: r.12,
    }))
}

/// Remembers the bulk operation started for `phase`.
pub async fn set_operation(
    db: &Db,
    shop_id: &str,
    phase: Phase,
    operation_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE backfills SET operation_id = $1, row_cursor = 0, updated_at = $2 WHERE shop_id = $3 AND phase = $4",
    )
    .bind(operation_id)
    .bind(now_ms())
    .bind(shop_id)
    .bind(phase.as_str())
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// The finished operation's row count: what this phase adds to the rows expected.
pub async fn set_expected(
    db: &Db,
    shop_id: &str,
    phase: Phase,
    phase_rows: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE backfills SET rows_expected = rows_before_phase + $1, updated_at = $2 WHERE shop_id = $3 AND phase = $4",
    )
    .bind(phase_rows)
    .bind(now_ms())
    .bind(shop_id)
    .bind(phase.as_str())
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// Moves past `from`: the next phase starts with no operation and a fresh cursor.
pub async fn advance(db: &Db, shop_id: &str, from: Phase, to: Phase) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "UPDATE backfills SET phase = $1, operation_id = NULL, row_cursor = 0, rows_before_phase = rows_done, \
         rows_expected = CASE WHEN rows_expected < rows_done THEN rows_done ELSE rows_expected END, \
         finished_at = CASE WHEN $1 = 'done' THEN $2 ELSE finished_at END, updated_at = $2 \
         WHERE shop_id = $3 AND phase = $4",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(shop_id)
    .bind(from.as_str())
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// Stops the backfill with a reason the merchant can read.
pub async fn fail(db: &Db, shop_id: &str, reason: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "UPDATE backfills SET phase = 'failed', last_error = $1, finished_at = $2, updated_at = $2 WHERE shop_id = $3",
    )
    .bind(reason)
    .bind(now)
    .bind(shop_id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// Notes a passing problem (the job retries) without stopping the backfill.
pub async fn note_error(db: &Db, shop_id: &str, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE backfills SET last_error = $1, updated_at = $2 WHERE shop_id = $3")
        .bind(reason)
        .bind(now_ms())
        .bind(shop_id)
        .execute_in_turn(db)
        .await?;
    Ok(())
}

/// The record of a batch applied: moves the cursor from `from` to `to` inside the batch's
/// transaction. If another run already moved it, the whole batch rolls back, so no row is
/// ever applied (or counted) twice.
pub struct Checkpoint<'a> {
    pub shop_id: &'a str,
    pub phase: Phase,
    pub from: i64,
    pub to: i64,
}

impl InTransaction for Checkpoint<'_> {
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> BoxFuture<'c, Result<(), sqlx::Error>> {
        Box::pin(async move {
            let moved = sqlx::query(
                "UPDATE backfills SET row_cursor = $1, rows_done = rows_done + ($1 - $2), last_error = NULL, updated_at = $3 \
                 WHERE shop_id = $4 AND phase = $5 AND row_cursor = $2",
            )
            .bind(self.to)
            .bind(self.from)
            .bind(now_ms())
            .bind(self.shop_id)
            .bind(self.phase.as_str())
            .execute(conn)
            .await?;
            if moved.rows_affected() == 1 {
                Ok(())
            } else {
                Err(sqlx::Error::Protocol(
                    "the backfill checkpoint moved under this batch".into(),
                ))
            }
        })
    }
}

/// Keeps the proposed segment for the dashboard.
pub async fn set_suggestion(
    db: &Db,
    shop_id: &str,
    name: &str,
    rule_json: &str,
    members: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE backfills SET suggestion_name = $1, suggestion_rule = $2, suggestion_members = $3, updated_at = $4 WHERE shop_id = $5",
    )
    .bind(name)
    .bind(rule_json)
    .bind(members)
    .bind(now_ms())
    .bind(shop_id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// Claims the suggestion for acceptance; false when it was accepted (or is being) already.
pub async fn claim_suggestion(db: &Db, shop_id: &str) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE backfills SET suggestion_segment_id = '', updated_at = $1 WHERE shop_id = $2 \
         AND suggestion_rule IS NOT NULL AND suggestion_segment_id IS NULL",
    )
    .bind(now_ms())
    .bind(shop_id)
    .execute_in_turn(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Records the segment made from the suggestion, or releases the claim (`None`) on failure.
pub async fn set_suggestion_segment(
    db: &Db,
    shop_id: &str,
    segment_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE backfills SET suggestion_segment_id = $1, updated_at = $2 WHERE shop_id = $3",
    )
    .bind(segment_id)
    .bind(now_ms())
    .bind(shop_id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}
