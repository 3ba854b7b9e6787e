//! Why a signature did not match, for a provider's development mode: the
//! base string the provider computed and the signature it expected.
//!
//! The expected signature is a signing oracle: whoever reads it can send
//! the request it belongs to without knowing a secret. Call
//! [`Provider::explain_signature`] only where its answer stays with the
//! developer of the consumer (the SMART container's `--dev`), never on a
//! provider that serves real users.

use std::string::{String, ToString};

use oauth1_sign::{Secret, SignatureMethod, sign_base_string};

use super::{Provider, ProviderRequest, check};
use crate::Error;
use crate::store::ProviderStore;

/// A request whose signature did not match the one its consumer's secrets
/// give. It never holds a secret: PLAINTEXT requests, whose signature is
/// the secrets, are never explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureMismatch {
    /// `oauth_consumer_key`, a registered consumer's.
    pub consumer_key: String,
    /// `oauth_signature_method`, one of the HMAC methods.
    pub signature_method: SignatureMethod,
    /// The base string the provider computed
    /// ([RFC 5849 §3.4.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1)).
    pub base_string: String,
    /// The signature the consumer's secrets give for that base string.
    pub expected: String,
    /// The `oauth_signature` the request carried, decoded.
    pub received: String,
}

impl<S: ProviderStore> Provider<S> {
    /// Explains a refused request when the reason was its signature: the
    /// consumer is registered, the token (if any) is one of its request or
    /// access tokens, the method is an HMAC one, and the signature differs
    /// from the one the secrets give. Any other request gives `None`. It
    /// checks no timestamp or nonce and records nothing.
    ///
    /// # Errors
    ///
    /// A request that does not parse (the error [`Provider::authenticate`]
    /// gives it) and store failures.
    pub fn explain_signature(
        &self,
        request: &ProviderRequest<'_>,
    ) -> Result<Option<SignatureMismatch>, Error> {
        let parsed = check::parse(request, self.config.require_body_hash)?;
        let method = parsed.signature_method();
        let hmac = matches!(
            method,
            SignatureMethod::HmacSha1 | SignatureMethod::HmacSha256 | SignatureMethod::HmacSha512
        );
        let Some(consumer) = self.store.consumer(parsed.consumer_key())? else {
            return Ok(None);
        };
        let token_secret = match parsed.token() {
            Some(token) => match self.token_secret(&consumer.key, token)? {
                Some(secret) => Some(secret),
                None => return Ok(None),
            },
            None => None,
        };
        let verified = parsed.verify(method, &consumer.secret, token_secret.as_ref());
        if !hmac || !matches!(verified, Err(oauth1_sign::Error::InvalidSignature)) {
            return Ok(None);
        }
        let base_string = parsed.base_string();
        let expected = sign_base_string(
            method,
            &base_string,
            &consumer.secret,
            token_secret.as_ref(),
        )
        .map_err(Error::Request)?;
        Ok(Some(SignatureMismatch {
            consumer_key: consumer.key,
            signature_method: method,
            base_string,
            expected,
            received: parsed.signature().to_string(),
        }))
    }

    /// The secret of `token` when it is an access or request token of
    /// `consumer_key`, expired or not.
    fn token_secret(&self, consumer_key: &str, token: &str) -> Result<Option<Secret>, Error> {
        if let Some(access) = self.store.access_token(token)? {
            return Ok((access.consumer_key == consumer_key).then_some(access.secret));
        }
        let request = self.store.request_token(token)?;
        Ok(request
            .filter(|r| r.consumer_key == consumer_key)
            .map(|r| r.secret))
    }
}
