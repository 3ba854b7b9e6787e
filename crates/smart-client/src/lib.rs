//! `smart-client`: the SMART REST client, the Rust counterpart of the
//! original Python `SMARTClient`.
//!
//! A [`SmartClient`] talks to one container with one app's credentials. It
//! fetches and caches the container manifest, builds the app's launch URL,
//! runs the consumer side of the OAuth 1.0a dance (on `oauth1-dance`) and
//! makes every call of the REST table, each signed with the access token.
//! Replies come back as [`SmartResponse`]: status, headers, raw body, the
//! parsed graph (`smart-rdf`) and typed records. Collections take a typed
//! [`Query`] and can be walked page by page ([`Pages`]).
//!
//! What a web app keeps between requests, [`PendingAuthorization`] and
//! [`AccessToken`], is serialisable and never shows its secrets in `Debug`.
//! An app that talks to several containers keeps a [`Registry`], which
//! refuses any api_base it holds no credentials for before sending anything.
//!
//! HTTP goes through the [`Transport`] trait; [`ReqwestTransport`] (reqwest
//! with rustls, no redirects, timeouts, a bounded body) is the default.
//! Errors keep the reply's status: [`Error::needs_reauthorization`] is true
//! for a `401`, the sign to send the user through the dance again.

pub mod background;
pub mod client;
pub mod error;
pub mod manifest;
mod oauth;
pub mod paging;
pub mod query;
pub mod record;
pub mod registry;
pub mod response;
mod saved;
pub mod search;
pub mod transport;

pub use background::RecordLoop;
pub use client::{AccessToken, Credentials, PendingAuthorization, SmartClient};
pub use error::{Error, Result};
pub use manifest::ContainerManifest;
pub use oauth1_sign::Secret;
pub use paging::Pages;
pub use query::{CodeSystem, Collection, DateFilter, Query};
pub use record::{DocumentFormat, RecordClient};
pub use registry::Registry;
pub use response::SmartResponse;
pub use saved::{SavedPending, SavedToken};
pub use search::RecordSearch;
/// The table of calls the client's methods take their paths from.
pub use smart_api;
pub use smart_rdf::ResponseSummary;
pub use transport::{HttpRequest, HttpResponse, Limits, ReqwestTransport, Transport};

#[cfg(test)]
mod tests;
