//! Size and character limits the verifier checks before any other work
//! (SECURITY.md item 10; [RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)
//! leaves them to the server).

use crate::Error;
use crate::chars::is_vchar;

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

/// The length of every credential generated in this workspace: nonces
/// (`generate_nonce`, feature `rand`) and, in `oauth1-dance`, the provider's
/// tokens, token secrets and verifiers.
///
/// Each character is drawn uniformly from the 62 ASCII letters and digits, so
/// 24 of them carry 24 × log2(62) ≈ 142.9 bits of entropy, above the 128 bits
/// a guessing attack must face
/// ([RFC 5849 §4.5](https://www.rfc-editor.org/rfc/rfc5849#section-4.5)
/// asks for secrets an attacker cannot guess).
pub const CREDENTIAL_LEN: usize = 24;

/// Checks an identifier (a consumer key, token, nonce, verifier or
/// version): 1 to [`MAX_TOKEN_LEN`] visible ASCII characters. An empty or
/// over-long `oauth_nonce` is refused here (SECURITY.md item 32).
pub(crate) fn check_token(name: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() || value.len() > MAX_TOKEN_LEN || !value.bytes().all(is_vchar) {
        return Err(Error::InvalidParameter(name));
    }
    Ok(())
}

/// Checks free text (a callback URI or a realm): at most [`MAX_TEXT_LEN`]
/// bytes, no control characters.
pub(crate) fn check_text(name: &'static str, value: &str) -> Result<(), Error> {
    if value.len() > MAX_TEXT_LEN || value.chars().any(char::is_control) {
        return Err(Error::InvalidParameter(name));
    }
    Ok(())
}
