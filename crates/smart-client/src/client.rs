//! The client for one container: manifest, dance and container-level calls.

use std::sync::{Arc, Mutex};

use http::{HeaderMap, Method};
use smart_api::CallId;
use url::Url;

use crate::error::{Error, Result};
use crate::manifest::{ContainerManifest, parse_http_url};
use crate::oauth::{self, Secret};
use crate::response::SmartResponse;
use crate::transport::{HttpRequest, Limits, ReqwestTransport, Transport};

/// An app's credentials at one container: the consumer key (the app id)
/// and the consumer secret. `Debug` never shows the secret; it is not
/// serialisable on purpose (it belongs in configuration, not in sessions).
#[derive(Clone)]
pub struct Credentials {
    /// The consumer key, which is the app id (e.g. `rest-minimal@apps.smartplatforms.org`).
    pub consumer_key: String,
    /// The consumer secret.
    pub consumer_secret: oauth::Secret,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// Credentials from a consumer key and secret.
    pub fn new(consumer_key: impl Into<String>, consumer_secret: impl Into<String>) -> Self {
        Credentials {
            consumer_key: consumer_key.into(),
            consumer_secret: oauth::Secret::new(consumer_secret.into()),
        }
    }
}

/// A request token waiting for the user's approval: what a web app keeps
/// in its server-side session between the redirect to the container and the
/// callback. It holds the temporary token secret, so it is not serialisable
/// (it must never reach a cookie or the browser); `Debug` never shows the secret.
#[derive(Clone)]
pub struct PendingAuthorization {
    /// The container's api_base (normalised, no trailing slash).
    pub api_base: String,
    /// The record the request token is bound to.
    pub record_id: String,
    /// The dance state: the request token and its secret.
    pub(crate) state: oauth::PendingState,
}

impl PendingAuthorization {
    /// The request token (public: it travels in the browser's URL).
    pub fn request_token(&self) -> &str {
        self.state.token()
    }
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("api_base", &self.api_base)
            .field("record_id", &self.record_id)
            .field("request_token", &self.request_token())
            .finish_non_exhaustive()
    }
}

/// Token credentials for one record: what a web app keeps server-side to
/// make data calls. It holds the access token secret, so it is not
/// serialisable (it must never reach a cookie or the browser); `Debug` never
/// shows the token or its secret. To keep credentials across restarts, store
/// the token and its secret where the app keeps its other secrets and give
/// them back with [`SmartClient::install_token`].
#[derive(Clone)]
pub struct AccessToken {
    /// The container's api_base (normalised, no trailing slash).
    pub api_base: String,
    /// The record this token reads.
    pub record_id: String,
    /// The user who approved the app, when the container says.
    pub user_id: Option<String>,
    /// The dance state: the access token and its secret.
    pub(crate) state: oauth::AuthorizedState,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("api_base", &self.api_base)
            .field("record_id", &self.record_id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// The client for one container and one app.
///
/// Every endpoint is read from the container manifest, fetched once and
/// cached. The dance, step by step:
/// 1. [`SmartClient::request_token`] for the record the container launched
///    the app with, keeping the [`PendingAuthorization`] in the session;
/// 2. a redirect of the browser to [`SmartClient::authorize_url`];
/// 3. on the callback, [`SmartClient::exchange`] with the callback's
///    `oauth_token` and `oauth_verifier`, keeping the [`AccessToken`];
/// 4. data calls through [`SmartClient::record`].
pub struct SmartClient {
    api_base: Url,
    credentials: Credentials,
    transport: Arc<dyn Transport>,
    manifest: Mutex<Option<Arc<ContainerManifest>>>,
}

impl std::fmt::Debug for SmartClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartClient")
            .field("api_base", &self.api_base.as_str())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl SmartClient {
    /// A client over the default transport (reqwest, rustls, default limits).
    pub fn new(api_base: &str, credentials: Credentials) -> Result<Self> {
        let transport = ReqwestTransport::new(Limits::default())?;
        SmartClient::with_transport(api_base, credentials, Arc::new(transport))
    }

    /// A client over another transport.
    pub fn with_transport(
        api_base: &str,
        credentials: Credentials,
        transport: Arc<dyn Transport>,
    ) -> Result<Self> {
        let api_base = parse_http_url(&normalize_api_base(api_base))?;
        Ok(SmartClient {
            api_base,
            credentials,
            transport,
            manifest: Mutex::new(None),
        })
    }

    /// The app's credentials at this container.
    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The api_base, normalised (no trailing slash).
    pub fn api_base(&self) -> &str {
        self.api_base.as_str().trim_end_matches('/')
    }

    /// The app id (the consumer key).
    pub fn app_id(&self) -> &str {
        &self.credentials.consumer_key
    }

    /// The container manifest, fetched on first use and cached.
    pub async fn manifest(&self) -> Result<Arc<ContainerManifest>> {
        if let Some(manifest) = self.cached_manifest() {
            return Ok(manifest);
        }
        let response = self.get_unsigned(CallId::ContainerManifest, &[]).await?;
        let manifest = Arc::new(ContainerManifest::from_json(&response.body)?);
        let mut slot = self.manifest.lock().unwrap_or_else(|e| e.into_inner());
        *slot = Some(Arc::clone(&manifest));
        Ok(manifest)
    }

    /// Forgets the cached manifest; the next call fetches it again.
    pub fn forget_manifest(&self) {
        *self.manifest.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The URL that launches this app at the container.
    pub async fn launch_url(&self) -> Result<Url> {
        self.manifest().await?.launch_url(self.app_id())
    }

    /// Step 1: a request token for a record.
    pub async fn request_token(&self, record_id: &str) -> Result<PendingAuthorization> {
        if record_id.is_empty() {
            return Err(Error::InvalidQuery("empty record id".into()));
        }
        let manifest = self.manifest().await?;
        let endpoints = oauth::endpoints(&manifest)?;
        let state = oauth::request_token(
            self.transport.as_ref(),
            &self.credentials,
            endpoints,
            record_id,
            manifest.requires_callback_confirmation(),
        )
        .await?;
        Ok(PendingAuthorization {
            api_base: self.api_base().to_owned(),
            record_id: record_id.to_owned(),
            state,
        })
    }

    /// Step 2: where to send the browser to approve the request token.
    pub fn authorize_url(&self, pending: &PendingAuthorization) -> Result<Url> {
        parse_http_url(&pending.state.authorization_url())
    }

    /// Step 3: checks that the callback's `oauth_token` is the pending
    /// request token (constant time; [`Error::TokenMismatch`] otherwise, and
    /// nothing is sent), then exchanges it with the verifier.
    pub async fn exchange(
        &self,
        pending: PendingAuthorization,
        callback_token: &str,
        verifier: &str,
    ) -> Result<AccessToken> {
        if pending.api_base != self.api_base() {
            return Err(Error::UnknownApiBase(pending.api_base));
        }
        let (state, record_id, user_id) = oauth::exchange(
            self.transport.as_ref(),
            pending.state,
            callback_token,
            verifier,
        )
        .await?;
        let record_id = record_id.unwrap_or_else(|| pending.record_id.clone());
        if record_id != pending.record_id {
            return Err(Error::Protocol(format!(
                "token issued for record {record_id}, requested for {}",
                pending.record_id
            )));
        }
        Ok(AccessToken {
            api_base: self.api_base().to_owned(),
            record_id,
            user_id,
            state,
        })
    }

    /// Installs token credentials obtained elsewhere (for example kept from
    /// an earlier dance) for a record, as the original client's `update_token`.
    pub async fn install_token(
        &self,
        record_id: &str,
        user_id: Option<&str>,
        token: &str,
        token_secret: Secret,
    ) -> Result<AccessToken> {
        if record_id.is_empty() || token.is_empty() || token_secret.expose().is_empty() {
            return Err(Error::InvalidQuery(
                "record id, token and token secret must not be empty".into(),
            ));
        }
        // The manifest is fetched (and checked) as for a dance.
        oauth::endpoints(&*self.manifest().await?)?;
        let state = oauth::installed(&self.credentials, token, token_secret);
        Ok(AccessToken {
            api_base: self.api_base().to_owned(),
            record_id: record_id.to_owned(),
            user_id: user_id.map(str::to_owned),
            state,
        })
    }

    /// `GET /manifest`, the container manifest as a response.
    pub async fn container_manifest(&self) -> Result<SmartResponse> {
        self.get_unsigned(CallId::ContainerManifest, &[]).await
    }

    /// `GET /ontology`, the ontology (RDF/XML).
    pub async fn ontology(&self) -> Result<SmartResponse> {
        self.get_unsigned(CallId::Ontology, &[]).await
    }

    /// `GET /apps/manifests/`, the manifests of every app installed.
    pub async fn app_manifests(&self) -> Result<SmartResponse> {
        self.get_unsigned(CallId::AppManifests, &[]).await
    }

    /// `GET /apps/{app_id}/manifest`, one app's manifest.
    pub async fn app_manifest(&self, app_id: &str) -> Result<SmartResponse> {
        self.get_unsigned(CallId::AppManifest, &[app_id]).await
    }

    /// Data calls for the record an access token was issued for.
    pub fn record<'a>(&'a self, token: &'a AccessToken) -> Result<crate::RecordClient<'a>> {
        if token.api_base != self.api_base() {
            return Err(Error::UnknownApiBase(token.api_base.clone()));
        }
        Ok(crate::RecordClient::new(self, token))
    }

    /// The URL of a call of the table (`smart_api::CALLS`): its row's path
    /// under the api_base with `values` (unencoded; each is encoded as one
    /// path segment) in its parameters, in order.
    pub fn call_url(&self, call: CallId, values: &[&str]) -> Result<Url> {
        let encoded: Vec<String> = values
            .iter()
            .map(|v| crate::manifest::encode_path_segment(v))
            .collect();
        let encoded: Vec<&str> = encoded.iter().map(String::as_str).collect();
        let row = smart_api::call(call);
        let path = row.fill(&encoded).ok_or_else(|| {
            Error::InvalidUrl(format!(
                "{} takes {} values",
                row.path,
                row.parameters().len()
            ))
        })?;
        self.url(&path)
    }

    /// The URL of a path relative to the api_base.
    pub fn url(&self, path: &str) -> Result<Url> {
        let joined = format!("{}/{}", self.api_base(), path.trim_start_matches('/'));
        parse_http_url(&joined)
    }

    /// Whether a URL lies under this client's api_base (a signed request
    /// never leaves it).
    pub fn is_under_api_base(&self, url: &Url) -> bool {
        let base = &self.api_base;
        let base_path = base.path().trim_end_matches('/');
        let path = url.path();
        url.scheme() == base.scheme()
            && url.host() == base.host()
            && url.port_or_known_default() == base.port_or_known_default()
            && (path == base_path || path.starts_with(&format!("{base_path}/")))
    }

    /// Sends a signed request with the token credentials and checks the status.
    pub(crate) async fn send_signed(
        &self,
        token: &AccessToken,
        method: Method,
        url: Url,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<SmartResponse> {
        if !self.is_under_api_base(&url) {
            return Err(Error::InvalidUrl(format!("{url} is outside the api_base")));
        }
        let (content_type, body) = match body {
            Some((content_type, bytes)) => (Some(content_type), bytes),
            None => (None, Vec::new()),
        };
        let request = oauth::signed_request(&token.state, &method, &url, content_type, body)?;
        let reply = oauth::send(self.transport.as_ref(), request).await?;
        SmartResponse::from_reply(reply)
    }

    /// The transport every request goes through.
    pub(crate) fn transport(&self) -> &dyn Transport {
        self.transport.as_ref()
    }

    fn cached_manifest(&self) -> Option<Arc<ContainerManifest>> {
        self.manifest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    async fn get_unsigned(&self, call: CallId, values: &[&str]) -> Result<SmartResponse> {
        let request = HttpRequest {
            method: Method::GET,
            url: self.call_url(call, values)?,
            headers: HeaderMap::new(),
            body: Vec::new(),
        };
        let reply = self.transport.send(request).await?;
        SmartResponse::from_reply(reply)
    }
}

/// The normal form of an api_base used to compare them: parsed as a URL
/// (lower-case scheme and host, no default port) when it is one, without
/// trailing slashes.
pub fn normalize_api_base(api_base: &str) -> String {
    let trimmed = api_base.trim();
    match Url::parse(trimmed) {
        Ok(url) => url.as_str().trim_end_matches('/').to_owned(),
        Err(_) => trimmed.trim_end_matches('/').to_owned(),
    }
}
