//! Unit tests of the private helpers.

use alloc::string::String;

use crate::encode::Pairs;

#[test]
fn pairs_sort_by_name_then_value() {
    let mut p = Pairs::default();
    p.push("b", "1");
    p.push("a", "z");
    p.push("a", "2");
    p.sort();
    let got: alloc::vec::Vec<(&str, &str)> = p.iter().collect();
    assert_eq!(got, [("a", "2"), ("a", "z"), ("b", "1")]);
}

#[test]
fn header_byte_tables_match_their_predicates() {
    use crate::header::{NAME_BYTES, VALUE_BYTES, is_name_byte, is_value_byte};
    for b in 0..=u8::MAX {
        assert_eq!(NAME_BYTES[usize::from(b)], is_name_byte(b), "name byte {b}");
        assert_eq!(
            VALUE_BYTES[usize::from(b)],
            is_value_byte(b),
            "value byte {b}"
        );
    }
}

#[test]
fn protocol_pairs_are_pushed_in_name_order() {
    use crate::{OAuthParams, SignatureMethod};
    let mut oauth = OAuthParams::new("k", SignatureMethod::HmacSha1, 1, "n");
    oauth.token = Some("t".into());
    oauth.callback = Some("c".into());
    oauth.verifier = Some("v".into());
    let pairs = crate::sign::protocol_pairs(&oauth, Some("h"));
    let names: alloc::vec::Vec<&str> = crate::sign::BY_NAME
        .iter()
        .map(|&k| pairs[k].map_or("", |(name, _)| name))
        .collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    assert_eq!(names.len(), 9);
}

#[test]
fn timestamp_formatting() {
    let mut p = Pairs::default();
    let zero = p.push_decimal_value("t", 0);
    let max = p.push_decimal_value("t", u64::MAX);
    assert_eq!(p.slice(zero.0, zero.1), "0");
    assert_eq!(p.slice(max.0, max.1), "18446744073709551615");
    assert_eq!(p.get(1), ("t", "18446744073709551615"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

    /// The one-pass form decoder agrees with splitting at `&` and the first
    /// `=`, then decoding each part on its own, errors included.
    #[test]
    fn form_decoding_matches_split_then_decode(raw in "([a-zA-Z0-9+%=&~. é😀\"]|%[0-9a-fA-F]{2}|%[c-fC-F][0-9a-f]%[89ab][0-9a-f]){0,12}") {
        let mut fast = Pairs::default();
        let fast = fast.push_form(&raw, usize::MAX).map(|()| fast.iter().map(|(n, v)| (String::from(n), String::from(v))).collect::<alloc::vec::Vec<_>>());
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

    /// The fast path of `sign` (re-encoding without decoding) agrees with
    /// decoding then encoding, errors included.
    #[test]
    fn form_reencoding_matches_decode_then_encode(raw in "([a-zA-Z0-9+%=&~. é😀\"]|%[0-9a-fA-F]{2}|%[c-fC-F][0-9a-f]%[89ab][0-9a-f]){0,12}") {
        let mut fast = Pairs::default();
        let fast = fast.push_form_encoded(&raw).map(|()| fast.iter().map(|(n, v)| (String::from(n), String::from(v))).collect::<alloc::vec::Vec<_>>());
        let mut slow = Pairs::default();
        let slow = slow.push_form(&raw, usize::MAX).map(|()| {
            let mut enc = Pairs::default();
            for (n, v) in slow.iter() {
                enc.push_encoded(n, v);
            }
            enc.iter().map(|(n, v)| (String::from(n), String::from(v))).collect::<alloc::vec::Vec<_>>()
        });
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
