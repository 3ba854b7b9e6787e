//! The `oauth1` command: sign, verify and explain OAuth 1.0a requests.
//! All logic lives in the library ([`oauth1_cli::run`]); this only does io.

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = oauth1_cli::run(std::env::args_os());
    // Printing can fail on a closed pipe; the exit code still tells.
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(outcome.code)
}
