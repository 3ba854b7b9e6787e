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
    let demographics_path = format!("/records/{RECORD}/demographics");
    let medications_path = format!("/records/{RECORD}/medications/");
    // Cold: the document is not cached yet; the record's version, then the
    // record (or a collection's count and page).
    let cold = statements_for(&h, &auth, &medications_path).await;
    // Warm: the first call may prepare statements and rendered the documents.
    statements_for(&h, &auth, &demographics_path).await;
    let demographics = statements_for(&h, &auth, &demographics_path).await;
    let medications = statements_for(&h, &auth, &medications_path).await;
    println!(
        "statements per signed call: demographics {demographics}, medications {medications}, medications cold {cold} (postgres: {})",
        h.state.container().store.is_postgres()
    );
    // Consumer, access token, nonce, then the record's version (the
    // rendered document is cached).
    assert!(demographics <= 4, "demographics: {demographics} statements");
    assert!(medications <= 4, "medications: {medications} statements");
    assert!(cold <= 6, "medications, cold: {cold} statements");
}
