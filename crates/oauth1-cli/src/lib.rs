//! The `oauth1` command, for people debugging "invalid signature":
//! `sign` prints a signed request, `verify` checks an `Authorization`
//! header, `explain` prints every step of
//! [RFC 5849 §3.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4)
//! and, given the other side's base string, where the two differ.
//!
//! [`run`] takes the arguments and returns what to print and the exit code
//! (0 done or valid, 1 invalid signature or request, 2 bad input), so the
//! whole command can be tested without a process.
//!
//! ```
//! let out = oauth1_cli::run([
//!     "oauth1", "sign", "--method", "POST", "--url", "https://photos.example.net/initiate",
//!     "--consumer-key", "dpf43f3p2l4k3l03", "--consumer-secret", "kd94hf93k423kf44",
//!     "--callback", "http://printer.example.com/ready", "--nonce", "wIjqoS",
//!     "--timestamp", "137131200", "--no-oauth-version", "--realm", "Photos", "--format", "json",
//! ]);
//! assert_eq!(out.code, 0);
//! assert!(out.stdout.contains(r#""signature":"74KNZJeDHnMBp0EMJ9ZHt/XKycU=""#));
//! ```

mod args;
mod commands;
mod compare;

use std::ffi::OsString;

use clap::Parser as _;

/// What the command prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code: 0 success (or a valid signature), 1 invalid, 2 bad input.
    pub code: u8,
    /// Text for standard output.
    pub stdout: String,
    /// Text for standard error.
    pub stderr: String,
}

/// Runs the command on `args` (the first one is the program name).
pub fn run<I, T>(args: I) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match args::Cli::try_parse_from(args) {
        Ok(cli) => commands::dispatch(cli),
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            if code == 0 {
                Outcome {
                    code,
                    stdout: text,
                    stderr: String::new(),
                }
            } else {
                Outcome {
                    code,
                    stdout: String::new(),
                    stderr: text,
                }
            }
        }
    }
}
