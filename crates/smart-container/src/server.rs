//! Serving: the configuration and the server loop with graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use tokio::net::TcpListener;

use crate::{AppState, Container, Error, PasswordCost, app};

/// How often expired nonces, request tokens and sessions are dropped.
const PURGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// How to serve a container.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The data directory (database, data key).
    pub data_dir: PathBuf,
    /// The external origin used in the manifest and in signature base
    /// strings; `None`: `http://` + the listener's local address.
    pub public_url: Option<String>,
    /// Development mode: weak app secrets only warn, and the user
    /// `demo`/`demo` is created when no user exists.
    pub dev: bool,
    /// The argon2 cost of passwords hashed by this process.
    pub password_cost: PasswordCost,
}

impl Config {
    /// Defaults for a data directory: no public URL (the listener's
    /// address), not in development mode, standard password cost.
    pub fn new(data_dir: impl AsRef<Path>) -> Self {
        Self {
            data_dir: data_dir.as_ref().to_path_buf(),
            public_url: None,
            dev: false,
            password_cost: PasswordCost::Standard,
        }
    }

    /// Sets the public URL.
    #[must_use]
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// Sets development mode.
    #[must_use]
    pub fn with_dev(mut self, dev: bool) -> Self {
        self.dev = dev;
        self
    }

    /// Sets the password cost.
    #[must_use]
    pub fn with_password_cost(mut self, cost: PasswordCost) -> Self {
        self.password_cost = cost;
        self
    }
}

/// Opens the data directory, checks the apps' secrets (outside `dev` a weak
/// one is an error naming the app and the fix), creates the `demo` user in
/// `dev` mode when there is no user, and serves on `listener` until
/// `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let local: SocketAddr = listener
        .local_addr()
        .map_err(|e| Error::Io(e.to_string()))?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let dir = config.data_dir.clone();
    let dev = config.dev;
    let cost = config.password_cost;
    let container = tokio::task::spawn_blocking(move || prepare(&dir, dev, cost))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    let state = AppState::new(container, &public_url, dev)?;
    tracing::info!(listen = %local, public_url = %public_url, dev, "smart-container serving");
    let purger = state.clone();
    let purge = tokio::spawn(async move {
        let mut tick = tokio::time::interval(PURGE_INTERVAL);
        loop {
            tick.tick().await;
            if let Err(e) = purger.purge_expired().await {
                tracing::warn!(error = ?e, "purging expired nonces and tokens failed");
            }
        }
    });
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Io(e.to_string()));
    purge.abort();
    served?;
    tracing::info!("smart-container stopped");
    Ok(())
}

fn prepare(dir: &Path, dev: bool, cost: PasswordCost) -> Result<Container, Error> {
    let mut container = Container::open(dir)?;
    container.set_password_cost(cost);
    let mut problems = Vec::new();
    for a in container.list_apps()? {
        if let Some(why) = a.weak_secret {
            problems.push(format!(
                "app `{}`: {why}; reinstall it with a strong secret (`smart-container load-app MANIFEST` prints a random one, or pass `--secret` with 16+ characters)",
                a.id
            ));
        }
    }
    if !problems.is_empty() {
        if dev {
            for p in &problems {
                tracing::warn!("DEVELOPMENT MODE ONLY: {p}");
            }
        } else {
            return Err(Error::Invalid(format!(
                "refusing to serve outside --dev:\n  {}",
                problems.join("\n  ")
            )));
        }
    }
    if dev && container.ensure_dev_user()? {
        tracing::warn!("development mode: created the user `demo` with password `demo`");
    }
    Ok(container)
}
