//! `cargo xtask mutants`: mutation testing of the crates reviewers audit,
//! with cargo-mutants (installed with `cargo install --locked` if missing).
//!
//! `--full` mutates every function of `oauth1-sign` and `oauth1-dance`; the
//! default mutates only the lines changed since the commit `xtask/mutants-base`
//! names (the runs up to it are recorded in `crates/<crate>/mutants.md`), so
//! that CI's run stays short. Either way a missed mutant fails the task; the
//! equivalent ones, which no test can kill, are excluded in
//! `.cargo/mutants.toml` and listed with their reasons in
//! `crates/<crate>/mutants.md`.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The crates whose every line a test must pin.
const AUDITED: &[&str] = &["oauth1-sign", "oauth1-dance"];

/// Cases per property test for each mutant (1000 and 128 otherwise): the
/// property tests dominate a mutant's test time, and the mutants they kill
/// die within the first few dozen cases.
const PROPTEST_CASES: &str = "64";

/// Runs cargo-mutants over [`AUDITED`]: everything with `--full`, else the
/// lines changed since the commit in `xtask/mutants-base`.
pub(crate) fn mutants(root: &Path, args: &[String]) -> Result<()> {
    let full = match args {
        [] => false,
        [flag] if flag == "--full" => true,
        _ => bail!("usage: cargo xtask mutants [--full]"),
    };
    crate::ensure_cargo_tool("mutants", "cargo-mutants")?;
    let mut command = vec!["mutants".to_owned(), "--no-shuffle".to_owned()];
    for name in AUDITED {
        command.extend(["--package".to_owned(), (*name).to_owned()]);
    }
    if !full {
        let diff = changed_since_base(root)?;
        if diff.trim().is_empty() {
            eprintln!(
                "==> xtask mutants: no change to the audited crates since xtask/mutants-base"
            );
            return Ok(());
        }
        let path = root.join("target").join("mutants-in-diff.patch");
        fs::create_dir_all(root.join("target")).context("could not create target/")?;
        fs::write(&path, diff).context("could not write the diff")?;
        command.extend(["--in-diff".to_owned(), path.to_string_lossy().into_owned()]);
    }
    eprintln!(
        "==> xtask mutants: PROPTEST_CASES={PROPTEST_CASES} cargo {}",
        command.join(" ")
    );
    let status = crate::cargo()
        .args(&command)
        .env("PROPTEST_CASES", PROPTEST_CASES)
        // No debug information: each mutant's build links faster, and the
        // scratch copy cargo-mutants builds in takes less disk.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_PROFILE_TEST_DEBUG", "0")
        .current_dir(root)
        .status()
        .context("could not start `cargo mutants`")?;
    // cargo-mutants exits 3 when mutants only timed out (none missed): a
    // mutant that makes a test loop forever is detected, not survived.
    match status.code() {
        Some(0) => Ok(()),
        Some(3) => {
            eprintln!("==> xtask mutants: no mutant missed; some timed out (a test hung on them)");
            Ok(())
        }
        _ => bail!("step `mutants` failed ({status}): a mutant was missed or the build failed"),
    }
}

/// The diff of the audited crates' sources between the commit in
/// `xtask/mutants-base` and the working tree.
fn changed_since_base(root: &Path) -> Result<String> {
    let base_file = root.join("xtask").join("mutants-base");
    let base = fs::read_to_string(&base_file)
        .with_context(|| format!("could not read {}", base_file.display()))?;
    let base = base
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .context("xtask/mutants-base names no commit")?;
    let mut args = vec!["diff".to_owned(), base.to_owned(), "--".to_owned()];
    args.extend(AUDITED.iter().map(|name| format!("crates/{name}/src")));
    let output = Command::new("git")
        .args(&args)
        .current_dir(root)
        .output()
        .context("could not start `git diff`")?;
    if !output.status.success() {
        bail!(
            "`git diff {base}` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout).context("the diff is not UTF-8")
}
