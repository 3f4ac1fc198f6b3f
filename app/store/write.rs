//! Write transactions, and the turn-taking SQLite needs for them.
//!
//! SQLite has one write lock per database. A writer that finds it taken sleeps in SQLite's busy
//! handler, whose naps grow to 100 ms, and the lock goes to whoever happens to ask at the
//! moment it is released, not to whoever waited longest. With the intake's group commits, the
//! workers' transactions and a backfill all writing, one of them can lose that race for seconds.
//! So on SQLite every writer of this process first queues for its turn (a fair async mutex:
//! first come, first served), then takes the lock, which is then free. PostgreSQL locks rows,
//! not the database, and needs no turns.
//!
//! A [`WriteTx`] dropped without `commit` rolls back (sqlx queues the rollback on the
//! connection), so a cancelled request never leaves a transaction, or the lock, behind.

use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::any::AnyQueryResult;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Connection, Database, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{Backend, Db};

/// How long a writer waits for its turn before giving up with an error rather than hanging:
/// far longer than any one transaction should take.
const TURN_TIMEOUT: Duration = Duration::from_secs(30);

/// The queue of this process's SQLite writers.
#[derive(Clone, Debug, Default)]
pub(super) struct WriteTurns {
    lock: Arc<Mutex<()>>,
    /// Writers queued behind the current one.
    waiting: Arc<AtomicUsize>,
    /// Where the current turn was taken: what a writer that waited too long reports.
    holder: Arc<std::sync::Mutex<Option<&'static Location<'static>>>>,
}

/// Whose turn it is to write; held until the write ends.
pub struct Turn(#[allow(dead_code)] Option<OwnedMutexGuard<()>>);

impl WriteTurns {
    async fn take(&self, caller: &'static Location<'static>) -> Result<Turn, sqlx::Error> {
        let guard = match self.lock.clone().try_lock_owned() {
            Ok(guard) => guard,
            Err(_) => {
                self.waiting.fetch_add(1, Ordering::SeqCst);
                let guard =
                    tokio::time::timeout(TURN_TIMEOUT, self.lock.clone().lock_owned()).await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                guard.map_err(|_| {
                    let holder = self.holder.lock().ok().and_then(|h| *h);
                    let message = format!(
                        "{caller} waited {} s for the database's write turn, held since {}",
                        TURN_TIMEOUT.as_secs(),
                        holder.map_or_else(|| "?".to_owned(), ToString::to_string)
                    );
                    tracing::error!("{message}");
                    sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, message))
                })?
            }
        };
        if let Ok(mut holder) = self.holder.lock() {
            *holder = Some(caller);
        }
        Ok(Turn(Some(guard)))
    }
}

/// A write transaction: `BEGIN IMMEDIATE` on SQLite (the lock is taken up front, so two writers
/// never deadlock upgrading read locks), plain `BEGIN` on PostgreSQL.
pub struct WriteTx<'c> {
    // Declared first so it is dropped (rolled back) before the turn passes on.
    tx: Transaction<'c, Any>,
    _turn: Turn,
}

impl WriteTx<'_> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let WriteTx { tx, _turn } = self;
        tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        let WriteTx { tx, _turn } = self;
        tx.rollback().await
    }
}

impl Deref for WriteTx<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl Db {
    /// Begins a write transaction, after this process's earlier SQLite writers have had theirs.
    #[track_caller]
    pub fn begin_write(&self) -> impl Future<Output = Result<WriteTx<'static>, sqlx::Error>> + '_ {
        let turn = self.write_turn();
        async move {
            let turn = turn.await?;
            let tx = match self.backend {
                Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
                Backend::Postgres => self.pool.begin().await?,
            };
            Ok(WriteTx { tx, _turn: turn })
        }
    }

    /// The same on a connection the caller keeps between transactions (the intake writers'
    /// own, which spares them a trip through the pool per batch).
    #[track_caller]
    pub fn begin_write_on<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
    ) -> impl Future<Output = Result<WriteTx<'c>, sqlx::Error>> + 'c {
        let turn = self.write_turn();
        async move {
            let turn = turn.await?;
            let tx = match self.backend {
                Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
                Backend::Postgres => conn.begin().await?,
            };
            Ok(WriteTx { tx, _turn: turn })
        }
    }

    /// Waits for this process's turn to write outside a transaction (a single statement that
    /// takes SQLite's write lock, such as a queue claim); hold the result until it ran.
    #[track_caller]
    pub fn write_turn(&self) -> impl Future<Output = Result<Turn, sqlx::Error>> + '_ {
        let caller = Location::caller();
        async move {
            match self.backend {
                Backend::Sqlite => self.turns.take(caller).await,
                Backend::Postgres => Ok(Turn(None)),
            }
        }
    }
}

/// One autocommit write statement, run in this process's turn (see the module comment):
/// `query.execute_in_turn(db)` where `query.execute(db.pool())` would race for SQLite's lock.
pub trait ExecuteInTurn {
    #[track_caller]
    fn execute_in_turn(
        self,
        db: &Db,
    ) -> impl Future<Output = Result<AnyQueryResult, sqlx::Error>> + Send;
}

impl<'q> ExecuteInTurn for Query<'q, Any, <Any as Database>::Arguments> {
    #[track_caller]
    fn execute_in_turn(
        self,
        db: &Db,
    ) -> impl Future<Output = Result<AnyQueryResult, sqlx::Error>> + Send {
        let turn = db.write_turn();
        async move {
            let _turn = turn.await?;
            self.execute(db.pool()).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Db;

    /// A fresh database file (the lock under test is the file's; an in-memory one has none).
    async fn sqlite() -> (TempFile, Db) {
        let path = std::env::temp_dir().join(format!("segops-write-{}.db", uuid::Uuid::new_v4()));
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER)")
            .execute(db.pool())
            .await
            .unwrap();
        (TempFile(path), db)
    }

    struct TempFile(std::path::PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
            }
        }
    }

    #[tokio::test]
    async fn a_dropped_transaction_rolls_back_and_lets_the_next_writer_in() {
        let (_file, db) = sqlite().await;
        {
            let mut tx = db.begin_write().await.unwrap();
            sqlx::query("INSERT INTO t VALUES (1)")
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        let mut tx = db.begin_write().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (2)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let rows: Vec<i64> = sqlx::query_scalar("SELECT n FROM t")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(rows, vec![2]);
    }

    #[tokio::test]
    async fn writers_get_their_turns_in_the_order_they_asked() {
        let (_file, db) = sqlite().await;
        let first = db.begin_write().await.unwrap();
        let mut waiting = Vec::new();
        for n in 0..6i64 {
            let writer = db.clone();
            waiting.push(tokio::spawn(async move {
                let mut tx = writer.begin_write().await.unwrap();
                sqlx::query("INSERT INTO t VALUES ($1)")
                    .bind(n)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }));
            // Each writer is queued before the next one asks.
            while queued(&db) < n as usize + 1 {
                tokio::task::yield_now().await;
            }
        }
        first.rollback().await.unwrap();
        for task in waiting {
            task.await.unwrap();
        }
        let rows: Vec<i64> = sqlx::query_scalar("SELECT n FROM t ORDER BY rowid")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(rows, (0..6).collect::<Vec<_>>());
    }

    /// Writers waiting for a turn (the mutex is held by one more).
    fn queued(db: &Db) -> usize {
        db.turns.waiting.load(std::sync::atomic::Ordering::SeqCst)
    }
}
