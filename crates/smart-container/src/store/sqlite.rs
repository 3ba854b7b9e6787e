//! The embedded backend: one SQLite connection (WAL, prepared statements
//! cached) behind a mutex.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};

use super::sql::{Columns, Row, Sql, Value, column_name};
use crate::Error;
use crate::error::UnexpectedValue;

/// Statements whose column names are remembered; past this the memory is
/// emptied (the container's statements are far fewer).
const NAMES_CAPACITY: usize = 256;

/// The SQLite database of a data directory.
#[derive(Debug)]
pub(super) struct Sqlite {
    conn: Mutex<Connection>,
    /// The column names of each query's result, by statement text, so that
    /// rows can name a column holding an unexpected value without copying
    /// the names on every query.
    names: Mutex<HashMap<Box<str>, Columns>>,
}

impl Sqlite {
    /// Opens (creating) the database file with WAL and a statement cache.
    pub(super) fn open(path: &Path) -> Result<Self, Error> {
        let conn = Connection::open(path)?;
        restrict_permissions(path);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // The hot statements (token, app and record lookups, the nonce
        // inserts of each batch size, one page query per combination of
        // filters) are prepared once.
        conn.set_prepared_statement_cache_capacity(128);
        Ok(Self {
            conn: Mutex::new(conn),
            names: Mutex::default(),
        })
    }

    /// The connection; a poisoned mutex is recovered (SQLite keeps its own
    /// consistency through transactions).
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` on the connection, each statement committed on its own.
    pub(super) fn run<T>(
        &self,
        counter: &AtomicU64,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let conn = self.lock();
        f(&mut SqliteConn {
            conn: &conn,
            names: &self.names,
            counter,
        })
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`.
    pub(super) fn transaction<T>(
        &self,
        counter: &AtomicU64,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let out = f(&mut SqliteConn {
            conn: &tx,
            names: &self.names,
            counter,
        })?;
        tx.commit()?;
        Ok(out)
    }
}

struct SqliteConn<'a> {
    conn: &'a Connection,
    names: &'a Mutex<HashMap<Box<str>, Columns>>,
    counter: &'a AtomicU64,
}

impl SqliteConn<'_> {
    /// The column names of `stmt`, whose text is `sql`.
    fn names(&self, sql: &str, stmt: &rusqlite::Statement<'_>) -> Columns {
        let mut names = self
            .names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = names.get(sql) {
            return known.clone();
        }
        if names.len() >= NAMES_CAPACITY {
            names.clear();
        }
        let columns: Columns = stmt.column_names().map(Box::from).collect();
        names.insert(sql.into(), columns.clone());
        columns
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Null => ValueRef::Null,
            Self::Int(n) => ValueRef::Integer(*n),
            Self::Text(s) => ValueRef::Text(s.as_bytes()),
            Self::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl Sql for SqliteConn<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, Error> {
        self.counter.fetch_add(1, Ordering::Relaxed);
        let n = self
            .conn
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, Error> {
        self.counter.fetch_add(1, Ordering::Relaxed);
        let mut stmt = self.conn.prepare_cached(sql)?;
        let width = stmt.column_count();
        let names = self.names(sql, &stmt);
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(match r.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::Int(n),
                    ValueRef::Real(_) => {
                        return Err(UnexpectedValue::ColumnType {
                            column: column_name(&names, i),
                            expected: "an integer, text or bytes",
                            found: "a real number",
                        }
                        .into());
                    }
                    ValueRef::Text(t) => Value::Text(
                        std::str::from_utf8(t)
                            .map_err(|source| UnexpectedValue::NotUtf8 {
                                column: column_name(&names, i),
                                source,
                            })?
                            .to_owned(),
                    ),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                });
            }
            out.push(Row(values, names.clone()));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), Error> {
        self.counter.fetch_add(1, Ordering::Relaxed);
        self.conn.execute_batch(sql)?;
        // A migration may change what `SELECT *` returns.
        self.names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        Ok(())
    }
}

/// Makes the database file readable by its owner only (it holds digests and
/// sealed secrets, but nobody else needs to read it).
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    let _ = path;
}
