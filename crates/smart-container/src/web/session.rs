//! Browser sessions: a random id in an `HttpOnly; SameSite=Lax` cookie, the
//! user and a CSRF key on the server side (stored under the id's digest).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use super::{AppError, AppState};
use crate::crypto::{digest, encode_hex, random_token};
use crate::store::{Session, now};

/// The session cookie's name (the reference app uses another one, so both
/// can live on `localhost` side by side).
pub const SESSION_COOKIE: &str = "smart_container_session";

/// The pre-session cookie the login form's CSRF token is bound to
/// (SECURITY.md 29).
pub const LOGIN_COOKIE: &str = "smart_container_login";

/// How long a login lasts.
const SESSION_TTL_SECS: i64 = 8 * 3600;

/// The logged-in user of a request, if any.
#[derive(Debug, Clone)]
pub(crate) struct LoggedIn {
    /// The user id.
    pub(crate) user_id: String,
    /// The digest of the session id.
    pub(crate) id_hash: String,
    /// The session's CSRF key.
    csrf_key: String,
}

impl LoggedIn {
    /// The CSRF token for an action on `subject` (the request token):
    /// bound to this session and that subject.
    pub(crate) fn csrf_token(&self, subject: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.csrf_key.as_bytes()) else {
            return String::new();
        };
        mac.update(b"authorize\0");
        mac.update(subject.as_bytes());
        encode_hex(&mac.finalize().into_bytes())
    }

    /// Checks a CSRF token in constant time.
    pub(crate) fn check_csrf(&self, subject: &str, presented: &str) -> bool {
        let expected = self.csrf_token(subject);
        !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
    }
}

/// The session of a request as an extractor: `None` when not logged in.
#[derive(Debug)]
pub(crate) struct MaybeSession(pub(crate) Option<LoggedIn>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        current(state, &parts.headers).await.map(MaybeSession)
    }
}

/// The session of a request, looked up in the store.
async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<LoggedIn>, AppError> {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    if !well_formed(&id) {
        return Ok(None);
    }
    let id_hash = digest(&id);
    state
        .blocking(move |s| {
            Ok(s.container()
                .store
                .session(&id_hash)?
                .map(|Session { user_id, csrf_key }| LoggedIn {
                    user_id,
                    id_hash: id_hash.clone(),
                    csrf_key,
                }))
        })
        .await
}

/// Starts a session for `user_id`; returns the `Set-Cookie` value.
pub(crate) async fn start(state: &AppState, user_id: String) -> Result<String, AppError> {
    let id = random_token(43);
    let id_hash = digest(&id);
    let session = Session {
        user_id,
        csrf_key: random_token(43),
    };
    state
        .blocking(move |s| {
            Ok(s.container()
                .store
                .create_session(&id_hash, &session, now() + SESSION_TTL_SECS)?)
        })
        .await?;
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    Ok(format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_TTL_SECS}{secure}"
    ))
}

/// Ends a session; returns the `Set-Cookie` value that clears the cookie.
pub(crate) async fn end(state: &AppState, session: Option<LoggedIn>) -> Result<String, AppError> {
    if let Some(s) = session {
        state
            .blocking(move |st| Ok(st.container().store.delete_session(&s.id_hash)?))
            .await?;
    }
    Ok(format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    ))
}

/// A cookie's value from the `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The pre-session id of a request (its login cookie), when well formed.
pub(crate) fn login_id(headers: &HeaderMap) -> Option<String> {
    cookie(headers, LOGIN_COOKIE).filter(|id| well_formed(id))
}

/// A fresh pre-session id and the `Set-Cookie` value that sets it.
pub(crate) fn new_login_id(state: &AppState) -> (String, String) {
    let id = random_token(43);
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{LOGIN_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600{secure}");
    (id, cookie)
}

/// The login form's CSRF token for a pre-session id: an HMAC under this
/// process's key, so only a page that read the form can know it.
pub(crate) fn login_csrf_token(state: &AppState, login_id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(state.login_key()) else {
        return String::new();
    };
    mac.update(b"login\0");
    mac.update(login_id.as_bytes());
    encode_hex(&mac.finalize().into_bytes())
}

/// Checks the login form's CSRF token against the request's login cookie,
/// in constant time; false without the cookie.
pub(crate) fn check_login_csrf(state: &AppState, headers: &HeaderMap, presented: &str) -> bool {
    let Some(id) = login_id(headers) else {
        return false;
    };
    let expected = login_csrf_token(state, &id);
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

fn well_formed(id: &str) -> bool {
    id.len() == 43 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}
