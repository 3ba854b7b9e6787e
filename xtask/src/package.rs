//! `cargo xtask package-check`: the published crates as crates.io would ship
//! them. `cargo package` builds each one from its `.crate` file; then the
//! examples and doctests are built from the unpacked packages alone (a
//! workspace of their own, the workspace's siblings patched in from the
//! packages, never from `crates/`), and the docs are built with every feature
//! and `-D warnings`.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The crates meant for crates.io, in dependency order.
pub(crate) const PUBLISHED: &[&str] = &["oauth1-sign", "oauth1-dance"];

/// Packages, then builds the examples and doctests and the docs.
pub(crate) fn package_check(root: &Path) -> Result<()> {
    let version = workspace_version(root)?;
    forget_unpacked_packages(&version)?;
    // Cargo takes a registry crate's build for good once its version is
    // built, so the verification builds in a target directory of its own,
    // emptied first, or it would link the `oauth1-sign` of an earlier run.
    let verify = root.join("target").join("package-verify");
    if verify.exists() {
        fs::remove_dir_all(&verify)
            .with_context(|| format!("could not clear {}", verify.display()))?;
    }
    let verify = verify.to_string_lossy();
    let mut package = vec![
        "package",
        "--locked",
        "--allow-dirty",
        "--target-dir",
        &verify,
    ];
    for name in PUBLISHED {
        package.extend(["-p", name]);
    }
    crate::cargo_step(root, "package-check: cargo package", &package)?;

    let check = root.join("target").join("package-check");
    if check.exists() {
        fs::remove_dir_all(&check)
            .with_context(|| format!("could not clear {}", check.display()))?;
    }
    fs::create_dir_all(&check).with_context(|| format!("could not create {}", check.display()))?;
    let mut members = Vec::new();
    let mut patches = String::new();
    for name in PUBLISHED {
        let unpacked = format!("{name}-{version}");
        let from = Path::new(&*verify).join("package").join(&unpacked);
        if !from.join("Cargo.toml").exists() {
            bail!("`cargo package` left no {}", from.display());
        }
        copy_dir(&from, &check.join(&unpacked))?;
        members.push(format!("{unpacked:?}"));
        patches.push_str(&format!("{name} = {{ path = {unpacked:?} }}\n"));
    }
    let manifest = format!(
        "# Written by `cargo xtask package-check`: the packaged crates alone.\n\
         [workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[patch.crates-io]\n{patches}",
        members.join(", ")
    );
    fs::write(check.join("Cargo.toml"), manifest).context("could not write the check workspace")?;
    // The workspace's lock file pins the same versions CI tests with.
    fs::copy(root.join("Cargo.lock"), check.join("Cargo.lock"))
        .context("could not copy Cargo.lock")?;

    let target = root.join("target").join("package-check-target");
    let target = target.to_string_lossy();
    for (name, args) in [
        (
            "package-check: examples from the packages",
            &["build", "--workspace", "--examples", "--all-features"][..],
        ),
        (
            "package-check: doctests from the packages",
            &["test", "--workspace", "--doc", "--all-features"][..],
        ),
    ] {
        let mut args = args.to_vec();
        args.extend(["--target-dir", &target]);
        crate::cargo_step(&check, name, &args)?;
    }

    let mut doc = vec!["doc", "--locked", "--no-deps", "--all-features"];
    for name in PUBLISHED {
        doc.extend(["-p", name]);
    }
    eprintln!("==> xtask package-check: docs with RUSTDOCFLAGS=-D warnings");
    let status = crate::cargo()
        .args(&doc)
        .current_dir(root)
        .env("RUSTDOCFLAGS", "-D warnings")
        .status()
        .context("could not start `cargo doc`")?;
    if !status.success() {
        bail!("`cargo doc` with -D warnings failed ({status})");
    }
    Ok(())
}

/// Removes what earlier runs unpacked from `cargo package`'s temporary
/// registry. Cargo unpacks that registry's `.crate` files into
/// `$CARGO_HOME/registry/src/-<hash of its path>/` and never unpacks a
/// version again once its directory exists, so a checkout at a fixed path
/// would verify `oauth1-dance` against the `oauth1-sign` of an older run.
/// Only those local registries are touched; crates.io's stays.
fn forget_unpacked_packages(version: &str) -> Result<()> {
    let cargo_home = match std::env::var_os("CARGO_HOME") {
        Some(home) => std::path::PathBuf::from(home),
        None => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(".cargo"),
            None => return Ok(()),
        },
    };
    let src = cargo_home.join("registry").join("src");
    let Ok(registries) = fs::read_dir(&src) else {
        return Ok(());
    };
    for registry in registries {
        let registry = registry?.path();
        let local = registry
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('-'));
        if !local {
            continue;
        }
        for name in PUBLISHED {
            let stale = registry.join(format!("{name}-{version}"));
            if stale.exists() {
                fs::remove_dir_all(&stale)
                    .with_context(|| format!("could not remove {}", stale.display()))?;
            }
        }
    }
    Ok(())
}

/// `version` of `[workspace.package]` in the root manifest.
fn workspace_version(root: &Path) -> Result<String> {
    let manifest =
        fs::read_to_string(root.join("Cargo.toml")).context("could not read Cargo.toml")?;
    let package = manifest
        .split("[workspace.package]")
        .nth(1)
        .context("Cargo.toml has no [workspace.package]")?;
    package
        .lines()
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "version").then(|| value.trim().trim_matches('"').to_owned())
        })
        .context("[workspace.package] has no version")
}

/// Copies a directory tree (files and folders only).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("could not create {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("could not read {}", from.display()))? {
        let entry = entry?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).with_context(|| format!("could not copy {}", path.display()))?;
        }
    }
    Ok(())
}
