//! Each user's preferences for each app: one document with its content type.

use rusqlite::OptionalExtension as _;

use super::Store;
use crate::Error;

impl Store {
    /// A user's preferences for an app: (content type, body).
    pub(crate) fn preferences(
        &self,
        user_id: &str,
        app_id: &str,
    ) -> Result<Option<(String, Vec<u8>)>, Error> {
        Ok(self
            .lock()
            .query_row(
                "SELECT content_type, body FROM preferences WHERE user_id = ?1 AND app_id = ?2",
                [user_id, app_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Writes a user's preferences for an app, replacing what was there.
    pub(crate) fn put_preferences(
        &self,
        user_id: &str,
        app_id: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM preferences WHERE user_id = ?1 AND app_id = ?2",
            [user_id, app_id],
        )?;
        tx.execute(
            "INSERT INTO preferences (user_id, app_id, content_type, body) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![user_id, app_id, content_type, body],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a user's preferences for an app; `false` when there were none.
    pub(crate) fn delete_preferences(&self, user_id: &str, app_id: &str) -> Result<bool, Error> {
        let n = self.lock().execute(
            "DELETE FROM preferences WHERE user_id = ?1 AND app_id = ?2",
            [user_id, app_id],
        )?;
        Ok(n > 0)
    }
}
