//! Unit tests of the private helpers.

use alloc::string::{String, ToString};

use crate::chars::is_unreserved;
use crate::encode::{decode, encode};
use crate::param::Param;

/// The parsers' `is_unreserved` and the encoder's one `AsciiSet` agree on
/// every byte: a byte is left as is exactly when it is unreserved.
#[test]
fn unreserved_predicate_matches_the_encode_set() {
    for b in 0..0x80u8 {
        let c = String::from(char::from(b));
        assert_eq!(encode(&c) == c, is_unreserved(b), "byte {b:#04x}");
    }
}

#[test]
fn protocol_parameter_names_round_trip() {
    for param in Param::ALL {
        assert!(param.name().starts_with("oauth_"));
        assert_eq!(Param::from_name(param.name()), Some(param));
    }
    assert_eq!(Param::from_name("oauth_foo"), None);
}

#[test]
fn strict_decoder_refuses_malformed_escapes_and_non_utf8() {
    use crate::Error;
    for (input, expected) in [
        ("%", Err(Error::InvalidPercentEncoding)),
        ("%4", Err(Error::InvalidPercentEncoding)),
        ("%4g", Err(Error::InvalidPercentEncoding)),
        ("%ff", Err(Error::InvalidUtf8)),
        ("%C3%A9+", Ok("é+")),
    ] {
        assert_eq!(
            decode(input).as_deref(),
            expected.as_ref().map(|s| *s),
            "{input:?}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

    /// The form decoder agrees with splitting at `&` and the first `=`,
    /// then decoding each part on its own, errors included.
    #[test]
    fn form_decoding_matches_split_then_decode(raw in "([a-zA-Z0-9+%=&~. é😀\"]|%[0-9a-fA-F]{2}|%[c-fC-F][0-9a-f]%[89ab][0-9a-f]){0,12}") {
        let fast = crate::form_decode(&raw);
        let decode = |s: &str| crate::percent_decode(&s.replace('+', " "));
        let slow: Result<alloc::vec::Vec<(String, String)>, crate::Error> = raw
            .split('&')
            .filter(|seg| !seg.is_empty())
            .map(|seg| {
                let (n, v) = seg.split_once('=').unwrap_or((seg, ""));
                Ok((decode(n)?, decode(v)?))
            })
            .collect();
        proptest::prop_assert_eq!(fast, slow);
    }
}

/// RSA signing is covered by the conformance vectors; this checks the
/// verifying side with the public key derived from a vector's private key.
#[cfg(feature = "rsa")]
#[test]
fn rsa_verify_round_trip() {
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};

    use crate::{Body, IncomingRequest, OAuthParams, RequestParts, Secret, SignatureMethod, sign};

    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../tests/data/oauthlib.json")).unwrap_or_default();
    let pem = doc["vectors"]
        .as_array()
        .and_then(|v| v.iter().find_map(|e| e["rsa_private_key_pem"].as_str()))
        .unwrap_or_default();
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| rsa::pkcs1::DecodeRsaPrivateKey::from_pkcs1_pem(pem));
    assert!(private.is_ok(), "the vector file holds an RSA key");
    let Ok(private) = private else { return };
    let public = private.to_public_key().to_public_key_pem(LineEnding::LF);
    let Ok(public) = public else {
        panic!("public key encodes");
    };
    for method in [
        SignatureMethod::RsaSha1,
        SignatureMethod::RsaSha256,
        SignatureMethod::RsaSha512,
    ] {
        let oauth = OAuthParams::new("key", method, 1, "nonce");
        let url = "https://a.example/p?x=1";
        let parts = RequestParts {
            method: "GET",
            url,
            body: Body::Empty,
        };
        let signed = sign(&parts, &oauth, &Secret::new(pem), None);
        assert!(signed.is_ok(), "{method}");
        let Ok(signed) = signed else { return };
        let check = |url: &str| {
            IncomingRequest::parse("GET", url, Some(&signed.authorization), None, b"").and_then(
                |r| {
                    r.verify(method, &Secret::new(public.as_str()), None)
                        .map(|_| ())
                },
            )
        };
        assert_eq!(check(url), Ok(()), "{method}");
        assert_eq!(
            check("https://a.example/p?x=2"),
            Err(crate::Error::InvalidSignature),
            "{method}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

    /// The base string's second encoding of already encoded text (only `%`
    /// changes) equals encoding it again with the one `AsciiSet`.
    #[test]
    fn encoding_again_escapes_only_percent(raw in "\\PC{0,16}") {
        let once = crate::percent_encode(&raw);
        let mut again = String::new();
        crate::base::push_encoded_again(&mut again, &once);
        proptest::prop_assert_eq!(again, crate::percent_encode(&once));
    }
}

#[test]
fn a_missing_random_source_is_its_own_server_error() {
    let e = crate::Error::RandomUnavailable;
    assert_eq!(e.http_status(), 500);
    assert_eq!(e.to_string(), "the operating system gave no random bytes");
    assert_ne!(e.to_string(), crate::Error::InvalidKey.to_string());
}
