//! `cargo` started from a program that cargo runs: from `cargo xtask` (an
//! alias of `cargo run`) and from the integration tests, which build the
//! binaries they start (`tests/src/lib.rs` includes this file).
//!
//! Cargo sets variables for a program it runs (`CARGO_PKG_NAME`,
//! `CARGO_MANIFEST_DIR`, ...). A `cargo` started from that program must not
//! inherit them: a build script may depend on them (ring's reads
//! `CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR` and `OUT_DIR`, and is rerun when
//! they change), so that build would redo the work of a `cargo` started
//! from a shell for ring and every crate above it, and the next of those
//! would redo it again.

use std::ffi::OsStr;
use std::process::Command;

/// The variables cargo sets for a program it runs, as the names or
/// prefixes cargo documents ("Environment variables Cargo sets for crates").
const SET_BY_CARGO_FOR_A_RUN: [&str; 8] = [
    "CARGO_PKG_",
    "CARGO_MANIFEST_",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];

/// Whether the variable `name` is one cargo sets for a program it runs.
pub(crate) fn set_by_cargo_for_a_run(name: &str) -> bool {
    SET_BY_CARGO_FOR_A_RUN
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

/// `program` (a `cargo`) without the variables cargo set for this process.
pub(crate) fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_for_a_run) {
            command.env_remove(name);
        }
    }
    command
}
