//! Signing a request
//! ([RFC 5849 §3.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4)).

use alloc::borrow::Cow;
use alloc::string::{String, ToString as _};
use alloc::vec::Vec;
use core::fmt;

use crate::base::{base_string, parse_url};
use crate::encode::{decode_segment, form_segments};
use crate::param::Param;
use crate::{Error, Secret, SignatureMethod, crypto, header, limits};

/// The protocol parameters a client sends with a request
/// ([RFC 5849 §3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.1)).
///
/// Nonce and timestamp are inputs: this crate has no clock and (without
/// the `rand` feature) no randomness. `Debug` hides the verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthParams {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_token`, absent on the temporary-credentials request.
    pub token: Option<String>,
    /// `oauth_signature_method`.
    pub signature_method: SignatureMethod,
    /// `oauth_timestamp`, seconds since the Unix epoch.
    pub timestamp: u64,
    /// `oauth_nonce`, unique per timestamp.
    pub nonce: String,
    /// `oauth_version`: `Some("1.0")` by default, `None` to leave it out.
    pub version: Option<String>,
    /// `oauth_callback`, for the temporary-credentials request
    /// ([RFC 5849 §2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1)).
    pub callback: Option<String>,
    /// `oauth_verifier`, for the token request
    /// ([RFC 5849 §2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3)).
    pub verifier: Option<String>,
    /// `oauth_body_hash`; [`sign`] fills it in for [`Body::Other`] when `None`.
    pub body_hash: Option<String>,
    /// The header's `realm`, never signed.
    pub realm: Option<String>,
}

impl OAuthParams {
    /// Parameters with `oauth_version="1.0"` and no token, callback,
    /// verifier, body hash or realm ([RFC 5849 §3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.1)).
    pub fn new(
        consumer_key: impl Into<String>,
        signature_method: SignatureMethod,
        timestamp: u64,
        nonce: impl Into<String>,
    ) -> Self {
        OAuthParams {
            consumer_key: consumer_key.into(),
            token: None,
            signature_method,
            timestamp,
            nonce: nonce.into(),
            version: Some(String::from("1.0")),
            callback: None,
            verifier: None,
            body_hash: None,
            realm: None,
        }
    }
}

impl fmt::Debug for OAuthParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthParams")
            .field("consumer_key", &self.consumer_key)
            .field("token", &self.token)
            .field("signature_method", &self.signature_method)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("version", &self.version)
            .field("callback", &self.callback)
            .field("verifier", &self.verifier.as_ref().map(|_| ".."))
            .field("body_hash", &self.body_hash)
            .field("realm", &self.realm)
            .finish()
    }
}

/// The request body as the signer sees it
/// ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body<'a> {
    /// No body.
    Empty,
    /// A single-part body sent as `application/x-www-form-urlencoded`
    /// (see [`is_form_content_type`]): its parameters are signed.
    Form(&'a [u8]),
    /// Any other body: it is covered by `oauth_body_hash` (base64 SHA-1).
    Other(&'a [u8]),
}

impl<'a> Body<'a> {
    /// Classifies a body by its `Content-Type`: the one place this workspace
    /// decides "is this a form body?"
    /// ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)).
    /// An empty body is [`Body::Empty`]; a body whose type
    /// [`is_form_content_type`] is [`Body::Form`]; any other is [`Body::Other`].
    ///
    /// ```
    /// use oauth1_sign::Body;
    /// let form = Body::from_content_type(Some("application/x-www-form-urlencoded; charset=utf-8"), b"a=1");
    /// assert_eq!(form, Body::Form(b"a=1"));
    /// assert_eq!(Body::from_content_type(Some("text/plain"), b"a=1"), Body::Other(b"a=1"));
    /// assert_eq!(Body::from_content_type(None, b""), Body::Empty);
    /// ```
    #[must_use]
    pub fn from_content_type(content_type: Option<&str>, bytes: &'a [u8]) -> Self {
        if bytes.is_empty() {
            Body::Empty
        } else if content_type.is_some_and(is_form_content_type) {
            Body::Form(bytes)
        } else {
            Body::Other(bytes)
        }
    }
}

/// Whether a `Content-Type` value is `application/x-www-form-urlencoded`
/// ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)):
/// the media type compared without regard to case
/// ([RFC 9110 §8.3.1](https://www.rfc-editor.org/rfc/rfc9110#section-8.3.1)),
/// parameters such as `charset` allowed.
///
/// ```
/// use oauth1_sign::is_form_content_type;
/// assert!(is_form_content_type("Application/X-WWW-Form-URLEncoded ; charset=utf-8"));
/// assert!(!is_form_content_type("multipart/form-data"));
/// ```
#[must_use]
pub fn is_form_content_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default();
    media
        .trim_matches(|c| c == ' ' || c == '\t')
        .eq_ignore_ascii_case(FORM_CONTENT_TYPE)
}

/// The media type of a form body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// The parts of an outgoing request that are signed
/// ([RFC 5849 §3.4.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestParts<'a> {
    /// The HTTP method; it is upper-cased in the base string.
    pub method: &'a str,
    /// The full absolute URL with its query, on the origin the server sees.
    pub url: &'a str,
    /// The body.
    pub body: Body<'a>,
}

/// The result of [`sign`] ([RFC 5849 §3.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4)).
///
/// `Debug` shows the base string only: a PLAINTEXT signature is the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Signed {
    /// `oauth_signature`, raw (base64 for HMAC and RSA; not percent-encoded).
    pub signature: String,
    /// The signature base string
    /// ([RFC 5849 §3.4.1.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1)).
    pub base_string: String,
    /// The whole `Authorization` header value, `OAuth ...`
    /// ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)).
    pub authorization: String,
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signed")
            .field("signature", &"..")
            .field("base_string", &self.base_string)
            .field("authorization", &"..")
            .finish()
    }
}

/// Signs a request
/// ([RFC 5849 §3.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4)):
/// collects the query, a form body and `oauth`, builds the base string,
/// signs it and renders the `Authorization` header (`realm` first, then the
/// protocol parameters, `oauth_signature` last).
///
/// For the RSA methods `consumer_secret` holds the PEM private key.
///
/// ```
/// use oauth1_sign::{Body, OAuthParams, RequestParts, Secret, SignatureMethod, sign};
/// let mut oauth = OAuthParams::new("dpf43f3p2l4k3l03", SignatureMethod::HmacSha1, 137131200, "wIjqoS");
/// oauth.version = None;
/// oauth.callback = Some("http://printer.example.com/ready".into());
/// oauth.realm = Some("Photos".into());
/// let req = RequestParts { method: "POST", url: "https://photos.example.net/initiate", body: Body::Empty };
/// let signed = sign(&req, &oauth, &Secret::new("kd94hf93k423kf44"), None).unwrap();
/// assert_eq!(signed.signature, "74KNZJeDHnMBp0EMJ9ZHt/XKycU=");
/// assert!(signed.authorization.starts_with("OAuth realm=\"Photos\", oauth_consumer_key="));
/// ```
///
/// # Errors
/// [`Error::InvalidUrl`], [`Error::InvalidPercentEncoding`],
/// [`Error::InvalidUtf8`] for a malformed URL, query or form body;
/// [`Error::InvalidParameter`] for a protocol parameter outside its
/// character set; [`Error::InsecurePlaintext`] for PLAINTEXT without https;
/// [`Error::BodyHashNotAllowed`] for a body hash on a form body;
/// [`Error::InvalidKey`] for an unusable RSA key.
pub fn sign(
    request: &RequestParts<'_>,
    oauth: &OAuthParams,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> Result<Signed, Error> {
    let (method, url, body) = (request.method, request.url, request.body);
    sign_parts(method, url, body, [], oauth, consumer_secret, token_secret)
}

/// Signs a `POST` (or other) request whose form body the caller holds as
/// decoded pairs, the way `oauth1-request` takes them: the same result as
/// [`sign`] with a [`Body::Form`] of those pairs encoded (§3.6, joined
/// with `=` and `&`), without encoding and decoding them again
/// ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)).
/// The caller sends the body itself, with content type [`FORM_CONTENT_TYPE`].
///
/// ```
/// use oauth1_sign::{Body, OAuthParams, RequestParts, Secret, SignatureMethod, sign, sign_form};
/// let oauth = OAuthParams::new("key", SignatureMethod::HmacSha1, 1, "nonce");
/// let url = "https://api.example.com/update?x=1";
/// let pairs = [("status", "caf\u{e9} & more")];
/// let ours = sign_form("POST", url, pairs, &oauth, &Secret::new("s"), None).unwrap();
/// let body = Body::Form(b"status=caf%C3%A9%20%26%20more");
/// let same = sign(&RequestParts { method: "POST", url, body }, &oauth, &Secret::new("s"), None).unwrap();
/// assert_eq!(ours, same);
/// ```
///
/// # Errors
/// Those of [`sign`].
pub fn sign_form<'p>(
    method: &str,
    url: &str,
    form: impl IntoIterator<Item = (&'p str, &'p str)>,
    oauth: &OAuthParams,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> Result<Signed, Error> {
    // A form body, whose parameters are `form`.
    let body = Body::Form(&[]);
    sign_parts(
        method,
        url,
        body,
        form,
        oauth,
        consumer_secret,
        token_secret,
    )
}

/// Signs a base string already built
/// ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2) to
/// [§3.4.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.4)) and
/// returns the raw `oauth_signature`. No token secret means an empty one.
///
/// ```
/// use oauth1_sign::{Secret, SignatureMethod, sign_base_string};
/// let sig = sign_base_string(SignatureMethod::HmacSha1, "bs", &Secret::new("cs"), Some(&Secret::new("ts")));
/// assert_eq!(sig.unwrap(), "VZVjXceV7JgPq/dOTnNmEfO0Fv8=");
/// ```
///
/// # Errors
/// [`Error::InvalidKey`] for an unusable RSA key.
pub fn sign_base_string(
    method: SignatureMethod,
    base_string: &str,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> Result<String, Error> {
    crypto::sign(method, base_string, consumer_secret, token_secret)
}

/// [`sign`] and [`sign_form`] ([RFC 5849 §3.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4)):
/// collects the query, the form body (`decoded` holds its pairs when the
/// caller gives them decoded) and the protocol parameters (§3.4.1.3.1),
/// builds the base string, signs it and renders the header (`realm` first,
/// then the protocol parameters, `oauth_signature` last).
#[allow(clippy::too_many_arguments)] // The two public entry points' arguments, passed on.
fn sign_parts<'p>(
    method: &str,
    url: &str,
    body: Body<'_>,
    decoded: impl IntoIterator<Item = (&'p str, &'p str)>,
    oauth: &OAuthParams,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> Result<Signed, Error> {
    check_params(oauth)?;
    let form = match body {
        Body::Form(bytes) => core::str::from_utf8(bytes).map_err(|_| Error::InvalidUtf8)?,
        _ => "",
    };
    let url = parse_url(url)?;
    if oauth.signature_method == SignatureMethod::Plaintext && !url.https {
        return Err(Error::InsecurePlaintext);
    }
    let body_hash = body_hash(body, oauth)?;
    let timestamp = oauth.timestamp.to_string();
    let protocol = protocol_params(oauth, &timestamp, body_hash.as_deref());
    let present = protocol.iter().flatten();

    let mut params = Vec::with_capacity(16);
    for segment in form_segments(url.query).chain(form_segments(form)) {
        params.push(decode_segment(segment)?);
    }
    params.extend(
        decoded
            .into_iter()
            .map(|(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v))),
    );
    let signed = (params.iter().map(|(n, v)| (&**n, &**v))).chain(present.clone().copied());
    let base_string = base_string(method, &url.base_uri, signed);

    let signature = crypto::sign(
        oauth.signature_method,
        &base_string,
        consumer_secret,
        token_secret,
    )?;
    let with_signature = (present.copied()).chain([(Param::Signature.name(), &*signature)]);
    let authorization = header::render(oauth.realm.as_deref(), with_signature);
    Ok(Signed {
        signature,
        base_string,
        authorization,
    })
}

/// The `oauth_body_hash` to send: none on a form body (refused if given),
/// computed for any other body unless given (OAuth Request Body Hash §3.2).
fn body_hash(body: Body<'_>, oauth: &OAuthParams) -> Result<Option<String>, Error> {
    match (body, &oauth.body_hash) {
        (Body::Form(_), Some(_)) => Err(Error::BodyHashNotAllowed),
        (Body::Other(bytes), None) => Ok(Some(crypto::body_hash(bytes))),
        (_, given) => Ok(given.clone()),
    }
}

/// The protocol parameters of `oauth`, named (`None` when absent), in the
/// order the header lists them ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)
/// leaves the order free; `oauth_signature` is added last by [`sign`]).
fn protocol_params<'a>(
    oauth: &'a OAuthParams,
    timestamp: &'a str,
    body_hash: Option<&'a str>,
) -> [Option<(&'static str, &'a str)>; 9] {
    [
        (Param::ConsumerKey, Some(oauth.consumer_key.as_str())),
        (Param::Token, oauth.token.as_deref()),
        (
            Param::SignatureMethod,
            Some(oauth.signature_method.as_str()),
        ),
        (Param::Timestamp, Some(timestamp)),
        (Param::Nonce, Some(oauth.nonce.as_str())),
        (Param::Callback, oauth.callback.as_deref()),
        (Param::Verifier, oauth.verifier.as_deref()),
        (Param::Version, oauth.version.as_deref()),
        (Param::BodyHash, body_hash),
    ]
    .map(|(param, value)| Some((param.name(), value?)))
}

/// Checks the protocol parameters with the verifier's rules
/// ([`crate::limits`]; SECURITY.md items 10 and 32), so that what this
/// crate signs, it also accepts.
fn check_params(oauth: &OAuthParams) -> Result<(), Error> {
    limits::check_token(Param::ConsumerKey.name(), &oauth.consumer_key)?;
    limits::check_token(Param::Nonce.name(), &oauth.nonce)?;
    if let Some(token) = &oauth.token {
        limits::check_token(Param::Token.name(), token)?;
    }
    if let Some(verifier) = &oauth.verifier {
        limits::check_token(Param::Verifier.name(), verifier)?;
    }
    if let Some(version) = &oauth.version {
        limits::check_token(Param::Version.name(), version)?;
    }
    if let Some(callback) = &oauth.callback {
        limits::check_text(Param::Callback.name(), callback)?;
    }
    if let Some(realm) = &oauth.realm {
        limits::check_text("realm", realm)?;
    }
    Ok(())
}
