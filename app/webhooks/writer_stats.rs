//! Where the intake writer's time goes, per phase, so `segops bench intake` can say what a
//! delivery costs inside the group commit without a profiler. Relaxed atomics: a few adds per
//! batch, never per request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
pub struct WriterStats {
    batches: AtomicU64,
    rows: AtomicU64,
    begin_ns: AtomicU64,
    insert_ns: AtomicU64,
    commit_ns: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterSnapshot {
    pub batches: u64,
    pub rows: u64,
    /// Taking the write lock (`BEGIN IMMEDIATE` waits for other writers on SQLite).
    pub begin: Duration,
    /// The multi-row INSERTs, rows streamed back included.
    pub insert: Duration,
    /// COMMIT: the fsync on SQLite, the WAL flush on PostgreSQL.
    pub commit: Duration,
}

impl WriterStats {
    pub fn record(&self, rows: usize, begin: Duration, insert: Duration, commit: Duration) {
        let ns = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.begin_ns.fetch_add(ns(begin), Ordering::Relaxed);
        self.insert_ns.fetch_add(ns(insert), Ordering::Relaxed);
        self.commit_ns.fetch_add(ns(commit), Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> WriterSnapshot {
        let ns = |a: &AtomicU64| Duration::from_nanos(a.load(Ordering::Relaxed));
        WriterSnapshot {
            batches: self.batches.load(Ordering::Relaxed),
            rows: self.rows.load(Ordering::Relaxed),
            begin: ns(&self.begin_ns),
            insert: ns(&self.insert_ns),
            commit: ns(&self.commit_ns),
        }
    }
}

impl WriterSnapshot {
    /// What happened between two snapshots.
    pub fn since(&self, earlier: &WriterSnapshot) -> WriterSnapshot {
        WriterSnapshot {
            batches: self.batches - earlier.batches,
            rows: self.rows - earlier.rows,
            begin: self.begin.saturating_sub(earlier.begin),
            insert: self.insert.saturating_sub(earlier.insert),
            commit: self.commit.saturating_sub(earlier.commit),
        }
    }

    pub fn busy(&self) -> Duration {
        self.begin + self.insert + self.commit
    }
}
