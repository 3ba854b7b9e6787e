//! The in-memory store's promises (`store.rs`' contracts), and the
//! provider's request-token lifetime and refusal redirect, called directly.

use super::*;
use crate::store::{
    AuthorizationRecord, NonceKey, NonceStore as _, RequestTokenRecord, RequestTokenStore as _,
};

fn request_token(token: &str, callback: &str, expires_at: u64) -> RequestTokenRecord {
    RequestTokenRecord {
        token: token.to_string(),
        secret: Secret::new("request-secret"),
        consumer_key: "bare-consumer".to_string(),
        callback: callback.to_string(),
        attributes: Attributes::new(),
        expires_at,
        authorization: None,
        failed_verifier_attempts: 0,
    }
}

fn approval() -> AuthorizationRecord {
    AuthorizationRecord {
        user_id: "alice".to_string(),
        verifier_hash: [7; 32],
        attributes: Attributes::new(),
    }
}

fn nonce(value: &str) -> NonceKey {
    NonceKey {
        consumer_key: "c".to_string(),
        token: None,
        timestamp: 1,
        nonce: value.to_string(),
    }
}

#[test]
fn request_tokens_are_approved_once_and_purged_after_expiry() {
    let store = MemoryStore::new();
    store
        .insert_request_token(&request_token("t", "oob", 100))
        .unwrap();
    assert_eq!(store.request_token_count().unwrap(), 1);
    assert!(store.authorize_request_token("t", &approval()).unwrap());
    assert!(
        !store.authorize_request_token("t", &approval()).unwrap(),
        "a second approval"
    );
    assert!(!store.authorize_request_token("none", &approval()).unwrap());
    store.purge_request_tokens(100).unwrap();
    assert_eq!(
        store.request_token_count().unwrap(),
        1,
        "alive up to its expiry"
    );
    store.purge_request_tokens(101).unwrap();
    assert_eq!(store.request_token_count().unwrap(), 0, "purged after it");
}

#[test]
fn nonces_are_kept_until_they_expire_and_purged_after() {
    let store = MemoryStore::new();
    assert!(store.insert_nonce_if_absent(&nonce("a"), 1, 100).unwrap());
    assert!(
        store
            .insert_nonce_if_absent(&nonce("short"), 1, 10)
            .unwrap()
    );
    // Later inserts purge what expired, and only that.
    assert!(store.insert_nonce_if_absent(&nonce("b"), 20, 120).unwrap());
    assert_eq!(store.nonce_count().unwrap(), 2);
    assert!(
        !store.insert_nonce_if_absent(&nonce("a"), 30, 130).unwrap(),
        "a replay"
    );
    assert!(
        store
            .insert_nonce_if_absent(&nonce("short"), 30, 130)
            .unwrap()
    );
}

/// A provider whose one consumer registered no callback.
fn bare_provider(accept_request_callback: bool) -> Provider<MemoryStore> {
    let store = MemoryStore::new();
    store
        .add_consumer(consumer_record("bare-consumer", "bare-secret", None))
        .unwrap();
    let mut config = ProviderConfig::new("SMART");
    config.accept_request_callback = accept_request_callback;
    Provider::new(config, store)
}

#[test]
fn request_tokens_die_for_the_authorize_page_after_their_lifetime() {
    let provider = bare_provider(false);
    let ttl = ProviderConfig::new("SMART").request_token_ttl;
    let mut rng = SeededRng(3);
    for token in ["a", "b", "c"] {
        let record = request_token(token, "oob", 1_000 + ttl);
        provider.store().insert_request_token(&record).unwrap();
    }
    assert!(provider.pending_authorization(1_000 + ttl, "a").is_ok());
    let late = 1_001 + ttl;
    assert!(matches!(
        provider.pending_authorization(late, "a"),
        Err(Error::UnknownRequestToken)
    ));
    let authorized = provider.authorize(late, "b", "alice", Attributes::new(), &mut rng);
    assert!(matches!(authorized, Err(Error::UnknownRequestToken)));
    assert!(matches!(
        provider.deny(late, "c"),
        Err(Error::UnknownRequestToken)
    ));
}

#[test]
fn a_refusal_goes_to_the_requested_callback_only_when_allowed_and_not_oob() {
    let url = "https://app.example/cb";
    for (accept, callback, expected) in
        [(true, url, true), (true, "oob", false), (false, url, false)]
    {
        let provider = bare_provider(accept);
        provider
            .store()
            .insert_request_token(&request_token("t", callback, u64::MAX))
            .unwrap();
        let location = provider.deny(1, "t").unwrap();
        assert_eq!(location.is_some(), expected, "{accept} {callback}");
        if let Some(location) = location {
            assert!(location.starts_with(url) && location.contains("oauth_problem=user_refused"));
        }
    }
}

#[test]
fn provider_debug_shows_the_config_only() {
    let shown = format!("{:?}", bare_provider(true));
    assert!(
        shown.starts_with("Provider") && shown.contains("accept_request_callback: true"),
        "{shown}"
    );
}
