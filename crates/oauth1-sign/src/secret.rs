//! The redacting secret type.

use alloc::string::String;
use core::fmt;

use crate::encode::percent_encode;

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
pub struct Secret {
    raw: String,
    /// The percent-encoding of `raw`, computed once: the HMAC key is built
    /// from it on every request.
    encoded: String,
}

impl Secret {
    /// Wraps a secret ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2)).
    pub fn new(secret: impl Into<String>) -> Self {
        let raw = secret.into();
        let encoded = percent_encode(&raw);
        Secret { raw, encoded }
    }

    /// The secret itself ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2)); every call is a place a
    /// reviewer should look at.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// The secret percent-encoded
    /// ([RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)).
    pub(crate) fn encoded(&self) -> &str {
        &self.encoded
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.raw);
        zeroize::Zeroize::zeroize(&mut self.encoded);
    }
}
