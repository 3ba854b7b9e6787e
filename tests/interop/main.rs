//! The suite against independent implementations (issue 7): Python's
//! oauthlib and requests-oauthlib for OAuth 1.0a and rdflib for RDF, at the
//! versions pinned in `interop/requirements.txt`.
//!
//! Run it with `cargo xtask interop`, which makes the virtual environment
//! and sets `SMART_REST_PYTHON` to its interpreter; it needs the workspace
//! binaries `smart-container` and `smart-rest-minimal` built beside it.

// Tests panic on purpose with a message naming the failed request or
// process; unwrap/expect there are assertions, not error handling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

mod background;
mod container;
mod data_types;
mod generate;
mod provider;
mod signatures;
mod support;

/// The Python interpreter of the peers' virtual environment.
pub(crate) fn python() -> PathBuf {
    let path = std::env::var_os("SMART_REST_PYTHON")
        .map(PathBuf::from)
        .expect(
            "SMART_REST_PYTHON is not set: run this suite with `cargo xtask interop` \
         (it makes target/py-venv from interop/requirements.txt)",
        );
    signatures::require(&path);
    path
}

/// The folder of the Python peer scripts.
pub(crate) fn interop_dir() -> PathBuf {
    support::workspace_root().join("interop")
}

#[test]
fn signatures_ours_verified_by_oauthlib() {
    signatures::ours_verified_by_oauthlib();
}

#[test]
fn signatures_oauthlib_verified_by_ours() {
    signatures::oauthlib_verified_by_ours();
}

#[test]
fn their_client_our_container() {
    container::their_client_our_container();
}

#[test]
fn their_background_app_our_container() {
    background::their_background_app_our_container();
}

#[test]
fn rdflib_reads_every_data_type() {
    data_types::rdflib_reads_every_data_type();
}

#[tokio::test]
async fn smart_client_against_oauthlib_provider() {
    provider::smart_client_against_oauthlib().await;
}

#[tokio::test]
async fn minimal_app_against_oauthlib_provider() {
    provider::minimal_app_against_oauthlib().await;
}
