//! The `oauth1-dance` store traits over the SQLite store: token ids and
//! verifiers are kept as SHA-256 digests, secrets sealed with the data key
//! (SECURITY.md item 20). The protocol rules stay in `oauth1-dance`; this
//! module only persists what the provider hands it.
//!
//! For a signed call the store is taken at a credentials generation
//! ([`SqlProviderStore::for_signed_call`], [`Lookup`]): either the one the
//! call read, and then consumers and access tokens come from the replica's
//! memory when they were read at it ([`crate::credentials`]) and from the
//! database otherwise; or, for a warm call proven from memory alone, the
//! generation of the records kept now, which the call then checks against
//! the database's. The call's nonce is handed back to the call rather than written: the
//! call writes it before anything else (`web/signed.rs`), waiting for its
//! batch without holding a thread.

use std::sync::{Arc, Mutex, PoisonError};

use oauth1_dance::StoreError;
use oauth1_dance::store::{
    AccessTokenRecord, AccessTokenStore, Attributes, AuthorizationRecord, ConsumerRecord,
    ConsumerStore, NonceKey, NonceStore, RequestTokenRecord, RequestTokenStore,
};
use oauth1_sign::{Secret, SignatureMethod};

use crate::Error;
use crate::container::app_context;
use crate::credentials::Credentials;
use crate::crypto::{DataKey, digest, encode_hex};
use crate::error::UnexpectedValue;
use crate::manifest::AppManifest;
use crate::store::{AccessTokenRow, NonceRow, RequestTokenRow, Store};

/// The provider's view of the container's storage.
#[derive(Debug, Clone)]
pub(crate) struct SqlProviderStore {
    pub(crate) store: Arc<Store>,
    pub(crate) key: DataKey,
    /// The records kept in memory, shared by every call of this process.
    pub(crate) credentials: Arc<Credentials>,
    /// Where consumers and access tokens come from.
    pub(crate) lookup: Lookup,
    /// Where the nonce of a signed call goes instead of the database:
    /// `None` (the token endpoints) writes it before answering.
    pub(crate) nonce: Option<NonceSlot>,
}

/// Where the provider takes consumers and access tokens from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The database (the token endpoints, the tools).
    Database,
    /// Memory when kept at this credentials generation, which the call read
    /// from the database first; the database otherwise, keeping what it
    /// reads.
    ReadAt(i64),
    /// Memory only, at this generation, the one of the records kept now: a
    /// record not kept is a store error, not a read. The call must check,
    /// after writing its nonce, that the generation is still the database's.
    KeptAt(i64),
}

/// The nonce of a signed call, which the provider found after the
/// signature checked, for the call to write itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct NonceSlot(Arc<Mutex<Option<NonceRow>>>);

impl NonceSlot {
    fn put(&self, row: NonceRow) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(row);
    }

    /// The nonce the provider left, once.
    pub(crate) fn take(&self) -> Option<NonceRow> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl SqlProviderStore {
    /// This store for one signed call, its records looked up as `lookup`
    /// says. The provider's nonce check answers "new" and leaves the nonce
    /// in `nonce`: the call must write it ([`Store::insert_nonce`]) and
    /// refuse itself when it was not new, before it does anything else.
    pub(crate) fn for_signed_call(&self, lookup: Lookup, nonce: NonceSlot) -> Self {
        Self {
            lookup,
            nonce: Some(nonce),
            ..self.clone()
        }
    }

    /// A record as [`Lookup`] says: `kept` looks in memory at a generation,
    /// `read` reads the database, `keep` keeps what it read.
    fn look_up<T>(
        &self,
        what: &str,
        kept: impl FnOnce(i64) -> Option<T>,
        read: impl FnOnce() -> Result<Option<T>, StoreError>,
        keep: impl FnOnce(i64, &T),
    ) -> Result<Option<T>, StoreError> {
        let generation = match self.lookup {
            Lookup::Database => return read(),
            Lookup::ReadAt(g) | Lookup::KeptAt(g) => g,
        };
        if let Some(record) = kept(generation) {
            return Ok(Some(record));
        }
        if matches!(self.lookup, Lookup::KeptAt(_)) {
            return Err(StoreError::new(format!("the {what} is not kept in memory")));
        }
        let read = read()?;
        if let Some(record) = &read {
            keep(generation, record);
        }
        Ok(read)
    }

    fn read_consumer(&self, key: &str) -> Result<Option<ConsumerRecord>, StoreError> {
        let Some(app) = self.store.app(key).map_err(se)? else {
            return Ok(None);
        };
        let manifest = AppManifest::parse(&app.manifest).map_err(se)?;
        let secret = self
            .key
            .open(&app_context(&app.id), &app.secret_sealed)
            .map_err(se)?;
        Ok(Some(ConsumerRecord {
            key: app.id,
            secret: Secret::new(secret.expose()),
            signature_methods: vec![SignatureMethod::HmacSha1],
            callback: manifest.oauth_callback,
        }))
    }

    fn read_access_token(
        &self,
        token: &str,
        hash: &str,
    ) -> Result<Option<AccessTokenRecord>, StoreError> {
        let Some(row) = self.store.access_token(hash).map_err(se)? else {
            return Ok(None);
        };
        let secret = self
            .key
            .open(&at_context(hash), &row.secret_sealed)
            .map_err(se)?;
        Ok(Some(AccessTokenRecord {
            token: token.to_owned(),
            secret: Secret::new(secret.expose()),
            consumer_key: row.consumer_key,
            user_id: row.user_id,
            attributes: attrs_from_json(&row.attributes)?,
            issued_at: to_u64(row.issued_at),
            expires_at: row.expires_at.map(to_u64),
        }))
    }
}

impl ConsumerStore for SqlProviderStore {
    fn consumer(&self, key: &str) -> Result<Option<ConsumerRecord>, StoreError> {
        self.look_up(
            "consumer",
            |g| self.credentials.consumer(g, key),
            || self.read_consumer(key),
            |g, record| self.credentials.keep_consumer(g, record),
        )
    }
}

impl RequestTokenStore for SqlProviderStore {
    fn insert_request_token(&self, r: &RequestTokenRecord) -> Result<(), StoreError> {
        let hash = digest(&r.token);
        let row = RequestTokenRow {
            consumer_key: r.consumer_key.clone(),
            secret_sealed: self
                .key
                .seal(&rt_context(&hash), r.secret.expose())
                .map_err(se)?,
            callback: r.callback.clone(),
            attributes: attrs_to_json(&r.attributes)?,
            expires_at: to_i64(r.expires_at),
            authorization: None,
            failed_attempts: 0,
        };
        self.store.insert_request_token(&hash, &row).map_err(se)
    }

    fn request_token(&self, token: &str) -> Result<Option<RequestTokenRecord>, StoreError> {
        let hash = digest(token);
        match self.store.request_token(&hash).map_err(se)? {
            None => Ok(None),
            Some(row) => self.request_record(token, &hash, row).map(Some),
        }
    }

    fn authorize_request_token(
        &self,
        token: &str,
        a: &AuthorizationRecord,
    ) -> Result<bool, StoreError> {
        self.store
            .authorize_request_token(
                &digest(token),
                &a.user_id,
                &encode_hex(&a.verifier_hash),
                &attrs_to_json(&a.attributes)?,
            )
            .map_err(se)
    }

    fn consume_request_token_with_verifier(
        &self,
        token: &str,
        verifier_hash: &[u8; 32],
    ) -> Result<Option<RequestTokenRecord>, StoreError> {
        let hash = digest(token);
        match self
            .store
            .consume_request_token(&hash, &encode_hex(verifier_hash))
            .map_err(se)?
        {
            None => Ok(None),
            Some(row) => self.request_record(token, &hash, row).map(Some),
        }
    }

    fn record_verifier_failure(&self, token: &str, max_attempts: u32) -> Result<u32, StoreError> {
        let n = self
            .store
            .record_verifier_failure(&digest(token), i64::from(max_attempts))
            .map_err(se)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn delete_request_token(&self, token: &str) -> Result<bool, StoreError> {
        self.store.delete_request_token(&digest(token)).map_err(se)
    }

    fn purge_request_tokens(&self, now: u64) -> Result<(), StoreError> {
        self.store.purge_request_tokens(to_i64(now)).map_err(se)
    }
}

impl AccessTokenStore for SqlProviderStore {
    fn insert_access_token(&self, r: &AccessTokenRecord) -> Result<(), StoreError> {
        let hash = digest(&r.token);
        let row = AccessTokenRow {
            consumer_key: r.consumer_key.clone(),
            secret_sealed: self
                .key
                .seal(&at_context(&hash), r.secret.expose())
                .map_err(se)?,
            user_id: r.user_id.clone(),
            attributes: attrs_to_json(&r.attributes)?,
            issued_at: to_i64(r.issued_at),
            expires_at: r.expires_at.map(to_i64),
        };
        self.store.insert_access_token(&hash, &row).map_err(se)
    }

    fn access_token(&self, token: &str) -> Result<Option<AccessTokenRecord>, StoreError> {
        let hash = digest(token);
        self.look_up(
            "access token",
            |g| self.credentials.token(g, &hash),
            || self.read_access_token(token, &hash),
            |g, record| self.credentials.keep_token(g, &hash, record),
        )
    }

    fn revoke_access_token(&self, token: &str) -> Result<bool, StoreError> {
        self.store.revoke_access_token(&digest(token)).map_err(se)
    }
}

impl NonceStore for SqlProviderStore {
    fn insert_nonce_if_absent(
        &self,
        key: &NonceKey,
        _now: u64,
        expires_at: u64,
    ) -> Result<bool, StoreError> {
        let token_hash = key.token.as_deref().map(digest).unwrap_or_default();
        let row = NonceRow {
            consumer_key: key.consumer_key.clone(),
            token_hash,
            timestamp: to_i64(key.timestamp),
            nonce: key.nonce.clone(),
            expires_at: to_i64(expires_at),
        };
        match &self.nonce {
            Some(slot) => {
                slot.put(row);
                Ok(true)
            }
            None => self.store.insert_nonce(row).map_err(se),
        }
    }

    fn purge_nonces(&self, now: u64) -> Result<(), StoreError> {
        self.store.purge_nonces(to_i64(now)).map_err(se)
    }
}

impl SqlProviderStore {
    fn request_record(
        &self,
        token: &str,
        hash: &str,
        row: RequestTokenRow,
    ) -> Result<RequestTokenRecord, StoreError> {
        let secret = self
            .key
            .open(&rt_context(hash), &row.secret_sealed)
            .map_err(se)?;
        let authorization = match row.authorization {
            None => None,
            Some((user_id, verifier_hex, attrs)) => Some(AuthorizationRecord {
                user_id,
                verifier_hash: decode_digest(&verifier_hex)?,
                attributes: attrs_from_json(&attrs)?,
            }),
        };
        Ok(RequestTokenRecord {
            token: token.to_owned(),
            secret: Secret::new(secret.expose()),
            consumer_key: row.consumer_key,
            callback: row.callback,
            attributes: attrs_from_json(&row.attributes)?,
            expires_at: to_u64(row.expires_at),
            authorization,
            failed_verifier_attempts: u32::try_from(row.failed_attempts).unwrap_or(u32::MAX),
        })
    }
}

/// The provider's store error, keeping `e` as its source.
pub(crate) fn se(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::with_source("the container's store failed", e)
}

fn rt_context(hash: &str) -> String {
    format!("request_token:{hash}")
}

fn at_context(hash: &str) -> String {
    format!("access_token:{hash}")
}

fn attrs_to_json(a: &Attributes) -> Result<String, StoreError> {
    serde_json::to_string(a).map_err(se)
}

fn attrs_from_json(s: &str) -> Result<Attributes, StoreError> {
    serde_json::from_str(s).map_err(se)
}

fn decode_digest(hex: &str) -> Result<[u8; 32], StoreError> {
    let mut out = [0u8; 32];
    if hex.len() != 64 {
        return Err(se(Error::from(UnexpectedValue::Digest)));
    }
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2).unwrap_or("zz"), 16)
            .map_err(|_| se(Error::from(UnexpectedValue::Digest)))?;
    }
    Ok(out)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}
