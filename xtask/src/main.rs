//! Project tasks behind `cargo xtask` (see `cargo xtask help`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

mod bench;
mod cargo_env;
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
/// checklist; then how long each stage took (also when one failed), so that
/// the run's budget can be read from its log.
fn ci(root: &Path) -> Result<()> {
    let mut stages = Stages::default();
    let result = ci_stages(root, &mut stages);
    stages.report();
    result
}

fn ci_stages(root: &Path, stages: &mut Stages) -> Result<()> {
    stages.run("fmt", || {
        cargo_step(root, "fmt", &["fmt", "--all", "--check"])
    })?;
    stages.run("clippy", || {
        cargo_step(
            root,
            "clippy",
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
        cargo_step(
            root,
            "clippy (feature-gated targets)",
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
        )
    })?;
    // The `sec_NN_*` tests run once, in the security checklist below.
    stages.run("test", || {
        cargo_step(
            root,
            "test",
            &["test", "--workspace", "--locked", "--", "--skip", "sec_"],
        )
    })?;
    // The container's own tests again on PostgreSQL, and the cross-replica
    // tests (three replicas behind nginx), on a throwaway cluster.
    stages.run("test on PostgreSQL, cross-replica", || {
        let pg = pg::PgCluster::start()?;
        eprintln!("==> xtask test (smart-container on PostgreSQL)");
        let status = cargo()
            .args(["test", "--locked", "-p", "smart-container"])
            .env("SMART_TEST_POSTGRES_URL", pg.url())
            .current_dir(root)
            .status()
            .context("could not start cargo test")?;
        if !status.success() {
            bail!("step `test (smart-container on PostgreSQL)` failed ({status})");
        }
        cluster::replica_tests(root, &pg)
    })?;
    stages.run("test oauth1-sign, every feature", || {
        cargo_step(
            root,
            "test (oauth1-sign, every feature)",
            &["test", "--locked", "-p", "oauth1-sign", "--all-features"],
        )
    })?;
    stages.run("package-check", || package::package_check(root))?;
    stages.run("interop", || interop::interop(root))?;
    stages.run("browser", || interop::browser(root))?;
    stages.run("security checklist", || security::security(root))?;
    stages.run("fuzz", || fuzz::fuzz(root, 20, 1))?;
    stages.run("mutants", || mutants::mutants(root, &[]))?;
    // The advisory database cannot be fetched everywhere CI runs; the
    // licence, ban and source policies need nothing from the network.
    stages.run("deny", || {
        deny::deny(root, &["bans", "licenses", "sources"])
    })
}

/// The stages of `cargo xtask ci` that ran, each with how long it took and
/// whether it passed.
#[derive(Default)]
struct Stages(Vec<(&'static str, Duration, bool)>);

impl Stages {
    /// Runs one stage and records its time and outcome.
    fn run(&mut self, name: &'static str, stage: impl FnOnce() -> Result<()>) -> Result<()> {
        let start = Instant::now();
        let result = stage();
        self.0.push((name, start.elapsed(), result.is_ok()));
        result
    }

    /// The stages as a table: name, minutes and seconds, outcome; and the
    /// total.
    fn table(&self) -> String {
        let mut out = String::from("cargo xtask ci: time per stage\n");
        for (name, took, passed) in &self.0 {
            let outcome = if *passed { "ok" } else { "FAILED" };
            out.push_str(&format!("  {name:<36} {:>9}  {outcome}\n", minutes(*took)));
        }
        let total: Duration = self.0.iter().map(|(_, took, _)| *took).sum();
        out.push_str(&format!("  {:<36} {:>9}\n", "total", minutes(total)));
        out
    }

    fn report(&self) {
        eprint!("{}", self.table());
    }
}

/// A duration as minutes and seconds: `3m 07s`.
fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}m {:02}s", s / 60, s % 60)
}

/// Installs a cargo subcommand from crates.io (`cargo install --locked`)
/// unless `cargo <subcommand> --version` already answers: the one way every
/// task gets the tools it needs on a fresh machine.
fn ensure_cargo_tool(subcommand: &str, krate: &str) -> Result<()> {
    let present = cargo()
        .args([subcommand, "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    eprintln!("==> xtask: installing {krate}");
    let status = cargo()
        .args(["install", "--locked", krate])
        .status()
        .with_context(|| format!("could not start `cargo install {krate}`"))?;
    if !status.success() {
        bail!("`cargo install --locked {krate}` failed ({status})");
    }
    Ok(())
}

/// Runs one `cargo` command from the workspace root, failing the task when
/// it fails.
fn cargo_step(root: &Path, name: &str, args: &[&str]) -> Result<()> {
    eprintln!("==> xtask {name}: cargo {}", args.join(" "));
    let status = cargo()
        .args(args)
        .current_dir(root)
        .status()
        .context("could not start `cargo`")?;
    if !status.success() {
        bail!("step `{name}` failed ({status})");
    }
    Ok(())
}

/// A `cargo` command without the variables cargo set for this task's own
/// run (`cargo_env.rs`): what every task starts `cargo` with.
pub(crate) fn cargo() -> Command {
    cargo_env::command("cargo")
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_started_here_inherits_the_configuration_but_not_what_cargo_set_for_this_run() {
        for set in [
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_PRE",
            "CARGO_MANIFEST_DIR",
            "CARGO_BIN_EXE_smart-container",
            "CARGO_TARGET_TMPDIR",
            "OUT_DIR",
        ] {
            assert!(cargo_env::set_by_cargo_for_a_run(set), "{set}");
        }
        for kept in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_INCREMENTAL",
            "CARGO_TERM_COLOR",
            "RUSTFLAGS",
            "PATH",
        ] {
            assert!(!cargo_env::set_by_cargo_for_a_run(kept), "{kept}");
        }
        // This test runs under cargo, which set these for it.
        let command = cargo();
        let removed: Vec<String> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        assert!(removed.iter().any(|n| n == "CARGO_PKG_NAME"), "{removed:?}");
        assert!(
            removed.iter().any(|n| n == "CARGO_MANIFEST_DIR"),
            "{removed:?}"
        );
    }

    #[test]
    fn a_failed_stage_is_reported_with_the_time_of_those_before_it() -> Result<()> {
        let mut stages = Stages::default();
        stages.run("fmt", || Ok(()))?;
        let failed = stages.run("test", || bail!("step `test` failed"));
        assert_eq!(
            failed.map_err(|e| e.to_string()),
            Err("step `test` failed".to_owned())
        );
        stages.0[0].1 = Duration::from_secs(7);
        stages.0[1].1 = Duration::from_secs(187);
        let table = stages.table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(
            lines[1].contains("fmt") && lines[1].ends_with("0m 07s  ok"),
            "{table}"
        );
        assert!(
            lines[2].contains("test") && lines[2].ends_with("3m 07s  FAILED"),
            "{table}"
        );
        assert!(
            lines[3].contains("total") && lines[3].ends_with("3m 14s"),
            "{table}"
        );
        Ok(())
    }
}
