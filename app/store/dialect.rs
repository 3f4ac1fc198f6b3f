//! The few statements that differ between SQLite and PostgreSQL.

use super::Backend;

/// Whether a database error is a unique-constraint violation (both drivers report the SQLSTATE-like
/// code through sqlx's `DatabaseError::is_unique_violation`).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Begins a write transaction. SQLite takes the write lock up front (`BEGIN IMMEDIATE`) so that
/// two writers never deadlock upgrading read locks; PostgreSQL needs nothing special.
pub fn begin_write(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    }
}
