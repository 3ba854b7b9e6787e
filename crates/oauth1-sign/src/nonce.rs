//! A nonce generator (feature `rand`).

use alloc::string::String;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh `oauth_nonce`
/// ([RFC 5849 §3.3](https://www.rfc-editor.org/rfc/rfc5849#section-3.3)):
/// 24 alphanumeric characters from the operating system's CSPRNG (about
/// 142 bits), within the 20 to 30 characters every provider accepts.
///
/// ```
/// let n = oauth1_sign::generate_nonce().unwrap();
/// assert_eq!(n.len(), 24);
/// assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
/// ```
///
/// # Errors
/// [`crate::Error::InvalidKey`] when the operating system has no randomness to give.
pub fn generate_nonce() -> Result<String, crate::Error> {
    let mut out = String::with_capacity(24);
    while out.len() < 24 {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|_| crate::Error::InvalidKey)?;
        // Rejection sampling: 248 = 4 * 62 keeps every character equally likely.
        for b in bytes {
            if b < 248 && out.len() < 24 {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(out)
}
