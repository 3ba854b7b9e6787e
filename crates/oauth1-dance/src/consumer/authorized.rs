//! The last consumer state, token credentials in hand, and the state enum.

use std::string::{String, ToString};

use oauth1_sign::{Body, RequestParts, Secret};
use serde::{Deserialize, Serialize};

use super::{
    AwaitAuthorization, AwaitTemporaryCredentials, AwaitTokenCredentials, Consumer, Endpoints,
    check_consumer, secret_serde,
};
use crate::store::Attributes;
use crate::{Error, Stamp};

/// Holding token credentials: sign protected-resource requests
/// ([RFC 5849 §3](https://www.rfc-editor.org/rfc/rfc5849#section-3)).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Authorized {
    consumer_key: String,
    endpoints: Endpoints,
    token: String,
    #[serde(with = "secret_serde")]
    secret: Secret,
    attributes: Attributes,
}

impl Authorized {
    /// Token credentials obtained elsewhere (for example stored from an earlier dance).
    pub fn from_parts(
        consumer_key: impl Into<String>,
        endpoints: Endpoints,
        token: impl Into<String>,
        secret: Secret,
        attributes: Attributes,
    ) -> Self {
        Authorized {
            consumer_key: consumer_key.into(),
            endpoints,
            token: token.into(),
            secret,
            attributes,
        }
    }

    /// The access token.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The access token secret.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The other fields of the token reply (SMART: `record_id`, `user_id`).
    #[must_use]
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// One field of the token reply.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// The endpoints of the dance that produced these credentials.
    #[must_use]
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Signs a protected-resource request and returns its `Authorization` header value.
    ///
    /// `url` is the full URL with its query; a body is signed as form
    /// parameters when `content_type` is `application/x-www-form-urlencoded`,
    /// otherwise covered by `oauth_body_hash`.
    ///
    /// # Errors
    ///
    /// [`Error::Sign`] for a malformed URL or body, [`Error::Misuse`] for another consumer.
    pub fn sign_request(
        &self,
        consumer: &Consumer,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        body: &[u8],
        stamp: Stamp,
    ) -> Result<String, Error> {
        check_consumer(consumer, &self.consumer_key)?;
        let mut oauth = consumer.params(stamp);
        oauth.token = Some(self.token.clone());
        let parts = RequestParts {
            method,
            url,
            body: Body::from_content_type(content_type, body),
        };
        let signed = oauth1_sign::sign(&parts, &oauth, &consumer.secret, Some(&self.secret))
            .map_err(Error::Sign)?;
        Ok(signed.authorization)
    }

    /// Signs an `http::Request` in place: sets its `Authorization` header.
    ///
    /// # Errors
    ///
    /// As [`Authorized::sign_request`].
    pub fn sign_http<B: AsRef<[u8]>>(
        &self,
        consumer: &Consumer,
        request: &mut http::Request<B>,
        stamp: Stamp,
    ) -> Result<(), Error> {
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let url = request.uri().to_string();
        let header = self.sign_request(
            consumer,
            request.method().as_str(),
            &url,
            content_type,
            request.body().as_ref(),
            stamp,
        )?;
        let value = http::HeaderValue::from_str(&header)
            .map_err(|_| Error::Misuse("authorization header not representable"))?;
        request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, value);
        Ok(())
    }
}

/// Any consumer state, for a session store that keeps "wherever this user is".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ConsumerState {
    /// See [`AwaitTemporaryCredentials`].
    AwaitTemporaryCredentials(AwaitTemporaryCredentials),
    /// See [`AwaitAuthorization`].
    AwaitAuthorization(AwaitAuthorization),
    /// See [`AwaitTokenCredentials`].
    AwaitTokenCredentials(AwaitTokenCredentials),
    /// See [`Authorized`].
    Authorized(Authorized),
}

impl ConsumerState {
    /// The state's name, as in transcripts.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            ConsumerState::AwaitTemporaryCredentials(_) => "AwaitTemporaryCredentials",
            ConsumerState::AwaitAuthorization(_) => "AwaitAuthorization",
            ConsumerState::AwaitTokenCredentials(_) => "AwaitTokenCredentials",
            ConsumerState::Authorized(_) => "Authorized",
        }
    }
}

macro_rules! state_from {
    ($($ty:ident),*) => {$(
        impl From<$ty> for ConsumerState {
            fn from(state: $ty) -> Self {
                ConsumerState::$ty(state)
            }
        }
    )*};
}

state_from!(
    AwaitTemporaryCredentials,
    AwaitAuthorization,
    AwaitTokenCredentials,
    Authorized
);
