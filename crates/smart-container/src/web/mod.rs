//! The HTTP side: the router, the shared state, the one error type and the
//! layers (request log, body limit, timeout, security headers).

mod api;
mod background;
mod cache;
mod calls;
mod debug;
mod documents;
mod guard;
mod login;
mod notes;
mod oauth;
mod pages;
mod preferences;
mod search;
mod session;
mod signed;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use tower_http::timeout::TimeoutLayer;

use crate::{Container, Error};

pub use session::{LOGIN_COOKIE, SESSION_COOKIE};

/// The largest request body accepted (scratchpads included).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How long a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The state shared by every handler: the opened container and the serving
/// settings. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    container: Container,
    public_url: String,
    /// The origin of the pages (login, picker, authorize); the public URL
    /// unless they are served apart (SECURITY.md 26).
    ui_url: String,
    dev: bool,
    /// Signs the login form's CSRF tokens; derived from the data key, so
    /// that every replica of one container accepts the others' forms.
    login_key: [u8; 32],
    throttle: guard::Throttle,
    password_pool: guard::PasswordPool,
    /// A hash of a random password, made on first use: unknown users are
    /// checked against it so that they take as long as known ones.
    dummy_password_hash: std::sync::OnceLock<String>,
    provider: oauth::ProviderHandle,
    /// Admits at most a few store sections to the blocking pool at once;
    /// the others wait as tasks (see [`AppState::blocking`]).
    sections: tokio::sync::Semaphore,
    /// Rendered record documents, served while their record is unchanged.
    rendered: cache::Rendered,
    /// The signature failures `/oauth/debug` shows (kept in `dev` only).
    signature_log: debug::SignatureLog,
}

impl AppState {
    /// Builds the state. `public_url` is the external origin (`http://host:port`,
    /// optionally with a path prefix): the manifest's URLs and every OAuth
    /// signature base string use it, never the `Host` header (SECURITY.md 9).
    pub fn new(container: Container, public_url: &str, dev: bool) -> Result<Self, Error> {
        Self::with_options(container, public_url, &WebOptions::new(dev))
    }

    /// Builds the state with every serving option.
    pub fn with_options(
        container: Container,
        public_url: &str,
        options: &WebOptions,
    ) -> Result<Self, Error> {
        let public_url = origin(public_url, "--public-url")?;
        let ui_url = match &options.ui_url {
            Some(u) => origin(u, "--ui-public-url")?,
            None => public_url.clone(),
        };
        let dummy_password_hash = std::sync::OnceLock::new();
        let sections = container.store.useful_concurrency().max(1);
        let provider = oauth::ProviderHandle::new(&container, options.require_body_hash);
        let login_key = *container.key.login_key();
        Ok(Self {
            inner: Arc::new(Inner {
                container,
                public_url,
                ui_url,
                dev: options.dev,
                login_key,
                throttle: guard::Throttle::default(),
                password_pool: guard::PasswordPool::for_this_machine(),
                dummy_password_hash,
                provider,
                sections: tokio::sync::Semaphore::new(sections),
                rendered: cache::Rendered::default(),
                signature_log: debug::SignatureLog::default(),
            }),
        })
    }

    /// The origin of the pages.
    pub fn ui_base(&self) -> &str {
        &self.inner.ui_url
    }

    /// Whether the pages are served on an origin of their own.
    pub fn ui_apart(&self) -> bool {
        self.inner.ui_url != self.inner.public_url
    }

    pub(crate) fn login_key(&self) -> &[u8] {
        &self.inner.login_key
    }

    pub(crate) fn throttle(&self) -> &guard::Throttle {
        &self.inner.throttle
    }

    pub(crate) fn password_pool(&self) -> &guard::PasswordPool {
        &self.inner.password_pool
    }

    /// The API base (the public URL).
    pub fn api_base(&self) -> &str {
        &self.inner.public_url
    }

    /// The path prefix of the pages' URL (`""` at the root, else `/prefix`):
    /// page links and local redirects start with it.
    pub(crate) fn prefix(&self) -> &str {
        let base = &self.inner.ui_url;
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        base[after_scheme..]
            .find('/')
            .map_or("", |i| &base[after_scheme + i..])
    }

    /// A local path under the public URL's prefix.
    pub(crate) fn local(&self, path: &str) -> String {
        format!("{}{path}", self.prefix())
    }

    /// The OAuth provider over the container's store.
    pub(crate) fn provider(&self) -> &oauth1_dance::Provider<crate::oauth_store::SqlProviderStore> {
        self.inner.provider.provider()
    }

    /// The OAuth provider for one signed call, its consumers and access
    /// tokens looked up as `lookup` says, leaving the call's nonce in
    /// `nonce` for the call to write.
    pub(crate) fn provider_for_call(
        &self,
        lookup: crate::oauth_store::Lookup,
        nonce: crate::oauth_store::NonceSlot,
    ) -> oauth1_dance::Provider<crate::oauth_store::SqlProviderStore> {
        self.inner.provider.for_signed_call(lookup, nonce)
    }

    /// The credentials generation of the consumers and access tokens kept
    /// in memory now.
    pub(crate) fn kept_generation(&self) -> i64 {
        self.inner.provider.kept_generation()
    }

    /// The rendered record documents.
    pub(crate) fn rendered(&self) -> &cache::Rendered {
        &self.inner.rendered
    }

    pub(crate) fn container(&self) -> &Container {
        &self.inner.container
    }

    /// The dummy password hash (blocking: hashes on first call).
    pub(crate) fn dummy_password_hash(&self) -> &str {
        self.inner
            .dummy_password_hash
            .get_or_init(|| crate::crypto::dummy_password_hash(self.inner.container.password_cost))
    }

    pub(crate) fn secure_cookies(&self) -> bool {
        self.inner.ui_url.starts_with("https:")
    }

    /// Drops expired nonces, request tokens and sessions (the server calls
    /// this every minute so that the tables stay bounded).
    pub(crate) async fn purge_expired(&self) -> Result<(), AppError> {
        self.blocking(|s| {
            let now = crate::store::now();
            s.inner
                .provider
                .purge(u64::try_from(now).unwrap_or(0))
                .map_err(AppError::OAuth)?;
            s.container().store.purge_sessions(now)?;
            Ok(())
        })
        .await
    }

    /// Runs a blocking store call off the async threads. At most
    /// `Store::useful_concurrency` run at once: the rest wait here as tasks
    /// rather than as blocking threads parked on the store's lock, which
    /// the profile showed as a fifth of the CPU in wake-ups and context
    /// switches.
    pub(crate) async fn blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&AppState) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let state = self.clone();
        // The semaphore is never closed, so acquiring fails only if it were.
        let _permit = self
            .inner
            .sections
            .acquire()
            .await
            .map_err(|_| AppError::Internal(Internal::SectionsClosed))?;
        tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| AppError::Internal(Internal::Blocking(e)))?
    }
}

/// Serving options of the web side.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WebOptions {
    /// Development mode.
    pub dev: bool,
    /// The pages' own origin (`--ui-public-url`); `None`: the public URL.
    pub ui_url: Option<String>,
    /// Whether a non-form body must carry `oauth_body_hash`.
    pub require_body_hash: bool,
}

impl WebOptions {
    /// The defaults, in or out of development mode.
    pub fn new(dev: bool) -> Self {
        Self {
            dev,
            ..Self::default()
        }
    }
}

/// Checks and normalises an http(s) origin with an optional path prefix.
fn origin(url: &str, flag: &str) -> Result<String, Error> {
    let parsed = url::Url::parse(url).map_err(|source| Error::InvalidUrl {
        what: flag.to_owned(),
        url: url.to_owned(),
        source,
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(Error::Invalid(format!(
            "{flag} `{url}` must be an http(s) origin"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() || !parsed.username().is_empty() {
        return Err(Error::Invalid(format!(
            "{flag} `{url}` must have no user, query or fragment"
        )));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// The page routes (login, logout, picker, authorize).
fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(login::login_form).post(login::login))
        .route("/logout", get(pages::logout_form).post(pages::logout))
        .route("/apps/{app_id}/launch", get(pages::launch))
        .route(
            "/oauth/authorize",
            get(pages::authorize_form).post(pages::authorize),
        )
}

/// The API routes: every call of the table of calls (`calls.rs`), and
/// the endpoints that are no call of the table: the OAuth dance's two (the
/// manifest's `launch_urls`), the `--dev` signature debug page and the
/// health check.
fn api_routes() -> Router<AppState> {
    (other_api_routes().into_iter()).fold(calls::routes(), |router, (_, path, handler)| {
        router.route(path, handler)
    })
}

/// The API origin's routes that are not calls of the table: (method,
/// path, handler).
pub(crate) fn other_api_routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("POST", "/oauth/request_token", post(oauth::request_token)),
        ("POST", "/oauth/access_token", post(oauth::access_token)),
        ("GET", "/oauth/debug", get(debug::page)),
        ("GET", "/healthz", get(api::healthz)),
    ]
}

/// Builds the router of one origin serving everything: the API, the OAuth
/// endpoints and the pages, with the common layers.
pub fn app(state: AppState) -> Router {
    layered(api_routes().merge(ui_routes()), state)
}

/// The router of the API origin when the pages live apart: a `GET` of a
/// page path is sent to the pages' origin, nothing else of them is served.
pub fn api_app(state: AppState) -> Router {
    let to_ui = || get(pages::to_ui);
    let routes = api_routes()
        .route("/", to_ui())
        .route("/login", to_ui())
        .route("/logout", to_ui())
        .route("/apps/{app_id}/launch", to_ui())
        .route("/oauth/authorize", to_ui());
    layered(routes, state)
}

/// The router of the pages' own origin.
pub fn ui_app(state: AppState) -> Router {
    layered(ui_routes(), state)
}

/// The common layers: request log, timeout, security headers, no-store,
/// the early body-size check and the body limit.
fn layered(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(declared_body_limit))
        .layer(middleware::from_fn(no_store))
        .layer(middleware::from_fn(api_security_headers))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Every reply: `nosniff`, and unless it is a page with its own policy
/// `Content-Security-Policy: default-src 'none'; sandbox`, so that nothing
/// stored runs as script on this origin (SECURITY.md 26).
async fn api_security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("default-src 'none'; sandbox"));
    res
}

/// A body declared larger than the limit is refused before it is read, so
/// that `Expect: 100-continue` gets 413 rather than `100 Continue`.
async fn declared_body_limit(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return AppError::Api(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large".into(),
        )
        .into_response();
    }
    next.run(req).await
}

/// The consumer key a handler authenticated, put in the response extensions
/// for the request log.
#[derive(Debug, Clone)]
pub(crate) struct ConsumerKey(pub(crate) String);

/// The one error type of the handlers. Its response never carries internals:
/// those are logged.
#[derive(Debug)]
pub(crate) enum AppError {
    /// A plain-text error for API callers; the message is safe to show.
    Api(StatusCode, String),
    /// An HTML error page for browsers; the message is safe to show.
    Page(StatusCode, String),
    /// The OAuth provider refused the request.
    OAuth(oauth1_dance::Error),
    /// The provider refused a signature, explained at this `/oauth/debug`
    /// address (development mode only).
    OAuthExplained(oauth1_dance::Error, String),
    /// Something broke; logged with its sources, answered with a generic 500.
    Internal(Internal),
}

/// What broke on the container's side, with its source.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Internal {
    /// The container (store, key, RDF writer) failed.
    #[error(transparent)]
    Container(Error),
    /// A value the container stored as JSON does not read back.
    #[error("a stored JSON value does not parse")]
    StoredJson(#[source] serde_json::Error),
    /// A task on the blocking pool panicked or was cancelled.
    #[error("a blocking task failed")]
    Blocking(#[source] tokio::task::JoinError),
    /// A call of the table was routed to a handler that does not serve it.
    #[error("`{0}` reads no collection")]
    NoCollection(&'static str),
    /// The semaphore of blocking sections was closed (never, by construction).
    #[error("the blocking sections are closed")]
    SectionsClosed,
    /// The provider accepted a signed call without leaving its nonce to be
    /// written (never, by construction: the nonce is its last check).
    #[error("a signed call was proven without its nonce")]
    NonceUnchecked,
    /// A stored document item holds no document.
    #[error("a document item is not a document")]
    NotADocument,
}

impl From<Error> for AppError {
    /// A missing app, user or record is a 404 naming it; a refused value a
    /// 400 saying why; anything else (storage, key, ...) is internal: logged
    /// with its sources, never shown.
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound(what) => Self::Api(StatusCode::NOT_FOUND, what),
            Error::Invalid(why) => Self::Api(StatusCode::BAD_REQUEST, why),
            other => Self::Internal(Internal::Container(other)),
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(Internal::StoredJson(e))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::Api(status, msg) => (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                msg,
            )
                .into_response(),
            Self::Page(status, msg) => pages::error_page(status, &msg),
            Self::OAuth(e) => oauth::error_response(&e),
            Self::OAuthExplained(e, url) => {
                let mut res = oauth::error_response(&e);
                let body = format!("{e}\nsignature debug (development mode): {url}\n");
                *res.body_mut() = axum::body::Body::from(body);
                res
            }
            Self::Internal(e) => {
                tracing::error!(error = %crate::Report(&e), "internal error");
                pages::error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side.",
                )
            }
        }
    }
}

async fn not_found() -> AppError {
    AppError::Page(
        StatusCode::NOT_FOUND,
        "There is nothing at this address.".into(),
    )
}

/// Adds `Cache-Control: no-store` to every response that set no policy:
/// protected and credential responses must not be cached (SECURITY.md 19).
async fn no_store(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// One log line a request: method, path (never the query, which may carry a
/// token), status, latency and the consumer key when one was authenticated.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    let consumer = res
        .extensions()
        .get::<ConsumerKey>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    tracing::info!(
        %method,
        path = %path,
        status = res.status().as_u16(),
        latency_ms = start.elapsed().as_secs_f64() * 1000.0,
        consumer = %consumer,
        "request"
    );
    res
}

/// Headers for every page that shows or takes a decision (SECURITY.md 14).
pub(crate) fn page_security_headers(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: http:; form-action 'self' http: https:; frame-ancestors 'none'"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests;
