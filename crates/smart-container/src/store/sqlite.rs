//! The embedded backend: one SQLite connection that writes (WAL, prepared
//! statements cached) behind a mutex, query-only reader connections beside
//! it, and a thread that checkpoints the WAL.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::Duration;

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
    conn: Arc<Mutex<Connection>>,
    /// The column names of each query's result, by statement text, so that
    /// rows can name a column holding an unexpected value without copying
    /// the names on every query.
    names: Mutex<HashMap<Box<str>, Columns>>,
    /// Connections that only read (`query_only`), beside the one above that
    /// writes: the reads of a signed call do not queue behind the nonce
    /// batches.
    readers: Vec<Mutex<Connection>>,
    /// The reader to wait for when none is free.
    next_reader: AtomicUsize,
    /// Stops the checkpoint thread when the database is dropped.
    _checkpointer: Checkpointer,
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// How many reader connections: one per core is as many reads as can run.
const READERS: usize = 2;

/// A connection that only reads (`query_only`), its statements cached.
fn open_reader(path: &Path) -> Result<Connection, Error> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "query_only", true)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// The WAL length, in frames (pages), past which the checkpoint thread
/// makes the WAL start over: 16,384 frames of 4 KiB, 64 MiB.
const RESTART_FRAMES: i64 = 16_384;

/// A `PASSIVE` checkpoint; returns the WAL's length in frames.
fn checkpoint(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
}

/// A thread that checkpoints the WAL, so that no request's commit pays for
/// the copy (with SQLite's automatic checkpoint, the commit that passes
/// 1,000 pages copies them and syncs the file). Each period it copies what
/// the WAL holds on a connection of its own (`PASSIVE`: it neither waits for
/// nor blocks the connection that serves requests). Under steady writes
/// that never copies the frames written during the copy, and the WAL only
/// starts over once every frame is copied, so when the WAL has grown past
/// [`RESTART_FRAMES`] it also copies the rest while holding the serving
/// connection for a moment; the next commit then starts the WAL over.
/// Dropping it stops the thread within one period.
#[derive(Debug)]
struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    fn start(path: &Path, serving: Arc<Mutex<Connection>>) -> Result<Self, Error> {
        let own = Connection::open(path)?;
        own.busy_timeout(Duration::from_millis(100))?;
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    let copied = checkpoint(&own).and_then(|frames| {
                        if frames < RESTART_FRAMES {
                            return Ok(frames);
                        }
                        let serving = serving.lock().unwrap_or_else(PoisonError::into_inner);
                        checkpoint(&serving)
                    });
                    if let Err(e) = copied {
                        tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
                    }
                }
            })
            .map_err(Error::io("start the checkpoint thread"))?;
        Ok(Self { _stop: stop })
    }
}

impl Sqlite {
    /// Opens (creating) the database file with WAL and a statement cache.
    pub(super) fn open(path: &Path) -> Result<Self, Error> {
        let conn = Connection::open(path)?;
        restrict_permissions(path);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // The hot statements (token, app and record lookups, the nonce
        // inserts of each batch size, one page query per combination of
        // filters) are prepared once.
        conn.set_prepared_statement_cache_capacity(128);
        // Checkpoints run on a thread of their own (below), not inside the
        // commit of whichever call passed the WAL's threshold.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let conn = Arc::new(Mutex::new(conn));
        let checkpointer = Checkpointer::start(path, Arc::clone(&conn))?;
        let readers = (0..READERS)
            .map(|_| open_reader(path).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            conn,
            readers,
            next_reader: AtomicUsize::new(0),
            names: Mutex::default(),
            _checkpointer: checkpointer,
        })
    }

    /// The connection; a poisoned mutex is recovered (SQLite keeps its own
    /// consistency through transactions).
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the connection, each statement committed on its own.
    pub(super) fn run<T>(
        &self,
        counter: &AtomicU64,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let conn = self.lock();
        f(&mut self.on(&conn, counter))
    }

    /// Runs `f`, which only reads, on a reader connection: WAL lets it
    /// run beside the writer, and each statement sees every commit that
    /// finished before it started. A free reader is taken if there is one.
    pub(super) fn read<T>(
        &self,
        counter: &AtomicU64,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let free = self.readers.iter().find_map(|r| r.try_lock().ok());
        let conn = match free {
            Some(conn) => conn,
            None => {
                let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
                self.readers[i]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
            }
        };
        f(&mut self.on(&conn, counter))
    }

    /// A statement runner over `conn` that counts into `counter`.
    fn on<'a>(&'a self, conn: &'a Connection, counter: &'a AtomicU64) -> SqliteConn<'a> {
        SqliteConn {
            conn,
            names: &self.names,
            counter,
        }
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`.
    pub(super) fn transaction<T>(
        &self,
        counter: &AtomicU64,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let out = f(&mut self.on(&tx, counter))?;
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
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
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
            .unwrap_or_else(PoisonError::into_inner)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::super::Store;
    use super::super::sql::args;
    use super::*;

    #[test]
    fn a_read_sees_every_commit_before_it_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        for i in 0..20 {
            store
                .execute(
                    "INSERT INTO meta (name, value) VALUES (?1, 'v')",
                    args![format!("k{i}")],
                )
                .unwrap();
            let n = store
                .read(|c| c.query_int("SELECT COUNT(*) FROM meta WHERE name LIKE 'k%'", &[]))
                .unwrap();
            assert_eq!(n, i + 1);
        }
        let refused = store.read(|c| c.execute("DELETE FROM meta", &[]));
        assert!(refused.is_err(), "a reader connection wrote");
    }

    #[test]
    fn the_checkpoint_thread_keeps_the_wal_from_growing_without_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&path).unwrap();
        let wal = dir.path().join("t.db-wal");
        // Rewrite the same 50 rows of 3 KB (about 40 pages a commit) until
        // the WAL has received 2.5 times its restart length; without a
        // restart the file would be at least that long.
        let restart_bytes = u64::try_from(RESTART_FRAMES).unwrap() * 4096;
        let page = "x".repeat(3000);
        let mut written = 0u64;
        let mut round = 0u64;
        while written < restart_bytes * 5 / 2 {
            store
                .transaction(|c| {
                    for k in 0..50 {
                        c.execute(
                            "INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                            args![format!("k{k}"), format!("{round}{page}")],
                        )?;
                    }
                    Ok(())
                })
                .unwrap();
            written += 50 * 3000;
            round += 1;
            // About 30 MB/s, so that the run spans many periods.
            std::thread::sleep(Duration::from_millis(5));
        }
        let len = std::fs::metadata(&wal).unwrap().len();
        assert!(
            len < restart_bytes * 2,
            "the WAL is {len} bytes after {written} bytes of commits"
        );
    }
}
