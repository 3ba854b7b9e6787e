//! The OAuth endpoints and the glue to the `oauth1-dance` provider: the
//! protocol rules (signatures, timestamps, nonces, verifiers, single use)
//! live in the provider; this module turns HTTP into provider calls, on the
//! blocking pool since the provider's stores are synchronous.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use oauth1_dance::{AuthorizationGrant, Provider, ProviderConfig, ProviderRequest};
use rand::RngCore as _;
use rand::rngs::OsRng;

use super::debug::refused;
use super::{AppError, AppState, BODY_LIMIT, ConsumerKey};
use crate::Container;
use crate::oauth_store::{Lookup, NonceSlot, SqlProviderStore};
use crate::store::now;

/// The realm of `WWW-Authenticate` challenges.
const REALM: &str = "SMART container";

/// Access tokens live an hour, as in the original container.
pub(crate) const ACCESS_TOKEN_TTL_SECS: u64 = 3600;

/// The provider over the container's store.
#[derive(Clone)]
pub(crate) struct ProviderHandle(Arc<Provider<SqlProviderStore>>);

impl std::fmt::Debug for ProviderHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ProviderHandle {
    pub(crate) fn new(container: &Container, require_body_hash: bool) -> Self {
        let mut config = ProviderConfig::new(REALM);
        config.require_body_hash = require_body_hash;
        config.access_token_ttl = Some(ACCESS_TOKEN_TTL_SECS);
        config.required_request_parameters = vec!["smart_record_id".into()];
        config.max_body_len = BODY_LIMIT;
        let store = SqlProviderStore {
            store: container.store.clone(),
            key: container.key.clone(),
            credentials: Arc::default(),
            lookup: Lookup::Database,
            nonce: None,
        };
        Self(Arc::new(Provider::new(config, store)))
    }
}

impl ProviderHandle {
    /// The provider itself, for the endpoints outside this module.
    pub(super) fn provider(&self) -> &Provider<SqlProviderStore> {
        &self.0
    }

    /// The provider for one signed call, its consumers and access tokens
    /// looked up as `lookup` says; it leaves the call's nonce in `nonce` for
    /// the call to write ([`SqlProviderStore::for_signed_call`]).
    pub(super) fn for_signed_call(
        &self,
        lookup: Lookup,
        nonce: NonceSlot,
    ) -> Provider<SqlProviderStore> {
        Provider::new(
            self.0.config().clone(),
            self.0.store().for_signed_call(lookup, nonce),
        )
    }

    /// The credentials generation of the records kept in memory now.
    pub(super) fn kept_generation(&self) -> i64 {
        self.0.store().credentials.generation()
    }

    /// Drops expired request tokens and nonces.
    pub(crate) fn purge(&self, now: u64) -> Result<(), oauth1_dance::Error> {
        self.0.purge_expired(now)
    }
}

/// POST `/oauth/request_token`: temporary credentials bound to the record
/// named by `smart_record_id` in the signed form body (400 without it).
pub(crate) async fn request_token(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AppError> {
    let req = read_request(req).await?;
    let issued = state
        .blocking(move |s| {
            let pr = ProviderRequest::from_http(&req, s.api_base()).map_err(AppError::OAuth)?;
            let issued = s
                .provider()
                .issue_temporary_credentials(unix_now(), &pr, &mut os_random)
                .map_err(|e| refused(s, &pr, e))?;
            let record_id = issued
                .attributes
                .get("smart_record_id")
                .cloned()
                .unwrap_or_default();
            if s.container().store.record(&record_id)?.is_none() {
                let _ = s.provider().deny(unix_now(), &issued.token);
                return Err(AppError::Api(
                    StatusCode::BAD_REQUEST,
                    "unknown smart_record_id".into(),
                ));
            }
            Ok(issued)
        })
        .await?;
    let consumer = issued.consumer_key.clone();
    Ok(with_consumer(
        issued.into_http_response().map(Body::from).into_response(),
        consumer,
    ))
}

/// POST `/oauth/access_token`: token credentials for an approved request
/// token and its verifier; the reply carries `record_id` and `user_id`.
pub(crate) async fn access_token(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AppError> {
    let req = read_request(req).await?;
    let issued = state
        .blocking(move |s| {
            let pr = ProviderRequest::from_http(&req, s.api_base()).map_err(AppError::OAuth)?;
            s.provider()
                .issue_token_credentials(unix_now(), &pr, &mut os_random)
                .map_err(|e| refused(s, &pr, e))
        })
        .await?;
    let consumer = issued.consumer_key.clone();
    Ok(with_consumer(
        issued.into_http_response().map(Body::from).into_response(),
        consumer,
    ))
}

/// What the authorize page shows.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) consumer_key: String,
    pub(crate) app_name: String,
    pub(crate) record_id: String,
    pub(crate) patient: String,
    /// The manifest's `author` and `version`, when given.
    pub(crate) author: Option<String>,
    pub(crate) version: Option<String>,
    /// The data the manifest says the app requires: each type's name, with
    /// the methods and how many codes it names.
    pub(crate) requires: Vec<String>,
    /// The scheme of a native app's custom-scheme callback (`smart-app`),
    /// which the approve form must be allowed to reach.
    pub(crate) callback_scheme: Option<String>,
}

/// What the authorize page shows of a manifest: (author, version, the
/// required data, a custom callback scheme).
fn manifest_details(
    manifest: &crate::AppManifest,
) -> (Option<String>, Option<String>, Vec<String>, Option<String>) {
    let text = |key: &str| {
        manifest
            .json
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let mut requires = Vec::new();
    if let Some(serde_json::Value::Object(types)) = manifest.json.get("requires") {
        for (uri, spec) in types {
            let name = uri.rsplit(['#', '/']).next().unwrap_or(uri);
            let methods: Vec<&str> = spec
                .get("methods")
                .and_then(serde_json::Value::as_array)
                .map(|ms| ms.iter().filter_map(serde_json::Value::as_str).collect())
                .unwrap_or_default();
            let codes = spec
                .get("codes")
                .and_then(serde_json::Value::as_array)
                .map_or(0, Vec::len);
            let mut line = format!("{name} ({})", methods.join(", "));
            if codes > 0 {
                line.push_str(&format!(", {codes} codes"));
            }
            requires.push(line);
        }
    }
    let callback_scheme = manifest
        .oauth_callback
        .as_deref()
        .and_then(|c| url::Url::parse(c).ok())
        .map(|u| u.scheme().to_owned())
        .filter(|s| s != "http" && s != "https");
    (text("author"), text("version"), requires, callback_scheme)
}

/// The pending request token behind the authorize page.
pub(crate) async fn pending(state: &AppState, token: &str) -> Result<Pending, AppError> {
    let token = token.to_owned();
    state
        .blocking(move |s| {
            let p = s
                .provider()
                .pending_authorization(unix_now(), &token)
                .map_err(page_error)?;
            let record_id = p
                .attributes
                .get("smart_record_id")
                .cloned()
                .unwrap_or_default();
            let app = s.container().app(&p.consumer_key)?;
            let record = s.container().store.record(&record_id)?;
            let (Some((manifest, _)), Some(record)) = (app, record) else {
                return Err(AppError::Page(
                    StatusCode::BAD_REQUEST,
                    "This request is no longer valid.".into(),
                ));
            };
            let (author, version, requires, callback_scheme) = manifest_details(&manifest);
            Ok(Pending {
                consumer_key: p.consumer_key,
                app_name: manifest.name,
                patient: format!("{} {}", record.given_name, record.family_name),
                record_id,
                author,
                version,
                requires,
                callback_scheme,
            })
        })
        .await
}

/// Approves a request token for `user_id`; returns where to send the
/// browser (the manifest's callback with `oauth_token` and `oauth_verifier`).
pub(crate) async fn approve(
    state: &AppState,
    token: &str,
    user_id: &str,
) -> Result<String, AppError> {
    let (token, user_id) = (token.to_owned(), user_id.to_owned());
    state
        .blocking(move |s| {
            let p = s.provider().pending_authorization(unix_now(), &token).map_err(page_error)?;
            let record_id = p.attributes.get("smart_record_id").cloned().unwrap_or_default();
            let attributes = [("record_id".to_owned(), record_id), ("user_id".to_owned(), user_id.clone())]
                .into_iter()
                .collect();
            match s.provider().authorize(unix_now(), &token, &user_id, attributes, &mut os_random)
                .map_err(page_error)?
            {
                AuthorizationGrant::Redirect { location } => Ok(location),
                AuthorizationGrant::OutOfBand { .. } => Err(AppError::Page(
                    StatusCode::BAD_REQUEST,
                    "This app has no oauth_callback in its manifest; the container cannot send you back to it.".into(),
                )),
            }
        })
        .await
}

/// Denies a request token; returns the consumer's registered callback (the
/// manifest's) with `oauth_token` and `oauth_problem=user_refused`, as the
/// provider builds it.
pub(crate) async fn deny(state: &AppState, token: &str) -> Result<String, AppError> {
    let token = token.to_owned();
    state
        .blocking(move |s| {
            let provider = &s.provider();
            provider
                .pending_authorization(unix_now(), &token)
                .map_err(page_error)?;
            match provider.deny(unix_now(), &token).map_err(page_error)? {
                Some(target) => Ok(target),
                None => Err(AppError::Page(
                    StatusCode::OK,
                    "You denied the app access to the record.".into(),
                )),
            }
        })
        .await
}

/// The response for a provider error: the provider's own
/// (`oauth1_dance::Error::to_http_response`: status, short reason,
/// `internal error` for a 5xx, `WWW-Authenticate` on 401), after logging a 5xx.
pub(crate) fn error_response(e: &oauth1_dance::Error) -> Response {
    if e.http_status() >= 500 {
        // With its sources: a store failure's own text is in its source.
        tracing::error!(error = %crate::Report(e), "oauth provider failure");
    }
    e.to_http_response(REALM).map(Body::from).into_response()
}

/// Tags a response with the consumer key for the request log.
pub(crate) fn with_consumer(mut res: Response, consumer: String) -> Response {
    res.extensions_mut().insert(ConsumerKey(consumer));
    res
}

fn page_error(e: oauth1_dance::Error) -> AppError {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    if status.is_server_error() {
        return AppError::OAuth(e);
    }
    let msg = match e {
        oauth1_dance::Error::AlreadyAuthorized => {
            "This request was already decided. Start again from the app."
        }
        _ => "This authorization request is unknown or has expired. Start again from the app.",
    };
    AppError::Page(status, msg.into())
}

pub(super) async fn read_request(req: Request) -> Result<http::Request<Bytes>, AppError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        AppError::Api(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large".into(),
        )
    })?;
    Ok(http::Request::from_parts(parts, bytes))
}

pub(super) fn os_random(buf: &mut [u8]) {
    OsRng.fill_bytes(buf);
}

pub(super) fn unix_now() -> u64 {
    u64::try_from(now()).unwrap_or(0)
}
