//! The oracles behind the fuzz targets of `smart-rest`.
//!
//! Each target in `fuzz_targets/` is a few lines that hand the fuzzer's
//! bytes to one function here. Each function is an oracle: besides "no
//! panic" it checks a property of the crate under test (a round trip, a
//! differential against a reference implementation, an invariant of a
//! state machine) and panics when the property fails, which libFuzzer
//! reports as a crash. The unit tests at the bottom of every module run
//! the oracles on known inputs, and check the helpers they rely on.
//!
//! Panicking is this crate's way of reporting, so `assert!` and `panic!`
//! are used on purpose.

pub mod base;
pub mod consumer;
pub mod encode;
pub mod header;
pub mod provider;
pub mod rdf;
pub mod verify;

pub use encode::{has_malformed_escape, is_rfc5849_encoded};

/// The input as UTF-8 text, or `None` (most entry points take `&str`).
#[must_use]
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
