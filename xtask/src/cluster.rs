//! `cargo xtask cluster [--seconds N | --pre-signed N] [--concurrency 8,32]
//! [--skip-tests]`:
//! the container as several replicas on one PostgreSQL behind a real
//! balancer, on this machine.
//!
//! 1. Starts a throwaway PostgreSQL cluster (`pg.rs`).
//! 2. Runs the cross-replica tests against it (`tests/integration/
//!    replicas.rs`: each test makes its own database, three replicas and
//!    nginx; a replay, a double exchange, a revocation, the browser's login
//!    and approval across replicas, the reference app through nginx).
//! 3. Builds `smart-container` and `smart-load` in release, makes one more
//!    database, installs an app and a user, and starts three replicas
//!    sharing a fresh data key, with Debian's nginx round robin in front.
//! 4. `smart-load` does the real dance through nginx, then a short signed
//!    load through nginx at each concurrency; prints req/s, p50 and p99,
//!    PostgreSQL's transactions per call and the CPU per call of the
//!    replicas, PostgreSQL, nginx and the client (`cpu.rs`).
//!
//! Everything started is stopped when the task ends, on failure too: each
//! process and the database cluster sit in guards.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::load::{Running, flag, free_port, random_alphanumeric, run_quiet, wait_ready};
use crate::pg::PgCluster;

const APP_ID: &str = "smart-load@apps.smart-rest.invalid";
const USER: &str = "loadtester";
const REPLICAS: usize = 3;

/// Runs the task.
pub(crate) fn cluster(root: &Path, args: &[String]) -> Result<()> {
    let seconds = flag(args, "--seconds").unwrap_or_else(|| "10".into());
    seconds
        .parse::<u64>()
        .with_context(|| format!("--seconds `{seconds}` is not a number"))?;
    let concurrency = flag(args, "--concurrency").unwrap_or_else(|| "8,32".into());
    let skip_tests = args.iter().any(|a| a == "--skip-tests");
    // As in `cargo xtask load`: N requests signed before each level's clock.
    let pre_signed = flag(args, "--pre-signed");
    if let Some(n) = &pre_signed {
        n.parse::<u64>()
            .with_context(|| format!("--pre-signed `{n}` is not a number"))?;
    }

    let pg = PgCluster::start()?;
    if !skip_tests {
        replica_tests(root, &pg)?;
    }
    let (container, generator) = crate::load::build_binaries(root)?;

    let work = Work::new(root)?;
    let database = pg.create_database("cluster_load")?;
    let key = hex_key()?;
    let consumer_secret = random_alphanumeric(32)?;
    let password = random_alphanumeric(24)?;
    let manifest = work.0.join("manifest.json");
    fs::write(
        &manifest,
        format!(
            r#"{{"name": "SMART load generator", "description": "Signed data calls for cargo xtask cluster",
 "id": "{APP_ID}", "mode": "ui", "scope": "record",
 "index": "http://127.0.0.1:9/", "oauth_callback": "http://127.0.0.1:9/authorized",
 "icon": "http://127.0.0.1:9/icon.png", "smart_version": "1.0", "version": "1"}}"#
        ),
    )?;
    let admin = |args: &[&str]| {
        let mut c = Command::new(&container);
        c.arg("--data-dir")
            .arg(work.0.join("admin"))
            .args(args)
            .env("SMART_CONTAINER_DATABASE", &database)
            .env("SMART_CONTAINER_KEY", &key);
        c
    };
    let manifest_arg = manifest.to_string_lossy().into_owned();
    run_quiet(
        &mut admin(&["load-app", &manifest_arg, "--secret", &consumer_secret]),
        "smart-container load-app",
    )?;
    run_quiet(
        &mut admin(&["add-user", USER, "--password", &password]),
        "smart-container add-user",
    )?;

    // Three replicas, the same public URL (nginx's) and data key.
    let front_port = free_port()?;
    let front = format!("http://127.0.0.1:{front_port}");
    let mut replicas = Vec::new();
    let mut ports = Vec::new();
    for i in 0..REPLICAS {
        let port = free_port()?;
        let log = fs::File::create(work.0.join(format!("replica-{i}.log")))?;
        let child = Command::new(&container)
            .arg("--data-dir")
            .arg(work.0.join(format!("replica-{i}")))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--public-url", &front])
            .env("SMART_CONTAINER_DATABASE", &database)
            .env("SMART_CONTAINER_KEY", &key)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("could not start smart-container")?;
        replicas.push(Running::new(child, "smart-container replica"));
        ports.push(port);
    }
    for (port, replica) in ports.iter().zip(replicas.iter_mut()) {
        wait_ready(*port, "/manifest", replica)?;
    }
    let nginx = Nginx::start(&work.0.join("nginx"), front_port, &ports)?;
    println!("\n== {REPLICAS} replicas on PostgreSQL behind nginx at {front} (round robin) ==");

    // The real dance through nginx.
    let credentials = work.0.join("credentials");
    let status = Command::new(&generator)
        .args(["--api-base", &front, "--consumer-key", APP_ID])
        .args(["--username", USER, "--prepare-only"])
        .arg("--save-credentials")
        .arg(&credentials)
        .env("SMART_LOAD_CONSUMER_SECRET", &consumer_secret)
        .env("SMART_LOAD_PASSWORD", &password)
        .status()
        .context("could not run smart-load")?;
    if !status.success() {
        bail!("the dance through nginx failed ({status})");
    }
    let saved = fs::read_to_string(&credentials)?;
    let field = |name: &str| {
        saved
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
            .with_context(|| format!("smart-load saved no {name}"))
    };
    let (record_id, token, token_secret) =
        (field("record_id")?, field("token")?, field("token_secret")?);

    // A short load through nginx.
    let tsv = work.0.join("results.tsv");
    let transactions_before = pg.transactions("cluster_load")?;
    let cpu = crate::cpu::Sampler::start();
    let mut load = Command::new(&generator);
    match &pre_signed {
        Some(n) => load.args(["--pre-signed", n]),
        None => load.args(["--seconds", &seconds]),
    };
    let status = load
        .args(["--api-base", &front, "--consumer-key", APP_ID])
        .args(["--token", &token, "--record-id", record_id.trim()])
        .args(["--concurrency", &concurrency])
        .args(["--pid", &replicas[0].id().to_string()])
        .arg("--tsv-out")
        .arg(&tsv)
        .args(["--label", "cluster"])
        .env("SMART_LOAD_CONSUMER_SECRET", &consumer_secret)
        .env("SMART_LOAD_TOKEN_SECRET", &token_secret)
        .status()
        .context("could not run smart-load")?;
    let cpu = cpu.finish();
    if !status.success() {
        bail!("smart-load through nginx failed ({status})");
    }
    // Every backend has flushed its counters a second after its last call.
    std::thread::sleep(Duration::from_millis(1500));
    let transactions = pg
        .transactions("cluster_load")?
        .saturating_sub(transactions_before);
    println!(
        "\n== cargo xtask cluster: signed data calls through nginx, {REPLICAS} replicas, one PostgreSQL =="
    );
    println!(
        "{:>5} | {:>8} {:>7} {:>7} {:>6} {:>12} {:>9}",
        "conc", "req/s", "p50 ms", "p99 ms", "errors", "replica0 MB", "client %"
    );
    let results = fs::read_to_string(&tsv).unwrap_or_default();
    for line in results.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("-");
        let mb = get(9)
            .parse::<f64>()
            .map_or_else(|_| "-".into(), |kb| format!("{:.1}", kb / 1024.0));
        println!(
            "{:>5} | {:>8} {:>7} {:>7} {:>6} {:>12} {:>9}",
            get(1),
            get(3),
            get(4),
            get(5),
            get(7),
            mb,
            get(11)
        );
    }
    let calls: u64 = results
        .lines()
        .filter_map(|l| l.split('\t').nth(2)?.parse::<u64>().ok())
        .sum();
    if calls > 0 {
        // The warm-up calls and the replicas' background purges are in the
        // count too: an upper bound.
        println!(
            "database transactions per signed call, all levels: {:.2} ({transactions} for {calls} calls, pg_stat_database; each statement on its own is one round trip)",
            transactions as f64 / calls as f64
        );
        print_cpu(&cpu, calls);
    }
    drop(nginx);
    for mut r in replicas {
        r.stop();
    }
    Ok(())
}

/// CPU per signed call of each kind of process over the load (all levels,
/// signing included when the client signs as it goes).
fn print_cpu(seconds: &std::collections::HashMap<String, f64>, calls: u64) {
    let per_call = |s: f64| s * 1e6 / calls as f64;
    let of = |name: &str| seconds.get(name).copied().unwrap_or(0.0);
    let named = ["smart-container", "postgres", "nginx", "smart-load"];
    let total: f64 = seconds.values().sum();
    let other = total - named.iter().map(|n| of(n)).sum::<f64>();
    println!(
        "CPU per signed call, all levels (/proc, every 200 ms): replicas {:.0} µs, PostgreSQL {:.0} µs, nginx {:.0} µs, load client {:.0} µs, anything else {:.0} µs; total {:.0} µs",
        per_call(of("smart-container")),
        per_call(of("postgres")),
        per_call(of("nginx")),
        per_call(of("smart-load")),
        per_call(other),
        per_call(total)
    );
}

/// The cross-replica tests on the running PostgreSQL.
pub(crate) fn replica_tests(root: &Path, pg: &PgCluster) -> Result<()> {
    eprintln!("==> xtask cross-replica tests (SMART_TEST_POSTGRES_URL, nginx)");
    let status = crate::cargo()
        .args([
            "test",
            "--locked",
            "-p",
            "smart-rest-tests",
            "--test",
            "integration",
            "replicas::",
        ])
        .env("SMART_TEST_POSTGRES_URL", pg.url())
        .current_dir(root)
        .status()
        .context("could not start cargo test")?;
    if !status.success() {
        bail!("the cross-replica tests failed ({status})");
    }
    Ok(())
}

/// 64 hex digits from the OS generator: the replicas' shared data key.
fn hex_key() -> Result<String> {
    use std::io::Read as _;
    let mut bytes = [0u8; 32];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read /dev/urandom")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A folder under `target/` for the run's files, removed at the end.
struct Work(PathBuf);

impl Work {
    fn new(root: &Path) -> Result<Self> {
        let path = root
            .join("target/xtask-cluster")
            .join(format!("run-{}", std::process::id()));
        if path.exists() {
            fs::remove_dir_all(&path)?;
        }
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Work(path))
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Debian's nginx in the foreground with a configuration, pid file and
/// logs of its own; stopped with `nginx -s stop` (the master ends its
/// workers) when dropped, killed only if that fails.
struct Nginx {
    running: Running,
    args: Vec<String>,
}

impl Nginx {
    const BINARY: &'static str = "/usr/sbin/nginx";

    fn start(home: &Path, port: u16, upstreams: &[u16]) -> Result<Self> {
        if !Path::new(Self::BINARY).exists() {
            bail!(
                "no {} (Debian's package `nginx`; .ci/install-system-packages installs it)",
                Self::BINARY
            );
        }
        fs::create_dir_all(home)?;
        let conf = home.join("nginx.conf");
        fs::write(&conf, nginx_conf(home, port, upstreams))?;
        let h = home.to_string_lossy().into_owned();
        let args = vec![
            "-p".to_owned(),
            h.clone(),
            "-c".to_owned(),
            conf.to_string_lossy().into_owned(),
            "-e".to_owned(),
            format!("{h}/error.log"),
        ];
        let child = Command::new(Self::BINARY)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("could not start nginx")?;
        let mut nginx = Nginx {
            running: Running::new(child, "nginx"),
            args,
        };
        if let Err(e) = wait_ready(port, "/manifest", &mut nginx.running) {
            let log = fs::read_to_string(home.join("error.log")).unwrap_or_default();
            bail!("{e}\nnginx error log:\n{log}");
        }
        Ok(nginx)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new(Self::BINARY)
            .args(&self.args)
            .args(["-s", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !self.running.exited() {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.running.stop();
    }
}

/// One worker in the foreground, every file under `home`, HTTP/1.1 with
/// kept-alive connections to the replicas, each request to the next one.
fn nginx_conf(home: &Path, port: u16, upstreams: &[u16]) -> String {
    let h = home.display();
    let servers: String = upstreams
        .iter()
        .map(|p| format!("        server 127.0.0.1:{p};\n"))
        .collect();
    // The one configuration, shared with the cross-replica tests.
    include_str!("../../tests/data/nginx-replicas.conf")
        .replace("@HOME@", &h.to_string())
        .replace("@LISTEN@", &format!("127.0.0.1:{port}"))
        .replace("@SERVERS@", &servers)
}
