//! The one error type of the crate.

use core::fmt;

/// Everything that can go wrong while signing, parsing or verifying.
///
/// Kinds are `Copy` and carry no request data, so an error can be logged
/// without leaking a secret. [`Error::http_status`] maps each kind to the
/// status a provider answers with, as
/// [RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2) asks:
/// 400 for a malformed request, 401 for a signature that does not check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A `%` not followed by two hexadecimal digits.
    InvalidPercentEncoding,
    /// Percent-decoded bytes that are not UTF-8.
    InvalidUtf8,
    /// A URL that is not absolute (`scheme://host/path`), or has a bad host or port.
    InvalidUrl,
    /// An `Authorization` header that does not follow the `OAuth` syntax.
    InvalidHeader,
    /// An `oauth_*` parameter given twice, or in more than one place.
    DuplicateParameter,
    /// An `oauth_*` name this crate does not know.
    UnknownParameter,
    /// A required protocol parameter is absent (the name is the parameter).
    MissingParameter(&'static str),
    /// A protocol parameter with a bad length or a character outside its set.
    InvalidParameter(&'static str),
    /// An `oauth_timestamp` that is not ASCII digits fitting a `u64`.
    InvalidTimestamp,
    /// An `oauth_version` other than `1.0`.
    UnsupportedVersion,
    /// A signature method this build does not support.
    UnsupportedSignatureMethod,
    /// The request uses another signature method than the one the verifier expects.
    SignatureMethodMismatch,
    /// PLAINTEXT over a scheme other than `https`.
    InsecurePlaintext,
    /// A request larger than the limits of [`crate::limits`].
    TooLarge,
    /// An `oauth_body_hash` on a form body, or a non-form body without one.
    BodyHashNotAllowed,
    /// The `oauth_body_hash` does not match the body.
    BodyHashMismatch,
    /// The signature does not match the request.
    InvalidSignature,
    /// The secret given to verify is empty, or a token secret is missing (or
    /// given) for a request with (or without) a token.
    SecretMismatch,
    /// An RSA key that cannot be read or used.
    InvalidKey,
    /// The operating system gave no random bytes for a nonce (feature `rand`).
    RandomUnavailable,
}

impl Error {
    /// The HTTP status a provider answers with for this error:
    /// 400 (Bad Request) or 401 (Unauthorized), after
    /// [RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2); 500 for the server's own failure ([`Error::RandomUnavailable`]).
    ///
    /// ```
    /// use oauth1_sign::Error;
    /// assert_eq!(Error::DuplicateParameter.http_status(), 400);
    /// assert_eq!(Error::InvalidSignature.http_status(), 401);
    /// ```
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            Error::InvalidSignature
            | Error::BodyHashMismatch
            | Error::SecretMismatch
            | Error::InvalidKey => 401,
            // The server's own failure, not the request's.
            Error::RandomUnavailable => 500,
            _ => 400,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidPercentEncoding => f.write_str("malformed percent-encoding"),
            Error::InvalidUtf8 => f.write_str("percent-decoded bytes are not utf-8"),
            Error::InvalidUrl => f.write_str("invalid absolute url"),
            Error::InvalidHeader => f.write_str("malformed oauth authorization header"),
            Error::DuplicateParameter => {
                f.write_str("oauth parameter given twice or in more than one place")
            }
            Error::UnknownParameter => f.write_str("unknown oauth parameter"),
            Error::MissingParameter(name) => write!(f, "missing parameter {name}"),
            Error::InvalidParameter(name) => write!(f, "invalid parameter {name}"),
            Error::InvalidTimestamp => f.write_str("timestamp is not ascii digits"),
            Error::UnsupportedVersion => f.write_str("unsupported oauth_version"),
            Error::UnsupportedSignatureMethod => f.write_str("unsupported signature method"),
            Error::SignatureMethodMismatch => f.write_str("signature method not allowed"),
            Error::InsecurePlaintext => f.write_str("plaintext signature over plain http"),
            Error::TooLarge => f.write_str("request exceeds a size limit"),
            Error::BodyHashNotAllowed => f.write_str("body hash missing or not allowed"),
            Error::BodyHashMismatch => f.write_str("body hash does not match"),
            Error::InvalidSignature => f.write_str("invalid signature"),
            Error::SecretMismatch => f.write_str("secret missing or empty"),
            Error::InvalidKey => f.write_str("invalid rsa key"),
            Error::RandomUnavailable => f.write_str("the operating system gave no random bytes"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
