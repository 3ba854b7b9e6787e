//! `cargo xtask fuzz --seconds N`: builds every cargo-fuzz target of `fuzz/`
//! and runs each for N seconds, failing on the first crash.
//!
//! cargo-fuzz needs nightly compiler flags (sanitizers, coverage
//! instrumentation); on a stable toolchain they are unlocked with
//! `RUSTC_BOOTSTRAP=1`, which this task sets for its own child processes only.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs every fuzz target for `seconds` seconds each.
pub(crate) fn fuzz(root: &Path, seconds: u64) -> Result<()> {
    let dir = root.join("fuzz");
    crate::ensure_cargo_tool("fuzz", "cargo-fuzz")?;
    let targets = list_targets(&dir)?;
    if targets.is_empty() {
        bail!("no fuzz targets in {}", dir.display());
    }
    run(&dir, &["fuzz", "build", "--debug-assertions"], "build")?;
    let max_time = format!("-max_total_time={seconds}");
    let mut report = Vec::new();
    for target in &targets {
        let corpus = dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("could not create {}", corpus.display()))?;
        // Grow a scratch copy so that a smoke run does not churn the
        // committed seeds; crashes still land in fuzz/artifacts/<target>/.
        let scratch = dir.join("target").join("corpus").join(target);
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("could not create {}", scratch.display()))?;
        let status = Command::new("cargo")
            .args(["fuzz", "run", "--debug-assertions", target])
            .arg(&scratch)
            .arg(&corpus)
            .args(["--", &max_time, "-max_len=16384", "-print_final_stats=1"])
            .current_dir(&dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .status()
            .with_context(|| format!("could not start `cargo fuzz run {target}`"))?;
        report.push((target.clone(), status.success()));
        if !status.success() {
            print_report(&report);
            bail!(
                "fuzz target `{target}` crashed ({status}); the input is in fuzz/artifacts/{target}/"
            );
        }
    }
    print_report(&report);
    Ok(())
}

/// The target names listed by `cargo fuzz list`.
fn list_targets(dir: &Path) -> Result<Vec<String>> {
    let output = Command::new("cargo")
        .args(["fuzz", "list"])
        .current_dir(dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .context("could not start `cargo fuzz list`")?;
    if !output.status.success() {
        bail!(
            "`cargo fuzz list` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(parse_list(&String::from_utf8_lossy(&output.stdout)))
}

fn parse_list(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn run(dir: &Path, args: &[&str], name: &str) -> Result<()> {
    eprintln!("==> xtask fuzz {name}: cargo {}", args.join(" "));
    let status = Command::new("cargo")
        .args(args)
        .current_dir(dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .status()
        .with_context(|| format!("could not start `cargo {}`", args.join(" ")))?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn print_report(report: &[(String, bool)]) {
    println!("fuzz summary");
    for (target, ok) in report {
        println!("  {target:<16} {}", if *ok { "clean" } else { "CRASH" });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_list_lines_are_trimmed() {
        assert_eq!(
            parse_list("auth_header\n  base_string \n\n"),
            vec!["auth_header".to_owned(), "base_string".to_owned()]
        );
    }
}
