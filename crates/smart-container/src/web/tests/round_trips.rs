//! The database statements (round trips, on PostgreSQL) one signed data call
//! costs on the hot path, counted in the store adapter. docs/performance.md
//! quotes these figures; a change that adds a statement to the hot path
//! fails here first.

use axum::http::StatusCode;

use super::harness::{Harness, RECORD};

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
    // Warm: the first call may prepare statements.
    statements_for(&h, &auth, &format!("/records/{RECORD}/demographics")).await;
    let demographics = statements_for(&h, &auth, &format!("/records/{RECORD}/demographics")).await;
    let medications = statements_for(&h, &auth, &format!("/records/{RECORD}/medications/")).await;
    println!(
        "statements per signed call: demographics {demographics}, medications {medications} (postgres: {})",
        h.state.container().store.is_postgres()
    );
    // Consumer, access token, nonce, then the record (and for a collection
    // its count and its page).
    assert!(demographics <= 4, "demographics: {demographics} statements");
    assert!(medications <= 5, "medications: {medications} statements");
}
