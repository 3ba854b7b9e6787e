//! The `smart-demo` command: the container and the app in one process.

use std::process::ExitCode;

use clap::Parser;

/// The reference container and the reference app in one process.
#[derive(Debug, Parser)]
#[command(name = "smart-demo", version, about)]
struct Cli {
    #[command(flatten)]
    args: smart_demo::DemoArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo prints its own lines; the servers' request logs would bury them.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
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
    match runtime.block_on(smart_demo::run(cli.args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
