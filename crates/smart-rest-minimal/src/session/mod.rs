//! Browser sessions (SECURITY.md item 22): the browser holds only a random
//! session id in a cookie; request and access tokens stay on the server, in
//! the [`store::SessionStore`] (SQLite, sealed at rest).

pub mod store;

use std::collections::HashMap;
use std::time::Duration;

use smart_client::{AccessToken, PendingAuthorization};

use crate::error::AppError;

pub use store::SessionStore;

/// How long an idle session lives.
pub const SESSION_TTL: Duration = Duration::from_secs(60 * 60);

/// The most sessions kept at once; beyond it the oldest idle one goes.
pub const MAX_SESSIONS: usize = 10_000;

/// The most pending authorisations one session keeps (one per launch in
/// flight; a browser may launch the app for a few records at once).
pub const MAX_PENDING: usize = 8;

/// What the app keeps for one browser session.
#[derive(Debug, Default, Clone)]
pub struct SessionData {
    /// Request tokens waiting for their callback, oldest first.
    pub pending: Vec<PendingAuthorization>,
    /// Access tokens, by (api_base, record id).
    pub tokens: HashMap<(String, String), AccessToken>,
}

impl SessionData {
    /// Adds a pending authorisation, dropping the oldest beyond [`MAX_PENDING`].
    pub fn push_pending(&mut self, pending: PendingAuthorization) {
        self.pending.push(pending);
        if self.pending.len() > MAX_PENDING {
            self.pending.remove(0);
        }
    }
}

/// A random session id: 32 bytes from the OS CSPRNG, hex-encoded.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    /// A fresh random id.
    pub fn generate() -> Result<Self, AppError> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes)
            .map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
        Ok(SessionId(hex(&bytes)))
    }

    /// Takes an id from a cookie value if it has the right shape.
    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| SessionId(value.to_owned()))
    }

    /// The cookie value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(<redacted>)")
    }
}

/// The `Set-Cookie` value for a session id.
pub fn session_cookie(id: &SessionId, secure: bool) -> String {
    let mut cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax",
        crate::config::SESSION_COOKIE,
        id.as_str()
    );
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The `Set-Cookie` value that clears the session cookie (sign-out).
pub fn clear_cookie(secure: bool) -> String {
    let mut cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        crate::config::SESSION_COOKIE
    );
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The session id in a request's `Cookie` headers, if any.
pub fn session_from_headers(headers: &axum::http::HeaderMap) -> Option<SessionId> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == crate::config::SESSION_COOKIE)
        .and_then(|(_, value)| SessionId::from_cookie(value.trim()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    #[test]
    fn sec_22_session_ids_are_random_and_redacted() {
        let a = SessionId::generate().unwrap();
        let b = SessionId::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(SessionId::from_cookie(a.as_str()), Some(a.clone()));
        assert_eq!(SessionId::from_cookie("short"), None);
        assert_eq!(SessionId::from_cookie(&"g".repeat(64)), None);
        assert!(!format!("{a:?}").contains(a.as_str()));
    }

    #[test]
    fn cookie_flags_and_parsing() {
        let id = SessionId::generate().unwrap();
        let plain = session_cookie(&id, false);
        assert!(plain.contains("; HttpOnly; SameSite=Lax") && !plain.contains("Secure"));
        assert!(session_cookie(&id, true).ends_with("; Secure"));
        let mut headers = axum::http::HeaderMap::new();
        let value = format!("other=1; {}={}", crate::config::SESSION_COOKIE, id.as_str());
        headers.insert(axum::http::header::COOKIE, value.parse().unwrap());
        assert_eq!(session_from_headers(&headers), Some(id));
    }
}
