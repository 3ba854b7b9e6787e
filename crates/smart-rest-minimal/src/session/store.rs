//! The session store: one SQLite table, a file beside the app's data
//! (`<data_dir>/sessions.sqlite3`), so that a restart of the app signs
//! nobody out. The database holds the SHA-256 digest of each session id,
//! never the id; each session's pending authorisations and access tokens
//! are sealed with a key kept outside the database ([`SealKey`]), bound to
//! their row. Sessions expire [`SESSION_TTL`] after their last use; expired
//! rows are purged at open and every [`PURGE_EVERY`] writes, and at most
//! [`MAX_SESSIONS`] are kept (the least recently used goes first).
//!
//! Calls are short and run under one mutex on the calling thread: a single
//! indexed row read or written per request.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension as _, params};
use serde::{Deserialize, Serialize};
use smart_client::{Registry, SavedPending, SavedToken};

use super::{MAX_SESSIONS, SESSION_TTL, SessionData, SessionId};
use crate::error::AppError;
use crate::seal::{SealKey, digest};

/// The database file inside the data directory.
pub const DB_FILE: &str = "sessions.sqlite3";

/// Expired sessions are purged every this many writes.
pub const PURGE_EVERY: u64 = 256;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS sessions (
    id_digest TEXT PRIMARY KEY,
    seen INTEGER NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_seen ON sessions (seen);";

/// The sessions of every browser, shared by all requests.
#[derive(Clone)]
pub struct SessionStore {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Connection>,
    key: SealKey,
    ttl: Duration,
    writes: AtomicU64,
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionStore")
            .field("ttl", &self.inner.ttl)
            .finish_non_exhaustive()
    }
}

/// What a session row holds once opened: the dance states in their saved
/// form (each with its token secret, hence sealed).
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Stored {
    pending: Vec<SavedPending>,
    tokens: Vec<SavedToken>,
}

impl SessionStore {
    /// Opens (or creates) the store in `dir`: `sessions.sqlite3` and its key
    /// `session.key` (or the key in `SMART_REST_SESSION_KEY`).
    pub fn open(dir: &Path) -> Result<Self, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            AppError::Config(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        let key = SealKey::load_or_create(dir)?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path)
            .map_err(|e| AppError::Config(format!("cannot open {}: {e}", path.display())))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db_error)?;
        Self::with_connection(conn, key)
    }

    /// A store in memory, with a key that dies with the process (tests, and
    /// apps that choose to sign everyone out on restart).
    pub fn in_memory() -> Result<Self, AppError> {
        let conn = Connection::open_in_memory().map_err(db_error)?;
        Self::with_connection(conn, SealKey::ephemeral()?)
    }

    fn with_connection(conn: Connection, key: SealKey) -> Result<Self, AppError> {
        conn.execute_batch(SCHEMA).map_err(db_error)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(db_error)?;
        let store = SessionStore {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                key,
                ttl: SESSION_TTL,
                writes: AtomicU64::new(0),
            }),
        };
        store.purge()?;
        Ok(store)
    }

    /// The data of a live session, its tokens resumed with the clients of
    /// `registry` (those of a container no longer configured are dropped);
    /// `None` when there is no such session, it expired, or it does not open
    /// with this key. Reading a session counts as using it.
    pub fn get(
        &self,
        id: &SessionId,
        registry: &Registry,
    ) -> Result<Option<SessionData>, AppError> {
        let id_digest = digest(id.as_str());
        let now = now_secs();
        let conn = self.lock();
        let row: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT seen, sealed FROM sessions WHERE id_digest = ?1",
                params![id_digest],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_error)?;
        let Some((seen, sealed)) = row else {
            return Ok(None);
        };
        if now.saturating_sub(seen) > ttl_secs(self.inner.ttl) {
            conn.execute(
                "DELETE FROM sessions WHERE id_digest = ?1",
                params![id_digest],
            )
            .map_err(db_error)?;
            return Ok(None);
        }
        conn.execute(
            "UPDATE sessions SET seen = ?2 WHERE id_digest = ?1",
            params![id_digest, now],
        )
        .map_err(db_error)?;
        drop(conn);
        let stored: Stored = match self.inner.key.open(&id_digest, &sealed).and_then(|plain| {
            serde_json::from_slice(&plain)
                .map_err(|e| AppError::Internal(format!("unreadable session: {e}")))
        }) {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(error = %e, "a stored session does not open; starting afresh");
                return Ok(None);
            }
        };
        let mut data = SessionData::default();
        for saved in stored.pending {
            if let Ok(client) = registry.get(saved.api_base())
                && let Ok(pending) = client.resume_pending(saved)
            {
                data.pending.push(pending);
            }
        }
        for saved in stored.tokens {
            if let Ok(client) = registry.get(saved.api_base())
                && let Ok(token) = client.resume_token(saved)
            {
                data.tokens
                    .insert((token.api_base.clone(), token.record_id.clone()), token);
            }
        }
        Ok(Some(data))
    }

    /// Stores a session's data under its id.
    pub fn put(&self, id: &SessionId, data: &SessionData) -> Result<(), AppError> {
        let id_digest = digest(id.as_str());
        let sealed = self.seal(&id_digest, data)?;
        let conn = self.lock();
        let exists: bool = conn
            .query_row(
                "SELECT 1 FROM sessions WHERE id_digest = ?1",
                params![id_digest],
                |_| Ok(()),
            )
            .optional()
            .map_err(db_error)?
            .is_some();
        if !exists {
            make_room(&conn, self.inner.ttl)?;
        }
        conn.execute(
            "INSERT INTO sessions (id_digest, seen, sealed) VALUES (?1, ?2, ?3)
             ON CONFLICT (id_digest) DO UPDATE SET seen = ?2, sealed = ?3",
            params![id_digest, now_secs(), sealed],
        )
        .map_err(db_error)?;
        drop(conn);
        if self.inner.writes.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY == PURGE_EVERY - 1 {
            self.purge()?;
        }
        Ok(())
    }

    /// Moves a session's data to a fresh id (after the token exchange, so
    /// that an id known before the login is worth nothing after it).
    pub fn renew(&self, old: &SessionId, data: &SessionData) -> Result<SessionId, AppError> {
        let new = SessionId::generate()?;
        self.remove(old)?;
        self.put(&new, data)?;
        Ok(new)
    }

    /// Ends a session (sign-out): its id opens nothing from now on.
    pub fn remove(&self, id: &SessionId) -> Result<(), AppError> {
        self.lock()
            .execute(
                "DELETE FROM sessions WHERE id_digest = ?1",
                params![digest(id.as_str())],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// Deletes every expired session; returns how many went.
    pub fn purge(&self) -> Result<usize, AppError> {
        let cutoff = now_secs().saturating_sub(ttl_secs(self.inner.ttl));
        self.lock()
            .execute("DELETE FROM sessions WHERE seen < ?1", params![cutoff])
            .map_err(db_error)
    }

    /// The number of sessions stored (live or not yet purged).
    pub fn len(&self) -> usize {
        self.lock()
            .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get::<_, i64>(0))
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }

    /// Whether no session is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Marks every session as last used `by` earlier (tests of expiry).
    #[cfg(test)]
    pub(crate) fn age_all(&self, by: Duration) {
        let by = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        let _ = self
            .lock()
            .execute("UPDATE sessions SET seen = seen - ?1", params![by]);
    }

    fn seal(&self, id_digest: &str, data: &SessionData) -> Result<Vec<u8>, AppError> {
        let stored = Stored {
            pending: data.pending.iter().map(|p| p.save()).collect(),
            tokens: data.tokens.values().map(|t| t.save()).collect(),
        };
        let plain = serde_json::to_vec(&stored)
            .map_err(|e| AppError::Internal(format!("cannot write a session: {e}")))?;
        self.inner.key.seal(id_digest, &plain)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A poisoned lock only means another request panicked while holding
        // it; every change is one statement, so the database is consistent.
        self.inner.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Before a new session goes in: purge the expired, then drop the least
/// recently used while the store is full.
fn make_room(conn: &Connection, ttl: Duration) -> Result<(), AppError> {
    let count: i64 = conn
        .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
        .map_err(db_error)?;
    let max = i64::try_from(MAX_SESSIONS).unwrap_or(i64::MAX);
    if count < max {
        return Ok(());
    }
    let cutoff = now_secs().saturating_sub(ttl_secs(ttl));
    conn.execute("DELETE FROM sessions WHERE seen < ?1", params![cutoff])
        .map_err(db_error)?;
    conn.execute(
        "DELETE FROM sessions WHERE id_digest IN
         (SELECT id_digest FROM sessions ORDER BY seen ASC
          LIMIT max(0, (SELECT COUNT(*) FROM sessions) - ?1 + 1))",
        params![max],
    )
    .map_err(db_error)?;
    Ok(())
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn ttl_secs(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)
}

fn db_error(e: rusqlite::Error) -> AppError {
    AppError::Internal(format!("session store: {e}"))
}
