//! The consumer and access-token records a replica keeps in memory, so that
//! a signed call needs neither their SQL reads nor the opening of their
//! sealed secrets.
//!
//! Invalidation goes through the database, so that it holds across
//! replicas and for the command-line tools that change the same database:
//! every change of an app and every revocation bumps the credentials
//! generation in its own transaction (`store::tokens::BUMP_CREDENTIALS`),
//! and every signed call is checked against the generation read after its
//! request arrived: a cold call reads it before it looks anything up; a
//! warm call is proven from the records kept at the current generation and
//! its nonce's batch reads the database's, the proof standing only if the
//! two are the same (`web/signed.rs`).
//! The cache holds the records of one generation only; a call that reads
//! a newer one empties it. A record read from the database is kept only
//! when the cache is still at the generation the call read before reading
//! it, so a slow call can never put back a record that a revocation, seen
//! by a faster call, has already dropped.
//!
//! A version check, and not `LISTEN/NOTIFY`: it works the same on SQLite
//! (another process, such as `smart-container revoke`, can change the file)
//! and on PostgreSQL, it costs no extra round trip (a warm call's
//! generation is read in its nonce's statement, which every call needs
//! anyway), and a lost notification or a dropped listener
//! connection cannot leave a revoked token alive. A revocation is seen by
//! every call that starts after it committed.
//!
//! Bounded: at most [`MAX_ENTRIES`] records of each kind; when full, that
//! kind is emptied and fills again.

use std::collections::HashMap;
use std::sync::Mutex;

use oauth1_dance::store::{AccessTokenRecord, ConsumerRecord};

/// The most records of each kind kept.
pub(crate) const MAX_ENTRIES: usize = 16_384;

#[derive(Default)]
struct Entries {
    /// The credentials generation the records below were read at.
    generation: i64,
    /// Consumers by key.
    consumers: HashMap<String, ConsumerRecord>,
    /// Access tokens by the digest of the token.
    tokens: HashMap<String, AccessTokenRecord>,
}

/// The records of the current credentials generation.
#[derive(Default)]
pub(crate) struct Credentials {
    entries: Mutex<Entries>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = self.lock();
        f.debug_struct("Credentials")
            .field("generation", &e.generation)
            .field("consumers", &e.consumers.len())
            .field("tokens", &e.tokens.len())
            .finish_non_exhaustive()
    }
}

impl Credentials {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The entries when they are of `generation`: emptied first when the
    /// database has moved past the generation they were read at; `None`
    /// for a call that read an older generation than a faster call did
    /// (the generation only grows), which then reads the database.
    fn at(&self, generation: i64) -> Option<std::sync::MutexGuard<'_, Entries>> {
        let mut e = self.lock();
        if generation > e.generation {
            e.consumers.clear();
            e.tokens.clear();
            e.generation = generation;
        }
        (e.generation == generation).then_some(e)
    }

    /// The generation of the records kept now.
    pub(crate) fn generation(&self) -> i64 {
        self.lock().generation
    }

    /// The consumer `key`, when it was read at `generation`.
    pub(crate) fn consumer(&self, generation: i64, key: &str) -> Option<ConsumerRecord> {
        self.at(generation)?.consumers.get(key).cloned()
    }

    /// Keeps a consumer read at `generation`.
    pub(crate) fn keep_consumer(&self, generation: i64, record: &ConsumerRecord) {
        let mut e = self.lock();
        if e.generation == generation {
            if e.consumers.len() >= MAX_ENTRIES {
                e.consumers.clear();
            }
            e.consumers.insert(record.key.clone(), record.clone());
        }
    }

    /// The access token of digest `hash`, when it was read at `generation`.
    pub(crate) fn token(&self, generation: i64, hash: &str) -> Option<AccessTokenRecord> {
        self.at(generation)?.tokens.get(hash).cloned()
    }

    /// Keeps an access token, of digest `hash`, read at `generation`.
    pub(crate) fn keep_token(&self, generation: i64, hash: &str, record: &AccessTokenRecord) {
        let mut e = self.lock();
        if e.generation == generation {
            if e.tokens.len() >= MAX_ENTRIES {
                e.tokens.clear();
            }
            e.tokens.insert(hash.to_owned(), record.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use oauth1_sign::{Secret, SignatureMethod};

    use super::*;

    fn consumer(key: &str) -> ConsumerRecord {
        ConsumerRecord {
            key: key.into(),
            secret: Secret::new("s"),
            signature_methods: vec![SignatureMethod::HmacSha1],
            callback: None,
        }
    }

    #[test]
    fn a_record_is_served_only_at_the_generation_it_was_read_at() {
        let c = Credentials::default();
        c.keep_consumer(0, &consumer("app"));
        assert!(c.consumer(0, "app").is_some());
        // A change anywhere bumped the generation: everything kept is gone,
        // also when the generation is read back again.
        assert!(c.consumer(1, "app").is_none());
        assert!(c.consumer(0, "app").is_none());
        // A slow call that read the old generation neither reads nor keeps.
        c.keep_consumer(1, &consumer("app"));
        assert!(c.consumer(0, "app").is_none());
        c.keep_consumer(0, &consumer("old"));
        assert!(c.consumer(1, "app").is_some());
        assert!(c.consumer(1, "old").is_none());
    }

    #[test]
    fn a_record_read_before_a_change_is_not_kept_after_it() {
        let c = Credentials::default();
        // A slow call read generation 0, then the record; meanwhile a
        // revocation bumped it to 1 and a faster call saw that.
        assert!(c.consumer(1, "app").is_none());
        c.keep_consumer(0, &consumer("app"));
        assert!(c.consumer(1, "app").is_none());
    }

    #[test]
    fn it_stays_bounded() {
        let c = Credentials::default();
        for i in 0..=MAX_ENTRIES {
            c.keep_consumer(0, &consumer(&format!("app{i}")));
        }
        assert!(c.lock().consumers.len() <= MAX_ENTRIES);
        assert!(c.consumer(0, &format!("app{MAX_ENTRIES}")).is_some());
    }

    #[test]
    fn debug_shows_counts_and_no_secret() {
        let c = Credentials::default();
        c.keep_consumer(0, &consumer("app"));
        let shown = format!("{c:?}");
        assert!(shown.contains("consumers: 1"), "{shown}");
        assert!(!shown.contains("\"s\""), "{shown}");
    }
}
