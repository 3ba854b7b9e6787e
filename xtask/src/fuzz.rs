//! `cargo xtask fuzz --seconds N`: builds every cargo-fuzz target of `fuzz/`
//! and runs each for N seconds, failing on the first crash.
//!
//! cargo-fuzz needs nightly compiler flags (sanitizers, coverage
//! instrumentation); on a stable toolchain they are unlocked with
//! `RUSTC_BOOTSTRAP=1`, which this task sets for its own child processes only.

use std::path::Path;
use std::process::Child;

use anyhow::{Context, Result, bail};

/// Runs every fuzz target for `seconds` seconds each, `jobs` of them at a time.
pub(crate) fn fuzz(root: &Path, seconds: u64, jobs: usize) -> Result<()> {
    let dir = root.join("fuzz");
    crate::ensure_cargo_tool("fuzz", "cargo-fuzz")?;
    let targets = list_targets(&dir)?;
    if targets.is_empty() {
        bail!("no fuzz targets in {}", dir.display());
    }
    run(&dir, &["fuzz", "build", "--debug-assertions"], "build")?;
    let mut report = Vec::new();
    for batch in targets.chunks(jobs.max(1)) {
        let children = batch
            .iter()
            .map(|target| Ok((target, start(&dir, target, seconds)?)))
            .collect::<Result<Vec<_>>>()?;
        for (target, mut child) in children {
            let status = child
                .wait()
                .with_context(|| format!("could not wait for `cargo fuzz run {target}`"))?;
            eprintln!(
                "==> xtask fuzz {target}: {status}\n{}",
                summary(&dir, target)
            );
            report.push((target.clone(), status.success()));
        }
    }
    print_report(&report);
    if let Some((target, _)) = report.iter().find(|(_, ok)| !ok) {
        bail!("fuzz target `{target}` crashed; the input is in fuzz/artifacts/{target}/");
    }
    Ok(())
}

/// Starts one target for `seconds` seconds on a scratch copy of its corpus,
/// so that a run does not churn the committed seeds; crashes still land in
/// `fuzz/artifacts/<target>/`. libFuzzer's output goes to
/// `fuzz/target/logs/<target>.log` (see [`summary`]).
fn start(dir: &Path, target: &str, seconds: u64) -> Result<Child> {
    let corpus = dir.join("corpus").join(target);
    let scratch = dir.join("target").join("corpus").join(target);
    let logs = dir.join("target").join("logs");
    for d in [&corpus, &scratch, &logs] {
        std::fs::create_dir_all(d).with_context(|| format!("could not create {}", d.display()))?;
    }
    let log = std::fs::File::create(logs.join(format!("{target}.log")))
        .with_context(|| format!("could not create the log of {target}"))?;
    crate::cargo()
        .args(["fuzz", "run", "--debug-assertions", target])
        .arg(&scratch)
        .arg(&corpus)
        .args([
            "--",
            &format!("-max_total_time={seconds}"),
            "-max_len=16384",
            "-print_final_stats=1",
        ])
        .current_dir(dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .stderr(log)
        .spawn()
        .with_context(|| format!("could not start `cargo fuzz run {target}`"))
}

/// The target names listed by `cargo fuzz list`.
fn list_targets(dir: &Path) -> Result<Vec<String>> {
    let output = crate::cargo()
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
    let status = crate::cargo()
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

/// The lines of a target's log that say how the run went: libFuzzer's last
/// status line, its final statistics, and any crash report.
fn summary(dir: &Path, target: &str) -> String {
    let path = dir
        .join("target")
        .join("logs")
        .join(format!("{target}.log"));
    let log = std::fs::read_to_string(&path).unwrap_or_default();
    let last_status = log.lines().rev().find(|l| l.contains(" cov: "));
    let keep = |l: &&str| {
        l.starts_with("stat::")
            || l.starts_with("Done ")
            || l.contains("ERROR")
            || l.contains("panicked")
    };
    last_status
        .into_iter()
        .chain(log.lines().filter(keep))
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
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
