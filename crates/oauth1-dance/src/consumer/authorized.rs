//! The last consumer state: token credentials in hand.

use std::string::{String, ToString};
use std::vec::Vec;

use oauth1_sign::Secret;
use serde::{Deserialize, Serialize};

use super::saved::{Resumable, Saved, sealed};
use super::{AwaitAuthorization, CallbackKind, Consumer, OutgoingRequest, secret_serde};
use crate::store::Attributes;
use crate::{Error, Stamp};

/// Holding token credentials: sign protected-resource requests
/// ([RFC 5849 §3](https://www.rfc-editor.org/rfc/rfc5849#section-3)) with
/// [`Authorized::request`].
///
/// Keep it server-side: in memory, or through [`Authorized::save`] in a
/// server-side store (it holds the access token secret).
#[derive(Debug, Clone)]
pub struct Authorized {
    consumer: Consumer,
    token: String,
    secret: Secret,
    attributes: Attributes,
}

impl Authorized {
    /// Token credentials obtained elsewhere (for example stored from an
    /// earlier dance), to sign with `consumer`.
    pub fn from_parts(
        consumer: Consumer,
        token: impl Into<String>,
        secret: Secret,
        attributes: Attributes,
    ) -> Self {
        Authorized {
            consumer,
            token: token.into(),
            secret,
            attributes,
        }
    }

    /// The consumer these credentials sign with.
    #[must_use]
    pub fn consumer(&self) -> &Consumer {
        &self.consumer
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

    /// Signs a protected-resource request, ready to send like every step of
    /// the dance.
    ///
    /// `url` is the full URL with its query. A body whose `content_type` is
    /// `application/x-www-form-urlencoded` (any case, parameters such as
    /// `charset` allowed: [`oauth1_sign::is_form_content_type`]) is signed
    /// as form parameters; any other non-empty body is covered by
    /// `oauth_body_hash`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMethod`] for a method that is not an HTTP token,
    /// [`Error::Sign`] for a URL or body the signer refuses.
    pub fn request(
        &self,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        body: impl Into<Vec<u8>>,
        stamp: Stamp,
    ) -> Result<OutgoingRequest, Error> {
        let method =
            http::Method::from_bytes(method.as_bytes()).map_err(|_| Error::InvalidMethod)?;
        let mut oauth = self.consumer.params(stamp);
        oauth.token = Some(self.token.clone());
        self.consumer.sign(
            method,
            url,
            content_type,
            body.into(),
            &oauth,
            Some(&self.secret),
        )
    }

    /// The explicit opt-in to store these credentials: see [`Saved`] for
    /// what it holds and where it may be kept.
    #[must_use]
    pub fn save(&self) -> Saved<Self> {
        Saved::new(self)
    }
}

impl<K: CallbackKind> AwaitAuthorization<K> {
    /// The explicit opt-in to store this state between the redirect and the
    /// callback: see [`Saved`] for what it holds and where it may be kept.
    #[must_use]
    pub fn save(&self) -> Saved<Self> {
        Saved::new(self)
    }
}

/// The saved form of [`Authorized`].
#[doc(hidden)]
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedAuthorized {
    token: String,
    #[serde(with = "secret_serde")]
    secret: Secret,
    attributes: Attributes,
}

impl sealed::Sealed for Authorized {}

impl Resumable for Authorized {
    type Data = SavedAuthorized;

    fn consumer(&self) -> &Consumer {
        &self.consumer
    }

    fn to_data(&self) -> SavedAuthorized {
        SavedAuthorized {
            token: self.token.to_string(),
            secret: self.secret.clone(),
            attributes: self.attributes.clone(),
        }
    }

    fn from_data(consumer: Consumer, data: SavedAuthorized) -> Result<Self, Error> {
        Ok(Authorized::from_parts(
            consumer,
            data.token,
            data.secret,
            data.attributes,
        ))
    }
}
