//! Installed apps (OAuth consumers).

use rusqlite::OptionalExtension as _;

use super::{Store, now};
use crate::Error;

/// An installed app as stored: its manifest and its sealed secret.
#[derive(Debug, Clone)]
pub(crate) struct StoredApp {
    /// The app id (consumer key).
    pub(crate) id: String,
    /// The manifest JSON text.
    pub(crate) manifest: String,
    /// The consumer secret, sealed with the data key.
    pub(crate) secret_sealed: Vec<u8>,
}

impl Store {
    /// Installs an app or replaces it; replacing revokes its tokens.
    pub(crate) fn put_app(&self, app: &StoredApp) -> Result<(), Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM apps WHERE id = ?1", [&app.id])?;
        tx.execute(
            "DELETE FROM access_tokens WHERE consumer_key = ?1",
            [&app.id],
        )?;
        tx.execute(
            "DELETE FROM request_tokens WHERE consumer_key = ?1",
            [&app.id],
        )?;
        tx.execute(
            "INSERT INTO apps (id, manifest, secret_sealed, installed_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![app.id, app.manifest, app.secret_sealed, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes an app, its tokens, scratchpads and preferences; `false` when
    /// absent.
    pub(crate) fn remove_app(&self, id: &str) -> Result<bool, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let n = tx.execute("DELETE FROM apps WHERE id = ?1", [id])?;
        tx.execute("DELETE FROM access_tokens WHERE consumer_key = ?1", [id])?;
        tx.execute("DELETE FROM request_tokens WHERE consumer_key = ?1", [id])?;
        tx.execute("DELETE FROM scratchpads WHERE app_id = ?1", [id])?;
        tx.execute("DELETE FROM preferences WHERE app_id = ?1", [id])?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// One app by id.
    pub(crate) fn app(&self, id: &str) -> Result<Option<StoredApp>, Error> {
        Ok(self
            .lock()
            .prepare_cached("SELECT id, manifest, secret_sealed FROM apps WHERE id = ?1")?
            .query_row([id], |r| {
                Ok(StoredApp {
                    id: r.get(0)?,
                    manifest: r.get(1)?,
                    secret_sealed: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// Every app, by id.
    pub(crate) fn apps(&self) -> Result<Vec<StoredApp>, Error> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT id, manifest, secret_sealed FROM apps ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredApp {
                id: r.get(0)?,
                manifest: r.get(1)?,
                secret_sealed: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
