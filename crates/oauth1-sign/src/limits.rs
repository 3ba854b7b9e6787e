//! Size and character limits the verifier checks before any other work
//! (SECURITY.md item 10; [RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)
//! leaves them to the server).

use crate::Error;

/// Longest `Authorization` header value accepted, in bytes.
pub const MAX_HEADER_LEN: usize = 8 * 1024;
/// Most parameters (query, form body and header together) in one request.
pub const MAX_PARAMS: usize = 256;
/// Longest form body parsed for parameters, in bytes.
pub const MAX_FORM_BODY_LEN: usize = 256 * 1024;
/// Longest consumer key, token, nonce, verifier or version, in bytes.
pub const MAX_TOKEN_LEN: usize = 256;
/// Longest callback URI or realm, in bytes.
pub const MAX_TEXT_LEN: usize = 2048;
/// Longest `oauth_signature`, in bytes.
pub const MAX_SIGNATURE_LEN: usize = 2048;

/// The protocol parameter names this crate knows.
pub(crate) const OAUTH_NAMES: [&str; 10] = [
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_callback",
    "oauth_verifier",
    "oauth_body_hash",
];

/// Checks an identifier: 1 to [`MAX_TOKEN_LEN`] visible ASCII characters.
pub(crate) fn check_token(name: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty()
        || value.len() > MAX_TOKEN_LEN
        || !value.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(Error::InvalidParameter(name));
    }
    Ok(())
}

/// Checks free text: at most [`MAX_TEXT_LEN`] bytes, no control characters.
pub(crate) fn check_text(name: &'static str, value: &str) -> Result<(), Error> {
    if value.len() > MAX_TEXT_LEN || value.chars().any(char::is_control) {
        return Err(Error::InvalidParameter(name));
    }
    Ok(())
}
