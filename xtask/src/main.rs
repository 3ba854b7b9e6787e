//! Project tasks behind `cargo xtask` (see `cargo xtask help`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod bench;
mod cluster;
mod cpu;
mod deny;
mod fuzz;
mod interop;
mod load;
mod mutants;
mod package;
mod pg;
mod security;

const HELP: &str = "\
cargo xtask <task>

Tasks:
  ci        format check, clippy -D warnings, every test, the security checklist (what .ci/run runs)
  security  run the tests named after docs/security-requirements.md items and print the checklist
  interop   the suite against oauthlib, requests-oauthlib and rdflib (a venv in target/py-venv)
  browser   the reference app's demo in headless Chromium (needs chromium, chromedriver)
  bench     every criterion bench in release and the Python peers, one table of ratios [--quick]
  load      the container under signed load, then the Python peer [--seconds N] [--concurrency 8,32,64]
  cluster   a throwaway PostgreSQL, the cross-replica tests, then three replicas behind nginx under
            signed load [--seconds N | --pre-signed N] [--concurrency 8,32] [--skip-tests] (needs Debian's postgresql, nginx)
  fuzz [--seconds N] [--jobs N]  build every cargo-fuzz target in fuzz/ and run each N seconds (default 20),
            N targets side by side (default 1); fails on a crash
  deny      cargo deny check (advisories, licences, bans) with the policy in deny.toml
  package-check  cargo package the published crates, build their examples, doctests and docs from the packages
  mutants [--full]  cargo-mutants over oauth1-sign and oauth1-dance (default: lines changed since xtask/mutants-base)
  help      this text
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let root = workspace_root();
    match task {
        "ci" => ci(&root),
        "security" => security::security(&root),
        "interop" => interop::interop(&root),
        "browser" => interop::browser(&root),
        "bench" => bench::bench(&root, &args[1..]),
        "load" => load::load(&root, &args[1..]),
        "cluster" => cluster::cluster(&root, &args[1..]),
        "fuzz" => {
            let (seconds, jobs) = fuzz_options(&args[1..])?;
            fuzz::fuzz(&root, seconds, jobs)
        }
        "deny" => deny::deny(&root, &[]),
        "package-check" => package::package_check(&root),
        "mutants" => mutants::mutants(&root, &args[1..]),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => bail!("unknown task `{other}`\n\n{HELP}"),
    }
}

/// The options of `cargo xtask fuzz`: `--seconds N` (default 20) and
/// `--jobs N` (targets run side by side, default 1).
fn fuzz_options(args: &[String]) -> Result<(u64, usize)> {
    let (mut seconds, mut jobs) = (20, 1);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .with_context(|| format!("{flag} takes a value\n\n{HELP}"))?;
        let number = || {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("{flag} takes a positive whole number, not `{value}`"))
        };
        match flag.as_str() {
            "--seconds" => seconds = number()?,
            "--jobs" => jobs = usize::try_from(number()?)?,
            _ => bail!("usage: cargo xtask fuzz [--seconds N] [--jobs N]"),
        }
    }
    Ok((seconds, jobs))
}

/// The format check, the lints, every test of the workspace, the peer suite,
/// the browser test, the fuzz smoke, the dependency policy and the security
/// checklist.
fn ci(root: &Path) -> Result<()> {
    step(root, "fmt", "cargo", &["fmt", "--all", "--check"])?;
    step(
        root,
        "clippy",
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    step(
        root,
        "clippy (feature-gated targets)",
        "cargo",
        &[
            "clippy",
            "--locked",
            "--all-targets",
            "-p",
            "oauth1-sign",
            "-p",
            "smart-rest-tests",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    // The `sec_NN_*` tests run once, in the security checklist below.
    step(
        root,
        "test",
        "cargo",
        &["test", "--workspace", "--locked", "--", "--skip", "sec_"],
    )?;
    // The container's own tests again on PostgreSQL, and the cross-replica
    // tests (three replicas behind nginx), on a throwaway cluster.
    {
        let pg = pg::PgCluster::start()?;
        eprintln!("==> xtask test (smart-container on PostgreSQL)");
        let status = Command::new("cargo")
            .args(["test", "--locked", "-p", "smart-container"])
            .env("SMART_TEST_POSTGRES_URL", pg.url())
            .current_dir(root)
            .status()
            .context("could not start cargo test")?;
        if !status.success() {
            bail!("step `test (smart-container on PostgreSQL)` failed ({status})");
        }
        cluster::replica_tests(root, &pg)?;
    }
    step(
        root,
        "test (oauth1-sign, every feature)",
        "cargo",
        &["test", "--locked", "-p", "oauth1-sign", "--all-features"],
    )?;
    package::package_check(root)?;
    interop::interop(root)?;
    interop::browser(root)?;
    security::security(root)?;
    fuzz::fuzz(root, 20, 1)?;
    mutants::mutants(root, &[])?;
    // The advisory database cannot be fetched everywhere CI runs; the
    // licence, ban and source policies need nothing from the network.
    deny::deny(root, &["bans", "licenses", "sources"])?;
    Ok(())
}

/// Installs a cargo subcommand from crates.io (`cargo install --locked`)
/// unless `cargo <subcommand> --version` already answers: the one way every
/// task gets the tools it needs on a fresh machine.
fn ensure_cargo_tool(subcommand: &str, krate: &str) -> Result<()> {
    let present = Command::new("cargo")
        .args([subcommand, "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    eprintln!("==> xtask: installing {krate}");
    let status = Command::new("cargo")
        .args(["install", "--locked", krate])
        .status()
        .with_context(|| format!("could not start `cargo install {krate}`"))?;
    if !status.success() {
        bail!("`cargo install --locked {krate}` failed ({status})");
    }
    Ok(())
}

/// Runs one command from the workspace root, failing the task when it fails.
fn step(root: &Path, name: &str, program: &str, args: &[&str]) -> Result<()> {
    eprintln!("==> xtask {name}: {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .with_context(|| format!("could not start `{program}`"))?;
    if !status.success() {
        bail!("step `{name}` failed ({status})");
    }
    Ok(())
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}
