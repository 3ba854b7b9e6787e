//! The `smart-rest-minimal` command: serve the app.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use smart_rest_minimal::config::{self, Config, ContainerConfig};
use smart_rest_minimal::{AppError, AppState};

/// The reference SMART REST app (after the original `rest_minimal`).
#[derive(Debug, Parser)]
#[command(name = "smart-rest-minimal", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app (the default).
    Serve(ServeArgs),
}

#[derive(Debug, Clone, Args)]
struct ServeArgs {
    /// The address to listen on [default: 127.0.0.1:8000].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// The URL browsers reach the app at [default: http://LISTEN/].
    #[arg(long)]
    public_url: Option<String>,
    /// A TOML file listing the containers and the app's credentials at each.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The container's api_base.
    #[arg(long, env = "SMART_API_BASE")]
    api_base: Option<String>,
    /// The app id (the OAuth consumer key).
    #[arg(long, env = "SMART_APP_ID", default_value = config::DEFAULT_APP_ID)]
    app_id: String,
    /// Where the session database and its key live [default: ./smart-rest-data,
    /// or the config file's `data_dir`].
    #[arg(long, env = "SMART_REST_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The OAuth consumer secret.
    #[arg(long, env = "SMART_CONSUMER_SECRET", hide_env_values = true)]
    consumer_secret: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_filter = "info";
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Some(Command::Serve(args)) => serve(args).await,
            None => serve(cli.serve).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), AppError> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path, args.listen, args.public_url.as_deref())?,
        None => {
            let api_base = args.api_base.ok_or_else(|| {
                AppError::Config("set SMART_API_BASE (or --api-base), or give --config FILE".into())
            })?;
            let consumer_secret = args.consumer_secret.ok_or_else(|| {
                AppError::Config("set SMART_CONSUMER_SECRET (or give --config FILE)".into())
            })?;
            let listen = match args.listen {
                Some(listen) => listen,
                None => config::parse_listen(config::DEFAULT_LISTEN)?,
            };
            Config::single(
                listen,
                args.public_url.as_deref(),
                ContainerConfig {
                    api_base,
                    app_id: args.app_id,
                    consumer_secret,
                },
            )?
        }
    };
    if let Some(dir) = args.data_dir {
        config.data_dir = dir;
    }
    let state = AppState::new(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| AppError::Config(format!("cannot listen on {}: {e}", config.listen)))?;
    tracing::info!(listen = %config.listen, public_url = %config.public_url, "serving");
    smart_rest_minimal::serve(state, listener, smart_rest_minimal::shutdown_signal()).await
}
