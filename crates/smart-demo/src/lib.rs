//! `smart-demo`: the reference container and the reference app in one
//! process, the app installed with a fresh secret; `--smoke` then runs the
//! whole flow headlessly for every synthetic patient.
//!
//! This crate, not the app, depends on `smart-container`: the app's library
//! and server know a container only by its api_base.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use smart_client::{Credentials, Registry, SmartClient};
use smart_container::PasswordCost;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use smart_rest_minimal::app::{AppState, MANIFEST_JSON};
use smart_rest_minimal::config::DEFAULT_APP_ID;
use smart_rest_minimal::error::AppError;
use smart_rest_minimal::session::SessionStore;
pub use smart_rest_minimal::shutdown_signal;

/// The folder, inside the demo's data directory, of the app's sessions.
pub const APP_SESSIONS_DIR: &str = "app-sessions";

/// The user the demo signs in as.
pub const DEMO_USER: &str = "demo";

/// The demo user's password.
pub const DEMO_PASSWORD: &str = "demo";

/// The flags of `smart-demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Run the whole flow headlessly for every patient, then exit.
    #[arg(long)]
    pub smoke: bool,
    /// Where the container's API listens.
    #[arg(long, default_value = "127.0.0.1:7000")]
    pub container_listen: SocketAddr,
    /// Where the container's pages (login, record picker, authorize) listen:
    /// an origin apart from the API, as in the original container.
    #[arg(long, default_value = "127.0.0.1:7001")]
    pub ui_listen: SocketAddr,
    /// Where the app listens.
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,
    /// The container's data directory, kept between runs (e.g. `./smart-data`);
    /// by default a temporary one, removed at exit.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// A running demo: the container and the app, until [`Demo::shutdown`].
#[derive(Debug)]
pub struct Demo {
    /// The container's api_base.
    pub container_url: String,
    /// The origin of the container's pages.
    pub ui_url: String,
    /// The app's URL.
    pub app_url: Url,
    /// The app's state (tests look into its sessions).
    pub app_state: AppState,
    client: Arc<SmartClient>,
    stop: watch::Sender<bool>,
    container: JoinHandle<Result<(), smart_container::Error>>,
    app: JoinHandle<Result<(), AppError>>,
    _temp: Option<tempfile::TempDir>,
}

/// How to start a demo.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where the container's API listens.
    pub container_listen: SocketAddr,
    /// Where the container's pages listen.
    pub ui_listen: SocketAddr,
    /// Where the app listens.
    pub app_listen: SocketAddr,
    /// Take any free port when an address is in use.
    pub fallback_to_free_ports: bool,
    /// The data directory, `None` for a temporary one.
    pub data_dir: Option<PathBuf>,
    /// The argon2 cost of the demo user's password hash.
    pub password_cost: PasswordCost,
}

impl Demo {
    /// Starts the container (development mode, synthetic patients, user
    /// `demo`/`demo`) and the app, the app installed with a fresh secret and
    /// its manifest's URLs pointing at the app's actual address.
    pub async fn start(options: DemoOptions) -> Result<Demo, AppError> {
        let container_listener =
            bind(options.container_listen, options.fallback_to_free_ports).await?;
        let ui_listener = bind(options.ui_listen, options.fallback_to_free_ports).await?;
        let app_listener = bind(options.app_listen, options.fallback_to_free_ports).await?;
        let container_addr = local_addr(&container_listener)?;
        let ui_url = format!("http://{}", local_addr(&ui_listener)?);
        let app_addr = local_addr(&app_listener)?;
        let container_url = format!("http://{container_addr}");
        let app_url = Url::parse(&format!("http://{app_addr}/"))
            .map_err(|e| AppError::Internal(format!("bad app url: {e}")))?;

        let (temp, data_dir) = match options.data_dir {
            Some(dir) => (None, dir),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("smart-demo-")
                    .tempdir()
                    .map_err(|e| AppError::Internal(format!("no temporary directory: {e}")))?;
                let dir = temp.path().to_path_buf();
                (Some(temp), dir)
            }
        };
        let secret = random_secret()?;
        let manifest = app_manifest(&app_url)?;
        let cost = options.password_cost;
        let dir = data_dir.clone();
        let install_secret = secret.clone();
        tokio::task::spawn_blocking(move || -> Result<(), smart_container::Error> {
            let mut container = smart_container::Container::open(&dir)?;
            container.set_password_cost(cost);
            container.install_app(&manifest, Some(&install_secret))?;
            // The demo promises `demo`/`demo`: create the user, or reset its
            // password in a kept data directory.
            container.add_user(DEMO_USER, DEMO_PASSWORD)?;
            Ok(())
        })
        .await
        .map_err(|e| AppError::Internal(format!("container setup panicked: {e}")))?
        .map_err(|e| AppError::Internal(format!("container setup failed: {}", e.report())))?;

        let (stop, stopped) = watch::channel(false);
        let config = smart_container::Config::new(&data_dir)
            .with_public_url(container_url.clone())
            .with_ui_public_url(ui_url.clone())
            .with_dev(true)
            .with_password_cost(cost);
        let container = tokio::spawn(smart_container::serve_split(
            config,
            container_listener,
            ui_listener,
            wait_for_stop(stopped.clone()),
        ));

        let client = SmartClient::new(&container_url, Credentials::new(DEFAULT_APP_ID, secret))?;
        let mut registry = Registry::new();
        registry.insert(client);
        let client = registry.get(&container_url)?;
        // The app's sessions live beside the container's data: with
        // `--data-dir` they survive a restart of the demo.
        let sessions = SessionStore::open(&data_dir.join(APP_SESSIONS_DIR))?;
        let app_state = AppState::with_sessions(registry, false, sessions);
        let app = tokio::spawn(smart_rest_minimal::serve(
            app_state.clone(),
            app_listener,
            wait_for_stop(stopped),
        ));
        Ok(Demo {
            container_url,
            ui_url,
            app_url,
            app_state,
            client,
            stop,
            container,
            app,
            _temp: temp,
        })
    }

    /// The container's launch URL for the app, from its manifest.
    pub async fn launch_url(&self) -> Result<Url, AppError> {
        Ok(self.client.launch_url().await?)
    }

    /// Stops both servers and waits for them.
    pub async fn shutdown(self) -> Result<(), AppError> {
        let _ = self.stop.send(true);
        let container = self
            .container
            .await
            .map_err(|e| AppError::Internal(format!("container task failed: {e}")))?;
        let app = self
            .app
            .await
            .map_err(|e| AppError::Internal(format!("app task failed: {e}")))?;
        container.map_err(|e| AppError::Internal(format!("container failed: {}", e.report())))?;
        app
    }
}

/// Runs the demo as the command line asks.
pub async fn run(args: DemoArgs) -> Result<(), AppError> {
    let demo = Demo::start(DemoOptions {
        container_listen: args.container_listen,
        ui_listen: args.ui_listen,
        app_listen: args.listen,
        fallback_to_free_ports: args.smoke,
        data_dir: args.data_dir,
        password_cost: if args.smoke {
            // A throw-away user with a published password: hashing cost buys nothing.
            PasswordCost::Test
        } else {
            PasswordCost::Standard
        },
    })
    .await?;
    if args.smoke {
        let mut out = std::io::stdout();
        let result =
            smart_browser::app::smoke(&demo.app_url, DEMO_USER, DEMO_PASSWORD, &mut out).await;
        demo.shutdown().await?;
        let report = result.map_err(|e| AppError::Internal(format!("smoke test failed: {e}")))?;
        println!(
            "smoke: {} patients, all shown with every summary section, 0 failures",
            report.patients
        );
        if let Some((record, records, median)) = report.largest {
            println!(
                "smoke: largest summary: record {record}, {records} records, page median {:.1} ms over {} reloads",
                median.as_secs_f64() * 1000.0,
                smart_browser::app::RELOADS
            );
        }
        return Ok(());
    }
    let launch = demo.launch_url().await?;
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "\nSMART REST demo running.\n\n  container: {} (pages: {})\n  app:       {}\n\n\
         Open {} in a browser (or {} to start at the container),\n\
         sign in as `{DEMO_USER}` with password `{DEMO_PASSWORD}`, pick a patient and approve.\n\
         Press Ctrl-C to stop.\n",
        demo.container_url, demo.ui_url, demo.app_url, demo.app_url, launch,
    );
    shutdown_signal().await;
    demo.shutdown().await
}

/// The shipped manifest with its URLs pointing at `app_url`.
pub fn app_manifest(app_url: &Url) -> Result<String, AppError> {
    let mut manifest: serde_json::Value = serde_json::from_str(MANIFEST_JSON)
        .map_err(|e| AppError::Internal(format!("bad shipped manifest: {e}")))?;
    let join = |path: &str| -> Result<String, AppError> {
        app_url
            .join(path)
            .map(String::from)
            .map_err(|e| AppError::Internal(format!("bad app url: {e}")))
    };
    manifest["index"] = join("/")?.into();
    manifest["oauth_callback"] = join("/authorized")?.into();
    manifest["icon"] = join("/static/icon.png")?.into();
    Ok(manifest.to_string())
}

/// A fresh consumer secret: 32 alphanumerics from the OS CSPRNG.
pub fn random_secret() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(32);
    while out.len() < 32 {
        let mut bytes = [0u8; 64];
        getrandom::getrandom(&mut bytes)
            .map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
        // Rejection sampling keeps every character equally likely.
        for byte in bytes {
            if usize::from(byte) < ALPHABET.len() * 4 && out.len() < 32 {
                out.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

async fn bind(address: SocketAddr, fallback: bool) -> Result<TcpListener, AppError> {
    match TcpListener::bind(address).await {
        Ok(listener) => Ok(listener),
        Err(e) if fallback => {
            tracing::info!(%address, error = %e, "address in use, taking a free port");
            TcpListener::bind(SocketAddr::new(address.ip(), 0))
                .await
                .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", address.ip())))
        }
        Err(e) => Err(AppError::Config(format!(
            "cannot listen on {address}: {e} (pass other ports with --listen / --container-listen / --ui-listen)"
        ))),
    }
}

fn local_addr(listener: &TcpListener) -> Result<SocketAddr, AppError> {
    listener
        .local_addr()
        .map_err(|e| AppError::Internal(format!("no local address: {e}")))
}

async fn wait_for_stop(mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        if stopped.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    #[test]
    fn manifest_urls_follow_the_app_address() {
        let url = Url::parse("http://127.0.0.1:8123/").unwrap();
        let manifest: serde_json::Value =
            serde_json::from_str(&app_manifest(&url).unwrap()).unwrap();
        assert_eq!(manifest["index"], "http://127.0.0.1:8123/");
        assert_eq!(
            manifest["oauth_callback"],
            "http://127.0.0.1:8123/authorized"
        );
        assert_eq!(manifest["icon"], "http://127.0.0.1:8123/static/icon.png");
        assert_eq!(manifest["id"], DEFAULT_APP_ID);
    }

    #[test]
    fn secrets_are_fresh_alphanumerics() {
        let a = random_secret().unwrap();
        let b = random_secret().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
