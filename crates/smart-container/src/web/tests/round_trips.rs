//! The database statements (round trips, on PostgreSQL) one signed data call
//! costs on the hot path, counted in the store adapter. docs/performance.md
//! quotes these figures; a change that adds a statement to the hot path
//! fails here first.

use axum::http::StatusCode;

use super::harness::{APP_ID, Harness, RECORD, manifest};
use crate::Container;

/// The statements of one nonce batch, which also reads the credentials
/// generation and the records' versions.
fn batch(h: &Harness) -> u64 {
    h.state.container().store.statements_per_nonce_batch()
}

/// Runs `path` once signed and returns how many statements it ran.
async fn statements_for(h: &Harness, auth: &oauth1_dance::Authorized, path: &str) -> u64 {
    let store = &h.state.container().store;
    let before = store.statements();
    let r = h.signed_get(auth, path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    store.statements() - before
}

#[tokio::test]
async fn a_signed_data_call_costs_a_known_number_of_round_trips() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let demographics_path = format!("/records/{RECORD}/demographics");
    let medications_path = format!("/records/{RECORD}/medications/");
    // Cold: nothing of this token kept yet, so the proof from memory fails
    // and the request is proven by reading: the credentials generation and
    // the record's version (one statement), the consumer, the access
    // token; then the nonce's batch and the collection's count and page.
    let cold = statements_for(&h, &auth, &medications_path).await;
    // Warm: the first call may prepare statements and rendered the documents.
    statements_for(&h, &auth, &demographics_path).await;
    let demographics = statements_for(&h, &auth, &demographics_path).await;
    let medications = statements_for(&h, &auth, &medications_path).await;
    println!(
        "statements per signed call: demographics {demographics}, medications {medications}, medications cold {cold} (postgres: {})",
        h.state.container().store.is_postgres()
    );
    // The nonce's batch only: the consumer and the token are kept in
    // memory, the rendered document too, and the batch reads the
    // generation that proof is checked against and the record's version.
    // On PostgreSQL: one round trip.
    assert_eq!(demographics, batch(&h), "demographics");
    assert_eq!(medications, batch(&h), "medications");
    assert!(
        cold <= 5 + batch(&h),
        "medications, cold: {cold} statements"
    );
}

#[tokio::test]
async fn credentials_kept_in_memory_are_dropped_when_another_process_changes_them() {
    let h = Harness::new();
    let revoked = h.dance(RECORD).await;
    let kept = h.dance(RECORD).await;
    let path = format!("/records/{RECORD}/demographics");
    for auth in [&revoked, &kept] {
        statements_for(&h, auth, &path).await;
        assert_eq!(statements_for(&h, auth, &path).await, batch(&h), "warm");
    }
    // Another process on the same database, as the `revoke` command is.
    let other = Container::open(h.dir.path()).unwrap();
    let hash = crate::crypto::digest(revoked.token());
    assert!(other.store.revoke_access_token(&hash).unwrap());
    assert_eq!(
        h.signed_get(&revoked, &path).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The refused call was proven from memory, then, since its nonce's
    // batch read a newer generation, again by reading: the consumer was read
    // again at the new generation, the revoked token was not found. The
    // other token is read again once (the generation and the token, then
    // the batch), then kept again.
    assert_eq!(
        statements_for(&h, &kept, &path).await,
        2 + batch(&h),
        "read again"
    );
    assert_eq!(
        statements_for(&h, &kept, &path).await,
        batch(&h),
        "kept again"
    );
    // Reinstalling the app (a new secret) drops the old one at once.
    let (_, _new_secret) = other
        .install_app(&manifest(APP_ID, "http://localhost:8000/authorized"), None)
        .unwrap();
    assert_eq!(
        h.signed_get(&kept, &path).await.status,
        StatusCode::UNAUTHORIZED
    );
}
