//! `smart-rest-minimal`: the reference SMART REST app, after the original
//! `rest_minimal` Flask app, and the one-command demo.
//!
//! The app launches from a SMART container, does the OAuth 1.0a dance on
//! its back end, reads the patient's demographics and shows the name that
//! the seed's SPARQL query ([`app::NAME_QUERY`]) finds. Access tokens stay
//! on the server ([`session`]); the browser holds only a random session id.
//!
//! - [`app::app`] is the router, [`serve`] runs it on a listener;
//! - [`demo`] starts the embedded container and the app in one process;
//! - [`smoke`] drives the whole flow headlessly like a browser.

pub mod app;
pub mod config;
pub mod demo;
pub mod error;
pub mod limit;
pub mod pages;
pub mod session;
pub mod smoke;

use std::future::Future;

pub use app::{AppState, app};
pub use config::{Config, ContainerConfig};
pub use error::AppError;

/// Serves the app on a bound listener until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AppError> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|e| AppError::Internal(format!("server failed: {e}")))
}

#[cfg(test)]
mod tests;
