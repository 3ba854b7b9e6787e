//! Sans-io state machines for both sides of the OAuth 1.0a three-legged dance
//! ([RFC 5849 §2](https://www.rfc-editor.org/rfc/rfc5849#section-2)).
//!
//! **Contract: no sockets, no clock, no randomness.** Requests leave as values
//! ([`OutgoingRequest`]), responses come back as values (a status and a body),
//! and the time (`now`, Unix seconds, or a [`Stamp`]) and random bytes (a
//! [`Random`]) are arguments. Any HTTP stack can drive either side, and tests
//! run both sides in memory with a virtual clock. The opt-in `os` feature adds
//! `Stamp::now` and `OsRandom` for callers who want the system clock and the OS CSPRNG.
//!
//! Signing itself lives in [`oauth1_sign`]; this crate adds the protocol:
//! which request comes when, what each reply must hold, and on the provider
//! side every rule of SECURITY.md items 3 to 18 (timestamp window, nonces,
//! single-use verifiers and request tokens, tokens bound to their consumer).
//!
//! # Consumer side
//!
//! Each step is a state struct named by what it awaits, consumed by its
//! transition: [`TemporaryCredentialsRequest`] → [`AwaitTemporaryCredentials`] →
//! [`AwaitAuthorization`] → [`AwaitTokenCredentials`] → [`Authorized`].
//! Every state is `serde`-serialisable, so a web app keeps it in its
//! server-side session between the redirect and the callback.
//!
//! Wiring it to `reqwest` (blocking here; the async client is the same with `.await`):
//!
//! ```no_run
//! use oauth1_dance::{Callback, Consumer, Endpoints, Stamp, TemporaryCredentialsRequest};
//! use oauth1_sign::Secret;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let (now, nonce) = (1_700_000_000, || String::from("n0nce"));
//! let http = reqwest::blocking::Client::new();
//! let send = |r: oauth1_dance::OutgoingRequest| -> reqwest::Result<(u16, Vec<u8>)> {
//!     let mut req = http.request(r.method, &r.url).header("Authorization", r.authorization);
//!     if let Some(content_type) = r.content_type {
//!         req = req.header("Content-Type", content_type);
//!     }
//!     let resp = req.body(r.body).send()?;
//!     Ok((resp.status().as_u16(), resp.bytes()?.to_vec()))
//! };
//! let consumer = Consumer::new("rest-minimal@apps.smartplatforms.org", Secret::new("…"));
//! let endpoints = Endpoints {
//!     request_token: "https://smart.example.org/oauth/request_token".into(),
//!     authorize: "https://smart.example.org/oauth/authorize".into(),
//!     access_token: "https://smart.example.org/oauth/access_token".into(),
//! };
//! // 1. Temporary credentials, bound to a record (SMART).
//! let (request, state) = TemporaryCredentialsRequest::new(endpoints, Callback::Oob)
//!     .param("smart_record_id", "123")
//!     .sign(&consumer, Stamp::new(now, nonce()))?;
//! let (status, body) = send(request)?;
//! let state = state.handle_response(status, &body)?;
//! // 2. Redirect the browser; keep `state` in the session (it is serde).
//! println!("go to {}", state.authorization_url());
//! // 3. The callback arrives with `?oauth_token=..&oauth_verifier=..`.
//! # let callback_query = "oauth_token=..&oauth_verifier=..";
//! let (request, state) = state.handle_callback(&consumer, callback_query, Stamp::new(now, nonce()))?;
//! let (status, body) = send(request)?;
//! let authorized = state.handle_response(status, &body)?;
//! // 4. Signed data calls.
//! let url = "https://smart.example.org/records/123/demographics";
//! let header = authorized.sign_request(&consumer, "GET", url, None, b"", Stamp::new(now, nonce()))?;
//! let rdf = http.get(url).header("Authorization", header).send()?.text()?;
//! # let _ = rdf;
//! # Ok(())
//! # }
//! ```
//!
//! With the `os` feature, `Stamp::now()?` replaces `Stamp::new(now, nonce())`.
//!
//! # Provider side
//!
//! A [`Provider`] holds a [`ProviderConfig`] and the embedder's stores (the
//! traits in [`store`]; [`memory::MemoryStore`] implements them all in memory).
//! Its methods take `now`, a [`ProviderRequest`] and, where credentials are
//! created, a [`Random`]; they return a reply value or an [`Error`] that maps
//! to a status ([`Error::http_status`]), a short body (`Display`) and, for
//! 401, a `WWW-Authenticate` value ([`Provider::challenge`]).
//! [`Provider::authenticate`] returns an [`Authenticated`], which only the
//! provider can create: a handler that asks for one cannot run unverified.
//!
//! Wiring it to axum: keep the provider in the router state as
//! `Arc<Provider<YourStore>>`. In each OAuth handler, take the `http::Request`
//! with its body collected into `Bytes` (bounded by a body limit layer), build
//! a [`ProviderRequest::from_http`] with the configured external origin (never
//! the `Host` header), and call the provider inside
//! `tokio::task::spawn_blocking`, since the stores are synchronous; pass the
//! current Unix time and an OS random source. Turn the reply into a response
//! with `into_http_response()`, and an [`Error`] into its status, its text and
//! the challenge header. For protected routes, write an extractor that runs
//! [`Provider::authenticate`] and yields the [`Authenticated`] value, then
//! check the record with [`Authenticated::require_attribute`].

mod consumer;
mod error;
pub mod memory;
mod provider;
mod random;
pub mod store;

pub use consumer::{
    Authorized, AwaitAuthorization, AwaitTemporaryCredentials, AwaitTokenCredentials, Callback,
    Consumer, ConsumerState, Endpoints, OutgoingRequest, TemporaryCredentialsRequest,
};
pub use error::{Error, Excerpt, StoreError};
pub use provider::{
    Authenticated, AuthorizationGrant, PendingAuthorization, Provider, ProviderConfig,
    ProviderRequest, TemporaryCredentialsIssued, TokenCredentialsIssued,
};
#[cfg(feature = "os")]
pub use random::OsRandom;
pub use random::{NONCE_LEN, Random, Stamp};

#[cfg(test)]
mod tests;
