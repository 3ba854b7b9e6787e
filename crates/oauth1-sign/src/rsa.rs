//! RSA-SHA1/256/512 (feature `rsa`,
//! [RFC 5849 §3.4.3](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.3)):
//! PKCS #1 v1.5 signatures. See RUSTSEC-2023-0071 in the README.

use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha512};

use crate::{Error, Secret, SignatureMethod};

/// Signs with the PEM private key (PKCS #8 or PKCS #1) in `key`.
pub(crate) fn sign(method: SignatureMethod, base: &str, key: &Secret) -> Result<String, Error> {
    let pem = key.expose();
    let private = RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|_| Error::InvalidKey)?;
    let (scheme, digest) = scheme_and_digest(method, base)?;
    let signature = private
        .sign(scheme, &digest)
        .map_err(|_| Error::InvalidKey)?;
    Ok(STANDARD.encode(signature))
}

/// Verifies with the PEM public key (SPKI or PKCS #1) in `key`.
pub(crate) fn verify(
    method: SignatureMethod,
    base: &str,
    key: &Secret,
    provided: &str,
) -> Result<bool, Error> {
    let pem = key.expose();
    let public = RsaPublicKey::from_public_key_pem(pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
        .map_err(|_| Error::InvalidKey)?;
    let (scheme, digest) = scheme_and_digest(method, base)?;
    let Ok(signature) = STANDARD.decode(provided) else {
        return Ok(false);
    };
    Ok(public.verify(scheme, &digest, &signature).is_ok())
}

fn scheme_and_digest(
    method: SignatureMethod,
    base: &str,
) -> Result<(Pkcs1v15Sign, Vec<u8>), Error> {
    Ok(match method {
        SignatureMethod::RsaSha1 => (Pkcs1v15Sign::new::<Sha1>(), Sha1::digest(base).to_vec()),
        SignatureMethod::RsaSha256 => {
            (Pkcs1v15Sign::new::<Sha256>(), Sha256::digest(base).to_vec())
        }
        SignatureMethod::RsaSha512 => {
            (Pkcs1v15Sign::new::<Sha512>(), Sha512::digest(base).to_vec())
        }
        _ => return Err(Error::UnsupportedSignatureMethod),
    })
}
