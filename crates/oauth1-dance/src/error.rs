//! The crate's one error type, the store error and the bounded body excerpt.

use core::fmt;
use std::string::String;
use std::sync::Arc;

/// Everything that can go wrong on either side of the dance.
///
/// The variants fall in three groups, and [`Error::fault`] says which:
///
/// - [`Fault::Peer`]: the other side sent something wrong. On the provider
///   side that is the consumer's request (bad signature, replayed nonce,
///   expired timestamp, a malformed or incomplete request); on the consumer
///   side it is the provider's reply, or a callback that does not match.
/// - [`Fault::Caller`]: the code calling this crate asked for something that
///   cannot be done (an endpoint that is not an absolute http(s) URL, a URL
///   the signer cannot sign, an `oauth_*` name among the extra parameters, a
///   saved state resumed with another consumer).
/// - [`Fault::Internal`]: the environment failed (a store, the random source, the clock).
///
/// Provider variants map to the statuses of
/// [RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)
/// through [`Error::http_status`]: 400 for unsupported, missing, duplicated or
/// malformed parameters, 401 for a bad consumer, token, signature, nonce or
/// timestamp. Their messages are short and never say which credential was
/// wrong. Consumer variants about a reply keep its status and a bounded,
/// redacted excerpt of its body, and print both.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    // --- Peer: what a consumer sent to the provider (400) ---
    /// The signer rejected the request while parsing it (status as the signer says).
    Request(oauth1_sign::Error),
    /// The request line, the authorization header or the body is larger than the limit.
    TooLarge,
    /// A protocol parameter or header has a bad length or character set.
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
    // --- Peer: bad credentials (401) ---
    /// The consumer, the token or the signature is wrong (deliberately not said which).
    InvalidCredentials,
    /// The timestamp is outside the accepted window.
    InvalidTimestamp,
    /// The nonce was already used with this consumer, token and timestamp.
    NonceReused,
    /// The verifier is wrong; wrong verifiers are counted and burn the token.
    InvalidVerifier,
    // --- Peer: the user agent at the provider's authorization step ---
    /// The request token given to the authorization step is unknown or expired (400).
    UnknownRequestToken,
    /// The request token was already authorized or denied (400).
    AlreadyAuthorized,
    /// The authenticated token may not access this resource (403).
    Forbidden,
    // --- Peer: what the provider sent back to the consumer ---
    /// The provider answered with a status other than 2xx.
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The start of the body, secrets redacted (the provider's reason).
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
    /// The callback lacks `oauth_token` or `oauth_verifier` (400).
    MalformedCallback(&'static str),
    // --- Caller: the code using this crate (500) ---
    /// An endpoint is not an absolute `http(s)` URL; `field` names it
    /// (`request_token`, `authorize_token` or `exchange_token`, the SMART
    /// `launch_urls` keys), or the `launch_urls` lack it.
    InvalidEndpoint {
        /// The field of [`Endpoints`](crate::Endpoints) (and key of SMART `launch_urls`).
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signer could not sign what the caller asked for (a bad URL, method or parameter).
    Sign(oauth1_sign::Error),
    /// An extra parameter of the temporary-credentials request is named `oauth_*`:
    /// the protocol parameters are the crate's to set.
    ReservedParameter(String),
    /// The HTTP method is not a valid method token.
    InvalidMethod,
    /// A saved state was resumed with another consumer than the one that started the dance.
    ConsumerMismatch,
    /// A state saved after an `oob` request was resumed as one with a callback
    /// URL, or the other way round.
    SavedStateMismatch,
    // --- Internal (500) ---
    /// A store operation failed; the inner error is for logs only.
    Store(StoreError),
    /// The random source failed.
    RandomUnavailable,
    /// The system clock reads a time before 1970-01-01.
    ClockBeforeEpoch,
}

/// Whose fault an [`Error`] is; see [`Error::fault`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The other side: the consumer's request (provider side), or the provider's
    /// reply or the callback (consumer side).
    Peer,
    /// The code calling this crate.
    Caller,
    /// The environment: a store, the random source, the clock.
    Internal,
}

impl Error {
    /// Whose fault this error is.
    #[must_use]
    pub fn fault(&self) -> Fault {
        match self {
            Error::InvalidEndpoint { .. }
            | Error::Sign(_)
            | Error::ReservedParameter(_)
            | Error::InvalidMethod
            | Error::ConsumerMismatch
            | Error::SavedStateMismatch => Fault::Caller,
            Error::Store(_) | Error::RandomUnavailable | Error::ClockBeforeEpoch => Fault::Internal,
            _ => Fault::Peer,
        }
    }

    /// The HTTP status to answer with.
    ///
    /// On the provider side this is the status of
    /// [RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2):
    /// 400 for a malformed request, 401 for credentials that do not check,
    /// 403 for a token bound elsewhere.
    ///
    /// On the consumer side it is the status an app should answer its own
    /// user with: 400 for a bad callback (the user agent's fault); for a
    /// provider's non-2xx reply, 401 when the provider refused the
    /// credentials (the token expired or was revoked: run the dance again),
    /// 500 for any other 4xx (the provider refused a request this app made),
    /// 502 for a 5xx or a malformed reply (the provider's fault).
    ///
    /// Every [`Fault::Caller`] and [`Fault::Internal`] error is 500.
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
            Error::UnexpectedStatus { status: 401, .. } => 401,
            Error::UnexpectedStatus { status, .. } if (400..500).contains(status) => 500,
            Error::UnexpectedStatus { .. }
            | Error::MalformedResponse { .. }
            | Error::CallbackNotConfirmed { .. } => 502,
            Error::InvalidEndpoint { .. }
            | Error::Sign(_)
            | Error::ReservedParameter(_)
            | Error::InvalidMethod
            | Error::ConsumerMismatch
            | Error::SavedStateMismatch
            | Error::Store(_)
            | Error::RandomUnavailable
            | Error::ClockBeforeEpoch => 500,
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

    /// The provider's whole response for this error: [`Error::http_status`],
    /// the `Display` text as a plain-text body (`internal error` for every
    /// 5xx, whose cause is for the embedder's logs), `Cache-Control: no-store`,
    /// and `WWW-Authenticate` with `realm` on a 401.
    ///
    /// [`Provider::error_response`](crate::Provider::error_response) calls it
    /// with the configured realm.
    #[must_use]
    pub fn to_http_response(&self, realm: &str) -> http::Response<String> {
        let status = http::StatusCode::from_u16(self.http_status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = if status.is_server_error() {
            String::from("internal error")
        } else {
            self.to_string()
        };
        let mut response = http::Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        headers.insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        if let Some(value) = self
            .www_authenticate(realm)
            .and_then(|c| http::HeaderValue::from_str(&c).ok())
        {
            headers.insert(http::header::WWW_AUTHENTICATE, value);
        }
        response
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
            Error::UnexpectedStatus { status, body } => {
                write!(f, "provider answered {status}")?;
                reply_text(f, body)
            }
            Error::MalformedResponse {
                status,
                reason,
                body,
            } => {
                write!(f, "malformed provider reply ({reason}; status {status})")?;
                reply_text(f, body)
            }
            Error::CallbackNotConfirmed { status, body } => {
                write!(
                    f,
                    "provider did not confirm the callback (no oauth_callback_confirmed=true; status {status})"
                )?;
                reply_text(f, body)
            }
            Error::CallbackMismatch => f.write_str("callback token does not match"),
            Error::MalformedCallback(why) => write!(f, "malformed callback: {why}"),
            Error::InvalidEndpoint { field, reason } => {
                write!(f, "invalid endpoint {field}: {reason}")
            }
            Error::Sign(e) => write!(f, "cannot sign: {e}"),
            Error::ReservedParameter(name) => write!(
                f,
                "extra parameter {name}: oauth_* parameters are set by the dance"
            ),
            Error::InvalidMethod => f.write_str("invalid http method"),
            Error::ConsumerMismatch => {
                f.write_str("saved state resumed with another consumer than the one that started it")
            }
            Error::SavedStateMismatch => f.write_str(
                "saved state resumed as another callback kind (oob or callback url) than it was saved as",
            ),
            Error::Store(_) => f.write_str("internal error"),
            Error::RandomUnavailable => f.write_str("random source unavailable"),
            Error::ClockBeforeEpoch => f.write_str("system clock is before 1970-01-01"),
        }
    }
}

/// `: <excerpt>` after a reply's status, unless the body was empty.
fn reply_text(f: &mut fmt::Formatter<'_>, body: &Excerpt) -> fmt::Result {
    let text = body.as_str().trim();
    if text.is_empty() {
        Ok(())
    } else {
        write!(f, ": {text}")
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
/// The message, and the underlying error when one is given
/// ([`StoreError::with_source`]), are for the embedder's logs; clients only
/// ever see "internal error".
#[derive(Debug, Clone)]
pub struct StoreError {
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StoreError {
    /// Wraps a message describing the failure.
    pub fn new(message: impl fmt::Display) -> Self {
        StoreError {
            message: message.to_string(),
            source: None,
        }
    }

    /// Wraps a message and the error that caused the failure, which
    /// [`std::error::Error::source`] returns, so that the embedder can log
    /// the whole chain or downcast it to its own error type.
    pub fn with_source(
        message: impl fmt::Display,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StoreError {
            message: message.to_string(),
            source: Some(Arc::new(source)),
        }
    }

    /// The message given to [`StoreError::new`] or
    /// [`StoreError::with_source`].
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

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let source: &(dyn std::error::Error + 'static) = self.source.as_deref()?;
        Some(source)
    }
}

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

/// Whether a form field name names a secret. The name is looked at decoded
/// (`%6F` is `o`, `+` a space), so an encoded name cannot slip past.
fn is_secret_name(name: &str) -> bool {
    let lower = lenient_form_decode(name).to_ascii_lowercase();
    lower.contains("secret") || lower.contains("verifier")
}

/// Decodes `%XX` escapes and `+`, keeping any malformed escape as it is:
/// only used to classify names, never to produce a value.
fn lenient_form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn push_clean(out: &mut String, text: &str) {
    out.extend(
        text.chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c }),
    );
}
