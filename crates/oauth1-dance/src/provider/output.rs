//! What the provider hands back: credential replies, grants, the authenticated request.

use std::fmt;
use std::string::String;

use oauth1_sign::{Secret, percent_encode_into};
use subtle::ConstantTimeEq;

use oauth1_sign::Verified;

use crate::Error;
use crate::store::Attributes;

/// Temporary credentials just issued: send [`Self::body`] with status 200.
#[must_use = "the reply must be sent to the consumer"]
pub struct TemporaryCredentialsIssued {
    /// The consumer they were issued to.
    pub consumer_key: String,
    /// The request token.
    pub token: String,
    /// The required parameters the request carried (SMART: `smart_record_id`).
    pub attributes: Attributes,
    /// When the request token dies.
    pub expires_at: u64,
    pub(super) body: String,
}

/// Token credentials just issued: send [`Self::body`] with status 200.
#[must_use = "the reply must be sent to the consumer"]
pub struct TokenCredentialsIssued {
    /// The consumer they were issued to.
    pub consumer_key: String,
    /// The access token.
    pub token: String,
    /// The user who approved.
    pub user_id: String,
    /// The attributes recorded at authorization.
    pub attributes: Attributes,
    pub(super) body: String,
}

macro_rules! credentials_reply {
    ($ty:ident) => {
        impl $ty {
            /// The form-encoded reply body (it holds the token secret).
            #[must_use]
            pub fn body(&self) -> &str {
                &self.body
            }

            /// The whole reply: 200, form content type, `Cache-Control: no-store`.
            #[must_use]
            pub fn into_http_response(self) -> http::Response<String> {
                credentials_response(self.body)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("consumer_key", &self.consumer_key)
                    .field("token", &self.token)
                    .field("attributes", &self.attributes)
                    .field("body", &"<redacted>")
                    .finish()
            }
        }
    };
}

credentials_reply!(TemporaryCredentialsIssued);
credentials_reply!(TokenCredentialsIssued);

/// What the authorize page needs to show about a pending request token.
#[derive(Debug, Clone)]
pub struct PendingAuthorization {
    /// The consumer asking (show its name).
    pub consumer_key: String,
    /// The attributes of the request (SMART: `smart_record_id`).
    pub attributes: Attributes,
    /// When the request token dies.
    pub expires_at: u64,
}

/// Where the user's browser goes after approving.
#[derive(Debug, Clone)]
#[must_use = "the user agent must be redirected or shown the verifier"]
pub enum AuthorizationGrant {
    /// Redirect (303) to this URL: the callback with `oauth_token` and `oauth_verifier` appended.
    Redirect {
        /// The `Location` value.
        location: String,
    },
    /// No callback to redirect to: show the verifier to the user.
    OutOfBand {
        /// The verifier.
        verifier: Secret,
    },
}

/// A protected-resource request that passed every check.
///
/// Only [`Provider::authenticate`](crate::Provider::authenticate) can create
/// one, and it carries the signer's own proof, the [`Verified`] that
/// [`oauth1_sign::IncomingRequest::verify`] returned for this request: a
/// handler that takes an `Authenticated` cannot be reached without
/// verification. Not `Clone`, so one proof stands for one request.
#[derive(Debug)]
#[must_use]
pub struct Authenticated {
    /// The consumer that signed.
    pub consumer_key: String,
    /// The access token used.
    pub token: String,
    /// The user who approved the token.
    pub user_id: String,
    /// What the token is bound to (SMART: `record_id`).
    pub attributes: Attributes,
    pub(super) proof: Verified,
}

/// A two-legged request (consumer key and secret, no token) that passed
/// every check. Only [`Provider::authenticate_consumer`](crate::Provider::authenticate_consumer)
/// creates one; like [`Authenticated`] it carries the signer's proof and is
/// not `Clone`.
#[derive(Debug)]
#[must_use]
pub struct ConsumerAuthenticated {
    /// The consumer that signed.
    pub consumer_key: String,
    pub(super) proof: Verified,
}

impl ConsumerAuthenticated {
    /// The signer's proof that this request's signature was recomputed and matched.
    pub fn proof(&self) -> &Verified {
        &self.proof
    }
}

impl Authenticated {
    /// The signer's proof that this request's signature was recomputed and matched.
    pub fn proof(&self) -> &Verified {
        &self.proof
    }

    /// Checks that the token is bound to `value` under `name`, in constant time
    /// (SMART: a path with another `record_id` is 403).
    ///
    /// # Errors
    ///
    /// [`Error::Forbidden`] when the attribute is absent or differs.
    pub fn require_attribute(&self, name: &str, value: &str) -> Result<(), Error> {
        match self.attributes.get(name) {
            Some(bound) if bool::from(bound.as_bytes().ct_eq(value.as_bytes())) => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }
}

pub(super) fn credentials_body(token: &str, secret: &str) -> String {
    let mut body = String::from("oauth_token=");
    percent_encode_into(&mut body, token);
    body.push_str("&oauth_token_secret=");
    percent_encode_into(&mut body, secret);
    body
}

fn credentials_response(body: String) -> http::Response<String> {
    let mut response = http::Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(oauth1_sign::FORM_CONTENT_TYPE),
    );
    headers.insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}
