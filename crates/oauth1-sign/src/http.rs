//! Signing and reading `http::Request` values (feature `http`).

use alloc::string::{String, ToString};

use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

use crate::{Body, Error, IncomingRequest, OAuthParams, RequestParts, Secret, Signed, sign};

/// Signs an `http::Request` in place
/// ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)):
/// its URI must be absolute; a body with content type
/// `application/x-www-form-urlencoded` (see [`crate::is_form_content_type`]) is signed as a form, any other
/// non-empty body gets `oauth_body_hash`. Sets `Authorization` and returns
/// what [`sign`] returned.
///
/// ```
/// use oauth1_sign::{OAuthParams, Secret, SignatureMethod, sign_http_request};
/// let mut req = http::Request::get("https://api.example.com/x?a=1").body(Vec::new()).unwrap();
/// let oauth = OAuthParams::new("key", SignatureMethod::HmacSha1, 1, "nonce");
/// sign_http_request(&mut req, &oauth, &Secret::new("s"), None).unwrap();
/// assert!(req.headers()["authorization"].to_str().unwrap().starts_with("OAuth "));
/// ```
///
/// # Errors
/// [`Error::InvalidUrl`] for a relative URI, and the errors of [`sign`].
pub fn sign_http_request<B: AsRef<[u8]>>(
    request: &mut http::Request<B>,
    oauth: &OAuthParams,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> Result<Signed, Error> {
    // A relative URI has no `scheme://`, which `sign` refuses as `InvalidUrl`.
    let url = request.uri().to_string();
    let bytes = request.body().as_ref();
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let body = Body::from_content_type(content_type, bytes);
    let parts = RequestParts {
        method: request.method().as_str(),
        url: &url,
        body,
    };
    let signed = sign(&parts, oauth, consumer_secret, token_secret)?;
    let value = HeaderValue::from_str(&signed.authorization).map_err(|_| Error::InvalidHeader)?;
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(signed)
}

impl IncomingRequest {
    /// Parses an `http::Request` as [`IncomingRequest::parse`] does
    /// ([RFC 5849 §3.4.1.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2)), with
    /// the URL built from `external_origin` (the server's configured
    /// `scheme://host[:port]`, never its `Host` header) and the request's
    /// path and query.
    ///
    /// ```
    /// use oauth1_sign::IncomingRequest;
    /// let req = http::Request::get("/photos?size=original")
    ///     .header("authorization", r#"OAuth oauth_consumer_key="k", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="n", oauth_signature="x""#)
    ///     .body(Vec::new()).unwrap();
    /// let parsed = IncomingRequest::from_http(&req, "https://photos.example.net").unwrap();
    /// assert_eq!(parsed.consumer_key(), "k");
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidHeader`] for more than one `Authorization` header or
    /// one that is not visible ASCII, and the errors of [`IncomingRequest::parse`].
    pub fn from_http<B: AsRef<[u8]>>(
        request: &http::Request<B>,
        external_origin: &str,
    ) -> Result<Self, Error> {
        let mut url = String::with_capacity(external_origin.len() + 64);
        url.push_str(external_origin.trim_end_matches('/'));
        match request.uri().path_and_query() {
            Some(pq) if pq.as_str().starts_with('/') => url.push_str(pq.as_str()),
            Some(pq) => {
                url.push('/');
                url.push_str(pq.as_str());
            }
            None => url.push('/'),
        }
        let mut auth = request.headers().get_all(AUTHORIZATION).iter();
        let authorization = match (auth.next(), auth.next()) {
            (None, _) => None,
            (Some(v), None) => Some(v.to_str().map_err(|_| Error::InvalidHeader)?),
            (Some(_), Some(_)) => return Err(Error::InvalidHeader),
        };
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().map_err(|_| Error::InvalidHeader))
            .transpose()?;
        IncomingRequest::parse(
            request.method().as_str(),
            &url,
            authorization,
            content_type,
            request.body().as_ref(),
        )
    }
}
