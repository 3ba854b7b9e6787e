//! In-memory stores for tests and small embedders.
//!
//! [`MemoryStore`] implements every store trait behind one mutex per table,
//! which makes each documented atomic operation atomic. Nothing survives a
//! restart, and nothing is hashed or encrypted: use a real store where a
//! database dump matters.

use std::collections::HashMap;
use std::string::String;
use std::sync::{Mutex, MutexGuard};

use crate::StoreError;
use crate::store::{
    AccessTokenRecord, AccessTokenStore, AuthorizationRecord, ConsumerRecord, ConsumerStore,
    NonceKey, NonceStore, RequestTokenRecord, RequestTokenStore,
};

/// Every provider store in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    consumers: Mutex<HashMap<String, ConsumerRecord>>,
    request_tokens: Mutex<HashMap<String, RequestTokenRecord>>,
    access_tokens: Mutex<HashMap<String, AccessTokenRecord>>,
    nonces: Mutex<Nonces>,
}

#[derive(Debug, Default)]
struct Nonces {
    seen: HashMap<NonceKey, u64>,
    last_purge: u64,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers (or replaces) a consumer.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] if the lock was poisoned by a panicking thread.
    pub fn add_consumer(&self, consumer: ConsumerRecord) -> Result<(), StoreError> {
        lock(&self.consumers)?.insert(consumer.key.clone(), consumer);
        Ok(())
    }

    /// The number of nonces currently remembered (to check that the table stays bounded).
    ///
    /// # Errors
    ///
    /// A [`StoreError`] if the lock was poisoned.
    pub fn nonce_count(&self) -> Result<usize, StoreError> {
        Ok(lock(&self.nonces)?.seen.len())
    }

    /// The number of request tokens currently stored.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] if the lock was poisoned.
    pub fn request_token_count(&self) -> Result<usize, StoreError> {
        Ok(lock(&self.request_tokens)?.len())
    }
}

impl ConsumerStore for MemoryStore {
    fn consumer(&self, key: &str) -> Result<Option<ConsumerRecord>, StoreError> {
        Ok(lock(&self.consumers)?.get(key).cloned())
    }
}

impl RequestTokenStore for MemoryStore {
    fn insert_request_token(&self, record: &RequestTokenRecord) -> Result<(), StoreError> {
        let mut tokens = lock(&self.request_tokens)?;
        if tokens.contains_key(&record.token) {
            return Err(StoreError::new("request token collision"));
        }
        tokens.insert(record.token.clone(), record.clone());
        Ok(())
    }

    fn request_token(&self, token: &str) -> Result<Option<RequestTokenRecord>, StoreError> {
        Ok(lock(&self.request_tokens)?.get(token).cloned())
    }

    fn authorize_request_token(
        &self,
        token: &str,
        authorization: &AuthorizationRecord,
    ) -> Result<bool, StoreError> {
        let mut tokens = lock(&self.request_tokens)?;
        match tokens.get_mut(token) {
            Some(record) if record.authorization.is_none() => {
                record.authorization = Some(authorization.clone());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn consume_request_token_with_verifier(
        &self,
        token: &str,
        verifier_hash: &[u8; 32],
    ) -> Result<Option<RequestTokenRecord>, StoreError> {
        let mut tokens = lock(&self.request_tokens)?;
        let matches = tokens
            .get(token)
            .and_then(|r| r.authorization.as_ref())
            .is_some_and(|a| &a.verifier_hash == verifier_hash);
        Ok(if matches { tokens.remove(token) } else { None })
    }

    fn record_verifier_failure(&self, token: &str, max_attempts: u32) -> Result<u32, StoreError> {
        let mut tokens = lock(&self.request_tokens)?;
        let Some(record) = tokens.get_mut(token) else {
            return Ok(0);
        };
        record.failed_verifier_attempts = record.failed_verifier_attempts.saturating_add(1);
        let count = record.failed_verifier_attempts;
        if count >= max_attempts {
            tokens.remove(token);
        }
        Ok(count)
    }

    fn delete_request_token(&self, token: &str) -> Result<bool, StoreError> {
        Ok(lock(&self.request_tokens)?.remove(token).is_some())
    }

    fn purge_request_tokens(&self, now: u64) -> Result<(), StoreError> {
        lock(&self.request_tokens)?.retain(|_, r| r.expires_at >= now);
        Ok(())
    }
}

impl AccessTokenStore for MemoryStore {
    fn insert_access_token(&self, record: &AccessTokenRecord) -> Result<(), StoreError> {
        let mut tokens = lock(&self.access_tokens)?;
        if tokens.contains_key(&record.token) {
            return Err(StoreError::new("access token collision"));
        }
        tokens.insert(record.token.clone(), record.clone());
        Ok(())
    }

    fn access_token(&self, token: &str) -> Result<Option<AccessTokenRecord>, StoreError> {
        Ok(lock(&self.access_tokens)?.get(token).cloned())
    }

    fn revoke_access_token(&self, token: &str) -> Result<bool, StoreError> {
        Ok(lock(&self.access_tokens)?.remove(token).is_some())
    }
}

impl NonceStore for MemoryStore {
    fn insert_nonce_if_absent(
        &self,
        key: &NonceKey,
        now: u64,
        expires_at: u64,
    ) -> Result<bool, StoreError> {
        let mut nonces = lock(&self.nonces)?;
        // Purge at most once per second of virtual time so inserts stay cheap.
        if now > nonces.last_purge {
            nonces.seen.retain(|_, e| *e >= now);
            nonces.last_purge = now;
        }
        if nonces.seen.contains_key(key) {
            return Ok(false);
        }
        nonces.seen.insert(key.clone(), expires_at);
        Ok(true)
    }

    fn purge_nonces(&self, now: u64) -> Result<(), StoreError> {
        let mut nonces = lock(&self.nonces)?;
        nonces.seen.retain(|_, e| *e >= now);
        nonces.last_purge = now;
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>, StoreError> {
    mutex
        .lock()
        .map_err(|_| StoreError::new("memory store lock poisoned"))
}
