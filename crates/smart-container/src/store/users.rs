//! Users and their browser sessions.

use rusqlite::OptionalExtension as _;

use super::{Store, now};
use crate::Error;

/// A container user.
#[derive(Debug, Clone)]
pub(crate) struct User {
    /// The user id (the login name).
    pub(crate) id: String,
    /// The argon2 PHC string.
    pub(crate) password_hash: String,
    /// Given name shown on pages and served by `/users/{id}`.
    pub(crate) given_name: String,
    /// Family name.
    pub(crate) family_name: String,
}

/// A browser session, found by the digest of its cookie value.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The logged-in user.
    pub(crate) user_id: String,
    /// The per-session key that CSRF tokens are derived from.
    pub(crate) csrf_key: String,
}

impl Store {
    /// Adds a user or replaces its password; `true` when it was new.
    pub(crate) fn put_user(&self, user: &User) -> Result<bool, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            [&user.id, &user.password_hash],
        )?;
        if n == 0 {
            tx.execute(
                "INSERT INTO users (id, password_hash, given_name, family_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![user.id, user.password_hash, user.given_name, user.family_name, now()],
            )?;
        } else {
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [&user.id])?;
        }
        tx.commit()?;
        Ok(n == 0)
    }

    /// One user by id.
    pub(crate) fn user(&self, id: &str) -> Result<Option<User>, Error> {
        Ok(self
            .lock()
            .query_row(
                "SELECT id, password_hash, given_name, family_name FROM users WHERE id = ?1",
                [id],
                |r| {
                    Ok(User {
                        id: r.get(0)?,
                        password_hash: r.get(1)?,
                        given_name: r.get(2)?,
                        family_name: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Every user, by family then given name then id (without their
    /// password hashes).
    pub(crate) fn users(&self) -> Result<Vec<User>, Error> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, given_name, family_name FROM users ORDER BY family_name, given_name, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(User {
                id: r.get(0)?,
                password_hash: String::new(),
                given_name: r.get(1)?,
                family_name: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many users exist.
    pub(crate) fn user_count(&self) -> Result<i64, Error> {
        Ok(self
            .lock()
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
    }

    /// Stores a new session.
    pub(crate) fn create_session(
        &self,
        id_hash: &str,
        session: &Session,
        expires_at: i64,
    ) -> Result<(), Error> {
        let conn = self.lock();
        conn.execute("DELETE FROM sessions WHERE expires_at < ?1", [now()])?;
        conn.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf_key, expires_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id_hash, session.user_id, session.csrf_key, expires_at],
        )?;
        Ok(())
    }

    /// A live session by the digest of its id.
    pub(crate) fn session(&self, id_hash: &str) -> Result<Option<Session>, Error> {
        Ok(self
            .lock()
            .query_row(
                "SELECT user_id, csrf_key FROM sessions WHERE id_hash = ?1 AND expires_at >= ?2",
                rusqlite::params![id_hash, now()],
                |r| {
                    Ok(Session {
                        user_id: r.get(0)?,
                        csrf_key: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Drops sessions expired before `now`.
    pub(crate) fn purge_sessions(&self, now: i64) -> Result<(), Error> {
        self.lock()
            .execute("DELETE FROM sessions WHERE expires_at < ?1", [now])?;
        Ok(())
    }

    /// Ends a session.
    pub(crate) fn delete_session(&self, id_hash: &str) -> Result<(), Error> {
        self.lock()
            .execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
        Ok(())
    }
}
