//! Rendered record documents, kept per (record, call, query) with the
//! record's version when they were rendered. A hit is served only when the
//! version the database holds now is the same: every write of a record's
//! items bumps that version in the same transaction, so a note posted
//! through any replica is seen by every replica on its next read (the
//! version is read on each hit; the rendering and the item reads are what
//! the cache saves).
//!
//! Bounded: at most [`MAX_ENTRIES`] documents and [`MAX_BYTES`] bytes; when
//! either would be passed the cache is emptied and fills again (simple, and
//! a working set that large is not what it is for).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

/// The most documents kept.
pub(crate) const MAX_ENTRIES: usize = 4096;

/// The most bytes of documents kept.
pub(crate) const MAX_BYTES: usize = 64 * 1024 * 1024;

/// What a document is kept under: the record, the call's path pattern and
/// the query string as sent (two orders of the same parameters are two
/// entries; the next-page URL a page carries repeats the order it was
/// asked in, so the order is part of the document).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) record_id: String,
    pub(crate) call: &'static str,
    pub(crate) item_id: Option<String>,
    pub(crate) query: String,
}

#[derive(Debug)]
struct Entry {
    version: i64,
    doc: Bytes,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<Key, Entry>,
    bytes: usize,
}

/// The cache of rendered documents.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    inner: Mutex<Inner>,
}

impl Rendered {
    /// The document kept for `key`, when it was rendered at `version`.
    pub(crate) fn get(&self, key: &Key, version: i64) -> Option<Bytes> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .map
            .get(key)
            .filter(|e| e.version == version)
            .map(|e| e.doc.clone())
    }

    /// Keeps `doc`, rendered at `version`, under `key`.
    pub(crate) fn put(&self, key: Key, version: i64, doc: Bytes) {
        if doc.len() > MAX_BYTES / 16 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.map.len() >= MAX_ENTRIES || inner.bytes + doc.len() > MAX_BYTES {
            inner.map.clear();
            inner.bytes = 0;
        }
        let len = doc.len();
        if let Some(old) = inner.map.insert(key, Entry { version, doc }) {
            inner.bytes -= old.doc.len();
        }
        inner.bytes += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(record: &str, query: &str) -> Key {
        Key {
            record_id: record.into(),
            call: "/records/{record_id}/medications/",
            item_id: None,
            query: query.into(),
        }
    }

    #[test]
    fn a_document_is_served_only_at_the_version_it_was_rendered() {
        let c = Rendered::default();
        c.put(key("1", "limit=5"), 3, Bytes::from_static(b"doc"));
        assert_eq!(c.get(&key("1", "limit=5"), 3).as_deref(), Some(&b"doc"[..]));
        assert!(c.get(&key("1", "limit=5"), 4).is_none(), "a newer version");
        assert!(c.get(&key("1", "limit=6"), 3).is_none(), "another query");
        assert!(c.get(&key("2", "limit=5"), 3).is_none(), "another record");
    }

    #[test]
    fn the_cache_stays_bounded() {
        let c = Rendered::default();
        for i in 0..(MAX_ENTRIES + 10) {
            c.put(key(&i.to_string(), ""), 1, Bytes::from_static(b"x"));
        }
        let inner = c.inner.lock().unwrap_or_else(|p| p.into_inner());
        assert!(inner.map.len() <= MAX_ENTRIES);
        assert_eq!(inner.bytes, inner.map.len());
    }
}
