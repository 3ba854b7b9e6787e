//! The consumer (client) side: one state struct per step, each consumed by its transition.
//!
//! ```text
//! TemporaryCredentialsRequest ──sign──> (OutgoingRequest, AwaitTemporaryCredentials)
//! AwaitTemporaryCredentials ──handle_response──> AwaitAuthorization
//! AwaitAuthorization ──handle_callback──> (OutgoingRequest, AwaitTokenCredentials)
//! AwaitTokenCredentials ──handle_response──> Authorized
//! Authorized ──sign_request──> Authorization header (as often as needed)
//! ```

use std::fmt;
use std::string::{String, ToString};
use std::vec::Vec;

use oauth1_sign::{
    Body, FORM_CONTENT_TYPE, OAuthParams, RequestParts, Secret, SignatureMethod,
    percent_encode_into,
};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::store::Attributes;
use crate::{Error, Excerpt, Stamp};

mod authorized;
mod reply;
mod secret_serde;

pub use authorized::{Authorized, ConsumerState};

use reply::{CallbackChecked, parse_callback, parse_credentials};

/// The client credentials and how to sign with them.
///
/// Not serialisable on purpose: the consumer secret belongs in configuration,
/// not in every user's session.
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
}

/// The provider's three endpoints
/// ([RFC 5849 §2](https://www.rfc-editor.org/rfc/rfc5849#section-2); SMART: from the container manifest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// The temporary-credential request URI (SMART `request_token`).
    pub request_token: String,
    /// The resource owner authorization URI (SMART `authorize_token`).
    pub authorize: String,
    /// The token request URI (SMART `exchange_token`).
    pub access_token: String,
}

/// Where the provider sends the user back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Callback {
    /// Out of band: the user copies the verifier (`oauth_callback=oob`).
    Oob,
    /// This absolute URL.
    Url(String),
}

impl Callback {
    fn as_str(&self) -> &str {
        match self {
            Callback::Oob => "oob",
            Callback::Url(url) => url,
        }
    }
}

/// A request the caller must send, then hand the response to the state it came with.
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
    pub content_type: Option<&'static str>,
    /// The body.
    pub body: Vec<u8>,
}

impl OutgoingRequest {
    /// The same request as an `http::Request`.
    ///
    /// # Errors
    ///
    /// [`Error::Misuse`] if the URL or header cannot be represented.
    pub fn to_http(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(self.url.as_str())
            .header(http::header::AUTHORIZATION, self.authorization.as_str());
        if let Some(content_type) = self.content_type {
            builder = builder.header(http::header::CONTENT_TYPE, content_type);
        }
        builder
            .body(self.body.clone())
            .map_err(|_| Error::Misuse("request not representable as http::Request"))
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
pub struct TemporaryCredentialsRequest {
    endpoints: Endpoints,
    callback: Callback,
    params: Vec<(String, String)>,
    require_callback_confirmed: bool,
}

impl TemporaryCredentialsRequest {
    /// A request to `endpoints.request_token` with this callback.
    pub fn new(endpoints: Endpoints, callback: Callback) -> Self {
        TemporaryCredentialsRequest {
            endpoints,
            callback,
            params: Vec::new(),
            require_callback_confirmed: true,
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
    ///
    /// # Errors
    ///
    /// [`Error::Sign`] for a malformed endpoint URL or parameter,
    /// [`Error::Misuse`] for an extra parameter named `oauth_*`.
    pub fn sign(
        self,
        consumer: &Consumer,
        stamp: Stamp,
    ) -> Result<(OutgoingRequest, AwaitTemporaryCredentials), Error> {
        if self
            .params
            .iter()
            .any(|(name, _)| name.starts_with("oauth_"))
        {
            return Err(Error::Misuse(
                "extra parameters may not be oauth_ parameters",
            ));
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
        oauth.callback = Some(self.callback.as_str().to_string());
        let request = consumer.sign_post(&self.endpoints.request_token, &oauth, None, body)?;
        Ok((
            request,
            AwaitTemporaryCredentials {
                consumer_key: consumer.key.clone(),
                endpoints: self.endpoints,
                require_callback_confirmed: self.require_callback_confirmed,
            },
        ))
    }
}

/// Waiting for the reply to the temporary-credentials request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[must_use = "feed the provider's response to handle_response"]
pub struct AwaitTemporaryCredentials {
    consumer_key: String,
    endpoints: Endpoints,
    require_callback_confirmed: bool,
}

impl AwaitTemporaryCredentials {
    /// Takes the provider's response ([RFC 5849 §2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1)).
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedStatus`] for a non-2xx status, [`Error::MalformedResponse`]
    /// for a body without exactly one token and one non-empty secret,
    /// [`Error::CallbackNotConfirmed`] without `oauth_callback_confirmed=true`
    /// (unless allowed).
    pub fn handle_response(self, status: u16, body: &[u8]) -> Result<AwaitAuthorization, Error> {
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
            consumer_key: self.consumer_key,
            endpoints: self.endpoints,
            token: reply.token,
            secret: reply.secret,
            callback_confirmed: confirmed,
            attributes: reply.attributes,
        })
    }
}

/// Holding temporary credentials, waiting for the user to come back from the provider
/// ([RFC 5849 §2.2](https://www.rfc-editor.org/rfc/rfc5849#section-2.2)).
///
/// Serialise it into the user's session between the redirect and the callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[must_use = "redirect the user to authorization_url, then call handle_callback"]
pub struct AwaitAuthorization {
    consumer_key: String,
    endpoints: Endpoints,
    token: String,
    #[serde(with = "secret_serde")]
    secret: Secret,
    callback_confirmed: bool,
    attributes: Attributes,
}

impl AwaitAuthorization {
    /// Where to send the user's browser: the authorize endpoint with `oauth_token`.
    #[must_use]
    pub fn authorization_url(&self) -> String {
        let mut url = self.endpoints.authorize.clone();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("oauth_token=");
        percent_encode_into(&mut url, &self.token);
        url
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

    /// Takes the callback's query string (`oauth_token=..&oauth_verifier=..`,
    /// a leading `?` allowed), checks in constant time that its token is the one
    /// this state holds (SECURITY.md 23), and signs the token request with the
    /// temporary secret ([RFC 5849 §2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3)).
    ///
    /// # Errors
    ///
    /// [`Error::MalformedCallback`] without exactly one token and verifier,
    /// [`Error::CallbackMismatch`] for another token, [`Error::Misuse`] for another consumer.
    pub fn handle_callback(
        self,
        consumer: &Consumer,
        query: &str,
        stamp: Stamp,
    ) -> Result<(OutgoingRequest, AwaitTokenCredentials), Error> {
        let (token, verifier) = parse_callback(query)?;
        let proof = self.check_callback_token(&token)?;
        self.token_request(consumer, verifier, stamp, proof)
    }

    /// Uses a verifier the user copied by hand (out-of-band callback) and signs the token request.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedCallback`] for an empty verifier, [`Error::Misuse`] for another consumer.
    pub fn handle_verifier(
        self,
        consumer: &Consumer,
        verifier: &str,
        stamp: Stamp,
    ) -> Result<(OutgoingRequest, AwaitTokenCredentials), Error> {
        let verifier = verifier.trim();
        if verifier.is_empty() {
            return Err(Error::MalformedCallback("empty oauth_verifier"));
        }
        // Out of band there is no token to compare: the user typed the verifier
        // into this very session.
        let proof = CallbackChecked::out_of_band();
        self.token_request(consumer, verifier.to_string(), stamp, proof)
    }

    fn check_callback_token(&self, token: &str) -> Result<CallbackChecked, Error> {
        if bool::from(token.as_bytes().ct_eq(self.token.as_bytes())) {
            Ok(CallbackChecked::matched())
        } else {
            Err(Error::CallbackMismatch)
        }
    }

    fn token_request(
        self,
        consumer: &Consumer,
        verifier: String,
        stamp: Stamp,
        _proof: CallbackChecked,
    ) -> Result<(OutgoingRequest, AwaitTokenCredentials), Error> {
        check_consumer(consumer, &self.consumer_key)?;
        let mut oauth = consumer.params(stamp);
        oauth.token = Some(self.token.clone());
        oauth.verifier = Some(verifier);
        let request = consumer.sign_post(
            &self.endpoints.access_token,
            &oauth,
            Some(&self.secret),
            String::new(),
        )?;
        Ok((
            request,
            AwaitTokenCredentials {
                consumer_key: self.consumer_key,
                endpoints: self.endpoints,
            },
        ))
    }
}

/// Waiting for the reply to the token request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[must_use = "feed the provider's response to handle_response"]
pub struct AwaitTokenCredentials {
    consumer_key: String,
    endpoints: Endpoints,
}

impl AwaitTokenCredentials {
    /// Takes the provider's response ([RFC 5849 §2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3)):
    /// token credentials plus the other fields (SMART: `record_id`, `user_id`).
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedStatus`] for a non-2xx status, [`Error::MalformedResponse`]
    /// for a body without exactly one token and one non-empty secret.
    pub fn handle_response(self, status: u16, body: &[u8]) -> Result<Authorized, Error> {
        let reply = parse_credentials(status, body)?;
        Ok(Authorized::from_parts(
            self.consumer_key,
            self.endpoints,
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
        let parts = RequestParts {
            method: "POST",
            url,
            body: if body.is_empty() {
                Body::Empty
            } else {
                Body::Form(body.as_bytes())
            },
        };
        let signed =
            oauth1_sign::sign(&parts, oauth, &self.secret, token_secret).map_err(Error::Sign)?;
        Ok(OutgoingRequest {
            method: http::Method::POST,
            url: url.to_string(),
            authorization: signed.authorization,
            content_type: (!body.is_empty()).then_some(FORM_CONTENT_TYPE),
            body: body.into_bytes(),
        })
    }
}

fn check_consumer(consumer: &Consumer, expected: &str) -> Result<(), Error> {
    if consumer.key == expected {
        Ok(())
    } else {
        Err(Error::Misuse(
            "consumer differs from the one that started the dance",
        ))
    }
}
