//! Each user's preferences for each app: one document with its content type.

use super::Store;
use super::sql::args;
use crate::Error;

impl Store {
    /// A user's preferences for an app: (content type, body).
    pub(crate) fn preferences(
        &self,
        user_id: &str,
        app_id: &str,
    ) -> Result<Option<(String, Vec<u8>)>, Error> {
        self.run(|c| {
            c.query_opt(
                "SELECT content_type, body FROM preferences WHERE user_id = ?1 AND app_id = ?2",
                args![user_id, app_id],
            )?
            .map(|mut r| Ok((r.text(0)?, r.blob(1)?)))
            .transpose()
        })
    }

    /// Writes a user's preferences for an app, replacing what was there:
    /// one upsert, so that two replicas writing at once both succeed.
    pub(crate) fn put_preferences(
        &self,
        user_id: &str,
        app_id: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), Error> {
        self.execute(
            "INSERT INTO preferences (user_id, app_id, content_type, body) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (user_id, app_id) DO UPDATE SET content_type = excluded.content_type, body = excluded.body",
            args![user_id, app_id, content_type, body],
        )?;
        Ok(())
    }

    /// Deletes a user's preferences for an app; `false` when there were none.
    pub(crate) fn delete_preferences(&self, user_id: &str, app_id: &str) -> Result<bool, Error> {
        let n = self.execute(
            "DELETE FROM preferences WHERE user_id = ?1 AND app_id = ?2",
            args![user_id, app_id],
        )?;
        Ok(n > 0)
    }
}
