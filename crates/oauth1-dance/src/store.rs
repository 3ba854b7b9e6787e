//! The stores a provider embedder implements, and the records they hold.
//!
//! Every method is synchronous and takes `&self`: an async server calls the
//! provider inside `spawn_blocking` (or on any thread), and the store
//! serialises access itself (a mutex, a database transaction). Methods
//! documented as atomic must stay correct when called concurrently from
//! several threads: the provider's replay and single-use guarantees rest on them.
//!
//! Tokens are handed to the stores in clear so that a store can look them up;
//! a store that keeps them at rest as hashes can use [`credential_hash`].
//! Verifiers never reach a store in clear: only their [`credential_hash`].

use std::collections::BTreeMap;
use std::string::String;
use std::vec::Vec;

use oauth1_sign::{Secret, SignatureMethod};
use sha2::{Digest, Sha256};

use crate::StoreError;

/// Extra key/values bound to a token (SMART: `smart_record_id` on request
/// tokens, `record_id` and `user_id` on access tokens).
pub type Attributes = BTreeMap<String, String>;

/// The SHA-256 of a credential, for stores that keep token identifiers and
/// verifiers as hashes.
#[must_use]
pub fn credential_hash(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

/// A registered consumer (client): what the provider needs to verify it.
#[derive(Debug, Clone)]
pub struct ConsumerRecord {
    /// The consumer key (`oauth_consumer_key`; SMART: the app id).
    pub key: String,
    /// The consumer secret (the HMAC needs it in clear).
    pub secret: Secret,
    /// The signature methods this consumer may use; the request never chooses
    /// outside this set.
    pub signature_methods: Vec<SignatureMethod>,
    /// The registered callback; when set, the provider redirects only there.
    pub callback: Option<String>,
}

/// A temporary credential (request token) and where it is in the dance.
#[derive(Debug, Clone)]
pub struct RequestTokenRecord {
    /// The token (`oauth_token`).
    pub token: String,
    /// The token secret.
    pub secret: Secret,
    /// The consumer the token was issued to.
    pub consumer_key: String,
    /// The `oauth_callback` of the request (`oob` or an absolute URI).
    pub callback: String,
    /// Parameters the embedder required on the request (SMART: `smart_record_id`).
    pub attributes: Attributes,
    /// Unix time after which the token is dead.
    pub expires_at: u64,
    /// The user's approval, once given.
    pub authorization: Option<AuthorizationRecord>,
    /// Wrong verifiers presented so far.
    pub failed_verifier_attempts: u32,
}

/// A user's approval of a request token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRecord {
    /// The user who approved.
    pub user_id: String,
    /// [`credential_hash`] of the verifier issued.
    pub verifier_hash: [u8; 32],
    /// What the access token will carry (SMART: `record_id`, `user_id`).
    pub attributes: Attributes,
}

/// A token credential (access token).
#[derive(Debug, Clone)]
pub struct AccessTokenRecord {
    /// The token (`oauth_token`).
    pub token: String,
    /// The token secret.
    pub secret: Secret,
    /// The consumer the token was issued to.
    pub consumer_key: String,
    /// The user who approved it.
    pub user_id: String,
    /// What the token is bound to (SMART: `record_id`).
    pub attributes: Attributes,
    /// Unix time of issue.
    pub issued_at: u64,
    /// Unix time after which the token is dead, if it expires.
    pub expires_at: Option<u64>,
}

/// The key under which a nonce is unique
/// ([RFC 5849 §3.3](https://www.rfc-editor.org/rfc/rfc5849#section-3.3)), values decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NonceKey {
    /// The consumer key.
    pub consumer_key: String,
    /// The token, if the request carried one.
    pub token: Option<String>,
    /// The request's timestamp.
    pub timestamp: u64,
    /// The nonce, percent-decoded.
    pub nonce: String,
}

/// Registered consumers.
pub trait ConsumerStore {
    /// The consumer with this key, if any.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the lookup itself fails.
    fn consumer(&self, key: &str) -> Result<Option<ConsumerRecord>, StoreError>;
}

/// Temporary credentials, their authorization and their verifiers.
pub trait RequestTokenStore {
    /// Stores a freshly issued request token.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn insert_request_token(&self, record: &RequestTokenRecord) -> Result<(), StoreError>;

    /// The request token with this value, if stored (expired ones may be returned; the provider checks).
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the lookup fails.
    fn request_token(&self, token: &str) -> Result<Option<RequestTokenRecord>, StoreError>;

    /// Atomically sets `authorization` on the token if it exists and has none yet.
    ///
    /// Returns `false` when the token is unknown or already authorized.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn authorize_request_token(
        &self,
        token: &str,
        authorization: &AuthorizationRecord,
    ) -> Result<bool, StoreError>;

    /// Atomically removes and returns the token if it is authorized with this
    /// verifier hash; otherwise changes nothing and returns `None`.
    ///
    /// Of any number of concurrent calls for one token, at most one gets
    /// `Some`.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn consume_request_token_with_verifier(
        &self,
        token: &str,
        verifier_hash: &[u8; 32],
    ) -> Result<Option<RequestTokenRecord>, StoreError>;

    /// Atomically counts one wrong verifier for the token and deletes the token
    /// once the count reaches `max_attempts`.
    ///
    /// Returns the count after this failure (0 if the token is unknown).
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn record_verifier_failure(&self, token: &str, max_attempts: u32) -> Result<u32, StoreError>;

    /// Removes the token (a denial); returns whether it existed.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn delete_request_token(&self, token: &str) -> Result<bool, StoreError>;

    /// Removes every token whose `expires_at` is before `now`.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn purge_request_tokens(&self, now: u64) -> Result<(), StoreError>;
}

/// Token credentials.
pub trait AccessTokenStore {
    /// Stores a freshly issued access token.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn insert_access_token(&self, record: &AccessTokenRecord) -> Result<(), StoreError>;

    /// The access token with this value, if stored and not revoked.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the lookup fails.
    fn access_token(&self, token: &str) -> Result<Option<AccessTokenRecord>, StoreError>;

    /// Revokes the token at once; returns whether it existed.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn revoke_access_token(&self, token: &str) -> Result<bool, StoreError>;
}

/// Nonces seen within the timestamp window.
pub trait NonceStore {
    /// Atomically records the nonce unless already present; returns whether it was fresh.
    ///
    /// Of concurrent calls with one key, exactly one gets `true`.
    /// The entry must be kept at least until `expires_at`;
    /// the store may drop entries whose `expires_at` is before `now`.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn insert_nonce_if_absent(
        &self,
        key: &NonceKey,
        now: u64,
        expires_at: u64,
    ) -> Result<bool, StoreError>;

    /// Drops every entry whose `expires_at` is before `now`.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the write fails.
    fn purge_nonces(&self, now: u64) -> Result<(), StoreError>;
}

/// Everything a [`Provider`](crate::Provider) needs, in one bound.
pub trait ProviderStore: ConsumerStore + RequestTokenStore + AccessTokenStore + NonceStore {}

impl<T: ConsumerStore + RequestTokenStore + AccessTokenStore + NonceStore + ?Sized> ProviderStore
    for T
{
}
