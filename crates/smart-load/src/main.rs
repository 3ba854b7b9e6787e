//! `smart-load`: drives a SMART container (or any provider serving the same
//! paths) with freshly signed data calls at rising concurrency.
//!
//! With `--username`/`--password` it first obtains an access token through
//! the real dance (manifest, HTML login, record picker, request token,
//! authorize form, access token); with `--token`/`--token-secret` it uses
//! given credentials. Then, for each concurrency level, as many tasks as
//! the level send `GET /records/{id}/demographics` and paged
//! `GET /records/{id}/medications/?limit=5&offset=0|5` for a bounded time,
//! each request signed anew with a fresh nonce (or, with `--pre-signed N`,
//! N requests signed before the clock starts), and it prints throughput,
//! p50/p99 latency, errors, its own share of the machine's CPU and (with
//! `--pid`) the server's resident memory and CPU time per request.
//!
//! `cargo xtask load` starts the container and the Python peer and runs this.

mod drive;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use oauth1_dance::store::Attributes;
use oauth1_dance::{Authorized, Consumer};
use oauth1_sign::Secret;

/// Freshly signed SMART data calls at rising concurrency.
#[derive(Debug, Parser)]
#[command(name = "smart-load", version)]
struct Cli {
    /// The container's API base, e.g. `http://127.0.0.1:7000` (loopback only).
    #[arg(long)]
    api_base: String,
    /// The app id (OAuth consumer key).
    #[arg(long)]
    consumer_key: String,
    /// The app's consumer secret.
    #[arg(long, env = "SMART_LOAD_CONSUMER_SECRET", hide_env_values = true)]
    consumer_secret: String,
    /// A user to log in as, for the dance.
    #[arg(long, requires = "password", conflicts_with = "token")]
    username: Option<String>,
    /// That user's password.
    #[arg(long, env = "SMART_LOAD_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// An access token obtained elsewhere (skips the dance).
    #[arg(long, requires_all = ["token_secret", "record_id"])]
    token: Option<String>,
    /// Its secret.
    #[arg(long, env = "SMART_LOAD_TOKEN_SECRET", hide_env_values = true)]
    token_secret: Option<String>,
    /// The record the token reads (with `--token`).
    #[arg(long)]
    record_id: Option<String>,
    /// Seconds of load per concurrency level.
    #[arg(long, default_value_t = 30, conflicts_with = "pre_signed")]
    seconds: u64,
    /// Instead of a timed load: sign this many requests per level before
    /// its clock starts (each with its own nonce; the timestamp window must
    /// cover the level), then send exactly those, so that the client's own
    /// signing is not in the measurement.
    #[arg(long, value_name = "REQUESTS", value_parser = clap::value_parser!(u64).range(1..))]
    pre_signed: Option<u64>,
    /// Concurrency levels, comma-separated.
    #[arg(long, default_value = "8,32,64", value_delimiter = ',')]
    concurrency: Vec<usize>,
    /// The server's process id, to read its resident memory from /proc.
    #[arg(long)]
    pid: Option<u32>,
    /// With `--pid`: also print the server's resident memory every this
    /// many seconds of each level, to see whether it stays flat.
    #[arg(long, value_name = "SECONDS", requires = "pid", value_parser = clap::value_parser!(u64).range(1..))]
    rss_every: Option<u64>,
    /// The server's data directory, to report its size after each level.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Write the documents served (and the record id) here, for the Python peer.
    #[arg(long)]
    save_docs: Option<PathBuf>,
    /// Write the credentials obtained by the dance here (`KEY=VALUE` lines).
    #[arg(long)]
    save_credentials: Option<PathBuf>,
    /// Only obtain the token, save what was asked and check one call of each kind.
    #[arg(long)]
    prepare_only: bool,
    /// Append one tab-separated line per level to this file.
    #[arg(long)]
    tsv_out: Option<PathBuf>,
    /// A label for the tab-separated lines.
    #[arg(long, default_value = "server")]
    label: String,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    check_loopback(&cli.api_base)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> Result<()> {
    let api_base = cli.api_base.trim_end_matches('/').to_owned();
    let consumer = Consumer::new(
        cli.consumer_key.clone(),
        Secret::new(cli.consumer_secret.clone()),
    );
    let (authorized, record_id) = match (&cli.username, &cli.token) {
        (Some(username), _) => {
            let password = cli.password.as_deref().unwrap_or_default();
            let user = smart_browser::dance::User {
                username,
                password,
                record_id: None,
            };
            let danced = smart_browser::dance::dance(&api_base, &consumer, user).await?;
            let (authorized, record_id) = (danced.authorized, danced.record_id);
            eprintln!("smart-load: access token for record {record_id} obtained through the dance");
            (authorized, record_id)
        }
        (None, Some(token)) => {
            let (Some(secret), Some(record_id)) = (&cli.token_secret, &cli.record_id) else {
                bail!("--token needs --token-secret and --record-id");
            };
            let authorized = Authorized::from_parts(
                consumer.clone(),
                token.clone(),
                Secret::new(secret.clone()),
                Attributes::new(),
            );
            (authorized, record_id.clone())
        }
        (None, None) => bail!("give --username/--password or --token/--token-secret/--record-id"),
    };
    if let Some(path) = &cli.save_credentials {
        let text = format!(
            "record_id={record_id}\ntoken={}\ntoken_secret={}\n",
            authorized.token(),
            authorized.secret().expose()
        );
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }

    let target = Arc::new(drive::Target {
        api_base,
        record_id,
        authorized,
    });
    let client = drive::client(cli.concurrency.iter().copied().max().unwrap_or(1))?;
    if let Some(dir) = &cli.save_docs {
        drive::save_documents(&client, &target, dir).await?;
    }
    drive::warm_up(&client, &target).await?;
    if cli.prepare_only {
        return Ok(());
    }

    let mode = match cli.pre_signed {
        Some(count) => drive::Mode::PreSigned(count),
        None => drive::Mode::Timed(Duration::from_secs(cli.seconds)),
    };
    println!(
        "{:>5} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9} {:>9} {:>8} {:>10}",
        "conc",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "RSS MB",
        "peak MB",
        "data MB",
        "client %",
        "srv us/req"
    );
    for &level in &cli.concurrency {
        let report = drive::run_level(
            &target,
            level,
            mode,
            cli.pid,
            cli.rss_every.map(Duration::from_secs),
        )
        .await?;
        let data_mb = cli.data_dir.as_deref().map(drive::dir_size_mb);
        println!(
            "{:>5} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>9} {:>9} {:>9} {:>8.1} {:>10}",
            level,
            report.requests,
            report.throughput(),
            report.percentile_ms(0.50),
            report.percentile_ms(0.99),
            report.percentile_ms(1.0),
            report.errors,
            mb(report.rss_end_kb),
            mb(report.rss_peak_kb),
            data_mb.map_or_else(|| "-".into(), |m| format!("{m:.1}")),
            report.client_cpu_percent(),
            report
                .server_cpu_us_per_request()
                .map_or_else(|| "-".into(), |us| format!("{us:.0}")),
        );
        if !report.rss_trace.is_empty() {
            let series: Vec<String> = report
                .rss_trace
                .iter()
                .map(|&(at, kb)| format!("{at}s {}", mb(Some(kb))))
                .collect();
            println!("      RSS MB over the level: {}", series.join(", "));
        }
        for (what, count) in &report.error_kinds {
            println!("      {count} x {what}");
        }
        if let Some(path) = &cli.tsv_out {
            drive::append_tsv(path, &cli.label, level, &report, data_mb)?;
        }
    }
    Ok(())
}

/// Megabytes from kilobytes, or `-` when unknown.
fn mb(kb: Option<u64>) -> String {
    kb.map_or_else(|| "-".into(), |kb| format!("{:.1}", kb as f64 / 1024.0))
}

/// The load test only ever targets this machine.
fn check_loopback(api_base: &str) -> Result<()> {
    let rest = api_base
        .strip_prefix("http://")
        .or_else(|| api_base.strip_prefix("https://"))
        .context("--api-base must be an http(s) URL")?;
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        bail!("--api-base must be on loopback (127.0.0.0/8, ::1 or localhost), not `{host}`");
    }
    Ok(())
}
