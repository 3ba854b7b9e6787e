#![cfg_attr(feature = "os", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "os"),
    doc = "Sans-io state machines for both sides of the OAuth 1.0a three-legged dance. \
           (This build lacks the `os` feature, whose README example is compiled as the crate \
           documentation: see docs.rs or build the docs with `--features os`.)"
)]
//!
//! # The crate in detail
//!
//! **Contract: no sockets, no clock, no randomness.** Requests leave as values
//! ([`OutgoingRequest`]), replies come back as values (a status and a body),
//! and the time (`now`, Unix seconds, or a [`Stamp`]) and random bytes (a
//! [`Random`]) are arguments. Any HTTP stack can drive either side, and tests
//! run both sides in memory with a virtual clock. The opt-in `os` feature adds
//! `Stamp::now` and `OsRandom` for callers who want the system clock and the OS CSPRNG;
//! without it, build stamps with [`Stamp::generate`] (your clock, your CSPRNG) or [`Stamp::new`].
//!
//! ## Consumer side
//!
//! Each step is a state struct named by what it awaits, consumed by its
//! transition: [`TemporaryCredentialsRequest`] → [`AwaitTemporaryCredentials`] →
//! [`AwaitAuthorization`] → [`AwaitTokenCredentials`] → [`Authorized`]. The
//! [`Consumer`] given to the first step travels with the states, so no
//! later step can be given another one. A dance that asked for
//! `oauth_callback=oob` ([`TemporaryCredentialsRequest::out_of_band`]) has
//! states of kind [`OutOfBand`], and only those offer
//! [`AwaitAuthorization::handle_verifier`] for a verifier the user typed;
//! every dance offers [`AwaitAuthorization::handle_callback`], which takes
//! the callback's `oauth_token` and `oauth_verifier` as the web framework
//! decoded them.
//!
//! **Every reply goes to the state machine, whatever its status.** Send each
//! [`OutgoingRequest`] with one function that returns `(status, body)`, and
//! hand both to `handle_response`: a 4xx or 5xx becomes an
//! [`Error::UnexpectedStatus`] whose `Display` carries the provider's reason.
//! With an HTTP client that turns such statuses into its own errors (`ureq`
//! does by default), turn that off, as the example above does.
//!
//! States live in memory between steps. To keep one across requests (the
//! redirect to the provider and the callback come in different requests of
//! a web app), `save()` it: the [`Saved`] value is serialisable, holds the
//! token secret in clear, and belongs in a server-side store only (see its
//! documentation); [`Saved::resume`] takes the consumer again.
//!
//! ## Provider side
//!
//! A [`Provider`] holds a [`ProviderConfig`] and the embedder's stores (the
//! traits in [`store`]; [`memory::MemoryStore`] implements them all in memory).
//! Its methods take `now`, a [`ProviderRequest`] and, where credentials are
//! created, a [`Random`]; they return a reply value or an [`Error`], which
//! [`Provider::error_response`] turns into the whole response (status, short
//! reason, `WWW-Authenticate` on 401). [`Provider::authenticate`] returns an
//! [`Authenticated`], which only the provider can create and which carries
//! the signer's own [`oauth1_sign::Verified`] proof: a handler that asks for
//! one cannot run unverified.
//!
//! Wiring it to axum (`examples/provider_axum.rs` does all of this): keep the
//! provider in the router state as `Arc<Provider<YourStore>>`. In each OAuth
//! handler, take the `http::Request` with its body collected into `Bytes`
//! (bounded by a body limit layer), build a [`ProviderRequest::from_http`]
//! with the configured external origin (never the `Host` header), and call
//! the provider inside `tokio::task::spawn_blocking`, since the stores are
//! synchronous; pass the current Unix time and an OS random source. Turn the
//! reply into a response with `into_http_response()`, and an [`Error`] with
//! [`Provider::error_response`]. For protected routes, write an extractor
//! that runs [`Provider::authenticate`] and yields the [`Authenticated`]
//! value, then check the record with [`Authenticated::require_attribute`].
//!
//! ## Errors
//!
//! One [`Error`] type for both sides. [`Error::fault`] says whose fault it is
//! (the peer's, the caller's, or the environment's), [`Error::http_status`]
//! the status to answer with, and `Display` a short reason (for a provider's
//! reply, its status and a redacted excerpt of its body).

mod consumer;
mod error;
pub mod memory;
mod provider;
mod query;
mod random;
pub mod store;

pub use consumer::{
    Authorized, AwaitAuthorization, AwaitTemporaryCredentials, AwaitTokenCredentials, CallbackKind,
    CallbackUrl, Consumer, Endpoints, OutOfBand, OutgoingRequest, Resumable, Saved,
    TemporaryCredentialsRequest,
};
pub use error::{Error, Excerpt, Fault, StoreError};
/// The signer this crate builds on, for what it does not re-export.
pub use oauth1_sign;
pub use oauth1_sign::{Secret, SignatureMethod};
pub use provider::{
    Authenticated, AuthorizationGrant, ConsumerAuthenticated, PendingAuthorization, Provider,
    ProviderConfig, ProviderRequest, SignatureMismatch, TemporaryCredentialsIssued,
    TokenCredentialsIssued,
};
#[cfg(feature = "os")]
pub use random::OsRandom;
pub use random::{CREDENTIAL_LEN, Random, Stamp, unix_time};

pub use query::append_query;

#[cfg(test)]
mod tests;
