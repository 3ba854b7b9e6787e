//! An auditable OAuth 1.0a signer and verifier
//! ([RFC 5849 §3](https://www.rfc-editor.org/rfc/rfc5849#section-3)), with no
//! io, no clock and no randomness: nonces, timestamps, secrets and the
//! server's external origin are all inputs.
//!
//! # Security caveats, first
//! - Verification ([`IncomingRequest::verify`]) checks the signature only.
//!   The timestamp window, the nonce store (replay) and the lookup of
//!   secrets are the caller's: do them between [`IncomingRequest::parse`]
//!   and [`IncomingRequest::verify`], with a dummy secret for unknown keys.
//! - The signature method is the one the caller expects for the consumer;
//!   the request never chooses it. PLAINTEXT is refused over plain http.
//! - The URL given to the verifier must be built from the server's
//!   configured external origin, never from `Host` or `X-Forwarded-*`.
//! - Signatures, PLAINTEXT keys and body hashes are compared in constant
//!   time on decoded bytes; [`Secret`] has no `PartialEq` and prints as
//!   `Secret(..)`.
//! - RSA (feature `rsa`) uses the `rsa` crate, subject to RUSTSEC-2023-0071
//!   (a timing side channel in private-key operations): sign with RSA only
//!   where that is acceptable. Verification uses only the public key.
//!
//! # Signing
//! ```
//! use oauth1_sign::{Body, OAuthParams, RequestParts, Secret, SignatureMethod, sign};
//! let mut oauth = OAuthParams::new("dpf43f3p2l4k3l03", SignatureMethod::HmacSha1, 137131202, "chapoH");
//! oauth.token = Some("nnch734d00sl2jdk".into());
//! oauth.version = None;
//! let req = RequestParts {
//!     method: "GET",
//!     url: "http://photos.example.net/photos?file=vacation.jpg&size=original",
//!     body: Body::Empty,
//! };
//! let signed = sign(&req, &oauth, &Secret::new("kd94hf93k423kf44"), Some(&Secret::new("pfkkdhi9sl3r4s00"))).unwrap();
//! assert_eq!(signed.signature, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
//! ```
//!
//! # Verifying
//! See [`IncomingRequest`]: parse, look up secrets and check the nonce, verify.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod base;
mod chars;
mod crypto;
mod encode;
mod error;
mod header;
#[cfg(feature = "http")]
mod http;
pub mod limits;
mod method;
#[cfg(feature = "rand")]
mod nonce;
mod param;
#[cfg(feature = "rsa")]
mod rsa;
mod secret;
mod sign;
mod verify;

pub use base::{base_string_uri, normalize_parameters, signature_base_string};
pub use encode::{form_decode, percent_decode, percent_encode, percent_encode_into};
pub use error::Error;
pub use header::AuthorizationHeader;
#[cfg(feature = "http")]
pub use http::sign_http_request;
pub use method::SignatureMethod;
#[cfg(feature = "rand")]
pub use nonce::generate_nonce;
pub use secret::Secret;
pub use sign::{
    Body, FORM_CONTENT_TYPE, OAuthParams, RequestParts, Signed, is_form_content_type, sign,
    sign_base_string, sign_form,
};
pub use verify::{IncomingRequest, Verified};

#[cfg(test)]
mod tests;
