//! Verifying a request in two phases
//! ([RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::base::{base_string, parse_url};
use crate::encode::{decode_segment, form_segments};
use crate::header::AuthorizationHeader;
use crate::limits::{MAX_FORM_BODY_LEN, MAX_PARAMS, MAX_SIGNATURE_LEN, check_text, check_token};
use crate::param::Param;
use crate::{Error, Secret, SignatureMethod, crypto, is_form_content_type};

/// A request received by a provider, parsed but not yet verified
/// ([RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)).
///
/// Use it in this order: [`parse`](Self::parse) (every syntax and limit
/// check, all answered with 400); look up the secrets of
/// [`consumer_key`](Self::consumer_key) and [`token`](Self::token) (use a
/// dummy secret for an unknown one, so both paths do the same work); check
/// the timestamp window and the nonce; then [`verify`](Self::verify). Only
/// `verify` makes a [`Verified`]. `Debug` hides the signature and the verifier.
///
/// ```
/// use oauth1_sign::{IncomingRequest, Secret, SignatureMethod};
/// let auth = r#"OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D""#;
/// let req = IncomingRequest::parse(
///     "GET", "http://photos.example.net/photos?file=vacation.jpg&size=original",
///     Some(auth), None, b"").unwrap();
/// assert_eq!(req.consumer_key(), "dpf43f3p2l4k3l03");
/// let ok = req.verify(SignatureMethod::HmacSha1, &Secret::new("kd94hf93k423kf44"),
///                     Some(&Secret::new("pfkkdhi9sl3r4s00")));
/// assert!(ok.is_ok());
/// ```
#[derive(Clone)]
pub struct IncomingRequest {
    method: String,
    base_uri: String,
    https: bool,
    /// Every parameter, decoded: the header's, then the query's, then the form body's.
    pairs: Vec<(String, String)>,
    /// Where each protocol parameter sits in `pairs`.
    protocol: Protocol,
    realm: Option<String>,
    timestamp: u64,
    signature_method: SignatureMethod,
    body_hash_ok: bool,
}

/// Proof that [`IncomingRequest::verify`] accepted a request
/// ([RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)); nothing else can make one.
#[derive(Debug)]
#[must_use]
pub struct Verified(());

impl IncomingRequest {
    /// Collects the parameters of a request
    /// ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1))
    /// from the query of `url`, the `Authorization` header and a form body
    /// (only when `content_type` is `application/x-www-form-urlencoded`),
    /// and checks them. `url` must be on the server's configured external
    /// origin, never one taken from `Host` or `X-Forwarded-*`.
    ///
    /// # Errors
    /// All with status 400: [`Error::TooLarge`] past [`crate::limits`];
    /// [`Error::DuplicateParameter`] for an `oauth_*` name given twice or in
    /// two places; [`Error::UnknownParameter`]; [`Error::MissingParameter`];
    /// [`Error::InvalidParameter`]; [`Error::InvalidTimestamp`] unless the
    /// timestamp is ASCII digits; [`Error::UnsupportedVersion`];
    /// [`Error::UnsupportedSignatureMethod`]; [`Error::BodyHashNotAllowed`]
    /// for a body hash on a form body or a non-form body without one; and
    /// the syntax errors of the URL, header and form body.
    pub fn parse(
        method: &str,
        url: &str,
        authorization: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Self, Error> {
        let is_form = content_type.is_some_and(is_form_content_type);
        if is_form && body.len() > MAX_FORM_BODY_LEN {
            return Err(Error::TooLarge);
        }
        let url = parse_url(url)?;
        let header = authorization.map(AuthorizationHeader::parse).transpose()?;
        let (realm, mut pairs) = header
            .map(AuthorizationHeader::into_parts)
            .unwrap_or_default();
        push_form(&mut pairs, url.query)?;
        if is_form {
            let text = core::str::from_utf8(body).map_err(|_| Error::InvalidUtf8)?;
            push_form(&mut pairs, text)?;
        }
        let protocol = Protocol::locate(&pairs)?;
        let (timestamp, signature_method) = protocol.check(&pairs)?;
        let body_hash_ok = match protocol.body_hash.map(|i| pairs[i].1.as_str()) {
            Some(_) if is_form => return Err(Error::BodyHashNotAllowed),
            Some(hash) => crypto::body_hash_matches(body, hash),
            None if !is_form && !body.is_empty() => return Err(Error::BodyHashNotAllowed),
            None => true,
        };
        Ok(IncomingRequest {
            method: String::from(method),
            base_uri: url.base_uri,
            https: url.https,
            pairs,
            protocol,
            realm,
            timestamp,
            signature_method,
            body_hash_ok,
        })
    }

    /// Recomputes the signature with the caller's secrets and compares it
    /// with the request's in constant time, on decoded bytes
    /// ([RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)).
    /// `expected` is the method registered for the consumer: the request
    /// never chooses it. For the RSA methods `consumer_secret` holds the
    /// consumer's PEM public key.
    ///
    /// # Errors
    /// [`Error::SignatureMethodMismatch`] (400) when the request used
    /// another method; [`Error::InsecurePlaintext`] (400) for PLAINTEXT
    /// without https; [`Error::SecretMismatch`] (401) for an empty consumer
    /// secret, or a token secret missing for a request with a token (or
    /// given for one without); [`Error::InvalidSignature`] (401);
    /// [`Error::BodyHashMismatch`] (401); [`Error::InvalidKey`] (401).
    pub fn verify(
        &self,
        expected: SignatureMethod,
        consumer_secret: &Secret,
        token_secret: Option<&Secret>,
    ) -> Result<Verified, Error> {
        if expected != self.signature_method {
            return Err(Error::SignatureMethodMismatch);
        }
        if expected == SignatureMethod::Plaintext && !self.https {
            return Err(Error::InsecurePlaintext);
        }
        if consumer_secret.expose().is_empty() || self.token().is_some() != token_secret.is_some() {
            return Err(Error::SecretMismatch);
        }
        let base = self.base_string();
        crypto::verify(
            expected,
            &base,
            consumer_secret,
            token_secret,
            self.signature(),
        )?;
        if !self.body_hash_ok {
            return Err(Error::BodyHashMismatch);
        }
        Ok(Verified(()))
    }

    /// The signature base string the request is checked against
    /// ([RFC 5849 §3.4.1.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1)),
    /// for logs and for comparing with the client's: every parameter but
    /// `oauth_signature` (the header's `realm` is kept apart already).
    #[must_use]
    pub fn base_string(&self) -> String {
        let signed = (self.pairs.iter().enumerate())
            .filter(|&(i, _)| Some(i) != self.protocol.signature)
            .map(|(_, (name, value))| (name.as_str(), value.as_str()));
        base_string(&self.method, &self.base_uri, signed)
    }

    /// `oauth_consumer_key`.
    #[must_use]
    pub fn consumer_key(&self) -> &str {
        self.value(self.protocol.consumer_key).unwrap_or_default()
    }
    /// `oauth_token`, absent on a temporary-credentials request.
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.value(self.protocol.token)
    }
    /// `oauth_nonce`, decoded.
    #[must_use]
    pub fn nonce(&self) -> &str {
        self.value(self.protocol.nonce).unwrap_or_default()
    }
    /// `oauth_timestamp`, parsed from ASCII digits.
    #[must_use]
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }
    /// `oauth_signature`, decoded: what the request claims, not yet checked.
    /// For PLAINTEXT it is a guess at the secrets; show it to no one.
    #[must_use]
    pub fn signature(&self) -> &str {
        self.value(self.protocol.signature).unwrap_or_default()
    }
    /// `oauth_signature_method`.
    #[must_use]
    pub fn signature_method(&self) -> SignatureMethod {
        self.signature_method
    }
    /// `oauth_callback`
    /// ([RFC 5849 §2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1)).
    #[must_use]
    pub fn callback(&self) -> Option<&str> {
        self.value(self.protocol.callback)
    }
    /// `oauth_verifier`
    /// ([RFC 5849 §2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3)).
    #[must_use]
    pub fn verifier(&self) -> Option<&str> {
        self.value(self.protocol.verifier)
    }
    /// `oauth_version` (only `1.0` is accepted).
    #[must_use]
    pub fn version(&self) -> Option<&str> {
        self.value(self.protocol.version)
    }
    /// The header's `realm`.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }

    /// The decoded non-`oauth_*` parameters, in collection order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        (self.pairs.iter())
            .filter(|(n, _)| !n.starts_with("oauth_"))
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of the pair at `index`, if there is one.
    fn value(&self, index: Option<usize>) -> Option<&str> {
        index.map(|i| self.pairs[i].1.as_str())
    }
}

/// Where each protocol parameter sits among a request's pairs, by name
/// ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)
/// collects them from the header, the query and the form body).
#[derive(Clone, Copy, Debug, Default)]
struct Protocol {
    consumer_key: Option<usize>,
    token: Option<usize>,
    signature_method: Option<usize>,
    signature: Option<usize>,
    timestamp: Option<usize>,
    nonce: Option<usize>,
    version: Option<usize>,
    callback: Option<usize>,
    verifier: Option<usize>,
    body_hash: Option<usize>,
}

impl Protocol {
    /// Finds the protocol parameters among `pairs`; an unknown `oauth_*`
    /// name, or one given twice or in two places, is refused (SECURITY.md
    /// item 7).
    fn locate(pairs: &[(String, String)]) -> Result<Self, Error> {
        let mut found = Protocol::default();
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !name.starts_with("oauth_") {
                continue;
            }
            let param = Param::from_name(name).ok_or(Error::UnknownParameter)?;
            if found.slot(param).replace(i).is_some() {
                return Err(Error::DuplicateParameter);
            }
        }
        Ok(found)
    }

    /// Checks the protocol parameters
    /// ([RFC 5849 §3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.1)):
    /// the required ones are present, identifiers and text within
    /// [`crate::limits`] (SECURITY.md items 10 and 32: an empty or over-long
    /// nonce is refused here, wherever it was sent), the version `1.0`, the
    /// timestamp digits (item 5) and a known signature method.
    fn check(&self, pairs: &[(String, String)]) -> Result<(u64, SignatureMethod), Error> {
        let value = |at: Option<usize>| at.map(|i| pairs[i].1.as_str());
        let required = [
            (self.consumer_key, Param::ConsumerKey),
            (self.signature_method, Param::SignatureMethod),
            (self.signature, Param::Signature),
            (self.timestamp, Param::Timestamp),
            (self.nonce, Param::Nonce),
        ];
        if let Some((_, missing)) = required.iter().find(|(at, _)| at.is_none()) {
            return Err(Error::MissingParameter(missing.name()));
        }
        let identifiers = [
            (self.consumer_key, Param::ConsumerKey),
            (self.token, Param::Token),
            (self.nonce, Param::Nonce),
            (self.verifier, Param::Verifier),
        ];
        for (at, param) in identifiers {
            if let Some(value) = value(at) {
                check_token(param.name(), value)?;
            }
        }
        if let Some(callback) = value(self.callback) {
            check_text(Param::Callback.name(), callback)?;
        }
        if value(self.signature).is_some_and(|s| s.len() > MAX_SIGNATURE_LEN) {
            return Err(Error::InvalidParameter(Param::Signature.name()));
        }
        if value(self.version).is_some_and(|v| v != "1.0") {
            return Err(Error::UnsupportedVersion);
        }
        let timestamp = parse_timestamp(value(self.timestamp).unwrap_or_default())?;
        let method = value(self.signature_method).unwrap_or_default().parse()?;
        Ok((timestamp, method))
    }

    fn slot(&mut self, param: Param) -> &mut Option<usize> {
        match param {
            Param::ConsumerKey => &mut self.consumer_key,
            Param::Token => &mut self.token,
            Param::SignatureMethod => &mut self.signature_method,
            Param::Signature => &mut self.signature,
            Param::Timestamp => &mut self.timestamp,
            Param::Nonce => &mut self.nonce,
            Param::Version => &mut self.version,
            Param::Callback => &mut self.callback,
            Param::Verifier => &mut self.verifier,
            Param::BodyHash => &mut self.body_hash,
        }
    }
}

/// Decodes a query or form body onto `pairs`
/// ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)),
/// refusing more than [`MAX_PARAMS`] pairs in all before decoding the next.
fn push_form(pairs: &mut Vec<(String, String)>, input: &str) -> Result<(), Error> {
    for segment in form_segments(input) {
        if pairs.len() >= MAX_PARAMS {
            return Err(Error::TooLarge);
        }
        let (name, value) = decode_segment(segment)?;
        pairs.push((name.into_owned(), value.into_owned()));
    }
    Ok(())
}

impl fmt::Debug for IncomingRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IncomingRequest")
            .field("method", &self.method)
            .field("base_uri", &self.base_uri)
            .field("consumer_key", &self.consumer_key())
            .field("token", &self.token())
            .field("signature_method", &self.signature_method)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce())
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

/// Parses `oauth_timestamp` ([RFC 5849 §3.3](https://www.rfc-editor.org/rfc/rfc5849#section-3.3),
/// SECURITY.md item 5): 1 to 20 ASCII digits that fit a `u64`.
fn parse_timestamp(s: &str) -> Result<u64, Error> {
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidTimestamp);
    }
    s.bytes().try_fold(0u64, |n, b| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(Error::InvalidTimestamp)
    })
}
