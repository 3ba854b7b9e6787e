//! Verifying a request in two phases
//! ([RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)).

use alloc::string::String;
use core::fmt;

use crate::base::{write_base_string, write_base_string_from, write_base_uri};
use crate::encode::Pairs;
use crate::header::parse_into;
use crate::limits::{
    MAX_FORM_BODY_LEN, MAX_PARAMS, MAX_SIGNATURE_LEN, check_text, check_token, oauth_index,
};
use crate::{Error, Secret, SignatureMethod, crypto, is_form_content_type};

// Indexes given by `limits::oauth_index`.
const CONSUMER_KEY: usize = 0;
const TOKEN: usize = 1;
const SIGNATURE_METHOD: usize = 2;
const SIGNATURE: usize = 3;
const TIMESTAMP: usize = 4;
const NONCE: usize = 5;
const VERSION: usize = 6;
const CALLBACK: usize = 7;
const VERIFIER: usize = 8;
const BODY_HASH: usize = 9;

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
    pairs: Pairs,
    oauth: [Option<usize>; 10],
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
        let mut base_uri = String::with_capacity(url.len());
        let info = write_base_uri(&mut base_uri, url)?;
        let mut pairs = Pairs::with_capacity(
            url.len() + authorization.map_or(0, str::len) + if is_form { body.len() } else { 0 },
            16,
        );
        // The header's protocol parameters are indexed as they are parsed.
        let mut oauth = [None; 10];
        let realm = match authorization {
            Some(header) => parse_into(header, &mut pairs, &mut oauth)?,
            None => None,
        };
        let header_len = pairs.len();
        pairs.push_form(info.query, MAX_PARAMS)?;
        if is_form {
            let text = core::str::from_utf8(body).map_err(|_| Error::InvalidUtf8)?;
            pairs.push_form(text, MAX_PARAMS)?;
        }

        for i in header_len..pairs.len() {
            let name = pairs.get(i).0;
            if !name.starts_with("oauth_") {
                continue;
            }
            let k = oauth_index(name).ok_or(Error::UnknownParameter)?;
            if oauth[k].replace(i).is_some() {
                return Err(Error::DuplicateParameter);
            }
        }
        // Each protocol value looked up once, for the checks below.
        let values = oauth.map(|o| o.map(|i| pairs.get(i).1));
        let get = |k: usize| values[k];
        for (k, name) in [
            (CONSUMER_KEY, "oauth_consumer_key"),
            (SIGNATURE_METHOD, "oauth_signature_method"),
            (SIGNATURE, "oauth_signature"),
            (TIMESTAMP, "oauth_timestamp"),
            (NONCE, "oauth_nonce"),
        ] {
            if get(k).is_none() {
                return Err(Error::MissingParameter(name));
            }
        }
        for (k, name) in [
            (CONSUMER_KEY, "oauth_consumer_key"),
            (TOKEN, "oauth_token"),
            (NONCE, "oauth_nonce"),
            (VERIFIER, "oauth_verifier"),
        ] {
            if let Some(v) = get(k) {
                check_token(name, v)?;
            }
        }
        if let Some(callback) = get(CALLBACK) {
            check_text("oauth_callback", callback)?;
        }
        if get(SIGNATURE).is_some_and(|s| s.len() > MAX_SIGNATURE_LEN) {
            return Err(Error::InvalidParameter("oauth_signature"));
        }
        if get(VERSION).is_some_and(|v| v != "1.0") {
            return Err(Error::UnsupportedVersion);
        }
        let timestamp = parse_timestamp(get(TIMESTAMP).unwrap_or_default())?;
        let signature_method: SignatureMethod =
            get(SIGNATURE_METHOD).unwrap_or_default().parse()?;
        let body_hash_ok = match get(BODY_HASH) {
            Some(_) if is_form => return Err(Error::BodyHashNotAllowed),
            Some(hash) => crypto::body_hash_matches(body, hash),
            None if !is_form && !body.is_empty() => return Err(Error::BodyHashNotAllowed),
            None => true,
        };
        Ok(IncomingRequest {
            method: String::from(method),
            base_uri,
            https: info.https,
            pairs,
            oauth,
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
        let signature = self.get(SIGNATURE).unwrap_or_default();
        crypto::verify(expected, &base, consumer_secret, token_secret, signature)?;
        if !self.body_hash_ok {
            return Err(Error::BodyHashMismatch);
        }
        Ok(Verified(()))
    }

    /// The signature base string the request is checked against
    /// ([RFC 5849 §3.4.1.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1)),
    /// for logs and for comparing with the client's.
    #[must_use]
    pub fn base_string(&self) -> String {
        let signature_index = self.oauth[SIGNATURE];
        if self.pairs.all_unreserved(signature_index) {
            // The usual case: every name and value is unreserved, so each is
            // its own encoding and the parsed pairs are sorted as they are.
            let order = self.pairs.sorted_indices(signature_index);
            let mut base = String::with_capacity(
                3 * (self.method.len() + self.base_uri.len())
                    + self.pairs.byte_len()
                    + 6 * order.len(),
            );
            let sorted = order.iter().map(|&i| {
                let (name, value) = self.pairs.get(i);
                (name, value, true)
            });
            write_base_string_from(&mut base, &self.method, &self.base_uri, sorted);
            return base;
        }
        let mut encoded = Pairs::with_capacity(self.pairs.byte_len() * 2, self.pairs.len());
        for (i, (name, value)) in self.pairs.iter().enumerate() {
            if Some(i) != signature_index {
                encoded.push_encoded(name, value);
            }
        }
        encoded.sort();
        let mut base = String::new();
        write_base_string(&mut base, &self.method, &self.base_uri, &encoded);
        base
    }

    /// `oauth_consumer_key`.
    #[must_use]
    pub fn consumer_key(&self) -> &str {
        self.get(CONSUMER_KEY).unwrap_or_default()
    }
    /// `oauth_token`, absent on a temporary-credentials request.
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.get(TOKEN)
    }
    /// `oauth_nonce`, decoded.
    #[must_use]
    pub fn nonce(&self) -> &str {
        self.get(NONCE).unwrap_or_default()
    }
    /// `oauth_timestamp`, parsed from ASCII digits.
    #[must_use]
    pub fn timestamp(&self) -> u64 {
        self.timestamp
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
        self.get(CALLBACK)
    }
    /// `oauth_verifier`
    /// ([RFC 5849 §2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3)).
    #[must_use]
    pub fn verifier(&self) -> Option<&str> {
        self.get(VERIFIER)
    }
    /// `oauth_version` (only `1.0` is accepted).
    #[must_use]
    pub fn version(&self) -> Option<&str> {
        self.get(VERSION)
    }
    /// The header's `realm`.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }
    /// The decoded non-`oauth_*` parameters, in collection order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().filter(|(n, _)| !n.starts_with("oauth_"))
    }

    fn get(&self, k: usize) -> Option<&str> {
        self.oauth[k].map(|i| self.pairs.get(i).1)
    }
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

/// Parses `oauth_timestamp`: 1 to 20 ASCII digits that fit a `u64`.
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
