//! The suites against independent implementations: the Python peers
//! (oauthlib, requests-oauthlib, rdflib, pinned in `interop/requirements.txt`)
//! and a real browser (Debian's `chromium` driven by `chromedriver`).
//!
//! The Python packages live in a virtual environment under
//! `target/py-venv`, made from the project's own requirements file and
//! reused while that file is unchanged (a stamp keeps its hash).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The virtual environment's folder, under the workspace root.
const VENV: &str = "target/py-venv";
/// The pinned requirements, under the workspace root.
const REQUIREMENTS: &str = "interop/requirements.txt";
/// The stamp file inside the environment: the hash of the requirements it
/// holds and the version of the Python that made it.
const STAMP: &str = "smart-rest-requirements.stamp";

/// Makes sure `target/py-venv` holds exactly `interop/requirements.txt`
/// and returns the path of its `python`.
///
/// The environment is made with `python3 -m venv` and filled by pip; it is
/// reused when its stamp matches the requirements file's hash, and made
/// anew otherwise.
pub(crate) fn ensure_venv(root: &Path) -> Result<PathBuf> {
    let requirements = root.join(REQUIREMENTS);
    let wanted = fs::read(&requirements)
        .with_context(|| format!("could not read {}", requirements.display()))?;
    // The interpreter's version is part of the stamp: a new Python makes a new venv.
    let interpreter = Command::new("python3")
        .arg("--version")
        .output()
        .context("could not run `python3 --version` (is Python 3 installed?)")?;
    let version = String::from_utf8_lossy(&interpreter.stdout)
        .trim()
        .to_owned();
    let stamp_value = format!("fnv1a64:{:016x} {version}\n", fnv1a64(&wanted));
    let venv = root.join(VENV);
    let python = venv.join("bin").join("python");
    let stamp = venv.join(STAMP);
    if python.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(stamp_value.as_str()) {
        eprintln!("==> xtask venv: {} is up to date", venv.display());
        return Ok(python);
    }
    if venv.exists() {
        fs::remove_dir_all(&venv)
            .with_context(|| format!("could not remove the stale {}", venv.display()))?;
    }
    run(
        root,
        "venv",
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
    )?;
    run(
        root,
        "pip",
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--requirement",
            ])
            .arg(&requirements),
    )?;
    run(
        root,
        "pip check",
        Command::new(&python).args(["-m", "pip", "check"]),
    )?;
    fs::write(&stamp, stamp_value)
        .with_context(|| format!("could not write {}", stamp.display()))?;
    Ok(python)
}

/// The peer suite: signatures both ways, their client against our
/// container, our client and app against their provider.
pub(crate) fn interop(root: &Path) -> Result<()> {
    let python = ensure_venv(root)?;
    build_binaries(root)?;
    let mut test = cargo_test(root, "interop");
    test.env("SMART_REST_PYTHON", &python);
    run(root, "interop", &mut test)
}

/// The browser suite: the reference app's demo in headless Chromium.
pub(crate) fn browser(root: &Path) -> Result<()> {
    for program in ["chromium", "chromedriver"] {
        if which(program).is_none() {
            bail!("`{program}` is not installed: run .ci/install-system-packages (as root)");
        }
    }
    build_binaries(root)?;
    let mut test = cargo_test(root, "browser");
    run(root, "browser", &mut test)
}

/// Builds the binaries the suites start (`smart-container`, `smart-rest-minimal`,
/// `smart-demo`).
fn build_binaries(root: &Path) -> Result<()> {
    run(
        root,
        "build",
        crate::cargo().args([
            "build",
            "--locked",
            "--package",
            "smart-container",
            "--package",
            "smart-rest-minimal",
            "--package",
            "smart-demo",
        ]),
    )
}

/// `cargo test` of one feature-gated target of the integration-test crate.
fn cargo_test(root: &Path, name: &str) -> Command {
    let mut command = crate::cargo();
    command.current_dir(root).args([
        "test",
        "--locked",
        "--package",
        "smart-rest-tests",
        "--features",
        name,
        "--test",
        name,
    ]);
    command
}

/// Runs a command from the workspace root, failing when it fails.
fn run(root: &Path, name: &str, command: &mut Command) -> Result<()> {
    eprintln!("==> xtask {name}: {command:?}");
    let status = command
        .current_dir(root)
        .status()
        .with_context(|| format!("could not start the `{name}` step"))?;
    if !status.success() {
        bail!("step `{name}` failed ({status})");
    }
    Ok(())
}

/// The full path of a program found on `PATH`, if any.
fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// FNV-1a, 64 bits: a stable content hash for the stamp (not for security).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
