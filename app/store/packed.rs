//! Many values passed to or read from the database as one: a list bound as a single JSON array
//! parameter (instead of one parameter per item) and many rows' text joined by an aggregate into
//! one value (instead of a row each). With SQLite every statement and every result row crosses
//! to sqlx's worker thread and back with a wake-up each, which costs more than SQLite's own work;
//! packing turns millions of crossings into hundreds. The separators are ASCII unit and record
//! separators, which neither our ids nor JSON text (where control characters are escaped) hold.

use super::Backend;

/// Between the fields of one packed record.
pub const UNIT: char = '\u{1f}';
/// Between packed records.
pub const RECORD: char = '\u{1e}';

/// A subquery of rows with one text column, `value`: the elements of the JSON array of strings
/// bound at `$marker` (made by [`json_list`]).
pub fn list_rows(backend: Backend, marker: usize) -> String {
    match backend {
        Backend::Sqlite => format!("SELECT value FROM json_each(${marker})"),
        Backend::Postgres => format!(
            "SELECT value FROM json_array_elements_text(CAST(${marker} AS json)) AS list(value)"
        ),
    }
}

/// The JSON array to bind for [`list_rows`].
pub fn json_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&items).unwrap_or_else(|_| "[]".to_owned())
}

/// An aggregate joining the text `expr` of every row of a group, `separator` between them.
pub fn joined(backend: Backend, expr: &str, separator: char) -> String {
    match backend {
        Backend::Sqlite => format!("group_concat({expr}, {})", char_sql(backend, separator)),
        Backend::Postgres => format!("string_agg({expr}, {})", char_sql(backend, separator)),
    }
}

/// The SQL expression for one separator character.
pub fn char_sql(backend: Backend, separator: char) -> String {
    match backend {
        Backend::Sqlite => format!("char({})", u32::from(separator)),
        Backend::Postgres => format!("chr({})", u32::from(separator)),
    }
}

/// The SQL expression joining `fields` (text expressions) with [`UNIT`] into one record.
pub fn record(backend: Backend, fields: &[&str]) -> String {
    fields.join(&format!(" || {} || ", char_sql(backend, UNIT)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_bound_as_one_json_array_that_escapes_what_it_must() {
        assert_eq!(json_list(&["a", "b\"c"]), r#"["a","b\"c"]"#);
        assert_eq!(json_list::<&str>(&[]), "[]");
        assert_eq!(
            list_rows(Backend::Sqlite, 4),
            "SELECT value FROM json_each($4)"
        );
    }

    #[test]
    fn records_join_their_fields_with_the_unit_separator() {
        assert_eq!(record(Backend::Sqlite, &["a", "b"]), "a || char(31) || b");
        assert_eq!(
            joined(Backend::Postgres, "x", RECORD),
            "string_agg(x, chr(30))"
        );
    }
}
