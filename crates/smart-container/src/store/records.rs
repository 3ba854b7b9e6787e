//! Patient records, their items and the apps' scratchpads.

use rusqlite::OptionalExtension as _;
use rusqlite::types::Value;

use super::Store;
use crate::Error;

/// One stored record item: a medication, a problem, ...
#[derive(Debug, Clone)]
pub(crate) struct ItemRow {
    /// The collection (`medications`, ...).
    pub(crate) kind: String,
    /// The item id, unique in its record and collection.
    pub(crate) item_id: String,
    /// The date used by filters and ordering (`YYYY-MM-DD`).
    pub(crate) date: Option<String>,
    /// The code identifier used by the code filters.
    pub(crate) code: Option<String>,
    /// The item as JSON.
    pub(crate) body: String,
}

/// Paging and filters of a collection call.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListQuery {
    /// At most this many items.
    pub(crate) limit: Option<u32>,
    /// Skip this many items.
    pub(crate) offset: u32,
    /// Only items dated after this bound (or on it, when inclusive).
    pub(crate) lower: Option<DateBound>,
    /// Only items dated before this bound (or on it, when inclusive).
    pub(crate) upper: Option<DateBound>,
    /// Only items with one of these codes (empty: all).
    pub(crate) codes: Vec<String>,
}

/// One end of a date range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DateBound {
    /// The parameter that set it (`date_from_excluding`, ...).
    pub(crate) name: &'static str,
    /// The day, `YYYY-MM-DD`.
    pub(crate) date: String,
    /// Whether an item dated on this day is kept.
    pub(crate) inclusive: bool,
}

/// A stored record header.
#[derive(Debug, Clone)]
pub(crate) struct RecordRow {
    /// The record id.
    pub(crate) id: String,
    /// Patient family name.
    pub(crate) family_name: String,
    /// Patient given name.
    pub(crate) given_name: String,
    /// Birthday `YYYY-MM-DD`.
    pub(crate) birthday: String,
    /// Demographics as JSON.
    pub(crate) body: String,
}

impl Store {
    /// Stores a record with its items, in one transaction.
    pub(crate) fn insert_record(
        &self,
        record: &RecordRow,
        gender: &str,
        items: &[ItemRow],
    ) -> Result<(), Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO records (id, family_name, given_name, birthday, gender, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![record.id, record.family_name, record.given_name, record.birthday, gender, record.body],
        )?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO record_items (record_id, kind, item_id, item_date, code, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for i in items {
                stmt.execute(rusqlite::params![
                    record.id, i.kind, i.item_id, i.date, i.code, i.body
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds one item to an existing record (a posted clinical note).
    pub(crate) fn insert_item(&self, record_id: &str, item: &ItemRow) -> Result<(), Error> {
        self.lock().execute(
            "INSERT INTO record_items (record_id, kind, item_id, item_date, code, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![record_id, item.kind, item.item_id, item.date, item.code, item.body],
        )?;
        Ok(())
    }

    /// How many records exist.
    pub(crate) fn record_count(&self) -> Result<i64, Error> {
        Ok(self
            .lock()
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?)
    }

    /// Every record header, by family then given name.
    pub(crate) fn records(&self) -> Result<Vec<RecordRow>, Error> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, family_name, given_name, birthday, body FROM records ORDER BY family_name, given_name, id",
        )?;
        let rows = stmt.query_map([], row_to_record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The id of the first record, in id order, after `after` (the very
    /// first without it): the walk of a background app's token loop.
    pub(crate) fn record_after(&self, after: Option<&str>) -> Result<Option<String>, Error> {
        let conn = self.lock();
        Ok(match after {
            None => conn
                .query_row("SELECT id FROM records ORDER BY id LIMIT 1", [], |r| {
                    r.get(0)
                })
                .optional()?,
            Some(id) => conn
                .query_row(
                    "SELECT id FROM records WHERE id > ?1 ORDER BY id LIMIT 1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?,
        })
    }

    /// One record header.
    pub(crate) fn record(&self, id: &str) -> Result<Option<RecordRow>, Error> {
        Ok(self
            .lock()
            .prepare_cached(
                "SELECT id, family_name, given_name, birthday, body FROM records WHERE id = ?1",
            )?
            .query_row([id], row_to_record)
            .optional()?)
    }

    /// A page of a collection, newest first, with the total count of items
    /// that match the filters.
    pub(crate) fn items(
        &self,
        record_id: &str,
        kind: &str,
        q: &ListQuery,
    ) -> Result<(u64, Vec<ItemRow>), Error> {
        let mut filter = String::from("record_id = ? AND kind = ?");
        let mut params: Vec<Value> = vec![record_id.to_owned().into(), kind.to_owned().into()];
        if let Some(from) = &q.lower {
            filter.push_str(if from.inclusive {
                " AND item_date >= ?"
            } else {
                " AND item_date > ?"
            });
            params.push(from.date.clone().into());
        }
        if let Some(to) = &q.upper {
            filter.push_str(if to.inclusive {
                " AND item_date <= ?"
            } else {
                " AND item_date < ?"
            });
            params.push(to.date.clone().into());
        }
        if !q.codes.is_empty() {
            filter.push_str(" AND code IN (");
            filter.push_str(&vec!["?"; q.codes.len()].join(", "));
            filter.push(')');
            params.extend(q.codes.iter().map(|c| Value::from(c.clone())));
        }
        let conn = self.lock();
        // Statements are cached by their text: one per combination of filters.
        let total: i64 = conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM record_items WHERE {filter}"))?
            .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
        let mut page_params = params;
        page_params.push(q.limit.map_or(i64::MAX, i64::from).into());
        page_params.push(i64::from(q.offset).into());
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT kind, item_id, item_date, code, body FROM record_items WHERE {filter} ORDER BY item_date DESC, item_id DESC LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(page_params.iter()), row_to_item)?;
        Ok((
            u64::try_from(total).unwrap_or(0),
            rows.collect::<Result<_, _>>()?,
        ))
    }

    /// One item.
    pub(crate) fn item(
        &self,
        record_id: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<ItemRow>, Error> {
        Ok(self
            .lock()
            .query_row(
                "SELECT kind, item_id, item_date, code, body FROM record_items WHERE record_id = ?1 AND kind = ?2 AND item_id = ?3",
                [record_id, kind, id],
                row_to_item,
            )
            .optional()?)
    }

    /// An app's scratchpad for a record: (content type, body).
    pub(crate) fn scratchpad(
        &self,
        record_id: &str,
        app_id: &str,
    ) -> Result<Option<(String, Vec<u8>)>, Error> {
        Ok(self
            .lock()
            .query_row(
                "SELECT content_type, body FROM scratchpads WHERE record_id = ?1 AND app_id = ?2",
                [record_id, app_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Writes an app's scratchpad for a record.
    pub(crate) fn put_scratchpad(
        &self,
        record_id: &str,
        app_id: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), Error> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM scratchpads WHERE record_id = ?1 AND app_id = ?2",
            [record_id, app_id],
        )?;
        tx.execute(
            "INSERT INTO scratchpads (record_id, app_id, content_type, body) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![record_id, app_id, content_type, body],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes an app's scratchpad for a record; `false` when there was none.
    pub(crate) fn delete_scratchpad(&self, record_id: &str, app_id: &str) -> Result<bool, Error> {
        let n = self.lock().execute(
            "DELETE FROM scratchpads WHERE record_id = ?1 AND app_id = ?2",
            [record_id, app_id],
        )?;
        Ok(n > 0)
    }
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordRow> {
    Ok(RecordRow {
        id: r.get(0)?,
        family_name: r.get(1)?,
        given_name: r.get(2)?,
        birthday: r.get(3)?,
        body: r.get(4)?,
    })
}

fn row_to_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<ItemRow> {
    Ok(ItemRow {
        kind: r.get(0)?,
        item_id: r.get(1)?,
        date: r.get(2)?,
        code: r.get(3)?,
        body: r.get(4)?,
    })
}
