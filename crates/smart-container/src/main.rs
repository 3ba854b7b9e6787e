//! The `smart-container` command: serve the container, and manage its apps,
//! users and tokens.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use smart_container::{Config, Container, Error};

/// mimalloc serves every allocation of the process: Rust's through this
/// global allocator, and, with the crate's `override` feature, the C ones
/// too (SQLite's page cache and statements, which glibc's `malloc` served
/// under a lock shared by the workers). At concurrency 32 that took the
/// signed calls from about 14,000 to about 21,000 a second on the 2-core
/// machine, for about 30 MB more RSS (docs/performance.md, "The
/// allocator").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A reference SMART container: OAuth 1.0a provider, REST API and UI pages.
#[derive(Debug, Parser)]
#[command(name = "smart-container", version)]
struct Cli {
    /// The data directory (database and data key).
    #[arg(
        long,
        global = true,
        default_value = "./smart-data",
        value_name = "DIR"
    )]
    data_dir: PathBuf,
    /// A shared PostgreSQL database (`postgres://user@host:port/db`) instead of SQLite in the data directory; replicas on one database must share `SMART_CONTAINER_KEY`.
    #[arg(
        long,
        global = true,
        env = "SMART_CONTAINER_DATABASE",
        hide_env_values = true,
        value_name = "URL"
    )]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the pages.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:7000", value_name = "ADDR")]
        listen: SocketAddr,
        /// The external origin (manifest URLs, OAuth base strings); default `http://<listen>`.
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        /// Development mode: weak app secrets only warn; creates `demo`/`demo` when there is no user.
        #[arg(long)]
        dev: bool,
        /// Serve the pages (login, record picker, authorize) on this second address, an origin apart from the API.
        #[arg(long, value_name = "ADDR")]
        ui_listen: Option<SocketAddr>,
        /// The pages' external origin; default `http://<ui-listen>`. Needs `--ui-listen`.
        #[arg(long, value_name = "URL", requires = "ui_listen")]
        ui_public_url: Option<String>,
        /// Seconds a connection may take to send its request headers (1 to 30).
        #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=30))]
        header_read_timeout: u64,
        /// The most connections open at once per listener.
        #[arg(long, default_value_t = smart_container::MAX_CONNECTIONS, value_name = "N")]
        max_connections: usize,
        /// Refuse a non-form body without `oauth_body_hash` (by default it is accepted unsigned, as RFC 5849 clients send it; a present body hash is always checked).
        #[arg(long)]
        require_body_hash: bool,
    },
    /// Validate an app manifest and install (or replace) the app.
    LoadApp {
        /// A manifest file or an http(s) URL.
        #[arg(value_name = "MANIFEST_PATH_OR_URL")]
        manifest: String,
        /// The consumer secret; a random one is generated and printed when absent.
        #[arg(long)]
        secret: Option<String>,
    },
    /// Remove an app, its tokens and scratchpads.
    RemoveApp {
        /// The app id.
        #[arg(value_name = "APP_ID")]
        app_id: String,
    },
    /// List the installed apps.
    ListApps,
    /// Add a user, or reset its password (read from stdin when `--password` is absent).
    AddUser {
        /// The user name (also the user id).
        #[arg(value_name = "USERNAME")]
        username: String,
        /// The password.
        #[arg(long)]
        password: Option<String>,
    },
    /// Revoke every token of an app.
    RevokeTokens {
        /// The app id.
        #[arg(value_name = "APP_ID")]
        app_id: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // tokio-postgres logs each statement's parameters at debug level (a
    // session's CSRF key among them), and the server's notices ("relation
    // already exists, skipping") at info: warnings only, whatever RUST_LOG.
    if let Ok(cap) = "tokio_postgres=warn".parse() {
        filter = filter.add_directive(cap);
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.report());
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let dir = cli.data_dir;
    let database = cli.database;
    let open = || Container::open_with(&dir, database.as_deref());
    match cli.command {
        Command::Serve {
            listen,
            public_url,
            dev,
            ui_listen,
            ui_public_url,
            header_read_timeout,
            max_connections,
            require_body_hash,
        } => {
            let listener = bind(listen).await?;
            let mut config = Config::new(&dir)
                .with_dev(dev)
                .with_header_read_timeout(std::time::Duration::from_secs(header_read_timeout))
                .with_max_connections(max_connections)
                .with_require_body_hash(require_body_hash);
            if let Some(url) = &database {
                config = config.with_database(url);
            }
            if let Some(url) = public_url {
                config = config.with_public_url(url);
            }
            if let Some(url) = ui_public_url {
                config = config.with_ui_public_url(url);
            }
            match ui_listen {
                Some(ui) => {
                    let ui = bind(ui).await?;
                    smart_container::serve_split(config, listener, ui, shutdown_signal()).await
                }
                None => smart_container::serve(config, listener, shutdown_signal()).await,
            }
        }
        Command::LoadApp { manifest, secret } => {
            let text = read_manifest(&manifest).await?;
            // What the manifest holds that the container does not use is a
            // warning, not an error: the original's manifests carry keys of
            // their own.
            if let Ok(parsed) = smart_container::AppManifest::parse(&text) {
                for warning in &parsed.warnings {
                    eprintln!("warning: {warning}");
                }
            }
            let container = open()?;
            let generated = secret.is_none();
            let (key, secret) = container.install_app(&text, secret.as_deref())?;
            println!("installed app {key}");
            println!("consumer_key: {key}");
            if generated {
                println!("consumer_secret: {}", secret.expose());
            }
            if let Some(why) = smart_container::Container::weak_secret_reason(&secret) {
                eprintln!("warning: {why}; `serve` will refuse this app outside --dev");
            }
            Ok(())
        }
        Command::RemoveApp { app_id } => {
            open()?.remove_app(&app_id)?;
            println!("removed app {app_id}");
            Ok(())
        }
        Command::ListApps => {
            for a in open()?.list_apps()? {
                match a.weak_secret {
                    Some(why) => println!("{}\t{}\tWEAK SECRET: {why}", a.id, a.name),
                    None => println!("{}\t{}", a.id, a.name),
                }
            }
            Ok(())
        }
        Command::AddUser { username, password } => {
            let password = match password {
                Some(p) => p,
                None => read_password()?,
            };
            let container = open()?;
            let id = tokio::task::spawn_blocking(move || container.add_user(&username, &password))
                .await??;
            println!("user {id} saved");
            Ok(())
        }
        Command::RevokeTokens { app_id } => {
            let n = open()?.revoke_tokens(&app_id)?;
            println!("revoked {n} access token(s) of {app_id}");
            Ok(())
        }
    }
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, Error> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(Error::io(format!("listen on {addr}")))
}

async fn read_manifest(source: &str) -> Result<String, Error> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let fetch = |e| Error::Fetch {
            url: source.to_owned(),
            source: e,
        };
        let resp = reqwest::get(source).await.map_err(fetch)?;
        if !resp.status().is_success() {
            return Err(Error::FetchStatus {
                url: source.to_owned(),
                status: resp.status().as_u16(),
            });
        }
        resp.text().await.map_err(fetch)
    } else {
        std::fs::read_to_string(source).map_err(Error::io(format!("read {source}")))
    }
}

fn read_password() -> Result<String, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (echoed): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(Error::io("read the password from standard input"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
