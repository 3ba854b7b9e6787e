//! The app's routes: `GET /`, `GET /authorized`, `POST /logout`, the icon
//! and the manifest.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use smart_client::{AccessToken, Credentials, Registry, SmartClient};
use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::error::AppError;
use crate::limit::{DanceLimit, PeerAddr};
use crate::pages;
use crate::session::{SessionId, SessionStore, session_cookie, session_from_headers};
use crate::summary::Summary;
use crate::summary_page;

/// The seed's SPARQL query, unchanged.
pub const NAME_QUERY: &str = "PREFIX vc: <http://www.w3.org/2006/vcard/ns#>
SELECT ?given ?family
WHERE { [] vc:n ?vcard .
        OPTIONAL { ?vcard vc:given-name ?given . }
        OPTIONAL { ?vcard vc:family-name ?family . } }";

/// The app's icon, served at `/static/icon.png`.
pub const ICON_PNG: &[u8] = include_bytes!("../static/icon.png");

/// The app's manifest as shipped (`manifest.json`).
pub const MANIFEST_JSON: &str = include_str!("../manifest.json");

/// What every request handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    sessions: SessionStore,
    secure_cookies: bool,
    /// Request tokens started per client address (SECURITY.md 33).
    dances: DanceLimit,
}

impl AppState {
    /// The state for a configuration, with one client per container over
    /// the default transport and the sessions in the configured data
    /// directory.
    pub fn new(config: &Config) -> Result<Self, AppError> {
        let mut registry = Registry::new();
        for container in &config.containers {
            let credentials = Credentials::new(&container.app_id, &container.consumer_secret);
            registry.insert(SmartClient::new(&container.api_base, credentials)?);
        }
        let sessions = SessionStore::open(&config.data_dir)?;
        Ok(AppState::with_sessions(
            registry,
            config.is_https(),
            sessions,
        ))
    }

    /// The state over ready-made clients, the sessions in memory (lost when
    /// the process ends).
    pub fn from_registry(registry: Registry, secure_cookies: bool) -> Result<Self, AppError> {
        Ok(AppState::with_sessions(
            registry,
            secure_cookies,
            SessionStore::in_memory()?,
        ))
    }

    /// The state over ready-made clients and a session store.
    pub fn with_sessions(registry: Registry, secure_cookies: bool, sessions: SessionStore) -> Self {
        AppState {
            inner: Arc::new(Inner {
                registry,
                sessions,
                secure_cookies,
                dances: DanceLimit::default(),
            }),
        }
    }

    /// The session store (tests look into it).
    pub fn sessions(&self) -> &SessionStore {
        &self.inner.sessions
    }
}

/// The app's router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/authorized", get(authorized))
        .route("/logout", post(logout))
        .route("/static/icon.png", get(icon))
        .route("/manifest.json", get(manifest))
        .with_state(state)
}

/// The query of `GET /`.
#[derive(Debug, Deserialize)]
struct IndexQuery {
    record_id: Option<String>,
    api_base: Option<String>,
    /// Set on the redirect that follows a fresh session cookie: a request
    /// that carries it without the cookie comes from a client that keeps
    /// no cookies.
    cookie_check: Option<String>,
    /// The LOINC code of the lab chart.
    loinc: Option<String>,
}

/// The query of `GET /authorized`.
#[derive(Deserialize)]
struct CallbackQuery {
    oauth_token: Option<String>,
    oauth_verifier: Option<String>,
    oauth_problem: Option<String>,
}

/// `GET /`: launch, start the dance, or show the patient's name.
async fn index(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    query: Result<Query<IndexQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let registry = &state.inner.registry;
    let record_id = query.record_id.filter(|r| !r.is_empty());
    let api_base = query.api_base.filter(|a| !a.is_empty());
    let Some(record_id) = record_id else {
        // No record: send the browser to the container to pick one.
        let client = match &api_base {
            Some(api_base) => known(registry, api_base)?,
            None => registry
                .first()
                .ok_or_else(|| AppError::Config("no container configured".into()))?,
        };
        let launch = client.launch_url().await?;
        return Ok(see_other(launch.as_str()));
    };
    let api_base = api_base.ok_or_else(|| AppError::BadRequest("api_base missing".into()))?;
    let loinc = query.loinc.filter(|l| !l.is_empty());
    if let Some(code) = &loinc
        && (code.len() > 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err(AppError::BadRequest(
            "loinc must be a LOINC code such as 2345-7".into(),
        ));
    }
    // The api_base is checked before anything is sent to it.
    let client = known(registry, &api_base)?;
    // No session cookie: set one and come back, before any request token is
    // made, so a client that keeps no cookies (a crawler, a script, a link
    // preview) creates nothing at the container (SECURITY.md 33).
    let Some(session_id) = session_from_headers(&headers) else {
        if query.cookie_check.is_some() {
            return Err(AppError::CookiesRequired);
        }
        let id = SessionId::generate()?;
        let back = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("record_id", &record_id)
            .append_pair("api_base", &api_base)
            .append_pair("cookie_check", "1")
            .finish();
        let mut response = see_other(&format!("/?{back}"));
        set_cookie(&mut response, &id, state.inner.secure_cookies)?;
        return Ok(response);
    };
    let mut data = state
        .inner
        .sessions
        .get(&session_id, registry)?
        .unwrap_or_default();
    let key = (client.api_base().to_owned(), record_id.clone());
    if let Some(token) = data.tokens.get(&key).cloned() {
        match show_name(&client, &token, loinc.as_deref()).await {
            Ok(page) => return Ok(page),
            Err(AppError::Container(e)) if e.needs_reauthorization() => {
                // Expired or revoked: forget it and dance again.
                tracing::info!(record_id = %record_id, "token refused, authorising again");
                data.tokens.remove(&key);
            }
            Err(e) => return Err(e),
        }
    }
    state.inner.dances.take(peer)?;
    let pending = client.request_token(&record_id).await?;
    let authorize = client.authorize_url(&pending)?;
    data.push_pending(pending);
    state.inner.sessions.put(&session_id, &data)?;
    Ok(see_other(authorize.as_str()))
}

/// `GET /authorized`: the OAuth callback.
async fn authorized(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<CallbackQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let token = query
        .oauth_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::BadRequest("oauth_token missing".into()))?;
    let denied = query.oauth_problem.as_deref() == Some("user_refused");
    let verifier = query.oauth_verifier.filter(|v| !v.is_empty());
    if verifier.is_none() && !denied {
        return Err(AppError::BadRequest("oauth_verifier missing".into()));
    }
    let session_id = session_from_headers(&headers).ok_or(AppError::ForeignCallback)?;
    let mut data = state
        .inner
        .sessions
        .get(&session_id, &state.inner.registry)?
        .ok_or(AppError::ForeignCallback)?;
    // Find the pending authorisation whose request token this is, comparing
    // every one in constant time.
    let mut found = None;
    for (index, pending) in data.pending.iter().enumerate() {
        if bool::from(pending.request_token().as_bytes().ct_eq(token.as_bytes())) {
            found = Some(index);
        }
    }
    let pending = data.pending.remove(found.ok_or(AppError::ForeignCallback)?);
    // Whatever happens next, the request token is used up: keep the session
    // without it.
    state.inner.sessions.put(&session_id, &data)?;
    let Some(verifier) = verifier else {
        return Err(AppError::Denied);
    };
    let client = known(&state.inner.registry, &pending.api_base)?;
    let access = client.exchange(pending, &token, &verifier).await?;
    let target = name_url(&access);
    data.tokens
        .insert((access.api_base.clone(), access.record_id.clone()), access);
    let new_id = state.inner.sessions.renew(&session_id, &data)?;
    let mut response = see_other(&target);
    set_cookie(&mut response, &new_id, state.inner.secure_cookies)?;
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// `POST /logout`: ends the session (its tokens are forgotten, a copy of
/// the cookie opens nothing) and clears the cookie. The cookie is
/// `SameSite=Lax`, so another site's form cannot post it here.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(id) = session_from_headers(&headers) {
        state.inner.sessions.remove(&id)?;
    }
    let mut page = axum::response::Html(pages::signed_out_page().into_string()).into_response();
    pages::no_store(page.headers_mut());
    let clear = HeaderValue::from_str(&crate::session::clear_cookie(state.inner.secure_cookies))
        .map_err(|e| AppError::Internal(format!("bad cookie: {e}")))?;
    page.headers_mut().append(header::SET_COOKIE, clear);
    Ok(page)
}

/// `GET /static/icon.png`.
async fn icon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON_PNG,
    )
        .into_response()
}

/// `GET /manifest.json`, the manifest as shipped.
async fn manifest() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], MANIFEST_JSON).into_response()
}

/// Reads the demographics and every summary section at once, runs the
/// seed's query and renders the patient page. A section that fails shows
/// its error; a 401 anywhere sends the user back through the dance.
async fn show_name(
    client: &SmartClient,
    token: &AccessToken,
    loinc: Option<&str>,
) -> Result<Response, AppError> {
    let record = client.record(token)?;
    let (demographics, summary) = tokio::join!(record.demographics(), Summary::fetch(&record));
    let response = demographics?;
    let summary = summary.reauthorization()?;
    let graph = response.require_graph()?;
    let name = patient_name(graph)?;
    let markup = pages::name_page(
        name.as_deref().unwrap_or("Unknown"),
        &token.record_id,
        &token.api_base,
        summary_page::render(&summary, loinc, &token.record_id, &token.api_base),
    );
    let mut page = axum::response::Html(markup.into_string()).into_response();
    pages::no_store(page.headers_mut());
    Ok(page)
}

/// Runs the seed's query: "<Given> <Family>" of the first name found, or
/// `None` when there is none.
pub fn patient_name(graph: &smart_rdf::Graph) -> Result<Option<String>, AppError> {
    let rows = graph
        .select(NAME_QUERY)
        .map_err(|e| AppError::Internal(format!("name query failed: {e}")))?;
    for row in rows.iter() {
        let given = row.opt_string("given").ok().flatten().unwrap_or_default();
        let family = row.opt_string("family").ok().flatten().unwrap_or_default();
        let name = format!("{} {}", given.trim(), family.trim());
        let name = name.trim();
        if !name.is_empty() {
            return Ok(Some(name.to_owned()));
        }
    }
    Ok(None)
}

/// The clean URL of the name page for a token.
fn name_url(token: &AccessToken) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("record_id", &token.record_id)
        .append_pair("api_base", &token.api_base)
        .finish();
    format!("/?{query}")
}

fn known(registry: &Registry, api_base: &str) -> Result<Arc<SmartClient>, AppError> {
    registry
        .get(api_base)
        .map_err(|_| AppError::UnknownContainer(api_base.to_owned()))
}

fn see_other(location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    pages::no_store(response.headers_mut());
    response
}

fn set_cookie(response: &mut Response, id: &SessionId, secure: bool) -> Result<(), AppError> {
    let value = HeaderValue::from_str(&session_cookie(id, secure))
        .map_err(|e| AppError::Internal(format!("bad cookie: {e}")))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(())
}
