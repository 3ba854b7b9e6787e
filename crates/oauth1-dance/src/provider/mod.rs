//! The provider (server) side: issue, authorize, exchange, authenticate.

use std::borrow::Cow;
use std::fmt;
use std::string::{String, ToString};

use oauth1_sign::{Secret, Verified, percent_encode_into};

use crate::store::{
    AccessTokenRecord, Attributes, AuthorizationRecord, ProviderStore, RequestTokenRecord,
    credential_hash,
};
use crate::{Error, OutgoingRequest, Random, random::alphanumeric};

mod check;
mod explain;
mod output;

use check::{Checked, Endpoint, TokenFound, VerifierMatches};
pub use explain::SignatureMismatch;
use output::credentials_body;
pub use output::{
    Authenticated, AuthorizationGrant, ConsumerAuthenticated, PendingAuthorization,
    TemporaryCredentialsIssued, TokenCredentialsIssued,
};

/// The provider's policy. Build it with [`ProviderConfig::new`] and adjust the fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProviderConfig {
    /// The realm named in `WWW-Authenticate` challenges.
    pub realm: String,
    /// Accepted clock skew either way, in seconds (default 300).
    pub timestamp_window: u64,
    /// Lifetime of request tokens, in seconds (default 600).
    pub request_token_ttl: u64,
    /// Lifetime of access tokens, in seconds (default `None`: until revoked; SMART used 3600).
    pub access_token_ttl: Option<u64>,
    /// Wrong verifiers after which a request token is burned (default 5).
    pub max_verifier_attempts: u32,
    /// Length of generated tokens, secrets and verifiers in alphanumerics
    /// (default [`CREDENTIAL_LEN`](crate::CREDENTIAL_LEN), whose entropy is
    /// stated there; shorter values weaken them).
    pub credential_length: usize,
    /// Non-oauth parameters the request-token request must carry exactly once;
    /// they become attributes of the request token (SMART: `smart_record_id`).
    pub required_request_parameters: Vec<String>,
    /// Whether a consumer without a registered callback may be redirected to the
    /// `oauth_callback` of its request (default false: out of band).
    pub accept_request_callback: bool,
    /// Largest accepted body, in bytes (default 1 MiB). The
    /// request line and the `Authorization` header are limited to
    /// [`oauth1_sign::limits::MAX_HEADER_LEN`], form bodies further to
    /// [`oauth1_sign::limits::MAX_FORM_BODY_LEN`], identifiers to
    /// [`oauth1_sign::limits::MAX_TOKEN_LEN`]. PLAINTEXT is refused over
    /// plain http, always.
    pub max_body_len: usize,
    /// Whether protected-resource requests must carry their protocol
    /// parameters in the `Authorization` header only (default true): signed
    /// into the query string a request becomes a link that a browser opens
    /// and that lands in logs and history (SECURITY.md 27). The query or a
    /// form body holding an `oauth_*` parameter is then a 400.
    pub protected_header_only: bool,
    /// Whether a non-form body must carry `oauth_body_hash` (default false:
    /// a body without one is accepted unsigned, as RFC 5849 clients such as
    /// requests-oauthlib send it; a body hash that is present is always
    /// verified).
    pub require_body_hash: bool,
}

impl ProviderConfig {
    /// The defaults, with this realm.
    pub fn new(realm: impl Into<String>) -> Self {
        ProviderConfig {
            realm: realm.into(),
            timestamp_window: 300,
            request_token_ttl: 600,
            access_token_ttl: None,
            max_verifier_attempts: 5,
            credential_length: crate::CREDENTIAL_LEN,
            required_request_parameters: Vec::new(),
            accept_request_callback: false,
            max_body_len: 1 << 20,
            protected_header_only: true,
            require_body_hash: false,
        }
    }
}

/// An incoming request, as the provider sees it.
///
/// `url` is the full request URL on the provider's configured external origin
/// (scheme, host, port), never one rebuilt from a `Host` or `X-Forwarded-*`
/// header the provider was not told to trust.
#[derive(Debug, Clone)]
pub struct ProviderRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The full URL including the query.
    pub url: Cow<'a, str>,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

impl<'a> ProviderRequest<'a> {
    /// A request with no headers and an empty body.
    pub fn new(method: &'a str, url: impl Into<Cow<'a, str>>) -> Self {
        ProviderRequest {
            method,
            url: url.into(),
            authorization: None,
            content_type: None,
            body: &[],
        }
    }

    /// Reads an `http::Request`, placing its path and query on `external_origin`
    /// (for example `https://smart.example.org:7000`).
    ///
    /// # Errors
    ///
    /// 400 errors for a repeated or non-ASCII `Authorization` or `Content-Type` header.
    pub fn from_http<B: AsRef<[u8]>>(
        request: &'a http::Request<B>,
        external_origin: &str,
    ) -> Result<Self, Error> {
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", http::uri::PathAndQuery::as_str);
        let mut url = String::with_capacity(external_origin.len() + path.len());
        url.push_str(external_origin.trim_end_matches('/'));
        if !path.starts_with('/') {
            url.push('/');
        }
        url.push_str(path);
        Ok(ProviderRequest {
            method: request.method().as_str(),
            url: Cow::Owned(url),
            authorization: single_header(request.headers(), http::header::AUTHORIZATION)?,
            content_type: single_header(request.headers(), http::header::CONTENT_TYPE)?,
            body: request.body().as_ref(),
        })
    }
}

/// Hands a consumer's request straight to a provider (in-memory tests and demos).
impl<'a> From<&'a OutgoingRequest> for ProviderRequest<'a> {
    fn from(request: &'a OutgoingRequest) -> Self {
        ProviderRequest {
            method: request.method.as_str(),
            url: Cow::Borrowed(&request.url),
            authorization: Some(&request.authorization),
            content_type: request.content_type.as_deref(),
            body: &request.body,
        }
    }
}

/// The provider: its policy and its stores.
///
/// The provider never reads a clock or a random source: every call takes
/// `now` (Unix seconds) and, where it creates credentials, a [`Random`].
/// Call order for one dance:
/// 1. [`Provider::issue_temporary_credentials`] on the request-token endpoint;
/// 2. [`Provider::pending_authorization`] to show the authorize page, then
///    [`Provider::authorize`] (or [`Provider::deny`]) with the logged-in user's decision;
/// 3. [`Provider::issue_token_credentials`] on the access-token endpoint;
/// 4. [`Provider::authenticate`] on every protected request.
///
/// Map every [`Error`] to a response with [`Provider::error_response`] (or by
/// hand: [`Error::http_status`], its `Display` text as the body, and
/// [`Provider::challenge`] as `WWW-Authenticate`).
///
/// The whole dance against the in-memory store, both sides:
///
/// ```
/// use oauth1_dance::memory::MemoryStore;
/// use oauth1_dance::store::{Attributes, ConsumerRecord};
/// use oauth1_dance::{
///     AuthorizationGrant, Consumer, Endpoints, Provider, ProviderConfig, ProviderRequest, Secret,
///     SignatureMethod, Stamp, TemporaryCredentialsRequest,
/// };
///
/// # fn main() -> Result<(), oauth1_dance::Error> {
/// // A toy random source; use `OsRandom` (feature `os`) or another CSPRNG in production.
/// let mut state = 7u8;
/// let mut rng = |buf: &mut [u8]| buf.iter_mut().for_each(|b| { state = state.wrapping_mul(31).wrapping_add(17); *b = state });
/// let now = 1_700_000_000;
///
/// let store = MemoryStore::new();
/// store.add_consumer(ConsumerRecord {
///     key: "app".into(),
///     secret: Secret::new("app-secret-0123456789"),
///     signature_methods: vec![SignatureMethod::HmacSha1],
///     callback: Some("https://app.example/cb".into()),
/// })?;
/// let provider = Provider::new(ProviderConfig::new("Example"), store);
///
/// let consumer = Consumer::new("app", Secret::new("app-secret-0123456789"));
/// let endpoints = Endpoints::new(
///     "https://p.example/initiate",
///     "https://p.example/authorize",
///     "https://p.example/token",
/// )?;
/// let (out, state) = TemporaryCredentialsRequest::out_of_band(endpoints)
///     .sign(&consumer, Stamp::new(now, "n1"))?;
/// let issued = provider.issue_temporary_credentials(now, &ProviderRequest::from(&out), &mut rng)?;
/// let state = state.handle_response(200, issued.body().as_bytes())?;
///
/// let grant = provider.authorize(now, state.token(), "alice", Attributes::new(), &mut rng)?;
/// let AuthorizationGrant::Redirect { location } = grant else { unreachable!() };
/// // The web framework decodes the callback's query; here by hand.
/// let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
/// let pairs = oauth1_sign::form_decode(query).unwrap();
/// let (token, verifier) = (&pairs[0].1, &pairs[1].1);
///
/// let (out, state) = state.handle_callback(token, verifier, Stamp::new(now, "n2"))?;
/// let issued = provider.issue_token_credentials(now, &ProviderRequest::from(&out), &mut rng)?;
/// let authorized = state.handle_response(200, issued.body().as_bytes())?;
///
/// let url = "https://p.example/photos?size=original";
/// let out = authorized.request("GET", url, None, b"", Stamp::new(now, "n3"))?;
/// let who = provider.authenticate(now, &ProviderRequest::from(&out))?;
/// assert_eq!(who.user_id, "alice");
/// // The same request again is a replay.
/// let replay = provider.authenticate(now, &ProviderRequest::from(&out)).unwrap_err();
/// assert_eq!(replay.http_status(), 401);
/// assert_eq!(provider.challenge(&replay).as_deref(), Some("OAuth realm=\"Example\""));
/// # Ok(())
/// # }
/// ```
pub struct Provider<S> {
    config: ProviderConfig,
    store: S,
}

impl<S: ProviderStore> Provider<S> {
    /// A provider with this policy over these stores.
    pub fn new(config: ProviderConfig, store: S) -> Self {
        Provider { config, store }
    }

    /// The policy.
    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// The stores.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The `WWW-Authenticate` value to send with `error`, if it is a 401.
    #[must_use]
    pub fn challenge(&self, error: &Error) -> Option<String> {
        error.www_authenticate(&self.config.realm)
    }

    /// The whole error response: [`Error::to_http_response`] with the configured realm
    /// (the status, the short reason as a plain-text body, `internal error` for
    /// a 5xx, `WWW-Authenticate` on 401 and `Cache-Control: no-store`).
    #[must_use]
    pub fn error_response(&self, error: &Error) -> http::Response<String> {
        error.to_http_response(&self.config.realm)
    }

    /// Answers a temporary-credentials request
    /// ([RFC 5849 §2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1)).
    ///
    /// # Errors
    ///
    /// 400 for a malformed request or a missing `oauth_callback` or required
    /// parameter, 401 for bad credentials, timestamp or nonce.
    pub fn issue_temporary_credentials(
        &self,
        now: u64,
        request: &ProviderRequest<'_>,
        rng: &mut dyn Random,
    ) -> Result<TemporaryCredentialsIssued, Error> {
        let checked = self.check(now, request, Endpoint::Initiate)?;
        let Checked {
            consumer_key,
            callback,
            attributes,
            proof,
            ..
        } = checked;
        let (token, secret) = self.new_credentials(&proof, rng)?;
        let record = RequestTokenRecord {
            token: token.clone(),
            secret: Secret::new(secret.clone()),
            consumer_key: consumer_key.clone(),
            callback: callback.unwrap_or_default(),
            attributes: attributes.clone(),
            expires_at: now.saturating_add(self.config.request_token_ttl),
            authorization: None,
            failed_verifier_attempts: 0,
        };
        self.store.insert_request_token(&record)?;
        let mut body = credentials_body(&token, &secret);
        body.push_str("&oauth_callback_confirmed=true");
        Ok(TemporaryCredentialsIssued {
            consumer_key,
            token,
            attributes,
            expires_at: record.expires_at,
            body,
        })
    }

    /// What the authorize page shows: the consumer and the attributes of a
    /// live, not yet authorized request token.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownRequestToken`] for an unknown or expired token,
    /// [`Error::AlreadyAuthorized`] once a decision was recorded.
    pub fn pending_authorization(
        &self,
        now: u64,
        token: &str,
    ) -> Result<PendingAuthorization, Error> {
        let record = self.live_request_token(now, token)?;
        if record.authorization.is_some() {
            return Err(Error::AlreadyAuthorized);
        }
        Ok(PendingAuthorization {
            consumer_key: record.consumer_key,
            attributes: record.attributes,
            expires_at: record.expires_at,
        })
    }

    /// Records that `user_id` approved the request token and issues the verifier
    /// ([RFC 5849 §2.2](https://www.rfc-editor.org/rfc/rfc5849#section-2.2)).
    ///
    /// `attributes` are what the access token will carry and what its reply
    /// will list after the credentials (SMART: `record_id` and `user_id`).
    /// The redirect goes to the consumer's registered callback only, unless
    /// [`ProviderConfig::accept_request_callback`] allows the request's;
    /// otherwise the verifier is shown out of band.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownRequestToken`], [`Error::AlreadyAuthorized`], store and random failures.
    pub fn authorize(
        &self,
        now: u64,
        token: &str,
        user_id: &str,
        attributes: Attributes,
        rng: &mut dyn Random,
    ) -> Result<AuthorizationGrant, Error> {
        let record = self.live_request_token(now, token)?;
        if record.authorization.is_some() {
            return Err(Error::AlreadyAuthorized);
        }
        let registered = self
            .store
            .consumer(&record.consumer_key)?
            .ok_or(Error::UnknownRequestToken)?
            .callback;
        let verifier = alphanumeric(rng, self.config.credential_length)?;
        let authorization = AuthorizationRecord {
            user_id: user_id.to_string(),
            verifier_hash: credential_hash(&verifier),
            attributes,
        };
        if !self.store.authorize_request_token(token, &authorization)? {
            return Err(Error::AlreadyAuthorized);
        }
        let target = self.redirect_target(registered, record.callback);
        Ok(match target {
            Some(callback) => AuthorizationGrant::Redirect {
                location: crate::append_query(
                    &callback,
                    &[("oauth_token", token), ("oauth_verifier", &verifier)],
                ),
            },
            None => AuthorizationGrant::OutOfBand {
                verifier: Secret::new(verifier),
            },
        })
    }

    /// Records that the user refused: the request token is deleted. Returns
    /// where to send the user's browser, if anywhere: the callback that
    /// [`Provider::authorize`] would have used, with `oauth_token` and
    /// `oauth_problem=user_refused` appended; `None` when the user stays on
    /// the provider's page.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownRequestToken`] if there was no such token (or it expired).
    pub fn deny(&self, now: u64, token: &str) -> Result<Option<String>, Error> {
        let record = self.live_request_token(now, token)?;
        let registered = self
            .store
            .consumer(&record.consumer_key)?
            .and_then(|c| c.callback);
        if !self.store.delete_request_token(token)? {
            return Err(Error::UnknownRequestToken);
        }
        Ok(self
            .redirect_target(registered, record.callback)
            .map(|callback| {
                crate::append_query(
                    &callback,
                    &[("oauth_token", token), ("oauth_problem", "user_refused")],
                )
            }))
    }

    /// The consumer's registered callback, or the request's
    /// when [`ProviderConfig::accept_request_callback`] allows it.
    fn redirect_target(&self, registered: Option<String>, requested: String) -> Option<String> {
        registered.or_else(|| {
            (self.config.accept_request_callback && requested != "oob").then_some(requested)
        })
    }

    /// Answers a token request: request token plus verifier for token credentials
    /// ([RFC 5849 §2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3)).
    ///
    /// The request token is consumed atomically: of parallel exchanges one wins.
    ///
    /// # Errors
    ///
    /// 400 for a malformed request or missing verifier; 401 for bad
    /// credentials, timestamp, nonce, or a wrong verifier (counted; the fifth burns the token).
    pub fn issue_token_credentials(
        &self,
        now: u64,
        request: &ProviderRequest<'_>,
        rng: &mut dyn Random,
    ) -> Result<TokenCredentialsIssued, Error> {
        let checked = self.check(now, request, Endpoint::Token)?;
        let (Some(TokenFound::Request(record)), Some(verifier)) = (checked.token, checked.verifier)
        else {
            return Err(Error::InvalidCredentials);
        };
        let Some(matched) = VerifierMatches::check(&record, &verifier) else {
            self.store
                .record_verifier_failure(&record.token, self.config.max_verifier_attempts)?;
            return Err(Error::InvalidVerifier);
        };
        let Some(consumed) = self
            .store
            .consume_request_token_with_verifier(&record.token, matched.hash())?
        else {
            // Another exchange won the race, or the token was burned meanwhile.
            return Err(Error::InvalidCredentials);
        };
        let Some(authorization) = consumed.authorization else {
            return Err(Error::InvalidCredentials);
        };
        self.grant(
            now,
            &checked.proof,
            consumed.consumer_key,
            authorization.user_id,
            authorization.attributes,
            rng,
        )
    }

    /// Authenticates a two-legged request: signed with the consumer key and
    /// secret alone, no token (SMART background apps asking for a token per
    /// record). The same verification path as every other request; an
    /// `oauth_token`, `oauth_verifier` or `oauth_callback` in it is a 400.
    ///
    /// # Errors
    ///
    /// 400 for a malformed request, 401 for bad credentials, timestamp or nonce.
    pub fn authenticate_consumer(
        &self,
        now: u64,
        request: &ProviderRequest<'_>,
    ) -> Result<ConsumerAuthenticated, Error> {
        let checked = self.check(now, request, Endpoint::Consumer)?;
        Ok(ConsumerAuthenticated {
            consumer_key: checked.consumer_key,
            proof: checked.proof,
        })
    }

    /// Issues token credentials to a consumer that authenticated itself
    /// with [`Provider::authenticate_consumer`], bound to `attributes`, with
    /// no user's approval: the caller decides that the consumer may have
    /// them (SMART: a background app, a token per record). The token expires
    /// and is revoked like any other. Consuming the proof, one request gives
    /// one token.
    ///
    /// # Errors
    ///
    /// A store or random-source failure.
    pub fn issue_consumer_token(
        &self,
        now: u64,
        consumer: ConsumerAuthenticated,
        user_id: &str,
        attributes: Attributes,
        rng: &mut dyn Random,
    ) -> Result<TokenCredentialsIssued, Error> {
        self.grant(
            now,
            &consumer.proof,
            consumer.consumer_key,
            user_id.to_string(),
            attributes,
            rng,
        )
    }

    /// Stores a fresh access token and composes the reply: the token, its
    /// secret and the attributes that are not `oauth_*`.
    fn grant(
        &self,
        now: u64,
        proof: &Verified,
        consumer_key: String,
        user_id: String,
        attributes: Attributes,
        rng: &mut dyn Random,
    ) -> Result<TokenCredentialsIssued, Error> {
        let (token, secret) = self.new_credentials(proof, rng)?;
        let access = AccessTokenRecord {
            token: token.clone(),
            secret: Secret::new(secret.clone()),
            consumer_key,
            user_id,
            attributes,
            issued_at: now,
            expires_at: self.config.access_token_ttl.map(|t| now.saturating_add(t)),
        };
        self.store.insert_access_token(&access)?;
        let mut body = credentials_body(&token, &secret);
        for (name, value) in &access.attributes {
            if !name.starts_with("oauth_") {
                body.push('&');
                percent_encode_into(&mut body, name);
                body.push('=');
                percent_encode_into(&mut body, value);
            }
        }
        Ok(TokenCredentialsIssued {
            consumer_key: access.consumer_key,
            token,
            user_id: access.user_id,
            attributes: access.attributes,
            body,
        })
    }

    /// Authenticates a protected-resource request
    /// ([RFC 5849 §3](https://www.rfc-editor.org/rfc/rfc5849#section-3)).
    ///
    /// # Errors
    ///
    /// 400 for a malformed request, 401 for bad credentials, timestamp or nonce,
    /// or a token that expired, was revoked, or belongs to another consumer.
    pub fn authenticate(
        &self,
        now: u64,
        request: &ProviderRequest<'_>,
    ) -> Result<Authenticated, Error> {
        let checked = self.check(now, request, Endpoint::Protected)?;
        let Some(TokenFound::Access(record)) = checked.token else {
            return Err(Error::InvalidCredentials);
        };
        Ok(Authenticated {
            consumer_key: checked.consumer_key,
            token: record.token,
            user_id: record.user_id,
            attributes: record.attributes,
            proof: checked.proof,
        })
    }

    /// Revokes an access token at once; returns whether it existed.
    ///
    /// # Errors
    ///
    /// A store failure.
    pub fn revoke(&self, token: &str) -> Result<bool, Error> {
        Ok(self.store.revoke_access_token(token)?)
    }

    /// Drops expired request tokens and nonces from the stores.
    ///
    /// # Errors
    ///
    /// A store failure.
    pub fn purge_expired(&self, now: u64) -> Result<(), Error> {
        self.store.purge_request_tokens(now)?;
        self.store.purge_nonces(now)?;
        Ok(())
    }

    /// A fresh token and secret; only a checked request can ask for them.
    fn new_credentials(
        &self,
        _proof: &Verified,
        rng: &mut dyn Random,
    ) -> Result<(String, String), Error> {
        let token = alphanumeric(rng, self.config.credential_length)?;
        let secret = alphanumeric(rng, self.config.credential_length)?;
        Ok((token, secret))
    }

    fn live_request_token(&self, now: u64, token: &str) -> Result<RequestTokenRecord, Error> {
        match self.store.request_token(token)? {
            Some(record) if record.expires_at >= now => Ok(record),
            _ => Err(Error::UnknownRequestToken),
        }
    }
}

impl<S> fmt::Debug for Provider<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn single_header(
    headers: &http::HeaderMap,
    name: http::header::HeaderName,
) -> Result<Option<&str>, Error> {
    let mut values = headers.get_all(&name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Error::DuplicateParameter(name.as_str().to_string()));
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| Error::InvalidParameter("header encoding"))
}
