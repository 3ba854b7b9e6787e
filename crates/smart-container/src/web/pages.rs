//! The container's browser pages: login, logout, the record picker of the
//! launch flow and the authorize page. Server-rendered with maud, no
//! JavaScript. Form field names are an interface (scripts post them):
//! login `username`, `password`, `return_url`; authorize `oauth_token`,
//! `csrf_token` and the button `decision` = `approve` | `deny`.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::session::{self, MaybeSession};
use super::{AppError, AppState, oauth, page_security_headers};

/// Renders an error page.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    page(
        status,
        title,
        html! {
            h1 { (status.as_u16()) " " (title) }
            p { (message) }
            p { a href="/" { "Home" } }
        },
    )
}

/// GET `/`: who is logged in, and the installed apps.
pub(crate) async fn home(
    State(state): State<AppState>,
    MaybeSession(session_user): MaybeSession,
) -> Result<Response, AppError> {
    let user = session_user;
    let apps = state.blocking(|s| Ok(s.container().list_apps()?)).await?;
    Ok(page(
        StatusCode::OK,
        "SMART container",
        html! {
            h1 { "SMART container" }
            @if state.inner.dev { p.error { "Development mode: weak app secrets are accepted and the user demo/demo may exist." } }
            @match &user {
                Some(u) => p { "Logged in as " b { (u.user_id) } ". " a href={ (state.prefix()) "/logout" } { "Log out" } },
                None => p { a href={ (state.prefix()) "/login" } { "Log in" } },
            }
            h2 { "Apps" }
            @if apps.is_empty() { p { "No app installed. Use " code { "smart-container load-app" } "." } }
            ul { @for a in &apps { li { a href={ (state.prefix()) "/apps/" (urlencode(&a.id)) "/launch" } { (a.name) } " " small { "(" (a.id) ")" } } } }
            p { small { "API base: " code { (state.api_base()) } " · " a href={ (state.api_base()) "/manifest" } { "manifest" } } }
        },
    ))
}

/// GET of a page path on the API origin when the pages live apart: a 303
/// to the same path and query on the pages' origin.
pub(crate) async fn to_ui(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    see_other(&format!("{}{path}", state.ui_base()))
}

/// GET `/logout`: a button (logging out is a POST).
pub(crate) async fn logout_form(State(state): State<AppState>) -> Response {
    page(
        StatusCode::OK,
        "Log out",
        html! {
            h1 { "Log out" }
            form method="post" action={ (state.prefix()) "/logout" } { button type="submit" { "Log out" } }
        },
    )
}

/// POST `/logout`.
pub(crate) async fn logout(
    State(state): State<AppState>,
    MaybeSession(session_user): MaybeSession,
) -> Result<Response, AppError> {
    let current = session_user;
    let cookie = session::end(&state, current).await?;
    let mut res = see_other(&state.local("/login"));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Query of the launch page.
#[derive(Debug, Deserialize)]
pub(crate) struct LaunchQuery {
    record_id: Option<String>,
    /// The picker's name search: records whose family or given name starts
    /// with it, ignoring case.
    name: Option<String>,
}

/// GET `/apps/{app_id}/launch`: login, then the record picker, then a
/// redirect to the app's `index?record_id=..&api_base=..`.
pub(crate) async fn launch(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Query(q): Query<LaunchQuery>,
    MaybeSession(session_user): MaybeSession,
) -> Result<Response, AppError> {
    let lookup = app_id.clone();
    let Some((manifest, _)) = state
        .blocking(move |s| Ok(s.container().app(&lookup)?))
        .await?
    else {
        return Err(AppError::Page(
            StatusCode::NOT_FOUND,
            format!("No app `{app_id}` is installed."),
        ));
    };
    let Some(user) = session_user else {
        let here = format!("/apps/{}/launch", urlencode(&app_id));
        return Ok(see_other(
            &state.local(&format!("/login?return_url={}", urlencode(&here))),
        ));
    };
    let Some(index) = manifest.index.clone() else {
        return Err(AppError::Page(
            StatusCode::BAD_REQUEST,
            format!("The app `{}` has no index page to launch.", manifest.name),
        ));
    };
    match q.record_id {
        Some(record_id) => {
            let rid = record_id.clone();
            if state
                .blocking(move |s| Ok(s.container().store.record(&rid)?))
                .await?
                .is_none()
            {
                return Err(AppError::Page(
                    StatusCode::NOT_FOUND,
                    "No such record.".into(),
                ));
            }
            let target = oauth1_dance::append_query(
                &index,
                &[("record_id", &record_id), ("api_base", state.api_base())],
            );
            Ok(see_other(&target))
        }
        None => {
            let name: String = q
                .name
                .unwrap_or_default()
                .trim()
                .chars()
                .take(100)
                .collect();
            let wanted = name.to_lowercase();
            let records: Vec<_> = state
                .blocking(|s| Ok(s.container().store.records()?))
                .await?
                .into_iter()
                .filter(|r| {
                    r.family_name.to_lowercase().starts_with(&wanted)
                        || r.given_name.to_lowercase().starts_with(&wanted)
                })
                .collect();
            Ok(page(
                StatusCode::OK,
                "Choose a record",
                html! {
                    h1 { "Launch " (manifest.name) }
                    p { "Logged in as " b { (user.user_id) } ". Choose the patient record to open:" }
                    form method="get" action={ (state.prefix()) "/apps/" (urlencode(&app_id)) "/launch" } {
                        label { "Name starts with " input type="search" name="name" value=(name) maxlength="100"; }
                        " " button type="submit" { "Search" }
                    }
                    @if records.is_empty() {
                        p { "No record matches " b { (name) } "." }
                    }
                    table {
                        tr { th { "Patient" } th { "Born" } th { "Record" } }
                        @for r in &records {
                            tr {
                                td { a href={ (state.prefix()) "/apps/" (urlencode(&app_id)) "/launch?record_id=" (urlencode(&r.id)) } { (r.family_name) ", " (r.given_name) } }
                                td { (r.birthday) }
                                td { code { (r.id) } }
                            }
                        }
                    }
                },
            ))
        }
    }
}

/// Query of the authorize page.
#[derive(Debug, Deserialize)]
pub(crate) struct AuthorizeQuery {
    oauth_token: Option<String>,
}

/// GET `/oauth/authorize?oauth_token=..`: names the app and the record and
/// asks the logged-in user to approve or deny. Always asks (no silent
/// re-approval).
pub(crate) async fn authorize_form(
    State(state): State<AppState>,
    Query(q): Query<AuthorizeQuery>,
    MaybeSession(session_user): MaybeSession,
) -> Result<Response, AppError> {
    let Some(token) = q.oauth_token.filter(|t| !t.is_empty()) else {
        return Err(AppError::Page(
            StatusCode::BAD_REQUEST,
            "The request lacks oauth_token.".into(),
        ));
    };
    let Some(user) = session_user else {
        let here = format!("/oauth/authorize?oauth_token={}", urlencode(&token));
        return Ok(see_other(
            &state.local(&format!("/login?return_url={}", urlencode(&here))),
        ));
    };
    let pending = oauth::pending(&state, &token).await?;
    let csrf = user.csrf_token(&token);
    let mut res = page(
        StatusCode::OK,
        "Authorize",
        html! {
            h1 { "Authorize " (pending.app_name) "?" }
            p { "The app " b { (pending.app_name) } " " small { "(" (pending.consumer_key) ")" } " asks to read the record of" }
            p.record { b { (pending.patient) } " " small { "(record " code { (pending.record_id) } ")" } }
            @if pending.author.is_some() || pending.version.is_some() {
                p.about {
                    @if let Some(author) = &pending.author { "By " (author) ". " }
                    @if let Some(version) = &pending.version { "Version " (version) "." }
                }
            }
            @if !pending.requires.is_empty() {
                p { "Its manifest says it uses:" }
                ul.requires {
                    @for r in &pending.requires { li { (r) } }
                }
            }
            p { "You are logged in as " b { (user.user_id) } "." }
            form method="post" action={ (state.prefix()) "/oauth/authorize" } {
                input type="hidden" name="oauth_token" value=(token);
                input type="hidden" name="csrf_token" value=(csrf);
                button type="submit" name="decision" value="approve" { "Approve" }
                " "
                button.deny type="submit" name="decision" value="deny" { "Deny" }
            }
        },
    );
    if let Some(scheme) = &pending.callback_scheme {
        allow_form_scheme(&mut res, scheme);
    }
    Ok(res)
}

/// Lets the approve form's redirect reach a native app's registered
/// callback scheme: the page's `form-action` also covers where the form's
/// answer redirects to. The scheme comes from a manifest URL the `url`
/// crate parsed (letters, digits, `+-.`), so it cannot break the header.
fn allow_form_scheme(res: &mut Response, scheme: &str) {
    if !scheme
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return;
    }
    let Some(csp) = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    let widened = csp.replace(
        "form-action 'self' http: https:",
        &format!("form-action 'self' http: https: {scheme}:"),
    );
    if let Ok(v) = HeaderValue::from_str(&widened) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
}

/// The authorize form.
#[derive(Debug, Deserialize)]
pub(crate) struct AuthorizeForm {
    oauth_token: String,
    csrf_token: String,
    decision: String,
}

/// POST `/oauth/authorize`: checks the session and the CSRF token (bound to
/// the session and the request token, compared in constant time), then
/// approves (redirect to the manifest's callback with `oauth_token` and
/// `oauth_verifier`) or denies (redirect to the callback with `oauth_token`
/// and `oauth_problem=user_refused`, the OAuth problem-reporting convention;
/// the request token is deleted).
pub(crate) async fn authorize(
    State(state): State<AppState>,
    MaybeSession(session_user): MaybeSession,
    Form(form): Form<AuthorizeForm>,
) -> Result<Response, AppError> {
    let Some(user) = session_user else {
        return Err(AppError::Page(
            StatusCode::UNAUTHORIZED,
            "Please log in again, then reopen the app.".into(),
        ));
    };
    if !user.check_csrf(&form.oauth_token, &form.csrf_token) {
        return Err(AppError::Page(
            StatusCode::FORBIDDEN,
            "This form has expired or was not sent by this page.".into(),
        ));
    }
    let target = match form.decision.as_str() {
        "approve" => oauth::approve(&state, &form.oauth_token, &user.user_id).await?,
        "deny" => oauth::deny(&state, &form.oauth_token).await?,
        _ => {
            return Err(AppError::Page(
                StatusCode::BAD_REQUEST,
                "Unknown decision.".into(),
            ));
        }
    };
    Ok(see_other(&target))
}

/// A 303 to `location`, with the page headers (no referrer leaks).
pub(crate) fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    page_security_headers(&mut res);
    res
}

/// Percent-encodes a value for a URL query or path segment (`@`, common in
/// app ids, stays readable).
pub(crate) fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace("%40", "@")
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d2733;background:#f7f9fb}\
h1{font-size:1.5rem;color:#0b4f71}label{display:block;margin:.6rem 0}input[type=text],input[type=password]{display:block;width:100%;padding:.4rem;border:1px solid #b8c4cf;border-radius:4px}\
button{padding:.45rem 1.1rem;border:0;border-radius:4px;background:#0b6fa4;color:#fff;font-size:1rem;cursor:pointer}button.deny{background:#8a2b2b}\
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #dde3e8}\
.error{color:#8a2b2b;font-weight:bold}.record{font-size:1.15rem}code{background:#e8edf2;padding:0 .25rem;border-radius:3px}";

/// A page in the common layout, with the security headers.
pub(crate) fn page(status: StatusCode, title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · SMART container" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body { main { (body) } }
        }
    };
    let mut res = (status, axum::response::Html(markup.into_string())).into_response();
    page_security_headers(&mut res);
    res
}
