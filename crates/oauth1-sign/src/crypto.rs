//! The signature methods
//! ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2) to
//! [§3.4.4](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.4)) and the body hash.

use alloc::string::String;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::encode::percent_encode_into;
use crate::{Error, Secret, SignatureMethod};

/// Computes the raw `oauth_signature` of `base`.
pub(crate) fn sign(
    method: SignatureMethod,
    base: &str,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> Result<String, Error> {
    match method {
        SignatureMethod::HmacSha1 => {
            let key = hmac_key(consumer_secret, token_secret);
            mac_base64::<Hmac<Sha1>>(&key, base)
        }
        SignatureMethod::HmacSha256 => {
            let key = hmac_key(consumer_secret, token_secret);
            mac_base64::<Hmac<Sha256>>(&key, base)
        }
        SignatureMethod::HmacSha512 => {
            let key = hmac_key(consumer_secret, token_secret);
            mac_base64::<Hmac<Sha512>>(&key, base)
        }
        SignatureMethod::Plaintext => {
            let key = hmac_key(consumer_secret, token_secret);
            Ok(String::from(key.as_str()))
        }
        #[cfg(feature = "rsa")]
        SignatureMethod::RsaSha1 | SignatureMethod::RsaSha256 | SignatureMethod::RsaSha512 => {
            crate::rsa::sign(method, base, consumer_secret)
        }
    }
}

/// Checks `provided` (the decoded `oauth_signature`) against `base` in
/// constant time; the work done does not depend on where they differ.
pub(crate) fn verify(
    method: SignatureMethod,
    base: &str,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
    provided: &str,
) -> Result<(), Error> {
    let ok = match method {
        SignatureMethod::HmacSha1 => {
            mac_verify::<Hmac<Sha1>>(consumer_secret, token_secret, base, provided)?
        }
        SignatureMethod::HmacSha256 => {
            mac_verify::<Hmac<Sha256>>(consumer_secret, token_secret, base, provided)?
        }
        SignatureMethod::HmacSha512 => {
            mac_verify::<Hmac<Sha512>>(consumer_secret, token_secret, base, provided)?
        }
        SignatureMethod::Plaintext => {
            let key = hmac_key(consumer_secret, token_secret);
            bool::from(key.as_bytes().ct_eq(provided.as_bytes()))
        }
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

/// The `oauth_body_hash` of a body: base64 of its SHA-1.
pub(crate) fn body_hash(body: &[u8]) -> String {
    STANDARD.encode(Sha1::digest(body))
}

/// Compares a decoded `oauth_body_hash` with the body's, in constant time.
pub(crate) fn body_hash_matches(body: &[u8], provided: &str) -> bool {
    let expected = Sha1::digest(body);
    let given = STANDARD.decode(provided).unwrap_or_default();
    bool::from(expected.as_slice().ct_eq(&given))
}

/// The key `encode(consumer_secret) & encode(token_secret)`
/// ([RFC 5849 §3.4.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2)),
/// zeroed when dropped.
fn hmac_key(consumer_secret: &Secret, token_secret: Option<&Secret>) -> Zeroizing<String> {
    let cs = consumer_secret.expose();
    let ts = token_secret.map_or("", Secret::expose);
    let mut key = Zeroizing::new(String::with_capacity(3 * (cs.len() + ts.len()) + 1));
    percent_encode_into(&mut key, cs);
    key.push('&');
    percent_encode_into(&mut key, ts);
    key
}

fn mac_base64<M: Mac + KeyInit>(key: &str, base: &str) -> Result<String, Error> {
    let mut mac = <M as KeyInit>::new_from_slice(key.as_bytes()).map_err(|_| Error::InvalidKey)?;
    mac.update(base.as_bytes());
    Ok(STANDARD.encode(mac.finalize().into_bytes()))
}

fn mac_verify<M: Mac + KeyInit>(
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
    base: &str,
    provided: &str,
) -> Result<bool, Error> {
    let key = hmac_key(consumer_secret, token_secret);
    let mut mac = <M as KeyInit>::new_from_slice(key.as_bytes()).map_err(|_| Error::InvalidKey)?;
    mac.update(base.as_bytes());
    // An undecodable or oversized signature is compared as empty, so it
    // takes the same path and fails in `verify_slice`.
    let mut buf = [0u8; 96];
    let n = STANDARD.decode_slice(provided, &mut buf).unwrap_or(0);
    Ok(mac.verify_slice(&buf[..n]).is_ok())
}
