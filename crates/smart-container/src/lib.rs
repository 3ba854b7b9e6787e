//! `smart-container`: the reference SMART container, an OAuth 1.0a provider,
//! the SMART REST API and the container's browser pages, on embedded SQLite.
//!
//! The binary (`smart-container`, see `main.rs`) is a thin command line over
//! this library; the reference app's one-command demo and the tests embed the
//! container through the same API:
//!
//! - [`Container::open`] opens (creating) a data directory: the database with
//!   its migrations, the data key, and the synthetic patients on first start;
//! - [`Container::install_app`] installs an app from its manifest and returns
//!   its consumer key and secret; [`Container::add_user`] adds a user;
//! - [`Config`] carries the serving options and [`serve`] runs the server on a
//!   listener until a shutdown future resolves;
//! - [`app`] builds the axum [`axum::Router`] from an [`AppState`], for
//!   in-process tests through `tower::ServiceExt::oneshot`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), smart_container::Error> {
//! let dir = tempfile::tempdir().map_err(smart_container::Error::io("create a directory"))?;
//! let mut container = smart_container::Container::open(dir.path())?;
//! container.set_password_cost(smart_container::PasswordCost::Test);
//! let (key, secret) = container.install_app(
//!     r#"{"name": "Demo", "description": "A demo", "id": "demo@apps.example",
//!         "mode": "ui", "index": "http://localhost:8000/",
//!         "oauth_callback": "http://localhost:8000/authorized",
//!         "icon": "http://localhost:8000/icon.png"}"#,
//!     None,
//! )?;
//! assert_eq!(key, "demo@apps.example");
//! assert!(secret.expose().len() >= 16);
//! container.add_user("alice", "correct horse battery")?;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await
//!     .map_err(smart_container::Error::io("listen on 127.0.0.1"))?;
//! let config = smart_container::Config::new(dir.path());
//! // Shut down at once: a real caller passes e.g. `tokio::signal::ctrl_c()`.
//! smart_container::serve(config, listener, async {}).await?;
//! # Ok(()) }
//! ```

mod container;
mod credentials;
mod crypto;
mod error;
mod filters;
mod manifest;
mod model;
mod oauth_store;
mod rdf;
mod server;
mod store;
mod synth;
mod web;

pub use container::{AppSummary, Container};
pub use crypto::{KEY_ENV, KEY_FILE, PasswordCost, Secret};
pub use error::{Error, KeyError, Report, StorageError, UnexpectedValue};
pub use manifest::AppManifest;
pub use server::{
    Config, HEADER_READ_TIMEOUT, MAX_CONNECTIONS, MAX_HEADER_READ_TIMEOUT, serve, serve_split,
};
pub use store::DB_FILE;
pub use synth::{DEFAULT_PATIENTS, DEFAULT_SEED};
pub use web::{
    AppState, BODY_LIMIT, LOGIN_COOKIE, REQUEST_TIMEOUT, SESSION_COOKIE, WebOptions, api_app, app,
    ui_app,
};

#[cfg(test)]
mod tests;
