//! The consumer (client) side: one state struct per step, each consumed by its transition.
//!
//! ```text
//! TemporaryCredentialsRequest ──sign(consumer)──> (OutgoingRequest, AwaitTemporaryCredentials)
//! AwaitTemporaryCredentials ──handle_response──> AwaitAuthorization
//! AwaitAuthorization ──handle_callback(token, verifier)──> (OutgoingRequest, AwaitTokenCredentials)
//!                    ──handle_verifier(verifier)──> (the same; only after an `oob` request)
//! AwaitTokenCredentials ──handle_response──> Authorized
//! Authorized ──request──> OutgoingRequest (as often as needed)
//! ```
//!
//! The [`Consumer`] given to [`TemporaryCredentialsRequest::sign`] travels
//! inside every later state: no later step takes a consumer, so none can be
//! given the wrong one.

use std::fmt;
use std::marker::PhantomData;
use std::string::{String, ToString};
use std::vec::Vec;

use oauth1_sign::{
    Body, FORM_CONTENT_TYPE, OAuthParams, RequestParts, Secret, SignatureMethod,
    percent_encode_into,
};
use serde::{Deserialize, Serialize};

use crate::store::Attributes;
use crate::{Error, Excerpt, Stamp};

mod authorized;
mod endpoints;
mod reply;
mod saved;
mod secret_serde;

pub use authorized::Authorized;
pub use endpoints::Endpoints;
pub use saved::{Resumable, Saved};

use reply::{CallbackChecked, parse_credentials};

/// The client credentials and how to sign with them.
///
/// Not serialisable on purpose: the consumer secret belongs in configuration,
/// not in every user's session. `Debug` hides the secret.
#[derive(Debug, Clone)]
pub struct Consumer {
    key: String,
    secret: Secret,
    signature_method: SignatureMethod,
    realm: Option<String>,
    send_version: bool,
}

impl Consumer {
    /// A consumer signing with HMAC-SHA1 (what SMART uses).
    pub fn new(key: impl Into<String>, secret: Secret) -> Self {
        Consumer {
            key: key.into(),
            secret,
            signature_method: SignatureMethod::HmacSha1,
            realm: None,
            send_version: true,
        }
    }

    /// Signs with another method.
    #[must_use]
    pub fn with_signature_method(mut self, method: SignatureMethod) -> Self {
        self.signature_method = method;
        self
    }

    /// Sends this `realm` in every `Authorization` header (never signed).
    #[must_use]
    pub fn with_realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// Leaves out `oauth_version` (it is optional; the RFC 5849 §1.2 example omits it).
    #[must_use]
    pub fn without_version(mut self) -> Self {
        self.send_version = false;
        self
    }

    /// The consumer key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Signs a two-legged request: the consumer key and secret alone, no
    /// token (SMART background apps asking for a token per record). Bodies
    /// are signed as in [`Authorized::request`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMethod`] for a method that is not an HTTP token,
    /// [`Error::Sign`] for a URL or body the signer refuses.
    pub fn two_legged_request(
        &self,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        body: impl Into<Vec<u8>>,
        stamp: Stamp,
    ) -> Result<OutgoingRequest, Error> {
        let method =
            http::Method::from_bytes(method.as_bytes()).map_err(|_| Error::InvalidMethod)?;
        let oauth = self.params(stamp);
        self.sign(method, url, content_type, body.into(), &oauth, None)
    }
}

/// The callback kind of a dance that gave `oauth_callback` as a URL; see
/// [`TemporaryCredentialsRequest::with_callback`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackUrl {}

/// The callback kind of a dance that asked for `oauth_callback=oob`; see
/// [`TemporaryCredentialsRequest::out_of_band`]. Only its
/// [`AwaitAuthorization`] has [`handle_verifier`](AwaitAuthorization::handle_verifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfBand {}

/// [`CallbackUrl`] or [`OutOfBand`]: the type parameter of the states before
/// the token request. Sealed.
pub trait CallbackKind: sealed::Sealed + fmt::Debug + Clone + Copy + Send + Sync + 'static {
    /// Whether this kind sends `oauth_callback=oob`.
    const OUT_OF_BAND: bool;
}

impl CallbackKind for CallbackUrl {
    const OUT_OF_BAND: bool = false;
}

impl CallbackKind for OutOfBand {
    const OUT_OF_BAND: bool = true;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::CallbackUrl {}
    impl Sealed for super::OutOfBand {}
}

/// A request the caller must send, then hand the reply (whatever its status)
/// to the state it came with.
///
/// Every step of the dance and every protected request leaves as one of
/// these, so one `send` function serves them all: method, URL, the
/// `Authorization` header, the `Content-Type` header when there is one, and
/// the body.
#[derive(Clone)]
#[must_use = "the request must be sent"]
pub struct OutgoingRequest {
    /// `POST` for the dance, the caller's method for protected requests.
    pub method: http::Method,
    /// The full URL.
    pub url: String,
    /// The `Authorization` header value.
    pub authorization: String,
    /// The `Content-Type` header, when there is a body.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl OutgoingRequest {
    /// The same request as an `http::Request`.
    ///
    /// # Errors
    ///
    /// [`Error::Sign`] with [`oauth1_sign::Error::InvalidUrl`] or
    /// [`oauth1_sign::Error::InvalidHeader`] if the URL or a header cannot be
    /// represented.
    pub fn to_http(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let uri = http::Uri::try_from(self.url.as_str())
            .map_err(|_| Error::Sign(oauth1_sign::Error::InvalidUrl))?;
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(uri)
            .header(http::header::AUTHORIZATION, self.authorization.as_str());
        if let Some(content_type) = &self.content_type {
            builder = builder.header(http::header::CONTENT_TYPE, content_type.as_str());
        }
        builder
            .body(self.body.clone())
            .map_err(|_| Error::Sign(oauth1_sign::Error::InvalidHeader))
    }
}

impl fmt::Debug for OutgoingRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("authorization", &"<redacted>")
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The start of the dance: a temporary-credentials request to build
/// ([RFC 5849 §2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1)).
#[derive(Debug, Clone)]
#[must_use = "call sign() to start the dance"]
pub struct TemporaryCredentialsRequest<K: CallbackKind> {
    endpoints: Endpoints,
    callback: String,
    params: Vec<(String, String)>,
    require_callback_confirmed: bool,
    kind: PhantomData<K>,
}

impl TemporaryCredentialsRequest<CallbackUrl> {
    /// A request to `endpoints.request_token()` asking the provider to send
    /// the user back to `callback` (an absolute URL; the provider checks it).
    pub fn with_callback(endpoints: Endpoints, callback: impl Into<String>) -> Self {
        Self::build(endpoints, callback.into())
    }
}

impl TemporaryCredentialsRequest<OutOfBand> {
    /// A request to `endpoints.request_token()` with `oauth_callback=oob`:
    /// the provider either shows the verifier to the user (then
    /// [`AwaitAuthorization::handle_verifier`]) or redirects to the callback it
    /// has registered for the consumer (then
    /// [`AwaitAuthorization::handle_callback`]; SMART containers do this).
    pub fn out_of_band(endpoints: Endpoints) -> Self {
        Self::build(endpoints, "oob".to_string())
    }
}

impl<K: CallbackKind> TemporaryCredentialsRequest<K> {
    fn build(endpoints: Endpoints, callback: String) -> Self {
        TemporaryCredentialsRequest {
            endpoints,
            callback,
            params: Vec::new(),
            require_callback_confirmed: true,
            kind: PhantomData,
        }
    }

    /// Adds a form parameter to the body; it is signed (SMART: `smart_record_id`).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Accepts a reply without `oauth_callback_confirmed=true` (SMART containers
    /// before 1.0 do not send it; log a warning when [`AwaitAuthorization::callback_confirmed`] is false).
    pub fn allow_unconfirmed_callback(mut self) -> Self {
        self.require_callback_confirmed = false;
        self
    }

    /// Signs the request with the consumer secret and an empty token secret.
    /// The consumer goes with the returned state to every later step.
    ///
    /// # Errors
    ///
    /// [`Error::ReservedParameter`] for an extra parameter named `oauth_*`,
    /// [`Error::Sign`] for a parameter or callback the signer refuses.
    pub fn sign(
        self,
        consumer: &Consumer,
        stamp: Stamp,
    ) -> Result<(OutgoingRequest, AwaitTemporaryCredentials<K>), Error> {
        if let Some((name, _)) = self
            .params
            .iter()
            .find(|(name, _)| name.starts_with("oauth_"))
        {
            return Err(Error::ReservedParameter(name.clone()));
        }
        let mut body = String::new();
        for (i, (name, value)) in self.params.iter().enumerate() {
            if i > 0 {
                body.push('&');
            }
            percent_encode_into(&mut body, name);
            body.push('=');
            percent_encode_into(&mut body, value);
        }
        let mut oauth = consumer.params(stamp);
        oauth.callback = Some(self.callback.clone());
        let request = consumer.sign_post(self.endpoints.request_token(), &oauth, None, body)?;
        Ok((
            request,
            AwaitTemporaryCredentials {
                consumer: consumer.clone(),
                endpoints: self.endpoints,
                require_callback_confirmed: self.require_callback_confirmed,
                kind: PhantomData,
            },
        ))
    }
}

/// Waiting for the reply to the temporary-credentials request.
#[derive(Debug, Clone)]
#[must_use = "feed the provider's reply to handle_response"]
pub struct AwaitTemporaryCredentials<K: CallbackKind> {
    consumer: Consumer,
    endpoints: Endpoints,
    require_callback_confirmed: bool,
    kind: PhantomData<K>,
}

impl<K: CallbackKind> AwaitTemporaryCredentials<K> {
    /// Takes the provider's reply ([RFC 5849 §2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1)).
    ///
    /// Hand it every reply, whatever its status: a non-2xx reply becomes
    /// [`Error::UnexpectedStatus`], whose `Display` carries the status and
    /// the provider's reason. (With an HTTP client that turns 4xx and 5xx
    /// into its own errors, such as `ureq`, turn that off or take the status
    /// and body out of its error.)
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedStatus`] for a non-2xx status, [`Error::MalformedResponse`]
    /// for a body without exactly one token and one non-empty secret,
    /// [`Error::CallbackNotConfirmed`] without `oauth_callback_confirmed=true`
    /// (unless allowed).
    pub fn handle_response(self, status: u16, body: &[u8]) -> Result<AwaitAuthorization<K>, Error> {
        let reply = parse_credentials(status, body)?;
        let confirmed = reply.callback_confirmed.as_deref() == Some("true");
        let acceptable =
            confirmed || (reply.callback_confirmed.is_none() && !self.require_callback_confirmed);
        if !acceptable {
            return Err(Error::CallbackNotConfirmed {
                status,
                body: Excerpt::new(body),
            });
        }
        Ok(AwaitAuthorization {
            consumer: self.consumer,
            endpoints: self.endpoints,
            token: reply.token,
            secret: reply.secret,
            callback_confirmed: confirmed,
            attributes: reply.attributes,
            kind: PhantomData,
        })
    }
}

/// Holding temporary credentials, waiting for the user to come back from the provider
/// ([RFC 5849 §2.2](https://www.rfc-editor.org/rfc/rfc5849#section-2.2)).
///
/// A web app keeps it between the redirect and the callback: in memory, or
/// through [`AwaitAuthorization::save`] in a server-side store (it holds the
/// temporary token secret).
#[derive(Debug, Clone)]
#[must_use = "redirect the user to authorization_url, then call handle_callback"]
pub struct AwaitAuthorization<K: CallbackKind> {
    consumer: Consumer,
    endpoints: Endpoints,
    token: String,
    secret: Secret,
    callback_confirmed: bool,
    attributes: Attributes,
    kind: PhantomData<K>,
}

impl<K: CallbackKind> AwaitAuthorization<K> {
    /// Where to send the user's browser: the `authorize_token` endpoint with `oauth_token`.
    #[must_use]
    pub fn authorization_url(&self) -> String {
        crate::append_query(
            self.endpoints.authorize_token(),
            &[("oauth_token", self.token.as_str())],
        )
    }

    /// The request token.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether the provider sent `oauth_callback_confirmed=true`.
    #[must_use]
    pub fn callback_confirmed(&self) -> bool {
        self.callback_confirmed
    }

    /// Other parameters of the provider's reply.
    #[must_use]
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// Takes the callback's `oauth_token` and `oauth_verifier` (as the web
    /// framework decoded them from the callback's query), checks in constant
    /// time that the token is the one this state holds, and signs the token
    /// request with the temporary secret
    /// ([RFC 5849 §2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3)).
    ///
    /// # Errors
    ///
    /// [`Error::CallbackMismatch`] for another token (nothing is signed),
    /// [`Error::MalformedCallback`] for an empty verifier, [`Error::Sign`]
    /// for a verifier the signer refuses.
    pub fn handle_callback(
        self,
        token: &str,
        verifier: &str,
        stamp: Stamp,
    ) -> Result<(OutgoingRequest, AwaitTokenCredentials), Error> {
        let proof = CallbackChecked::matched(&self.token, token)?;
        self.token_request(verifier, stamp, proof)
    }

    fn token_request(
        self,
        verifier: &str,
        stamp: Stamp,
        _proof: CallbackChecked,
    ) -> Result<(OutgoingRequest, AwaitTokenCredentials), Error> {
        if verifier.is_empty() {
            return Err(Error::MalformedCallback("empty oauth_verifier"));
        }
        let mut oauth = self.consumer.params(stamp);
        oauth.token = Some(self.token);
        oauth.verifier = Some(verifier.to_string());
        let request = self.consumer.sign_post(
            self.endpoints.exchange_token(),
            &oauth,
            Some(&self.secret),
            String::new(),
        )?;
        Ok((
            request,
            AwaitTokenCredentials {
                consumer: self.consumer,
            },
        ))
    }
}

impl AwaitAuthorization<OutOfBand> {
    /// Uses a verifier the user copied by hand from the provider's page
    /// (surrounding whitespace dropped) and signs the token request. Exists
    /// only for a dance that asked for `oauth_callback=oob`: there is no
    /// callback token to compare, since the user typed the verifier into this
    /// very session.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedCallback`] for an empty verifier, [`Error::Sign`]
    /// for a verifier the signer refuses.
    pub fn handle_verifier(
        self,
        verifier: &str,
        stamp: Stamp,
    ) -> Result<(OutgoingRequest, AwaitTokenCredentials), Error> {
        let proof = CallbackChecked::out_of_band(&self);
        self.token_request(verifier.trim(), stamp, proof)
    }
}

/// Waiting for the reply to the token request.
#[derive(Debug, Clone)]
#[must_use = "feed the provider's reply to handle_response"]
pub struct AwaitTokenCredentials {
    consumer: Consumer,
}

impl AwaitTokenCredentials {
    /// Takes the provider's reply ([RFC 5849 §2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3)):
    /// token credentials plus the other fields (SMART: `record_id`, `user_id`).
    ///
    /// Hand it every reply, whatever its status (see
    /// [`AwaitTemporaryCredentials::handle_response`]).
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedStatus`] for a non-2xx status, [`Error::MalformedResponse`]
    /// for a body without exactly one token and one non-empty secret.
    pub fn handle_response(self, status: u16, body: &[u8]) -> Result<Authorized, Error> {
        let reply = parse_credentials(status, body)?;
        Ok(Authorized::from_parts(
            self.consumer,
            reply.token,
            reply.secret,
            reply.attributes,
        ))
    }
}

impl Consumer {
    fn params(&self, stamp: Stamp) -> OAuthParams {
        let mut oauth = OAuthParams::new(
            self.key.clone(),
            self.signature_method,
            stamp.timestamp,
            stamp.nonce,
        );
        oauth.realm = self.realm.clone();
        if !self.send_version {
            oauth.version = None;
        }
        oauth
    }

    fn sign_post(
        &self,
        url: &str,
        oauth: &OAuthParams,
        token_secret: Option<&Secret>,
        body: String,
    ) -> Result<OutgoingRequest, Error> {
        let content_type = (!body.is_empty()).then_some(FORM_CONTENT_TYPE);
        self.sign(
            http::Method::POST,
            url,
            content_type,
            body.into_bytes(),
            oauth,
            token_secret,
        )
    }

    /// The one signing path of the consumer side: every step and every
    /// protected request goes through it.
    fn sign(
        &self,
        method: http::Method,
        url: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        oauth: &OAuthParams,
        token_secret: Option<&Secret>,
    ) -> Result<OutgoingRequest, Error> {
        let parts = RequestParts {
            method: method.as_str(),
            url,
            body: Body::from_content_type(content_type, &body),
        };
        let signed =
            oauth1_sign::sign(&parts, oauth, &self.secret, token_secret).map_err(Error::Sign)?;
        Ok(OutgoingRequest {
            method,
            url: url.to_string(),
            authorization: signed.authorization,
            content_type: content_type.map(str::to_string),
            body,
        })
    }
}

/// The saved form of [`AwaitAuthorization`].
#[doc(hidden)]
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedAwaitAuthorization {
    endpoints: Endpoints,
    oob: bool,
    token: String,
    #[serde(with = "secret_serde")]
    secret: Secret,
    callback_confirmed: bool,
    attributes: Attributes,
}

impl<K: CallbackKind> saved::sealed::Sealed for AwaitAuthorization<K> {}

impl<K: CallbackKind> Resumable for AwaitAuthorization<K> {
    type Data = SavedAwaitAuthorization;

    fn consumer(&self) -> &Consumer {
        &self.consumer
    }

    fn to_data(&self) -> SavedAwaitAuthorization {
        SavedAwaitAuthorization {
            endpoints: self.endpoints.clone(),
            oob: K::OUT_OF_BAND,
            token: self.token.clone(),
            secret: self.secret.clone(),
            callback_confirmed: self.callback_confirmed,
            attributes: self.attributes.clone(),
        }
    }

    fn from_data(consumer: Consumer, data: SavedAwaitAuthorization) -> Result<Self, Error> {
        if data.oob != K::OUT_OF_BAND {
            return Err(Error::SavedStateMismatch);
        }
        Ok(AwaitAuthorization {
            consumer,
            endpoints: data.endpoints,
            token: data.token,
            secret: data.secret,
            callback_confirmed: data.callback_confirmed,
            attributes: data.attributes,
            kind: PhantomData,
        })
    }
}
