//! Signature method names.

use core::fmt;
use core::str::FromStr;

use crate::Error;

/// A signature method
/// ([RFC 5849 §3.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4)),
/// named on the wire by [`SignatureMethod::as_str`].
///
/// ```
/// use oauth1_sign::SignatureMethod;
/// assert_eq!("HMAC-SHA1".parse(), Ok(SignatureMethod::HmacSha1));
/// assert_eq!(SignatureMethod::Plaintext.as_str(), "PLAINTEXT");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureMethod {
    /// `HMAC-SHA1` ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2)).
    HmacSha1,
    /// `HMAC-SHA256`, the same construction with SHA-256.
    HmacSha256,
    /// `HMAC-SHA512`, the same construction with SHA-512.
    HmacSha512,
    /// `PLAINTEXT` ([RFC 5849 §3.4.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.4)):
    /// the secrets themselves, only over TLS.
    Plaintext,
    /// `RSA-SHA1` ([RFC 5849 §3.4.3](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.3)).
    #[cfg(feature = "rsa")]
    RsaSha1,
    /// `RSA-SHA256`, PKCS #1 v1.5 with SHA-256.
    #[cfg(feature = "rsa")]
    RsaSha256,
    /// `RSA-SHA512`, PKCS #1 v1.5 with SHA-512.
    #[cfg(feature = "rsa")]
    RsaSha512,
}

impl SignatureMethod {
    /// The name used in `oauth_signature_method` ([RFC 5849 §3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.1)).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
            SignatureMethod::HmacSha512 => "HMAC-SHA512",
            SignatureMethod::Plaintext => "PLAINTEXT",
            #[cfg(feature = "rsa")]
            SignatureMethod::RsaSha1 => "RSA-SHA1",
            #[cfg(feature = "rsa")]
            SignatureMethod::RsaSha256 => "RSA-SHA256",
            #[cfg(feature = "rsa")]
            SignatureMethod::RsaSha512 => "RSA-SHA512",
        }
    }
}

impl FromStr for SignatureMethod {
    type Err = Error;

    /// Parses a method name, case-sensitively as the RFC spells it.
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "HMAC-SHA1" => SignatureMethod::HmacSha1,
            "HMAC-SHA256" => SignatureMethod::HmacSha256,
            "HMAC-SHA512" => SignatureMethod::HmacSha512,
            "PLAINTEXT" => SignatureMethod::Plaintext,
            #[cfg(feature = "rsa")]
            "RSA-SHA1" => SignatureMethod::RsaSha1,
            #[cfg(feature = "rsa")]
            "RSA-SHA256" => SignatureMethod::RsaSha256,
            #[cfg(feature = "rsa")]
            "RSA-SHA512" => SignatureMethod::RsaSha512,
            _ => return Err(Error::UnsupportedSignatureMethod),
        })
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
