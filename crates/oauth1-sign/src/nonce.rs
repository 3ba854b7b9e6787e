//! A nonce generator (feature `rand`).

use alloc::string::String;

use crate::limits::CREDENTIAL_LEN;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh `oauth_nonce`
/// ([RFC 5849 §3.3](https://www.rfc-editor.org/rfc/rfc5849#section-3.3)):
/// [`CREDENTIAL_LEN`] alphanumeric characters from the operating system's
/// CSPRNG (its entropy is stated there).
///
/// ```
/// let n = oauth1_sign::generate_nonce().unwrap();
/// assert_eq!(n.len(), oauth1_sign::limits::CREDENTIAL_LEN);
/// assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
/// ```
///
/// # Errors
/// [`crate::Error::RandomUnavailable`] when the operating system has no randomness to give.
pub fn generate_nonce() -> Result<String, crate::Error> {
    let mut out = String::with_capacity(CREDENTIAL_LEN);
    while out.len() < CREDENTIAL_LEN {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|_| crate::Error::RandomUnavailable)?;
        // Rejection sampling: 248 = 4 * 62 keeps every character equally likely.
        for b in bytes {
            if b < 248 && out.len() < CREDENTIAL_LEN {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(out)
}
