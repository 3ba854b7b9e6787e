//! The storage layer: one SQLite database in the data directory.
//!
//! The SQL is kept portable (plain `INSERT`, `UPDATE ... WHERE`, unique keys
//! for atomicity, no `INSERT OR REPLACE`, no `RETURNING`) so that a shared
//! PostgreSQL can back several replicas later: the nonce and token paths rely
//! only on primary keys and on the row count of a conditional `UPDATE` or
//! `DELETE`. Every secret column holds a digest or a sealed value.

mod apps;
mod preferences;
mod records;
mod tokens;
mod users;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub(crate) use apps::StoredApp;
pub(crate) use records::{DateBound, ItemRow, ListQuery, RecordRow};
pub(crate) use tokens::{AccessTokenRow, RequestTokenRow};
pub(crate) use users::{Session, User};

use crate::Error;

/// The database file inside the data directory.
pub const DB_FILE: &str = "container.db";

/// A SQLite connection behind a mutex. Callers on the async side run store
/// calls inside `tokio::task::spawn_blocking`.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

/// The migrations, in order; `schema_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    manifest TEXT NOT NULL,
    secret_sealed BLOB NOT NULL,
    installed_at BIGINT NOT NULL
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    csrf_key TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE request_tokens (
    token_hash TEXT PRIMARY KEY,
    consumer_key TEXT NOT NULL,
    secret_sealed BLOB NOT NULL,
    callback TEXT NOT NULL,
    attributes TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    user_id TEXT,
    verifier_hash TEXT,
    auth_attributes TEXT,
    failed_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    consumer_key TEXT NOT NULL,
    secret_sealed BLOB NOT NULL,
    user_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT
);
CREATE INDEX access_tokens_consumer ON access_tokens (consumer_key);
CREATE TABLE nonces (
    consumer_key TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (consumer_key, token_hash, timestamp, nonce)
);
CREATE INDEX nonces_expiry ON nonces (expires_at);
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    birthday TEXT NOT NULL,
    gender TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE record_items (
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    item_date TEXT,
    code TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (record_id, kind, item_id)
);
CREATE INDEX record_items_date ON record_items (record_id, kind, item_date);
CREATE TABLE scratchpads (
    record_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (record_id, app_id)
);
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
",
    r"
CREATE TABLE preferences (
    user_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (user_id, app_id)
);
",
];

impl Store {
    /// Opens (creating) the database file, switches to WAL and runs the
    /// pending migrations.
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        let conn = Connection::open(path)?;
        restrict_permissions(path);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // The hot statements (token, app and record lookups, nonce inserts,
        // one page query per combination of filters) are prepared once.
        conn.set_prepared_statement_cache_capacity(64);
        let store = Self {
            conn: Mutex::new(conn),
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), Error> {
        let mut conn = self.lock();
        conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
        let applied: i64 =
            conn.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))?;
        let applied = usize::try_from(applied).unwrap_or(0);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [i as i64 + 1],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The connection; a poisoned mutex is recovered (SQLite keeps its own
    /// consistency through transactions).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// Seconds since the epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
