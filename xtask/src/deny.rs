//! `cargo xtask deny`: `cargo deny check` over `Cargo.lock` with the policy
//! in `deny.toml` (advisories, licences, bans, sources), installing
//! cargo-deny (`--locked`) when it is missing.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// Runs `cargo deny check` from the workspace root: every check when
/// `checks` is empty, else only those named.
pub(crate) fn deny(root: &Path, checks: &[&str]) -> Result<()> {
    crate::ensure_cargo_tool("deny", "cargo-deny")?;
    eprintln!(
        "==> xtask deny: cargo deny --all-features check {}",
        checks.join(" ")
    );
    let status = crate::cargo()
        .args(["deny", "--all-features", "check"])
        .args(checks)
        .current_dir(root)
        .status()
        .context("could not start `cargo deny`")?;
    if !status.success() {
        bail!("`cargo deny check` found a problem ({status}); see deny.toml for the policy");
    }
    Ok(())
}
