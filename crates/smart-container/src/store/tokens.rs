//! Request tokens, access tokens and nonces. Ids and verifiers are stored as
//! SHA-256 digests (hex), secrets sealed with the data key (SECURITY.md item
//! 20). Every state change is one conditional statement whose row count says
//! who won, so that two parallel requests never both succeed, on SQLite as on
//! any SQL database.

use super::Store;
use super::sql::{Row, args};
use crate::{Error, UnexpectedValue};

/// Bumps the credentials generation: run in the transaction of every
/// change to an app or revocation of access tokens, so that each replica
/// drops the records it keeps in memory on its next signed call.
pub(super) const BUMP_CREDENTIALS: &str =
    "UPDATE generations SET value = value + 1 WHERE name = 'credentials'";

/// A request token row (the id itself is only known by its digest).
#[derive(Debug, Clone)]
pub(crate) struct RequestTokenRow {
    /// The consumer it was issued to.
    pub(crate) consumer_key: String,
    /// The token secret, sealed.
    pub(crate) secret_sealed: Vec<u8>,
    /// The `oauth_callback` of the request.
    pub(crate) callback: String,
    /// Bound attributes, JSON object (`smart_record_id`).
    pub(crate) attributes: String,
    /// Expiry, seconds since the epoch.
    pub(crate) expires_at: i64,
    /// The approval: user, verifier digest, attributes JSON.
    pub(crate) authorization: Option<(String, String, String)>,
    /// Wrong verifiers presented so far.
    pub(crate) failed_attempts: i64,
}

/// An access token row.
#[derive(Debug, Clone)]
pub(crate) struct AccessTokenRow {
    /// The consumer it was issued to.
    pub(crate) consumer_key: String,
    /// The token secret, sealed.
    pub(crate) secret_sealed: Vec<u8>,
    /// The user who approved it.
    pub(crate) user_id: String,
    /// Bound attributes, JSON object (`record_id`).
    pub(crate) attributes: String,
    /// Issue time.
    pub(crate) issued_at: i64,
    /// Expiry, if any.
    pub(crate) expires_at: Option<i64>,
}

const RT_COLUMNS: &str = "consumer_key, secret_sealed, callback, attributes, expires_at, user_id, verifier_hash, auth_attributes, failed_attempts";

impl Store {
    /// Stores a fresh request token.
    pub(crate) fn insert_request_token(
        &self,
        hash: &str,
        t: &RequestTokenRow,
    ) -> Result<(), Error> {
        self.execute(
            "INSERT INTO request_tokens (token_hash, consumer_key, secret_sealed, callback, attributes, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![hash, &t.consumer_key, &t.secret_sealed, &t.callback, &t.attributes, t.expires_at],
        )?;
        Ok(())
    }

    /// A request token by digest (expired ones included).
    pub(crate) fn request_token(&self, hash: &str) -> Result<Option<RequestTokenRow>, Error> {
        self.run(|c| {
            c.query_opt(
                &format!("SELECT {RT_COLUMNS} FROM request_tokens WHERE token_hash = ?1"),
                args![hash],
            )?
            .map(row_to_request_token)
            .transpose()
        })
    }

    /// Records an approval if the token has none yet; `false` otherwise.
    pub(crate) fn authorize_request_token(
        &self,
        hash: &str,
        user_id: &str,
        verifier_hash: &str,
        attributes: &str,
    ) -> Result<bool, Error> {
        let n = self.execute(
            "UPDATE request_tokens SET user_id = ?2, verifier_hash = ?3, auth_attributes = ?4 WHERE token_hash = ?1 AND user_id IS NULL",
            args![hash, user_id, verifier_hash, attributes],
        )?;
        Ok(n == 1)
    }

    /// Removes and returns an approved token whose verifier digest matches;
    /// of concurrent calls at most one gets it (the `DELETE`'s row count
    /// decides, on one process or across replicas).
    pub(crate) fn consume_request_token(
        &self,
        hash: &str,
        verifier_hash: &str,
    ) -> Result<Option<RequestTokenRow>, Error> {
        self.transaction(|c| {
            let Some(row) = c.query_opt(
                &format!("SELECT {RT_COLUMNS} FROM request_tokens WHERE token_hash = ?1 AND verifier_hash = ?2"),
                args![hash, verifier_hash],
            )?
            else {
                return Ok(None);
            };
            let row = row_to_request_token(row)?;
            let n = c.execute(
                "DELETE FROM request_tokens WHERE token_hash = ?1 AND verifier_hash = ?2",
                args![hash, verifier_hash],
            )?;
            Ok((n == 1).then_some(row))
        })
    }

    /// Counts a wrong verifier, deleting the token at `max`; returns the count.
    pub(crate) fn record_verifier_failure(&self, hash: &str, max: i64) -> Result<i64, Error> {
        self.transaction(|c| {
            c.execute(
                "UPDATE request_tokens SET failed_attempts = failed_attempts + 1 WHERE token_hash = ?1",
                args![hash],
            )?;
            let count = c
                .query_opt(
                    "SELECT failed_attempts FROM request_tokens WHERE token_hash = ?1",
                    args![hash],
                )?
                .map(|mut r| r.int(0))
                .transpose()?;
            c.execute(
                "DELETE FROM request_tokens WHERE token_hash = ?1 AND failed_attempts >= ?2",
                args![hash, max],
            )?;
            Ok(count.unwrap_or(0))
        })
    }

    /// Deletes a request token; `true` when it existed.
    pub(crate) fn delete_request_token(&self, hash: &str) -> Result<bool, Error> {
        Ok(self.execute(
            "DELETE FROM request_tokens WHERE token_hash = ?1",
            args![hash],
        )? > 0)
    }

    /// Deletes request tokens expired before `now`.
    pub(crate) fn purge_request_tokens(&self, now: i64) -> Result<(), Error> {
        self.execute(
            "DELETE FROM request_tokens WHERE expires_at < ?1",
            args![now],
        )?;
        Ok(())
    }

    /// Stores an access token.
    pub(crate) fn insert_access_token(&self, hash: &str, t: &AccessTokenRow) -> Result<(), Error> {
        self.run(|c| {
            c.execute(
                "DELETE FROM access_tokens WHERE expires_at IS NOT NULL AND expires_at < ?1",
                args![t.issued_at],
            )?;
            c.execute(
                "INSERT INTO access_tokens (token_hash, consumer_key, secret_sealed, user_id, attributes, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![hash, &t.consumer_key, &t.secret_sealed, &t.user_id, &t.attributes, t.issued_at, &t.expires_at],
            )?;
            Ok(())
        })
    }

    /// An access token by digest.
    pub(crate) fn access_token(&self, hash: &str) -> Result<Option<AccessTokenRow>, Error> {
        self.run(|c| {
            c.query_opt(
                "SELECT consumer_key, secret_sealed, user_id, attributes, issued_at, expires_at FROM access_tokens WHERE token_hash = ?1",
                args![hash],
            )?
            .map(|mut r| {
                Ok(AccessTokenRow {
                    consumer_key: r.text(0)?,
                    secret_sealed: r.blob(1)?,
                    user_id: r.text(2)?,
                    attributes: r.text(3)?,
                    issued_at: r.int(4)?,
                    expires_at: r.opt_int(5)?,
                })
            })
            .transpose()
        })
    }

    /// Revokes one access token; `true` when it existed.
    pub(crate) fn revoke_access_token(&self, hash: &str) -> Result<bool, Error> {
        self.transaction(|c| {
            let n = c.execute(
                "DELETE FROM access_tokens WHERE token_hash = ?1",
                args![hash],
            )?;
            c.execute(BUMP_CREDENTIALS, &[])?;
            Ok(n > 0)
        })
    }

    /// Revokes every token of an app; returns how many access tokens died.
    pub(crate) fn revoke_tokens(&self, consumer_key: &str) -> Result<usize, Error> {
        self.transaction(|c| {
            let n = c.execute(
                "DELETE FROM access_tokens WHERE consumer_key = ?1",
                args![consumer_key],
            )?;
            c.execute(
                "DELETE FROM request_tokens WHERE consumer_key = ?1",
                args![consumer_key],
            )?;
            c.execute(BUMP_CREDENTIALS, &[])?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }

    /// What a signed call reads before anything else, in one statement:
    /// the credentials generation (the in-memory consumer and access-token
    /// records are good only at the generation they were read at) and, for
    /// a call about a record, that record's version (the rendered documents
    /// are good only at it; `None`: no such record, or no record asked).
    pub(crate) fn call_versions(
        &self,
        record_id: Option<&str>,
    ) -> Result<(i64, Option<i64>), Error> {
        self.read(|c| {
            let mut row = c
                .query_opt(
                    "SELECT value, (SELECT version FROM records WHERE id = ?1) FROM generations WHERE name = 'credentials'",
                    args![record_id],
                )?
                .ok_or(UnexpectedValue::NoRow)?;
            Ok((row.int(0)?, row.opt_int(1)?))
        })
    }
}

fn row_to_request_token(mut r: Row) -> Result<RequestTokenRow, Error> {
    let user = r.opt_text(5)?;
    let verifier = r.opt_text(6)?;
    let attrs = r.opt_text(7)?;
    Ok(RequestTokenRow {
        consumer_key: r.text(0)?,
        secret_sealed: r.blob(1)?,
        callback: r.text(2)?,
        attributes: r.text(3)?,
        expires_at: r.int(4)?,
        authorization: match (user, verifier) {
            (Some(u), Some(v)) => Some((u, v, attrs.unwrap_or_else(|| "{}".into()))),
            _ => None,
        },
        failed_attempts: r.int(8)?,
    })
}
