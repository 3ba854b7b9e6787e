//! The one SQL surface every store operation is written against: a small
//! value and row type and the [`Sql`] trait (`execute` returns the affected
//! row count, `query` the rows). Statements are written once, with SQLite's
//! numbered `?N` placeholders (or bare `?`); the PostgreSQL adapter
//! translates them to `$N` in [`pg_placeholders`], its only rewrite.

use std::borrow::Cow;
use std::sync::Arc;

use crate::Error;
use crate::error::UnexpectedValue;

/// A parameter or column value: the four kinds the schema uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// SQL `NULL`.
    Null,
    /// `BIGINT` (`INTEGER` on SQLite).
    Int(i64),
    /// `TEXT`.
    Text(String),
    /// `BLOB` on SQLite, `BYTEA` on PostgreSQL.
    Blob(Vec<u8>),
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Self::Blob(v.to_vec())
    }
}

impl From<&Vec<u8>> for Value {
    fn from(v: &Vec<u8>) -> Self {
        Self::Blob(v.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        v.as_deref().into()
    }
}

impl From<&Option<i64>> for Value {
    fn from(v: &Option<i64>) -> Self {
        (*v).into()
    }
}

/// The parameters of one statement, each converted with `Value::from`.
macro_rules! args {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::sql::Value::from($v)),*][..]
    };
}
pub(crate) use args;

/// The column names of a query's rows, shared by every row of one result.
pub(crate) type Columns = Arc<[Box<str>]>;

/// One result row; columns are taken out by index. The names are kept only
/// to say which column holds an unexpected value.
#[derive(Debug, Clone)]
pub(crate) struct Row(pub(crate) Vec<Value>, pub(crate) Columns);

impl Row {
    fn take(&mut self, i: usize) -> Result<Value, Error> {
        self.0
            .get_mut(i)
            .map(|v| std::mem::replace(v, Value::Null))
            .ok_or_else(|| UnexpectedValue::MissingColumn { index: i }.into())
    }

    fn name(&self, i: usize) -> String {
        column_name(&self.1, i)
    }

    /// A non-null text column.
    pub(crate) fn text(&mut self, i: usize) -> Result<String, Error> {
        self.opt_text(i)?
            .ok_or_else(|| self.mismatch(i, "text", &Value::Null))
    }

    /// A text column that may be null.
    pub(crate) fn opt_text(&mut self, i: usize) -> Result<Option<String>, Error> {
        match self.take(i)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s)),
            other => Err(self.mismatch(i, "text", &other)),
        }
    }

    /// A non-null integer column.
    pub(crate) fn int(&mut self, i: usize) -> Result<i64, Error> {
        self.opt_int(i)?
            .ok_or_else(|| self.mismatch(i, "integer", &Value::Null))
    }

    /// An integer column that may be null.
    pub(crate) fn opt_int(&mut self, i: usize) -> Result<Option<i64>, Error> {
        match self.take(i)? {
            Value::Null => Ok(None),
            Value::Int(n) => Ok(Some(n)),
            other => Err(self.mismatch(i, "integer", &other)),
        }
    }

    /// A non-null byte column.
    pub(crate) fn blob(&mut self, i: usize) -> Result<Vec<u8>, Error> {
        match self.take(i)? {
            Value::Blob(b) => Ok(b),
            // SQLite keeps what was written; a text value is its bytes.
            Value::Text(s) => Ok(s.into_bytes()),
            other => Err(self.mismatch(i, "bytes", &other)),
        }
    }

    fn mismatch(&self, i: usize, expected: &'static str, found: &Value) -> Error {
        let found = match found {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        };
        UnexpectedValue::ColumnType {
            column: self.name(i),
            expected,
            found,
        }
        .into()
    }
}

/// The name of column `i`, or its number when the names are unknown.
pub(crate) fn column_name(names: &Columns, i: usize) -> String {
    names
        .get(i)
        .map_or_else(|| format!("#{i}"), ToString::to_string)
}

/// A connection, or a transaction on one, of either backend.
pub(crate) trait Sql {
    /// Runs one statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, Error>;
    /// Runs one query; returns every row.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, Error>;
    /// Runs several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<(), Error>;

    /// The first row of a query, if any.
    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, Error> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The one integer a query such as `SELECT COUNT(*)` returns.
    fn query_int(&mut self, sql: &str, params: &[Value]) -> Result<i64, Error> {
        self.query_opt(sql, params)?
            .ok_or(UnexpectedValue::NoRow)?
            .int(0)
    }
}

/// Rewrites SQLite placeholders for PostgreSQL: `?N` becomes `$N`, and each
/// bare `?` the next number. Quoted strings are copied untouched.
pub(crate) fn pg_placeholders(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1usize;
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
            out.push(c);
        } else if c == '?' && !quoted {
            out.push('$');
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            if digits.is_empty() {
                out.push_str(&next.to_string());
                next += 1;
            } else {
                out.push_str(&digits);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]
mod tests {
    use super::*;
    use crate::error::StorageError;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            pg_placeholders("SELECT a FROM t WHERE b = ?1 AND c = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = $12"
        );
        assert_eq!(
            pg_placeholders("WHERE a = ? AND b IN (?, ?) LIMIT ? OFFSET ?"),
            "WHERE a = $1 AND b IN ($2, $3) LIMIT $4 OFFSET $5"
        );
        assert_eq!(
            pg_placeholders("SELECT '?1' FROM t WHERE a = ?1"),
            "SELECT '?1' FROM t WHERE a = $1"
        );
        assert!(matches!(pg_placeholders("SELECT 1"), Cow::Borrowed(_)));
    }

    #[test]
    fn rows_refuse_the_wrong_kind_naming_the_column() {
        let names: Columns = ["id", "note", "title"].map(Box::from).into();
        let mut row = Row(
            vec![Value::Int(1), Value::Null, Value::Text("x".into())],
            names,
        );
        let Err(Error::Storage(StorageError::Unexpected(UnexpectedValue::ColumnType {
            column,
            expected,
            found,
        }))) = row.text(0)
        else {
            panic!("not a typed column mismatch");
        };
        assert_eq!(
            (column.as_str(), expected, found),
            ("id", "text", "an integer")
        );
        assert!(matches!(row.opt_text(1), Ok(None)));
        let e = row.int(2).unwrap_err();
        assert_eq!(
            e.report().to_string(),
            "storage: the database holds an unexpected value: \
             column `title` holds text, expected integer"
        );
        assert!(matches!(
            row.int(9),
            Err(Error::Storage(StorageError::Unexpected(
                UnexpectedValue::MissingColumn { index: 9 }
            )))
        ));
    }

    #[test]
    fn a_null_in_a_required_column_is_named() {
        let mut row = Row(vec![Value::Null], ["secret_sealed"].map(Box::from).into());
        let e = row.blob(0).unwrap_err();
        assert!(
            e.report()
                .to_string()
                .ends_with("column `secret_sealed` holds NULL, expected bytes"),
            "{}",
            e.report()
        );
    }
}
