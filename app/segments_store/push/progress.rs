//! Push progress on the segment row (`push_state`, `push_done`, `push_total`, `push_error`): what
//! the admin shows, and where a resumed push picks its count up again.

use crate::clock::now_ms;
use crate::store::Db;
use crate::store::ExecuteInTurn;

/// Starts (or continues) a push with `pending` changes left. A push already under way keeps
/// its count, so a restart or a second round shows progress out of the whole push.
pub(super) async fn begin(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
    pending: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE segments SET \
         push_done = CASE WHEN push_state = 'pushing' THEN push_done ELSE 0 END, \
         push_total = CASE WHEN push_state = 'pushing' THEN push_done ELSE 0 END + $3, \
         push_state = 'pushing', push_error = NULL, updated_at = $4 \
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(pending)
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// Sets how many changes Shopify has confirmed so far.
pub(super) async fn done(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
    done: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE segments SET push_done = $3, push_total = CASE WHEN push_total < $3 THEN $3 \
         ELSE push_total END, updated_at = $4 WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(done)
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// The push's current confirmed count.
pub(super) async fn current(db: &Db, shop_id: &str, segment_id: &str) -> Result<i64, sqlx::Error> {
    let done: Option<i64> =
        sqlx::query_scalar("SELECT push_done FROM segments WHERE shop_id = $1 AND id = $2")
            .bind(shop_id)
            .bind(segment_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(done.unwrap_or(0))
}

/// Every change is in Shopify.
pub(super) async fn finish(db: &Db, shop_id: &str, segment_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE segments SET push_state = 'done', push_total = push_done, push_error = NULL, \
         updated_at = $3 WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// The push stopped on `reason`; the admin shows it until the next push.
pub(super) async fn fail(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE segments SET push_state = 'failed', push_error = $3, updated_at = $4 \
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(reason)
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    Ok(())
}
