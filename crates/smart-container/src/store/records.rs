//! Patient records, their items and the apps' scratchpads.

use super::Store;
use super::sql::{Row, Sql, Value, args};
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

/// One synthetic patient as seeded: header, gender and items.
pub(crate) type SeedRecord = (RecordRow, String, Vec<ItemRow>);

/// The `meta` row that claims the seeding of the synthetic patients.
const SEEDED: &str = "seeded";

impl Store {
    /// Stores the synthetic patients once per database: the first caller
    /// claims a unique `meta` row and inserts every record in the same
    /// transaction; a caller that finds the claim (a replica starting at the
    /// same moment waits for the claimer's commit) stores nothing. Returns
    /// whether this call stored them.
    pub(crate) fn seed_records(&self, records: &[SeedRecord]) -> Result<bool, Error> {
        self.transaction(|c| {
            let claimed = c.execute(
                "INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                args![SEEDED, super::now().to_string()],
            )?;
            if claimed == 0 || c.query_int("SELECT COUNT(*) FROM records", &[])? > 0 {
                return Ok(false);
            }
            for (record, gender, items) in records {
                insert_record(c, record, gender, items)?;
            }
            Ok(true)
        })
    }

    /// Adds one item to an existing record (a posted clinical note).
    pub(crate) fn insert_item(&self, record_id: &str, item: &ItemRow) -> Result<(), Error> {
        self.transaction(|c| {
            c.execute(
                "INSERT INTO record_items (record_id, kind, item_id, item_date, code, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![record_id, &item.kind, &item.item_id, &item.date, &item.code, &item.body],
            )?;
            c.execute(
                "UPDATE records SET version = version + 1 WHERE id = ?1",
                args![record_id],
            )
        })?;
        Ok(())
    }

    /// How many records exist.
    pub(crate) fn record_count(&self) -> Result<i64, Error> {
        self.run(|c| c.query_int("SELECT COUNT(*) FROM records", &[]))
    }

    /// Every record header, by family then given name.
    pub(crate) fn records(&self) -> Result<Vec<RecordRow>, Error> {
        self.run(|c| {
            c.query(
                "SELECT id, family_name, given_name, birthday, body FROM records ORDER BY family_name, given_name, id",
                &[],
            )?
            .into_iter()
            .map(row_to_record)
            .collect()
        })
    }

    /// The id of the first record, in id order, after `after` (the very
    /// first without it): the walk of a background app's token loop.
    pub(crate) fn record_after(&self, after: Option<&str>) -> Result<Option<String>, Error> {
        self.run(|c| {
            let row = match after {
                None => c.query_opt("SELECT id FROM records ORDER BY id LIMIT 1", &[])?,
                Some(id) => c.query_opt(
                    "SELECT id FROM records WHERE id > ?1 ORDER BY id LIMIT 1",
                    args![id],
                )?,
            };
            row.map(|mut r| r.text(0)).transpose()
        })
    }

    /// One record header.
    pub(crate) fn record(&self, id: &str) -> Result<Option<RecordRow>, Error> {
        self.run(|c| {
            c.query_opt(
                "SELECT id, family_name, given_name, birthday, body FROM records WHERE id = ?1",
                args![id],
            )?
            .map(row_to_record)
            .transpose()
        })
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
        let mut params: Vec<Value> = vec![record_id.into(), kind.into()];
        if let Some(from) = &q.lower {
            filter.push_str(if from.inclusive {
                " AND item_date >= ?"
            } else {
                " AND item_date > ?"
            });
            params.push((&from.date).into());
        }
        if let Some(to) = &q.upper {
            filter.push_str(if to.inclusive {
                " AND item_date <= ?"
            } else {
                " AND item_date < ?"
            });
            params.push((&to.date).into());
        }
        if !q.codes.is_empty() {
            filter.push_str(" AND code IN (");
            filter.push_str(&vec!["?"; q.codes.len()].join(", "));
            filter.push(')');
            params.extend(q.codes.iter().map(Value::from));
        }
        // Statements are cached by their text: one per combination of filters.
        self.run(|c| {
            let total = c.query_int(
                &format!("SELECT COUNT(*) FROM record_items WHERE {filter}"),
                &params,
            )?;
            let mut page_params = params.clone();
            page_params.push(q.limit.map_or(i64::MAX, i64::from).into());
            page_params.push(i64::from(q.offset).into());
            let rows = c.query(
                &format!(
                    "SELECT kind, item_id, item_date, code, body FROM record_items WHERE {filter} ORDER BY item_date DESC, item_id DESC LIMIT ? OFFSET ?"
                ),
                &page_params,
            )?;
            Ok((
                u64::try_from(total).unwrap_or(0),
                rows.into_iter().map(row_to_item).collect::<Result<_, _>>()?,
            ))
        })
    }

    /// One item.
    pub(crate) fn item(
        &self,
        record_id: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<ItemRow>, Error> {
        self.run(|c| {
            c.query_opt(
                "SELECT kind, item_id, item_date, code, body FROM record_items WHERE record_id = ?1 AND kind = ?2 AND item_id = ?3",
                args![record_id, kind, id],
            )?
            .map(row_to_item)
            .transpose()
        })
    }

    /// An app's scratchpad for a record: (content type, body).
    pub(crate) fn scratchpad(
        &self,
        record_id: &str,
        app_id: &str,
    ) -> Result<Option<(String, Vec<u8>)>, Error> {
        self.run(|c| {
            c.query_opt(
                "SELECT content_type, body FROM scratchpads WHERE record_id = ?1 AND app_id = ?2",
                args![record_id, app_id],
            )?
            .map(|mut r| Ok((r.text(0)?, r.blob(1)?)))
            .transpose()
        })
    }

    /// Writes an app's scratchpad for a record, replacing what was there:
    /// one upsert, so that two replicas writing at once both succeed.
    pub(crate) fn put_scratchpad(
        &self,
        record_id: &str,
        app_id: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), Error> {
        self.execute(
            "INSERT INTO scratchpads (record_id, app_id, content_type, body) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (record_id, app_id) DO UPDATE SET content_type = excluded.content_type, body = excluded.body",
            args![record_id, app_id, content_type, body],
        )?;
        Ok(())
    }

    /// Deletes an app's scratchpad for a record; `false` when there was none.
    pub(crate) fn delete_scratchpad(&self, record_id: &str, app_id: &str) -> Result<bool, Error> {
        let n = self.execute(
            "DELETE FROM scratchpads WHERE record_id = ?1 AND app_id = ?2",
            args![record_id, app_id],
        )?;
        Ok(n > 0)
    }
}

fn insert_record(
    c: &mut dyn Sql,
    record: &RecordRow,
    gender: &str,
    items: &[ItemRow],
) -> Result<(), Error> {
    c.execute(
        "INSERT INTO records (id, family_name, given_name, birthday, gender, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        args![&record.id, &record.family_name, &record.given_name, &record.birthday, gender, &record.body],
    )?;
    for i in items {
        c.execute(
            "INSERT INTO record_items (record_id, kind, item_id, item_date, code, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![&record.id, &i.kind, &i.item_id, &i.date, &i.code, &i.body],
        )?;
    }
    Ok(())
}

fn row_to_record(mut r: Row) -> Result<RecordRow, Error> {
    Ok(RecordRow {
        id: r.text(0)?,
        family_name: r.text(1)?,
        given_name: r.text(2)?,
        birthday: r.text(3)?,
        body: r.text(4)?,
    })
}

fn row_to_item(mut r: Row) -> Result<ItemRow, Error> {
    Ok(ItemRow {
        kind: r.text(0)?,
        item_id: r.text(1)?,
        date: r.opt_text(2)?,
        code: r.opt_text(3)?,
        body: r.text(4)?,
    })
}
