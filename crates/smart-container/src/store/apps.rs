//! Installed apps (OAuth consumers).

use super::sql::{Row, args};
use super::tokens::BUMP_CREDENTIALS;
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
    /// Installs an app or replaces it; replacing revokes its tokens. Both
    /// bump the credentials generation, as every change below does.
    pub(crate) fn put_app(&self, app: &StoredApp) -> Result<(), Error> {
        self.transaction(|c| {
            c.execute("DELETE FROM apps WHERE id = ?1", args![&app.id])?;
            c.execute(
                "DELETE FROM access_tokens WHERE consumer_key = ?1",
                args![&app.id],
            )?;
            c.execute(
                "DELETE FROM request_tokens WHERE consumer_key = ?1",
                args![&app.id],
            )?;
            c.execute(
                "INSERT INTO apps (id, manifest, secret_sealed, installed_at) VALUES (?1, ?2, ?3, ?4)",
                args![&app.id, &app.manifest, &app.secret_sealed, now()],
            )?;
            c.execute(BUMP_CREDENTIALS, &[])?;
            Ok(())
        })
    }

    /// Removes an app, its tokens, scratchpads and preferences; `false` when
    /// absent.
    pub(crate) fn remove_app(&self, id: &str) -> Result<bool, Error> {
        self.transaction(|c| {
            let n = c.execute("DELETE FROM apps WHERE id = ?1", args![id])?;
            c.execute(
                "DELETE FROM access_tokens WHERE consumer_key = ?1",
                args![id],
            )?;
            c.execute(
                "DELETE FROM request_tokens WHERE consumer_key = ?1",
                args![id],
            )?;
            c.execute("DELETE FROM scratchpads WHERE app_id = ?1", args![id])?;
            c.execute("DELETE FROM preferences WHERE app_id = ?1", args![id])?;
            c.execute(BUMP_CREDENTIALS, &[])?;
            Ok(n > 0)
        })
    }

    /// One app by id.
    pub(crate) fn app(&self, id: &str) -> Result<Option<StoredApp>, Error> {
        self.run(|c| {
            c.query_opt(
                "SELECT id, manifest, secret_sealed FROM apps WHERE id = ?1",
                args![id],
            )?
            .map(row_to_app)
            .transpose()
        })
    }

    /// Every app, by id.
    pub(crate) fn apps(&self) -> Result<Vec<StoredApp>, Error> {
        self.run(|c| {
            c.query(
                "SELECT id, manifest, secret_sealed FROM apps ORDER BY id",
                &[],
            )?
            .into_iter()
            .map(row_to_app)
            .collect()
        })
    }
}

fn row_to_app(mut r: Row) -> Result<StoredApp, Error> {
    Ok(StoredApp {
        id: r.text(0)?,
        manifest: r.text(1)?,
        secret_sealed: r.blob(2)?,
    })
}
