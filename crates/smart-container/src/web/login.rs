//! The login page. Its form is bound to a pre-session cookie by a CSRF
//! token (SECURITY.md 29); password checks run on the bounded pool and are
//! throttled per user name and client address (SECURITY.md 28).

use std::net::{IpAddr, SocketAddr};

use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::guard::Refusal;
use super::pages::{page, see_other};
use super::session::{self, MaybeSession};
use super::{AppError, AppState};
use crate::crypto::verify_password;

/// The client's address, when the server recorded it (not in in-process
/// tests). Behind a reverse proxy it is the proxy's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerAddr(pub(crate) Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip()),
        ))
    }
}

/// Query of the login page.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    return_url: Option<String>,
}

/// GET `/login`: the form, with a CSRF token bound to the login cookie
/// (set here when the browser has none).
pub(crate) async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let (id, set_cookie) = match session::login_id(&headers) {
        Some(id) => (id, None),
        None => {
            let (id, cookie) = session::new_login_id(&state);
            (id, Some(cookie))
        }
    };
    let csrf = session::login_csrf_token(&state, &id);
    let mut res = login_page(
        &state,
        StatusCode::OK,
        q.return_url.as_deref().unwrap_or("/"),
        &csrf,
        None,
    );
    if let Some(v) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The login form.
#[derive(Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    return_url: Option<String>,
    #[serde(default)]
    csrf_token: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// POST `/login`: checks the CSRF token (403), the throttle (429), then
/// the password on the hashing pool (503 when its queue is full; unknown
/// users are checked against a dummy hash, so they take as long), starts a
/// fresh session and goes back to `return_url` (a local path only).
pub(crate) async fn login(
    State(state): State<AppState>,
    PeerAddr(address): PeerAddr,
    headers: HeaderMap,
    MaybeSession(session_user): MaybeSession,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let return_url = safe_return_url(form.return_url.as_deref());
    if !session::check_login_csrf(&state, &headers, &form.csrf_token) {
        return Err(AppError::Page(
            StatusCode::FORBIDDEN,
            "This login form has expired or was not sent by this site. Open the login page again."
                .into(),
        ));
    }
    let throttle = state.throttle();
    if let Err(r) = throttle.check(&form.username, address) {
        return Ok(refused(r));
    }
    // The lookup and the check both run on the hashing pool, so a refused
    // attempt costs no blocking thread either.
    let username = form.username.clone();
    let password = form.password;
    let s = state.clone();
    let checked = state
        .password_pool()
        .run(move || -> Result<bool, AppError> {
            let user = s.container().store.user(&username)?;
            let known = user.is_some();
            let hash = user.map_or_else(|| s.dummy_password_hash().to_owned(), |u| u.password_hash);
            Ok(verify_password(&password, &hash) && known)
        });
    let ok = match checked.await {
        Ok(ok) => ok?,
        Err(r) => return Ok(refused(r)),
    };
    if !ok {
        throttle.failed(&form.username, address);
        let csrf = form.csrf_token;
        return Ok(login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &return_url,
            &csrf,
            Some("Wrong user name or password."),
        ));
    }
    throttle.succeeded(&form.username);
    session::end(&state, session_user).await?;
    let cookie = session::start(&state, form.username).await?;
    let mut res = see_other(&state.local(&return_url));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// 503 (queue full) or 429 (throttled), with `Retry-After`.
fn refused(r: Refusal) -> Response {
    let (status, secs, msg) = match r {
        Refusal::Busy(s) => (
            StatusCode::SERVICE_UNAVAILABLE,
            s,
            "Too many logins at once. Try again in a moment.",
        ),
        Refusal::Throttled(s) => (
            StatusCode::TOO_MANY_REQUESTS,
            s,
            "Too many failed logins. Wait a little, then try again.",
        ),
    };
    let mut res = super::pages::error_page(status, msg);
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    return_url: &str,
    csrf: &str,
    error: Option<&str>,
) -> Response {
    let return_url = safe_return_url(Some(return_url));
    page(
        status,
        "Log in",
        html! {
            h1 { "Log in" }
            @if let Some(e) = error { p.error { (e) } }
            form method="post" action={ (state.prefix()) "/login" } {
                label { "User name" input type="text" name="username" autocomplete="username" required; }
                label { "Password" input type="password" name="password" autocomplete="current-password" required; }
                input type="hidden" name="return_url" value=(return_url);
                input type="hidden" name="csrf_token" value=(csrf);
                button type="submit" { "Log in" }
            }
        },
    )
}

/// A local path to return to after login; anything else becomes `/`.
fn safe_return_url(url: Option<&str>) -> String {
    match url {
        Some(u)
            if u.starts_with('/')
                && !u.starts_with("//")
                && !u.contains('\\')
                && !u.chars().any(char::is_control) =>
        {
            u.to_owned()
        }
        _ => "/".to_owned(),
    }
}
