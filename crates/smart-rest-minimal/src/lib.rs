//! `smart-rest-minimal`: the reference SMART REST app, after the original
//! `rest_minimal` Flask app.
//!
//! The app launches from a SMART container, does the OAuth 1.0a dance on
//! its back end, reads the patient's demographics and shows the name that
//! the seed's SPARQL query ([`app::NAME_QUERY`]) finds. Access tokens stay
//! on the server ([`session`]); the browser holds only a random session id.
//!
//! - [`app::app`] is the router, [`serve`] runs it on a listener.
//!
//! The app knows a container only by its api_base: the one-command demo
//! that embeds the reference container is the `smart-demo` crate, and the
//! headless browser the tests drive it with is `smart-browser`.

pub mod app;
pub mod chart;
pub mod config;
pub mod error;
pub mod limit;
pub mod pages;
pub mod seal;
pub mod session;
pub mod summary;
pub mod summary_page;

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

/// Resolves on Ctrl-C (or SIGTERM on Unix).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests;
