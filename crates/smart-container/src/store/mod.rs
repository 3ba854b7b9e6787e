//! The storage layer: one store interface over two backends, SQLite in the
//! data directory (the embedded default) or a shared PostgreSQL database
//! (several replicas, `--database postgres://...`).
//!
//! Every operation's SQL is written once, against [`sql::Sql`]: SQLite's
//! `?N` placeholders (translated for PostgreSQL in one place), no
//! backend-specific syntax, unique keys for atomicity (`ON CONFLICT DO
//! NOTHING` and `DO UPDATE`, understood by both), and state changes as one
//! conditional `UPDATE` or `DELETE` whose row count says who won. Only the migrations'
//! DDL differs (`BLOB`/`BYTEA`, `INTEGER`/`BIGINT`), in the two lists below.
//! Every secret column holds a digest or a sealed value.

mod apps;
mod nonces;
mod postgres;
mod preferences;
mod records;
pub(crate) mod sql;
mod sqlite;
mod tokens;
mod users;

use std::path::Path;
use std::sync::atomic::AtomicU64;

pub(crate) use apps::StoredApp;
pub(crate) use nonces::{NonceAnswer, NonceRow};
pub(crate) use records::{DateBound, ItemRow, ListQuery, RecordRow};
pub(crate) use tokens::{AccessTokenRow, RequestTokenRow};
pub(crate) use users::{Session, User};

use crate::Error;
use sql::{Sql, Value};

/// The database file inside the data directory.
pub const DB_FILE: &str = "container.db";

/// The store: either backend, and a count of the statements run (each one
/// a round trip to PostgreSQL), for the performance notes.
#[derive(Debug)]
pub(crate) struct Store {
    backend: Backend,
    statements: AtomicU64,
    /// The nonces waiting to be written together.
    nonces: nonces::GroupCommit,
}

#[derive(Debug)]
enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// The SQLite migrations, in order; `schema_version` counts those applied.
/// Every migration exists for both backends, with the same tables and
/// columns: the DDL is the only SQL written twice.
const SQLITE_MIGRATIONS: &[&str] = &[
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
    // Each record's version, bumped with every write of its items in the
    // same transaction: the rendered documents cached in each replica are
    // served only while it is unchanged (`web/cache.rs`).
    r"
ALTER TABLE records ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
",
    // The credentials generation: bumped in the same transaction as every
    // change of an app or a revocation of its access tokens, and read at
    // the start of every signed call, so that the consumer and access-token
    // records each replica keeps in memory are dropped on the next request
    // after a change anywhere (`crate::oauth_store`).
    r"
CREATE TABLE generations (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO generations (name, value) VALUES ('credentials', 0);
",
];

/// The same migrations for PostgreSQL: `BYTEA` for `BLOB`, `BIGINT` for
/// every integer.
const PG_MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    manifest TEXT NOT NULL,
    secret_sealed BYTEA NOT NULL,
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
    secret_sealed BYTEA NOT NULL,
    callback TEXT NOT NULL,
    attributes TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    user_id TEXT,
    verifier_hash TEXT,
    auth_attributes TEXT,
    failed_attempts BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    consumer_key TEXT NOT NULL,
    secret_sealed BYTEA NOT NULL,
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
    body BYTEA NOT NULL,
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
    body BYTEA NOT NULL,
    PRIMARY KEY (user_id, app_id)
);
",
    // Each record's version, bumped with every write of its items in the
    // same transaction: the rendered documents cached in each replica are
    // served only while it is unchanged (`web/cache.rs`).
    r"
ALTER TABLE records ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
",
    // The credentials generation: bumped in the same transaction as every
    // change of an app or a revocation of its access tokens, and read at
    // the start of every signed call, so that the consumer and access-token
    // records each replica keeps in memory are dropped on the next request
    // after a change anywhere (`crate::oauth_store`).
    r"
CREATE TABLE generations (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO generations (name, value) VALUES ('credentials', 0);
",
];

/// The key of the advisory lock that serialises migrations between
/// replicas starting together.
const MIGRATION_LOCK: i64 = 0x5345_4d41_5254;

impl Store {
    /// Opens (creating) the SQLite database file and runs the pending
    /// migrations.
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        let store = Self {
            backend: Backend::Sqlite(sqlite::Sqlite::open(path)?),
            statements: AtomicU64::new(0),
            nonces: nonces::GroupCommit::default(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Connects to a PostgreSQL database and runs the pending migrations;
    /// also returns whether the schema was created now (a fresh database).
    /// With `schema`, the store lives in that schema (tests).
    pub(crate) fn open_postgres(url: &str, schema: Option<&str>) -> Result<(Self, bool), Error> {
        let store = Self {
            backend: Backend::Postgres(postgres::Postgres::connect(url, schema)?),
            statements: AtomicU64::new(0),
            nonces: nonces::GroupCommit::default(),
        };
        let fresh = store.migrate()?;
        Ok((store, fresh))
    }

    /// Applies the migrations not applied yet, in one transaction (on
    /// PostgreSQL under an advisory lock, so that replicas starting together
    /// migrate once); `true` when the database was empty.
    fn migrate(&self) -> Result<bool, Error> {
        let (list, pg) = match self.backend {
            Backend::Sqlite(_) => (SQLITE_MIGRATIONS, false),
            Backend::Postgres(_) => (PG_MIGRATIONS, true),
        };
        self.transaction(|c| {
            if pg {
                c.batch(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))?;
            }
            c.batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
            let applied = c.query_int("SELECT COUNT(*) FROM schema_version", &[])?;
            let applied = usize::try_from(applied).unwrap_or(0);
            for (i, ddl) in list.iter().enumerate().skip(applied) {
                c.batch(ddl)?;
                c.execute(
                    "INSERT INTO schema_version (version) VALUES (?1)",
                    sql::args![i64::try_from(i + 1).unwrap_or(i64::MAX)],
                )?;
            }
            Ok(applied == 0)
        })
    }

    /// Runs `f` on a connection, each statement committed on its own.
    pub(crate) fn run<T>(
        &self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match &self.backend {
            Backend::Sqlite(db) => db.run(&self.statements, f),
            Backend::Postgres(db) => db.run(&self.statements, f),
        }
    }

    /// Runs `f`, which only reads: on SQLite on a reader connection beside
    /// the writer (a statement that writes fails there); on PostgreSQL as
    /// [`Store::run`].
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match &self.backend {
            Backend::Sqlite(db) => db.read(&self.statements, f),
            Backend::Postgres(db) => db.run(&self.statements, f),
        }
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled
    /// back when it returns an error.
    pub(crate) fn transaction<T>(
        &self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match &self.backend {
            Backend::Sqlite(db) => db.transaction(&self.statements, f),
            Backend::Postgres(db) => db.transaction(&self.statements, f),
        }
    }

    /// Runs one statement on its own; returns the rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, Error> {
        self.run(|c| c.execute(sql, params))
    }

    /// How many statements this store has run (on PostgreSQL each is one
    /// round trip, `BEGIN` and `COMMIT` included).
    #[cfg(test)]
    pub(crate) fn statements(&self) -> u64 {
        self.statements.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Every value of every table as text (bytes decoded lossily): what a
    /// dump of the database would show.
    #[cfg(test)]
    pub(crate) fn dump(&self) -> Result<String, Error> {
        const TABLES: &[&str] = &[
            "apps",
            "users",
            "sessions",
            "request_tokens",
            "access_tokens",
            "nonces",
            "records",
            "record_items",
            "scratchpads",
            "meta",
            "preferences",
            "generations",
        ];
        self.run(|c| {
            let mut out = String::new();
            for t in TABLES {
                for row in c.query(&format!("SELECT * FROM {t}"), &[])? {
                    for v in row.0 {
                        match v {
                            Value::Null => {}
                            Value::Int(n) => out.push_str(&n.to_string()),
                            Value::Text(s) => out.push_str(&s),
                            Value::Blob(b) => out.push_str(&String::from_utf8_lossy(&b)),
                        }
                        out.push('\n');
                    }
                }
            }
            Ok(out)
        })
    }

    /// How many store sections are worth running at once: on SQLite eight
    /// per core, since a section spends most of its time waiting for its
    /// nonce's batch (the more sections wait, the larger the batches) and
    /// its reads run beside the writer (measured when the signed calls still
    /// ran in sections: 4 sections served about 10,000 calls/s, 16 to 32
    /// about 12,000 to 12,700, docs/performance.md; the signed calls now run
    /// on the async workers and take none); on PostgreSQL the pool's size.
    pub(crate) fn useful_concurrency(&self) -> usize {
        match self.backend {
            Backend::Sqlite(_) => {
                8 * std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
            }
            Backend::Postgres(_) => postgres::POOL_SIZE,
        }
    }

    /// Whether the store is the embedded SQLite database: its statements
    /// are local and short (microseconds on a warm page cache), so a call
    /// may run them on the async worker that serves it; PostgreSQL's are
    /// round trips, run in a blocking section.
    pub(crate) fn is_embedded(&self) -> bool {
        matches!(self.backend, Backend::Sqlite(_))
    }

    /// Whether the store is on PostgreSQL.
    #[cfg(test)]
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }
}

/// Seconds since the epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
