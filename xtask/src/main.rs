//! Project tasks behind `cargo xtask` (see `cargo xtask help`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod bench;
mod interop;
mod load;
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
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => bail!("unknown task `{other}`\n\n{HELP}"),
    }
}

/// The format check, the lints, every test of the workspace, the peer suite
/// and the browser test.
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
    step(root, "test", "cargo", &["test", "--workspace", "--locked"])?;
    step(
        root,
        "test (oauth1-sign, every feature)",
        "cargo",
        &["test", "--locked", "-p", "oauth1-sign", "--all-features"],
    )?;
    interop::interop(root)?;
    interop::browser(root)?;
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
