//! The HTTP side: the router, the shared state, the one error type and the
//! layers (request log, body limit, timeout, security headers).

mod api;
mod oauth;
mod pages;
mod session;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::timeout::TimeoutLayer;

use crate::{Container, Error};

pub use session::SESSION_COOKIE;

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
    dev: bool,
    /// A hash of a random password, made on first use: unknown users are
    /// checked against it so that they take as long as known ones.
    dummy_password_hash: std::sync::OnceLock<String>,
    provider: oauth::ProviderHandle,
}

impl AppState {
    /// Builds the state. `public_url` is the external origin (`http://host:port`,
    /// optionally with a path prefix): the manifest's URLs and every OAuth
    /// signature base string use it, never the `Host` header (SECURITY.md 9).
    pub fn new(container: Container, public_url: &str, dev: bool) -> Result<Self, Error> {
        let parsed = url::Url::parse(public_url)
            .map_err(|e| Error::Invalid(format!("--public-url `{public_url}`: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(Error::Invalid(format!(
                "--public-url `{public_url}` must be an http(s) origin"
            )));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::Invalid(format!(
                "--public-url `{public_url}` must have no query or fragment"
            )));
        }
        let public_url = parsed.as_str().trim_end_matches('/').to_owned();
        let dummy_password_hash = std::sync::OnceLock::new();
        let provider = oauth::ProviderHandle::new(&container);
        Ok(Self {
            inner: Arc::new(Inner {
                container,
                public_url,
                dev,
                dummy_password_hash,
                provider,
            }),
        })
    }

    /// The API base (the public URL).
    pub fn api_base(&self) -> &str {
        &self.inner.public_url
    }

    /// The path prefix of the public URL (`""` at the root, else `/prefix`):
    /// page links and local redirects start with it.
    pub(crate) fn prefix(&self) -> &str {
        let base = &self.inner.public_url;
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        base[after_scheme..]
            .find('/')
            .map_or("", |i| &base[after_scheme + i..])
    }

    /// A local path under the public URL's prefix.
    pub(crate) fn local(&self, path: &str) -> String {
        format!("{}{path}", self.prefix())
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
        self.inner.public_url.starts_with("https:")
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

    /// Runs a blocking store call off the async threads.
    pub(crate) async fn blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&AppState) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
    }
}

/// Builds the router: the API, the OAuth endpoints and the pages, with the
/// request log, a body limit, a timeout and `Cache-Control: no-store`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/manifest", get(api::container_manifest))
        .route("/ontology", get(api::ontology))
        .route("/healthz", get(api::healthz))
        .route("/apps/manifests/", get(api::app_manifests))
        .route("/apps/{app_id}/manifest", get(api::app_manifest))
        .route("/apps/{app_id}/launch", get(pages::launch))
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", get(pages::logout_form).post(pages::logout))
        .route("/oauth/request_token", post(oauth::request_token))
        .route("/oauth/access_token", post(oauth::access_token))
        .route(
            "/oauth/authorize",
            get(pages::authorize_form).post(pages::authorize),
        )
        .route("/records/{record_id}/demographics", get(api::demographics))
        .route(
            "/records/{record_id}/apps/{app_id}/scratchpad",
            get(api::scratchpad)
                .put(api::put_scratchpad)
                .delete(api::delete_scratchpad),
        )
        .route("/records/{record_id}/{collection}", get(api::single))
        .route("/records/{record_id}/{collection}/", get(api::list))
        .route(
            "/records/{record_id}/{collection}/{item_id}",
            get(api::item),
        )
        .route("/users/{user_id}", get(api::user))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(no_store))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
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
    /// Something broke; logged, answered with a generic 500.
    Internal(String),
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        Self::Internal(e.to_string())
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
            Self::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
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
