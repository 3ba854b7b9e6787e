//! The one error type of the crate.

use http::StatusCode;

/// Everything that can go wrong while talking to a SMART container.
///
/// Errors that come from an HTTP reply keep its status: [`Error::status`]
/// returns it, and [`Error::needs_reauthorization`] says whether the caller
/// should send the user back through the dance (the container answered `401`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The api_base is not one this client holds credentials for; nothing was sent.
    #[error("no credentials for api_base {0}")]
    UnknownApiBase(String),
    /// A URL could not be parsed or built.
    #[error("invalid url: {0}")]
    InvalidUrl(String),
    /// A query parameter does not fit the call (for example an RxNorm filter on problems).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// The HTTP request could not be sent or its reply could not be read.
    #[error("transport error: {0}")]
    Transport(String),
    /// The request or the reply took longer than the configured timeout.
    #[error("request timed out")]
    Timeout,
    /// The reply body was larger than the configured limit.
    #[error("response body larger than {limit} bytes")]
    TooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// The container refused the credentials (`401`): the token is expired,
    /// revoked or unknown, and the user must authorise the app again.
    #[error("unauthorized (401): re-authorise the app")]
    Unauthorized {
        /// A short, printable excerpt of the reply body.
        body: String,
    },
    /// The container answered with an unexpected status.
    #[error("unexpected status {status}")]
    Status {
        /// The status the container answered with.
        status: StatusCode,
        /// A short, printable excerpt of the reply body.
        body: String,
    },
    /// The container manifest could not be read or lacks a field.
    #[error("bad container manifest: {0}")]
    Manifest(String),
    /// The container broke the OAuth protocol (a malformed credentials
    /// reply, a missing `oauth_callback_confirmed`, ...).
    #[error("oauth protocol error: {0}")]
    Protocol(String),
    /// The callback's `oauth_token` is not the request token held for this session.
    #[error("callback token does not match the pending request token")]
    TokenMismatch,
    /// The reply body could not be parsed as RDF.
    #[error("bad rdf: {0}")]
    Rdf(String),
    /// The reply body could not be parsed as JSON.
    #[error("bad json: {0}")]
    Json(String),
    /// A collection reply's paging information is unusable (for example a
    /// `nextPageURL` outside the api_base).
    #[error("bad paging: {0}")]
    Paging(String),
}

impl Error {
    /// The HTTP status of the reply this error came from, if any.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the user must go through the dance again (the container answered `401`).
    pub fn needs_reauthorization(&self) -> bool {
        matches!(self, Error::Unauthorized { .. })
    }

    /// Builds the error for a non-success reply.
    pub(crate) fn from_status(status: StatusCode, body: &[u8]) -> Error {
        let body = excerpt(body);
        if status == StatusCode::UNAUTHORIZED {
            Error::Unauthorized { body }
        } else {
            Error::Status { status, body }
        }
    }
}

/// A short printable excerpt of a body, for error messages.
fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]);
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
