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

/// Appended to a read inside a write transaction whose rows must not change before it commits:
/// PostgreSQL locks them `FOR SHARE`; SQLite's write transaction already excludes other writers.
pub fn lock_read(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR SHARE",
    }
}

/// Splits `n` rows into multi-row statements of power-of-two sizes up to 128, so a connection
/// prepares at most eight shapes of each statement (sqlx caches prepared statements by text).
pub fn statement_sizes(mut n: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    while n > 0 {
        let size = if n >= 128 {
            128
        } else {
            1 << (usize::BITS - 1 - n.leading_zeros())
        };
        sizes.push(size);
        n -= size;
    }
    sizes
}

/// The `VALUES` list of a multi-row statement: `rows` tuples of `width` consecutive `$n`
/// markers, numbered from `$1`.
pub fn values(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|row| {
            let markers: Vec<String> = (1..=width)
                .map(|i| format!("${}", row * width + i))
                .collect();
            format!("({})", markers.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_number_markers_row_by_row() {
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }

    #[test]
    fn rows_split_into_few_statement_shapes() {
        assert_eq!(super::statement_sizes(37), vec![32, 4, 1]);
        assert_eq!(super::statement_sizes(300), vec![128, 128, 32, 8, 4]);
        assert!(super::statement_sizes(0).is_empty());
    }
}
