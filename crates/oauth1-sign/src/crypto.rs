//! The signature methods
//! ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2) to
//! [§3.4.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.4)) and the body hash.

use alloc::string::String;
use alloc::vec;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::{Error, Secret, SignatureMethod};

/// Computes the raw `oauth_signature` of `base`
/// ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2) to
/// [§3.4.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.4)).
pub(crate) fn sign(
    method: SignatureMethod,
    base: &str,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> Result<String, Error> {
    match method {
        SignatureMethod::HmacSha1 => with_key(consumer_secret, token_secret, |k| {
            mac_base64::<Hmac<Sha1>>(k, base)
        }),
        SignatureMethod::HmacSha256 => with_key(consumer_secret, token_secret, |k| {
            mac_base64::<Hmac<Sha256>>(k, base)
        }),
        SignatureMethod::HmacSha512 => with_key(consumer_secret, token_secret, |k| {
            mac_base64::<Hmac<Sha512>>(k, base)
        }),
        SignatureMethod::Plaintext => with_key(consumer_secret, token_secret, |k| {
            core::str::from_utf8(k)
                .map(String::from)
                .map_err(|_| Error::InvalidKey)
        }),
        #[cfg(feature = "rsa")]
        SignatureMethod::RsaSha1 | SignatureMethod::RsaSha256 | SignatureMethod::RsaSha512 => {
            crate::rsa::sign(method, base, consumer_secret)
        }
    }
}

/// Checks `provided` (the decoded `oauth_signature`) against `base` in
/// constant time; the work done does not depend on where they differ
/// ([RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2), SECURITY.md item 1).
pub(crate) fn verify(
    method: SignatureMethod,
    base: &str,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
    provided: &str,
) -> Result<(), Error> {
    let ok = match method {
        SignatureMethod::HmacSha1 => with_key(consumer_secret, token_secret, |k| {
            mac_verify::<Hmac<Sha1>>(k, base, provided)
        })?,
        SignatureMethod::HmacSha256 => with_key(consumer_secret, token_secret, |k| {
            mac_verify::<Hmac<Sha256>>(k, base, provided)
        })?,
        SignatureMethod::HmacSha512 => with_key(consumer_secret, token_secret, |k| {
            mac_verify::<Hmac<Sha512>>(k, base, provided)
        })?,
        SignatureMethod::Plaintext => with_key(consumer_secret, token_secret, |k| {
            bool::from(k.ct_eq(provided.as_bytes()))
        }),
        #[cfg(feature = "rsa")]
        SignatureMethod::RsaSha1 | SignatureMethod::RsaSha256 | SignatureMethod::RsaSha512 => {
            crate::rsa::verify(method, base, consumer_secret, provided)?
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}

/// The `oauth_body_hash` of a body: base64 of its SHA-1 (OAuth Request
/// Body Hash, §3.1).
pub(crate) fn body_hash(body: &[u8]) -> String {
    STANDARD.encode(Sha1::digest(body))
}

/// Compares a decoded `oauth_body_hash` with the body's, in constant time
/// (OAuth Request Body Hash, §4.1.2; SECURITY.md item 1).
pub(crate) fn body_hash_matches(body: &[u8], provided: &str) -> bool {
    let expected = Sha1::digest(body);
    let given = STANDARD.decode(provided).unwrap_or_default();
    bool::from(expected.as_slice().ct_eq(&given))
}

/// Calls `f` with the key `encode(consumer_secret) & encode(token_secret)`
/// ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2));
/// no token secret is an empty one. The copy is overwritten afterwards.
fn with_key<R>(
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
    f: impl FnOnce(&[u8]) -> R,
) -> R {
    let cs = consumer_secret.encoded().as_bytes();
    let ts = token_secret.map_or(&[][..], |t| t.encoded().as_bytes());
    let len = cs.len() + 1 + ts.len();
    let fill = |key: &mut [u8]| {
        key[..cs.len()].copy_from_slice(cs);
        key[cs.len()] = b'&';
        key[cs.len() + 1..].copy_from_slice(ts);
    };
    if len <= 128 {
        let mut stack = [0u8; 128];
        let key = &mut stack[..len];
        fill(key);
        let result = f(key);
        key.zeroize();
        result
    } else {
        let mut heap = Zeroizing::new(vec![0u8; len]);
        fill(&mut heap);
        f(&heap)
    }
}

/// HMAC of `base` with `key`, base64-encoded
/// ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2)).
fn mac_base64<M: Mac + KeyInit>(key: &[u8], base: &str) -> Result<String, Error> {
    let mut mac = <M as KeyInit>::new_from_slice(key).map_err(|_| Error::InvalidKey)?;
    mac.update(base.as_bytes());
    Ok(STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether `provided` (base64) is the HMAC of `base` with `key`, compared
/// in constant time by `Mac::verify_slice` on the decoded bytes
/// ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2), SECURITY.md item 1).
fn mac_verify<M: Mac + KeyInit>(key: &[u8], base: &str, provided: &str) -> Result<bool, Error> {
    let mut mac = <M as KeyInit>::new_from_slice(key).map_err(|_| Error::InvalidKey)?;
    mac.update(base.as_bytes());
    // An undecodable or oversized signature is compared as empty, so it
    // takes the same path and fails in `verify_slice`.
    let mut buf = [0u8; 96];
    let n = STANDARD.decode_slice(provided, &mut buf).unwrap_or(0);
    Ok(mac.verify_slice(&buf[..n]).is_ok())
}
