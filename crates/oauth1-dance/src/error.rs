//! The crate's one error type, the store error and the bounded body excerpt.

use core::fmt;
use std::string::String;

/// Everything that can go wrong on either side of the dance.
///
/// Provider variants map to the statuses of
/// [RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)
/// through [`Error::http_status`]: 400 for unsupported, missing, duplicated or
/// malformed parameters, 401 for a bad consumer, token, signature, nonce or
/// timestamp. Their messages are short and never say which credential was
/// wrong. Consumer variants describe what the provider sent back; they keep
/// the status and a bounded, redacted excerpt of the body.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    // --- Provider: what the peer sent (400) ---
    /// The signer rejected the request while parsing it (status as the signer says).
    Request(oauth1_sign::Error),
    /// The authorization header or the body is larger than the configured limit.
    TooLarge,
    /// A protocol parameter has a bad length or character set.
    InvalidParameter(&'static str),
    /// A required parameter is absent or empty.
    MissingParameter(String),
    /// A parameter that must appear once appears more than once.
    DuplicateParameter(String),
    /// A parameter that this endpoint does not accept is present.
    UnexpectedParameter(&'static str),
    /// `oauth_callback` is neither an absolute http(s) URI nor `oob`.
    InvalidCallback,
    /// PLAINTEXT was used over plain http.
    PlaintextOverHttp,
    // --- Provider: bad credentials (401) ---
    /// The consumer, the token or the signature is wrong (deliberately not said which).
    InvalidCredentials,
    /// The timestamp is outside the accepted window.
    InvalidTimestamp,
    /// The nonce was already used with this consumer, token and timestamp.
    NonceReused,
    /// The verifier is wrong; wrong verifiers are counted and burn the token.
    InvalidVerifier,
    // --- Provider: embedder calls ---
    /// The request token given to the authorization step is unknown or expired (400).
    UnknownRequestToken,
    /// The request token was already authorized or denied (400).
    AlreadyAuthorized,
    /// The authenticated token may not access this resource (403).
    Forbidden,
    /// A store operation failed (500); the inner error is for logs only.
    Store(StoreError),
    /// The random source failed (500).
    RandomUnavailable,
    // --- Consumer: what the provider sent back ---
    /// The provider answered with a status other than 2xx.
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The start of the body, secrets redacted.
        body: Excerpt,
    },
    /// The provider's 2xx body is not the form-encoded reply expected.
    MalformedResponse {
        /// The HTTP status.
        status: u16,
        /// What is wrong with it.
        reason: &'static str,
        /// The start of the body, secrets redacted.
        body: Excerpt,
    },
    /// The temporary-credentials reply lacks `oauth_callback_confirmed=true`.
    CallbackNotConfirmed {
        /// The HTTP status.
        status: u16,
        /// The start of the body, secrets redacted.
        body: Excerpt,
    },
    /// The callback's `oauth_token` is not the request token this state holds (400).
    CallbackMismatch,
    /// The callback query lacks `oauth_token` or `oauth_verifier`, or repeats one (400).
    MalformedCallback(&'static str),
    // --- Either side: API misuse ---
    /// The signer could not sign what the caller asked for (bad URL, bad method).
    Sign(oauth1_sign::Error),
    /// The caller used the API inconsistently (for example another consumer than the state's).
    Misuse(&'static str),
}

impl Error {
    /// The HTTP status a provider answers with, per RFC 5849 §3.2.
    ///
    /// For consumer-side errors this is the status an app should show its
    /// own user: 400 for a bad callback, 502 for a misbehaving provider, 500
    /// for misuse.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Request(e) => e.http_status(),
            Error::TooLarge
            | Error::InvalidParameter(_)
            | Error::MissingParameter(_)
            | Error::DuplicateParameter(_)
            | Error::UnexpectedParameter(_)
            | Error::InvalidCallback
            | Error::PlaintextOverHttp
            | Error::UnknownRequestToken
            | Error::AlreadyAuthorized
            | Error::CallbackMismatch
            | Error::MalformedCallback(_) => 400,
            Error::InvalidCredentials
            | Error::InvalidTimestamp
            | Error::NonceReused
            | Error::InvalidVerifier => 401,
            Error::Forbidden => 403,
            Error::UnexpectedStatus { .. }
            | Error::MalformedResponse { .. }
            | Error::CallbackNotConfirmed { .. } => 502,
            Error::Store(_) | Error::RandomUnavailable | Error::Sign(_) | Error::Misuse(_) => 500,
        }
    }

    /// The `WWW-Authenticate` header value to send with a 401, `None` otherwise
    /// ([RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)).
    ///
    /// Quotes and backslashes in `realm` are escaped, control characters dropped.
    #[must_use]
    pub fn www_authenticate(&self, realm: &str) -> Option<String> {
        if self.http_status() != 401 {
            return None;
        }
        let mut value = String::from("OAuth realm=\"");
        for c in realm.chars() {
            match c {
                '"' | '\\' => {
                    value.push('\\');
                    value.push(c);
                }
                c if c.is_control() => {}
                c => value.push(c),
            }
        }
        value.push('"');
        Some(value)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Request(e) => write!(f, "{e}"),
            Error::TooLarge => f.write_str("request too large"),
            Error::InvalidParameter(name) => write!(f, "invalid {name}"),
            Error::MissingParameter(name) => write!(f, "missing {name}"),
            Error::DuplicateParameter(name) => write!(f, "duplicate {name}"),
            Error::UnexpectedParameter(name) => write!(f, "unexpected {name}"),
            Error::InvalidCallback => f.write_str("invalid oauth_callback"),
            Error::PlaintextOverHttp => f.write_str("plaintext signatures need https"),
            Error::InvalidCredentials => f.write_str("invalid consumer, token or signature"),
            Error::InvalidTimestamp => f.write_str("timestamp out of range"),
            Error::NonceReused => f.write_str("nonce already used"),
            Error::InvalidVerifier => f.write_str("invalid verifier"),
            Error::UnknownRequestToken => f.write_str("unknown or expired request token"),
            Error::AlreadyAuthorized => f.write_str("request token already authorized"),
            Error::Forbidden => f.write_str("forbidden"),
            Error::Store(_) => f.write_str("internal error"),
            Error::RandomUnavailable => f.write_str("random source unavailable"),
            Error::UnexpectedStatus { status, .. } => write!(f, "provider answered {status}"),
            Error::MalformedResponse { reason, .. } => {
                write!(f, "malformed provider reply: {reason}")
            }
            Error::CallbackNotConfirmed { .. } => {
                f.write_str("provider did not confirm the callback")
            }
            Error::CallbackMismatch => f.write_str("callback token does not match"),
            Error::MalformedCallback(why) => write!(f, "malformed callback: {why}"),
            Error::Sign(e) => write!(f, "cannot sign: {e}"),
            Error::Misuse(why) => write!(f, "api misuse: {why}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Store(e)
    }
}

/// A failure of an embedder's store (a database error, a poisoned lock).
///
/// The message is for the embedder's logs; clients only ever see
/// "internal error".
#[derive(Debug, Clone)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// Wraps a message describing the failure.
    pub fn new(message: impl fmt::Display) -> Self {
        StoreError {
            message: message.to_string(),
        }
    }

    /// The message given to [`StoreError::new`].
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store error: {}", self.message)
    }
}

impl std::error::Error for StoreError {}

/// The start of a response body, at most [`Excerpt::MAX_LEN`] bytes, lossily
/// decoded, control characters replaced, and the value of every
/// parameter whose name contains `secret` or `verifier` redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Excerpt(String);

impl Excerpt {
    /// The largest number of body bytes kept.
    pub const MAX_LEN: usize = 256;

    /// Takes the excerpt of `body`.
    #[must_use]
    pub fn new(body: &[u8]) -> Self {
        let cut = &body[..body.len().min(Self::MAX_LEN)];
        let text = String::from_utf8_lossy(cut);
        let mut out = String::with_capacity(text.len());
        for (i, field) in text.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match field.split_once('=') {
                Some((name, _)) if is_secret_name(name) => {
                    push_clean(&mut out, name);
                    out.push_str("=<redacted>");
                }
                _ => push_clean(&mut out, field),
            }
        }
        if body.len() > Self::MAX_LEN {
            out.push('…');
        }
        Excerpt(out)
    }

    /// The excerpt as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("secret") || lower.contains("verifier")
}

fn push_clean(out: &mut String, text: &str) {
    out.extend(
        text.chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c }),
    );
}
