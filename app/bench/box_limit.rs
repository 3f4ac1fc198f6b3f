//! The store's own ceiling for durable writes of the same bodies, measured beside our figure:
//! one commit per row (what a server without grouping can reach) and grouped commits.

use std::time::Instant;

use crate::store::{Db, dialect};

pub struct Limits {
    pub per_row: f64,
    pub grouped: f64,
    pub group_size: usize,
}

/// Inserts `rows` bodies into a scratch table, first one commit each from `clients` concurrent
/// connections, then `group_size` per commit; the table is dropped afterwards.
pub async fn measure(
    db: &Db,
    bodies: &[Vec<u8>],
    rows: usize,
    clients: usize,
    group_size: usize,
) -> anyhow::Result<Limits> {
    let blob = match db.backend() {
        crate::store::Backend::Sqlite => "BLOB",
        crate::store::Backend::Postgres => "BYTEA",
    };
    sqlx::query("DROP TABLE IF EXISTS bench_raw")
        .execute(db.pool())
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE bench_raw (n BIGINT PRIMARY KEY, body {blob} NOT NULL)"
    )))
    .execute(db.pool())
    .await?;

    let started = Instant::now();
    let per_client = rows / clients.max(1);
    let mut tasks = Vec::new();
    for client in 0..clients.max(1) {
        let (db, bodies) = (db.clone(), bodies.to_vec());
        tasks.push(tokio::spawn(async move {
            for i in 0..per_client {
                let n = (client * per_client + i) as i64;
                sqlx::query("INSERT INTO bench_raw (n, body) VALUES ($1, $2)")
                    .bind(n)
                    .bind(&bodies[i % bodies.len()])
                    .execute(db.pool())
                    .await?;
            }
            Ok::<_, sqlx::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let per_row = (per_client * clients.max(1)) as f64 / started.elapsed().as_secs_f64();

    let offset = rows as i64;
    let started = Instant::now();
    let mut conn = db.pool().acquire().await?;
    for batch in 0..rows / group_size {
        sqlx::query(dialect::begin_write(db.backend()))
            .execute(&mut *conn)
            .await?;
        for i in 0..group_size {
            let n = offset + (batch * group_size + i) as i64;
            sqlx::query("INSERT INTO bench_raw (n, body) VALUES ($1, $2)")
                .bind(n)
                .bind(&bodies[i % bodies.len()])
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("COMMIT").execute(&mut *conn).await?;
    }
    let grouped = ((rows / group_size) * group_size) as f64 / started.elapsed().as_secs_f64();
    drop(conn);
    sqlx::query("DROP TABLE bench_raw")
        .execute(db.pool())
        .await?;
    Ok(Limits {
        per_row,
        grouped,
        group_size,
    })
}
