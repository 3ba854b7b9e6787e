//! Size and character limits the verifier checks before any other work
//! (SECURITY.md item 10; [RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)
//! leaves them to the server).

use crate::Error;
use crate::encode::prefix_len;

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

/// The index of a protocol parameter name this crate knows (the order of
/// RFC 5849 §3.1, then `oauth_body_hash`), or `None`.
pub(crate) fn oauth_index(name: &str) -> Option<usize> {
    Some(match name {
        "oauth_consumer_key" => 0,
        "oauth_token" => 1,
        "oauth_signature_method" => 2,
        "oauth_signature" => 3,
        "oauth_timestamp" => 4,
        "oauth_nonce" => 5,
        "oauth_version" => 6,
        "oauth_callback" => 7,
        "oauth_verifier" => 8,
        "oauth_body_hash" => 9,
        _ => return None,
    })
}

/// Checks an identifier: 1 to [`MAX_TOKEN_LEN`] visible ASCII characters.
pub(crate) fn check_token(name: &'static str, value: &str) -> Result<(), Error> {
    let bytes = value.as_bytes();
    if bytes.is_empty()
        || bytes.len() > MAX_TOKEN_LEN
        || prefix_len(bytes, |b| b.wrapping_sub(0x21) < 0x5e) != bytes.len()
    {
        return Err(Error::InvalidParameter(name));
    }
    Ok(())
}

/// Checks free text: at most [`MAX_TEXT_LEN`] bytes, no control characters.
pub(crate) fn check_text(name: &'static str, value: &str) -> Result<(), Error> {
    let bytes = value.as_bytes();
    // Printable ASCII is the common case; only other text is checked char by char.
    let printable = prefix_len(bytes, |b| b.wrapping_sub(0x20) < 0x5f) == bytes.len();
    if bytes.len() > MAX_TEXT_LEN || !printable && value.chars().any(char::is_control) {
        return Err(Error::InvalidParameter(name));
    }
    Ok(())
}
