//! The redacting secret type.

use alloc::string::String;
use core::fmt;

/// A consumer secret, token secret or RSA key
/// ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2)).
///
/// `Debug` prints `Secret(..)`; there is no `Display` and no `PartialEq`
/// (compare secrets in constant time, never with `==`). The bytes are
/// overwritten with zeros when the value is dropped.
///
/// ```
/// let s = oauth1_sign::Secret::new("kd94hf93k423kf44");
/// assert_eq!(format!("{s:?}"), "Secret(..)");
/// assert_eq!(s.expose(), "kd94hf93k423kf44");
/// ```
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself; every call is a place a reviewer should look at.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}
