//! The server-side session store (SECURITY.md item 22): the browser holds
//! only a random session id; request and access tokens stay here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use smart_client::{AccessToken, PendingAuthorization};

use crate::error::AppError;

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

/// The in-memory session store, shared by all requests.
#[derive(Debug, Clone, Default)]
pub struct SessionStore {
    inner: Arc<Mutex<HashMap<SessionId, (Instant, SessionData)>>>,
}

impl SessionStore {
    /// An empty store.
    pub fn new() -> Self {
        SessionStore::default()
    }

    /// The data of a live session, if any.
    pub fn get(&self, id: &SessionId) -> Option<SessionData> {
        let mut map = self.lock();
        let now = Instant::now();
        match map.get_mut(id) {
            Some((seen, _)) if now.duration_since(*seen) > SESSION_TTL => {
                map.remove(id);
                None
            }
            Some((seen, data)) => {
                *seen = now;
                Some(data.clone())
            }
            None => None,
        }
    }

    /// Stores a session's data under its id.
    pub fn put(&self, id: &SessionId, data: SessionData) {
        let mut map = self.lock();
        let now = Instant::now();
        if !map.contains_key(id) && map.len() >= MAX_SESSIONS {
            map.retain(|_, (seen, _)| now.duration_since(*seen) <= SESSION_TTL);
            if map.len() >= MAX_SESSIONS {
                let oldest = map
                    .iter()
                    .min_by_key(|(_, (seen, _))| *seen)
                    .map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(id.clone(), (now, data));
    }

    /// Moves a session's data to a fresh id (after the token exchange, so
    /// that an id known before the login is worth nothing after it).
    pub fn renew(&self, old: &SessionId, data: SessionData) -> Result<SessionId, AppError> {
        let new = SessionId::generate()?;
        let mut map = self.lock();
        map.remove(old);
        map.insert(new.clone(), (Instant::now(), data));
        Ok(new)
    }

    /// The number of live sessions (for tests).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<SessionId, (Instant, SessionData)>> {
        // A poisoned lock only means another request panicked while holding
        // it; the map itself is still consistent (every update is one call).
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
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
    fn renew_moves_the_data_and_kills_the_old_id() {
        let store = SessionStore::new();
        let old = SessionId::generate().unwrap();
        store.put(&old, SessionData::default());
        let new = store.renew(&old, SessionData::default()).unwrap();
        assert!(store.get(&old).is_none());
        assert!(store.get(&new).is_some());
        assert_eq!(store.len(), 1);
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
