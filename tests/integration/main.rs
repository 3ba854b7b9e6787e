//! The workspace integration tests, one binary, one module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failing unwrap is a failing test, with its message"
)]

mod app;
mod background;
mod calls;
mod cli;
mod client;
mod data_types;
mod examples;
mod filters;
mod hardening;
mod login_flood;
mod manifests;
mod oauth_debug;
mod original_manifests;
mod preferences;
mod replicas;
mod search;
mod security;
mod support;
