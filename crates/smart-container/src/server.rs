//! Serving: the configuration and the server loop with graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::web::{WebOptions, api_app, ui_app};
use crate::{AppState, Container, Error, PasswordCost, app};

/// How often expired nonces, request tokens and sessions are dropped.
const PURGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// How to serve a container.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The data directory (database, data key).
    pub data_dir: PathBuf,
    /// The shared PostgreSQL database (`postgres://...`) instead of SQLite
    /// in the data directory; a secret, since the URL may hold a password.
    pub database: Option<crate::Secret>,
    /// The external origin used in the manifest and in signature base
    /// strings; `None`: `http://` + the listener's local address.
    pub public_url: Option<String>,
    /// Development mode: weak app secrets only warn, and the user
    /// `demo`/`demo` is created when no user exists.
    pub dev: bool,
    /// The argon2 cost of passwords hashed by this process.
    pub password_cost: PasswordCost,
    /// The pages' own origin (login, picker, authorize), served on a second
    /// listener by [`serve_split`]; `None`: the pages share the API origin.
    pub ui_public_url: Option<String>,
    /// How long a connection may take to send a request's headers before
    /// it is closed (default [`HEADER_READ_TIMEOUT`], at most 30 s).
    pub header_read_timeout: Duration,
    /// The most connections open at once per listener (default
    /// [`MAX_CONNECTIONS`]); past it, new connections wait in the backlog.
    pub max_connections: usize,
    /// Whether a non-form body must carry `oauth_body_hash`.
    pub require_body_hash: bool,
}

/// The default header read timeout.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest header read timeout accepted.
pub const MAX_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The default bound on open connections per listener.
pub const MAX_CONNECTIONS: usize = 512;

/// How long shutdown waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

impl Config {
    /// Defaults for a data directory: no public URL (the listener's
    /// address), not in development mode, standard password cost.
    pub fn new(data_dir: impl AsRef<Path>) -> Self {
        Self {
            data_dir: data_dir.as_ref().to_path_buf(),
            database: None,
            public_url: None,
            dev: false,
            password_cost: PasswordCost::Standard,
            ui_public_url: None,
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            require_body_hash: false,
        }
    }

    /// Serves the pages on their own origin (with [`serve_split`]).
    #[must_use]
    pub fn with_ui_public_url(mut self, url: impl Into<String>) -> Self {
        self.ui_public_url = Some(url.into());
        self
    }

    /// Sets the header read timeout (capped at 30 s).
    #[must_use]
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout.min(MAX_HEADER_READ_TIMEOUT);
        self
    }

    /// Sets the bound on open connections per listener.
    #[must_use]
    pub fn with_max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Requires `oauth_body_hash` on non-form bodies.
    #[must_use]
    pub fn with_require_body_hash(mut self, require: bool) -> Self {
        self.require_body_hash = require;
        self
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

    /// Serves from the PostgreSQL database at `url` instead of SQLite.
    #[must_use]
    pub fn with_database(mut self, url: impl Into<String>) -> Self {
        self.database = Some(crate::Secret::new(url));
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
/// `dev` mode when there is no user, and serves the API and the pages on
/// `listener` until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    serve_inner(config, listener, None, shutdown).await
}

/// As [`serve`], with the pages (login, picker, authorize) on `ui_listener`
/// and the API on `listener`: nothing the API serves shares an origin with
/// the approval form. `config.ui_public_url` defaults to `http://` + the UI
/// listener's address.
pub async fn serve_split(
    config: Config,
    listener: TcpListener,
    ui_listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    serve_inner(config, listener, Some(ui_listener), shutdown).await
}

async fn serve_inner(
    mut config: Config,
    listener: TcpListener,
    ui_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let local: SocketAddr = listener
        .local_addr()
        .map_err(Error::io("get the API listener's address"))?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    if let Some(ui) = &ui_listener
        && config.ui_public_url.is_none()
    {
        let addr = ui
            .local_addr()
            .map_err(Error::io("get the UI listener's address"))?;
        config.ui_public_url = Some(format!("http://{addr}"));
    }
    let dir = config.data_dir.clone();
    let database = config.database.clone();
    let dev = config.dev;
    let cost = config.password_cost;
    let container =
        tokio::task::spawn_blocking(move || prepare(&dir, database.as_ref(), dev, cost)).await??;
    let mut options = WebOptions::new(dev);
    options.ui_url.clone_from(&config.ui_public_url);
    options.require_body_hash = config.require_body_hash;
    let state = AppState::with_options(container, &public_url, &options)?;
    tracing::info!(
        listen = %local,
        public_url = %public_url,
        ui_url = %state.ui_base(),
        dev,
        "smart-container serving"
    );
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
    let (stop, stopped) = watch::channel(false);
    let limits = Limits {
        header_read_timeout: config.header_read_timeout.min(MAX_HEADER_READ_TIMEOUT),
        max_connections: config.max_connections.max(1),
    };
    let mut loops = Vec::new();
    match ui_listener {
        Some(ui) => {
            loops.push(tokio::spawn(accept_loop(
                listener,
                api_app(state.clone()),
                limits,
                stopped.clone(),
            )));
            loops.push(tokio::spawn(accept_loop(
                ui,
                ui_app(state),
                limits,
                stopped,
            )));
        }
        None => loops.push(tokio::spawn(accept_loop(
            listener,
            app(state),
            limits,
            stopped,
        ))),
    }
    shutdown.await;
    let _ = stop.send(true);
    for l in loops {
        if let Err(e) = l.await {
            tracing::error!(error = %e, "a listener task failed");
        }
    }
    purge.abort();
    tracing::info!("smart-container stopped");
    Ok(())
}

/// The connection limits of a listener.
#[derive(Debug, Clone, Copy)]
struct Limits {
    header_read_timeout: Duration,
    max_connections: usize,
}

/// Accepts connections while fewer than `max_connections` are open and
/// serves each over HTTP/1.1 with a header read timeout (SECURITY.md 30);
/// on `stop`, stops accepting, lets open connections finish (up to
/// [`SHUTDOWN_GRACE`]) and returns.
async fn accept_loop(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&open).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let router = router.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                tower::ServiceExt::oneshot(router.clone(), req)
            });
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                res = conn.as_mut() => {
                    if let Err(e) = res {
                        tracing::debug!(error = %e, %peer, "connection ended with an error");
                    }
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
                }
            }
        });
    }
    // Wait for the open connections: each holds a permit until it ends.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, open.acquire_many(all)).await;
}

fn prepare(
    dir: &Path,
    database: Option<&crate::Secret>,
    dev: bool,
    cost: PasswordCost,
) -> Result<Container, Error> {
    let mut container = Container::open_with(dir, database.map(crate::Secret::expose))?;
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
