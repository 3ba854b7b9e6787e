//! The one verification path every provider endpoint goes through.
//!
//! Order: limits, parse, parameter shape, endpoint-specific presence,
//! timestamp window, lookups (a dummy secret stands in for an unknown
//! consumer or token, SECURITY.md 11), signature, and only then the nonce
//! (SECURITY.md 6). The result carries the signer's own [`Verified`] proof:
//! this module mints none of its own.

use std::string::{String, ToString};

use oauth1_sign::limits::MAX_HEADER_LEN;
use oauth1_sign::{IncomingRequest, Secret, SignatureMethod, Verified};
use subtle::ConstantTimeEq;

use super::{Provider, ProviderRequest};
use crate::Error;
use crate::store::{
    AccessTokenRecord, Attributes, NonceKey, ProviderStore, RequestTokenRecord, credential_hash,
};

/// Proof that the presented verifier's hash equals the recorded one (compared
/// in constant time); it carries the hash the atomic consume needs.
pub(super) struct VerifierMatches([u8; 32]);

impl VerifierMatches {
    pub(super) fn check(record: &RequestTokenRecord, verifier: &str) -> Option<Self> {
        let presented = credential_hash(verifier);
        let recorded = record.authorization.as_ref()?;
        bool::from(recorded.verifier_hash.ct_eq(&presented)).then_some(VerifierMatches(presented))
    }

    /// The verifier hash, for the store's compare-and-consume.
    pub(super) fn hash(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Which endpoint a request arrived on; it decides which token kind is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endpoint {
    /// The temporary-credentials endpoint: no token, a callback.
    Initiate,
    /// The token endpoint: a request token and a verifier.
    Token,
    /// A protected resource: an access token.
    Protected,
    /// A two-legged request: the consumer alone, no token.
    Consumer,
}

/// The token a checked request carried.
pub(super) enum TokenFound {
    /// A live request token of the signing consumer.
    Request(RequestTokenRecord),
    /// A live access token of the signing consumer.
    Access(AccessTokenRecord),
}

/// A request that passed every check.
pub(super) struct Checked {
    pub(super) consumer_key: String,
    pub(super) token: Option<TokenFound>,
    pub(super) callback: Option<String>,
    pub(super) verifier: Option<String>,
    pub(super) attributes: Attributes,
    /// The signer's proof; the nonce, timestamp and lookups were checked too.
    pub(super) proof: Verified,
}

/// Stands in for the secret of an unknown consumer or token so that the HMAC
/// is computed either way; the request fails at the end regardless of it.
const DUMMY_SECRET: &str = "oauth1-dance dummy secret: never valid";

impl<S: ProviderStore> Provider<S> {
    pub(super) fn check(
        &self,
        now: u64,
        request: &ProviderRequest<'_>,
        endpoint: Endpoint,
    ) -> Result<Checked, Error> {
        let config = &self.config;
        // Limits before any parsing, lookup or HMAC (SECURITY.md 10).
        if request.authorization.map_or(0, str::len) > MAX_HEADER_LEN
            || request.body.len() > config.max_body_len
            || request.url.len() > MAX_HEADER_LEN
        {
            return Err(Error::TooLarge);
        }
        if matches!(endpoint, Endpoint::Protected | Endpoint::Consumer)
            && config.protected_header_only
            && oauth_outside_header(request)
        {
            return Err(Error::UnexpectedParameter(
                "oauth_* parameter outside the Authorization header",
            ));
        }
        let parsed = parse(request, config.require_body_hash)?;
        // The signer checked the identifiers (1 to `limits::MAX_TOKEN_LEN`
        // visible ASCII bytes) and `oauth_version` while parsing.

        let mut attributes = Attributes::new();
        let mut callback = None;
        match endpoint {
            Endpoint::Initiate => {
                if parsed.token().is_some() {
                    return Err(Error::UnexpectedParameter("oauth_token"));
                }
                if parsed.verifier().is_some() {
                    return Err(Error::UnexpectedParameter("oauth_verifier"));
                }
                let given = parsed
                    .callback()
                    .ok_or_else(|| Error::MissingParameter("oauth_callback".to_string()))?;
                if !valid_callback(given) {
                    return Err(Error::InvalidCallback);
                }
                callback = Some(given.to_string());
                for name in &config.required_request_parameters {
                    let mut values = parsed.params().filter(|(n, _)| *n == name.as_str());
                    match (values.next(), values.next()) {
                        (Some((_, value)), None) if !value.is_empty() => {
                            attributes.insert(name.clone(), value.to_string());
                        }
                        (Some(_), Some(_)) => return Err(Error::DuplicateParameter(name.clone())),
                        _ => return Err(Error::MissingParameter(name.clone())),
                    }
                }
            }
            Endpoint::Token => {
                if parsed.token().is_none() {
                    return Err(Error::MissingParameter("oauth_token".to_string()));
                }
                if parsed.verifier().is_none() {
                    return Err(Error::MissingParameter("oauth_verifier".to_string()));
                }
            }
            Endpoint::Protected => {
                if parsed.token().is_none() {
                    return Err(Error::MissingParameter("oauth_token".to_string()));
                }
                if parsed.verifier().is_some() {
                    return Err(Error::UnexpectedParameter("oauth_verifier"));
                }
            }
            Endpoint::Consumer => {
                if parsed.token().is_some() {
                    return Err(Error::UnexpectedParameter("oauth_token"));
                }
                if parsed.verifier().is_some() {
                    return Err(Error::UnexpectedParameter("oauth_verifier"));
                }
                if parsed.callback().is_some() {
                    return Err(Error::UnexpectedParameter("oauth_callback"));
                }
            }
        }

        let method = parsed.signature_method();
        if method == SignatureMethod::Plaintext
            && !starts_with_ignore_case(&request.url, "https://")
        {
            return Err(Error::PlaintextOverHttp);
        }
        let timestamp = parsed.timestamp();
        if now.abs_diff(timestamp) > config.timestamp_window {
            return Err(Error::InvalidTimestamp);
        }

        // Lookups: every failure only clears `valid`; the HMAC runs regardless (SECURITY.md 11).
        let consumer_key = parsed.consumer_key().to_string();
        let consumer = self.store.consumer(&consumer_key)?;
        let mut valid = consumer
            .as_ref()
            .is_some_and(|c| c.signature_methods.contains(&method));
        let dummy = Secret::new(DUMMY_SECRET);
        let consumer_secret = consumer.as_ref().map_or(&dummy, |c| &c.secret);

        let token = match (endpoint, parsed.token()) {
            (Endpoint::Token, Some(value)) => self
                .store
                .request_token(value)?
                .filter(|r| r.consumer_key == consumer_key && r.expires_at >= now)
                .map(TokenFound::Request),
            (Endpoint::Protected, Some(value)) => self
                .store
                .access_token(value)?
                .filter(|r| r.consumer_key == consumer_key && r.expires_at.is_none_or(|e| e >= now))
                .map(TokenFound::Access),
            _ => None,
        };
        let token_secret = match (&token, endpoint) {
            (Some(TokenFound::Request(r)), _) => Some(&r.secret),
            (Some(TokenFound::Access(r)), _) => Some(&r.secret),
            (None, Endpoint::Initiate | Endpoint::Consumer) => None,
            (None, _) => {
                valid = false;
                Some(&dummy)
            }
        };
        // The HMAC runs whatever the lookups found; its proof is kept only
        // when they found everything.
        let verified = parsed.verify(method, consumer_secret, token_secret);
        let proof = match (valid, verified) {
            (true, Ok(proof)) => proof,
            _ => return Err(Error::InvalidCredentials),
        };

        // The nonce is recorded only now, after the signature checked (SECURITY.md 6).
        let key = NonceKey {
            consumer_key: consumer_key.clone(),
            token: parsed.token().map(str::to_string),
            timestamp,
            nonce: parsed.nonce().to_string(),
        };
        let expires_at = timestamp.saturating_add(config.timestamp_window);
        if !self.store.insert_nonce_if_absent(&key, now, expires_at)? {
            return Err(Error::NonceReused);
        }
        Ok(Checked {
            consumer_key,
            token,
            callback,
            verifier: parsed.verifier().map(str::to_string),
            attributes,
            proof,
        })
    }
}

/// Parses a request. A non-form body without `oauth_body_hash` is taken
/// as unsigned (RFC 5849 signs only form bodies; the body hash is an
/// extension) unless `require_body_hash`; a body hash that is present is
/// always checked against the body.
pub(super) fn parse(
    request: &ProviderRequest<'_>,
    require_body_hash: bool,
) -> Result<IncomingRequest, Error> {
    let parse_with = |body: &[u8]| {
        IncomingRequest::parse(
            request.method,
            &request.url,
            request.authorization,
            request.content_type,
            body,
        )
    };
    match parse_with(request.body) {
        Err(oauth1_sign::Error::BodyHashNotAllowed)
            if !require_body_hash
                && !request.body.is_empty()
                && !request
                    .content_type
                    .is_some_and(oauth1_sign::is_form_content_type) =>
        {
            // No body hash on a non-form body: the signature covers the rest.
            parse_with(b"").map_err(Error::Request)
        }
        other => other.map_err(Error::Request),
    }
}

/// Whether the query or a form body carries a protocol parameter, its
/// name decoded as the signer decodes it (so `oauth%5Fnonce` counts). A
/// query or body that does not decode is left to the signer's parse to
/// refuse.
fn oauth_outside_header(request: &ProviderRequest<'_>) -> bool {
    let query = request
        .url
        .split_once('?')
        .map_or("", |(_, q)| q.split('#').next().unwrap_or_default());
    let body = if request
        .content_type
        .is_some_and(oauth1_sign::is_form_content_type)
    {
        core::str::from_utf8(request.body).unwrap_or_default()
    } else {
        ""
    };
    [query, body].into_iter().any(|text| {
        oauth1_sign::form_decode(text)
            .is_ok_and(|pairs| pairs.iter().any(|(name, _)| name.starts_with("oauth_")))
    })
}

/// `oob`, or an absolute http(s) URI with a host and no spaces or controls
/// ([RFC 5849 §2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1)).
/// Its length the signer's parse has already bounded
/// ([`oauth1_sign::limits::MAX_TEXT_LEN`]).
fn valid_callback(callback: &str) -> bool {
    if callback == "oob" {
        return true;
    }
    if !callback.bytes().all(|b| b.is_ascii_graphic()) {
        return false;
    }
    let rest = if starts_with_ignore_case(callback, "https://") {
        &callback[8..]
    } else if starts_with_ignore_case(callback, "http://") {
        &callback[7..]
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty() && !host.starts_with(':') && !host.contains('@')
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}
