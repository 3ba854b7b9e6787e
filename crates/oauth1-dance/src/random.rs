//! Randomness and time as inputs: the [`Random`] source, [`Stamp`], credential generation.

use std::string::String;

use crate::Error;

/// A source of random bytes given by the caller.
///
/// Production callers pass an OS CSPRNG (with the `os` feature,
/// `OsRandom`); tests pass a seeded generator. Every closure
/// `FnMut(&mut [u8])` is a `Random` that never fails.
pub trait Random {
    /// Fills `dest` entirely with random bytes.
    ///
    /// # Errors
    ///
    /// [`Error::RandomUnavailable`] when the source cannot deliver.
    fn try_fill(&mut self, dest: &mut [u8]) -> Result<(), Error>;
}

impl<F: FnMut(&mut [u8])> Random for F {
    fn try_fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self(dest);
        Ok(())
    }
}

/// The operating system's CSPRNG (`getrandom`), behind the `os` feature.
#[cfg(feature = "os")]
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

#[cfg(feature = "os")]
impl Random for OsRandom {
    fn try_fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        getrandom::getrandom(dest).map_err(|_| Error::RandomUnavailable)
    }
}

/// The timestamp and nonce of one signed request
/// ([RFC 5849 §3.3](https://www.rfc-editor.org/rfc/rfc5849#section-3.3)).
///
/// The consumer side never reads a clock or a random source: every signing
/// transition takes a `Stamp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Seconds since the Unix epoch.
    pub timestamp: u64,
    /// A value unique for this consumer, token and timestamp.
    pub nonce: String,
}

impl Stamp {
    /// A stamp with the given values (for example the published ones of a test vector).
    pub fn new(timestamp: u64, nonce: impl Into<String>) -> Self {
        Stamp {
            timestamp,
            nonce: nonce.into(),
        }
    }

    /// A stamp at `now` with a fresh nonce of [`CREDENTIAL_LEN`] alphanumerics from `rng`.
    ///
    /// # Errors
    ///
    /// [`Error::RandomUnavailable`] when `rng` fails.
    pub fn generate(now: u64, rng: &mut dyn Random) -> Result<Self, Error> {
        Ok(Stamp {
            timestamp: now,
            nonce: alphanumeric(rng, CREDENTIAL_LEN)?,
        })
    }

    /// A stamp from the system clock and the OS CSPRNG (feature `os`).
    ///
    /// # Errors
    ///
    /// [`Error::RandomUnavailable`] when the OS generator fails,
    /// [`Error::ClockBeforeEpoch`] when the clock reads a time before 1970.
    #[cfg(feature = "os")]
    pub fn now() -> Result<Self, Error> {
        Self::generate(unix_time(std::time::SystemTime::now())?, &mut OsRandom)
    }
}

/// Seconds since the Unix epoch of `time`.
///
/// # Errors
///
/// [`Error::ClockBeforeEpoch`] for a time before 1970-01-01.
pub fn unix_time(time: std::time::SystemTime) -> Result<u64, Error> {
    time.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::ClockBeforeEpoch)
}

pub use oauth1_sign::limits::CREDENTIAL_LEN;

/// The alphabet of generated credentials.
pub(crate) const ALPHABET: &[u8; 62] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` characters drawn uniformly from [`ALPHABET`] by rejection sampling.
///
/// Each character consumes one byte below 248 (= 4 × 62); larger bytes are
/// skipped so that every character is equally likely. Exactly `len` bytes are
/// requested first, then only as many as are still missing, so a scripted
/// source can produce chosen values.
pub(crate) fn alphanumeric(rng: &mut dyn Random, len: usize) -> Result<String, Error> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    // A source that keeps returning bytes >= 248 is broken; stop instead of looping.
    for _ in 0..64 {
        let missing = len - out.len();
        if missing == 0 {
            return Ok(out);
        }
        let chunk = &mut buf[..missing.min(64)];
        rng.try_fill(chunk)?;
        for &b in chunk.iter() {
            if b < 248 {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    if out.len() == len {
        Ok(out)
    } else {
        Err(Error::RandomUnavailable)
    }
}
