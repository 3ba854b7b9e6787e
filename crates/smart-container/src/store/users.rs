//! Users and their browser sessions.

use super::sql::args;
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
        self.transaction(|c| {
            let n = c.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                args![&user.id, &user.password_hash],
            )?;
            if n == 0 {
                c.execute(
                    "INSERT INTO users (id, password_hash, given_name, family_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    args![&user.id, &user.password_hash, &user.given_name, &user.family_name, now()],
                )?;
            } else {
                c.execute("DELETE FROM sessions WHERE user_id = ?1", args![&user.id])?;
            }
            Ok(n == 0)
        })
    }

    /// One user by id.
    pub(crate) fn user(&self, id: &str) -> Result<Option<User>, Error> {
        self.run(|c| {
            c.query_opt(
                "SELECT id, password_hash, given_name, family_name FROM users WHERE id = ?1",
                args![id],
            )?
            .map(|mut r| {
                Ok(User {
                    id: r.text(0)?,
                    password_hash: r.text(1)?,
                    given_name: r.text(2)?,
                    family_name: r.text(3)?,
                })
            })
            .transpose()
        })
    }

    /// Every user, by family then given name then id (without their
    /// password hashes).
    pub(crate) fn users(&self) -> Result<Vec<User>, Error> {
        self.run(|c| {
            c.query(
                "SELECT id, given_name, family_name FROM users ORDER BY family_name, given_name, id",
                &[],
            )?
            .into_iter()
            .map(|mut r| {
                Ok(User {
                    id: r.text(0)?,
                    password_hash: String::new(),
                    given_name: r.text(1)?,
                    family_name: r.text(2)?,
                })
            })
            .collect()
        })
    }

    /// How many users exist.
    pub(crate) fn user_count(&self) -> Result<i64, Error> {
        self.run(|c| c.query_int("SELECT COUNT(*) FROM users", &[]))
    }

    /// Stores a new session.
    pub(crate) fn create_session(
        &self,
        id_hash: &str,
        session: &Session,
        expires_at: i64,
    ) -> Result<(), Error> {
        self.run(|c| {
            c.execute("DELETE FROM sessions WHERE expires_at < ?1", args![now()])?;
            c.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf_key, expires_at) VALUES (?1, ?2, ?3, ?4)",
                args![id_hash, &session.user_id, &session.csrf_key, expires_at],
            )?;
            Ok(())
        })
    }

    /// A live session by the digest of its id.
    pub(crate) fn session(&self, id_hash: &str) -> Result<Option<Session>, Error> {
        self.run(|c| {
            c.query_opt(
                "SELECT user_id, csrf_key FROM sessions WHERE id_hash = ?1 AND expires_at >= ?2",
                args![id_hash, now()],
            )?
            .map(|mut r| {
                Ok(Session {
                    user_id: r.text(0)?,
                    csrf_key: r.text(1)?,
                })
            })
            .transpose()
        })
    }

    /// Drops sessions expired before `now`.
    pub(crate) fn purge_sessions(&self, now: i64) -> Result<(), Error> {
        self.execute("DELETE FROM sessions WHERE expires_at < ?1", args![now])?;
        Ok(())
    }

    /// Ends a session.
    pub(crate) fn delete_session(&self, id_hash: &str) -> Result<(), Error> {
        self.execute("DELETE FROM sessions WHERE id_hash = ?1", args![id_hash])?;
        Ok(())
    }
}
