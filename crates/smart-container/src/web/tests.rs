//! In-process tests: every request goes through `tower::ServiceExt::oneshot`
//! on the router, no socket.

// Tests unwrap freely: a failed step is a failed test, and the message says which.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on any error"
)]

mod calls;
mod data_types;
mod endpoints;
mod errors;
mod harness;
mod records;
mod round_trips;
mod security;
mod security_dance;
