//! Unit tests of the private helpers.
// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use alloc::string::{String, ToString};

use crate::chars::is_unreserved;
use crate::encode::{decode, encode};
use crate::param::Param;

extern crate std;

/// 1000 cases per property, unless `PROPTEST_CASES` names another number
/// (`cargo xtask mutants` asks for fewer, to keep each mutant's run short).
fn config() -> proptest::prelude::ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok());
    proptest::prelude::ProptestConfig::with_cases(cases.unwrap_or(1000))
}

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
    #![proptest_config(config())]

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
    #![proptest_config(config())]

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

/// Every byte class of `chars.rs` at work through the base string URI
/// (RFC 3986 §3.1, §3.2.2, §3.3): sub-delimiters, `:` and `@` kept in the
/// path, escapes and sub-delimiters accepted in a host; a bad scheme,
/// user information and a bad IP literal refused.
#[test]
fn base_uri_byte_classes() {
    use crate::{Error, base_string_uri};
    let kept = "http://a!$&'()*+,;=%2d.example/p;x=1,2!$'()*+&:@-._~/";
    assert_eq!(base_string_uri(kept).as_deref(), Ok(kept));
    assert_eq!(
        base_string_uri("https://[::1]:8443/").as_deref(),
        Ok("https://[::1]:8443/")
    );
    for bad in [
        "ht_tp://a.example/",
        "1http://a.example/",
        "http://user@a.example/",
        "http://a\"b.example/",
        "http://[zz]/",
        "http://[::1]x/",
    ] {
        assert_eq!(base_string_uri(bad), Err(Error::InvalidUrl), "{bad:?}");
    }
}

/// A realm's quoted-pair may escape any byte but a control or DEL
/// (RFC 9110 §5.6.4).
#[test]
fn realm_quoted_pairs_refuse_controls() {
    use crate::AuthorizationHeader;
    let ok = AuthorizationHeader::parse("OAuth realm=\"a\\\"\\\\b\"");
    assert_eq!(
        ok.map(|h| h.realm().map(String::from)),
        Ok(Some("a\"\\b".into()))
    );
    for control in ['\u{1}', '\u{1f}', '\u{7f}'] {
        let header = alloc::format!("OAuth realm=\"a\\{control}\"");
        assert!(AuthorizationHeader::parse(&header).is_err(), "{control:?}");
    }
}

/// The README promises form bodies up to 256 KiB.
#[test]
fn form_bodies_up_to_the_limit_are_read() {
    use crate::limits::MAX_FORM_BODY_LEN;
    let header = "OAuth oauth_consumer_key=\"k\", oauth_signature_method=\"HMAC-SHA1\", \
                  oauth_timestamp=\"1\", oauth_nonce=\"n\", oauth_signature=\"x\"";
    let mut body = String::from("a=");
    body.extend(core::iter::repeat_n('x', MAX_FORM_BODY_LEN - body.len()));
    let form = Some(crate::FORM_CONTENT_TYPE);
    let parsed = crate::IncomingRequest::parse(
        "POST",
        "https://a.example/",
        Some(header),
        form,
        body.as_bytes(),
    );
    assert_eq!(parsed.map(|r| r.params().count()), Ok(1));
    assert_eq!(MAX_FORM_BODY_LEN, 256 * 1024);
}

/// Free text (`oauth_callback`, `realm`): at most `MAX_TEXT_LEN` bytes and
/// no control characters, in the verifier, the header builder and the signer.
#[test]
fn callback_and_realm_text_limits() {
    use crate::limits::MAX_TEXT_LEN;
    use crate::{AuthorizationHeader, Body, Error, OAuthParams, RequestParts, Secret};
    use crate::{IncomingRequest, SignatureMethod, percent_encode, sign};
    let parse = |callback: &str| {
        let header = alloc::format!(
            "OAuth oauth_consumer_key=\"k\", oauth_signature_method=\"HMAC-SHA1\", \
             oauth_timestamp=\"1\", oauth_nonce=\"n\", oauth_signature=\"x\", \
             oauth_callback=\"{}\"",
            percent_encode(callback)
        );
        IncomingRequest::parse("GET", "https://a.example/", Some(&header), None, b"")
            .map(|r| r.callback().map(String::from))
    };
    let longest = "c".repeat(MAX_TEXT_LEN);
    assert_eq!(parse(&longest), Ok(Some(longest.clone())));
    let refused = Err(Error::InvalidParameter("oauth_callback"));
    assert_eq!(parse(&"c".repeat(MAX_TEXT_LEN + 1)), refused);
    assert_eq!(parse("https://a.example/\n"), refused);
    let realm = Err(Error::InvalidParameter("realm"));
    let no_params: [(&str, &str); 0] = [];
    assert_eq!(
        AuthorizationHeader::new(Some("a\u{7}"), no_params).map(|_| ()),
        realm
    );
    let mut oauth = OAuthParams::new("k", SignatureMethod::HmacSha1, 1, "n");
    oauth.realm = Some("r\u{85}".into());
    let parts = RequestParts {
        method: "GET",
        url: "https://a.example/",
        body: Body::Empty,
    };
    assert_eq!(
        sign(&parts, &oauth, &Secret::new("s"), None).map(|_| ()),
        realm
    );
}

/// Mutants of `base.rs` that the vectors let live: an IP literal without
/// a port, a port `str::parse` would take but RFC 3986 §3.2.3 does not
/// (`+80`), and a malformed escape in the path.
#[test]
fn base_uri_ports_and_path_escapes() {
    use crate::{Error, base_string_uri};
    assert_eq!(
        base_string_uri("http://[::1]/x").as_deref(),
        Ok("http://[::1]/x")
    );
    for bad in [
        "http://a.example:+80/",
        "http://a.example:123456/",
        "http://a.example:8a/",
    ] {
        assert_eq!(base_string_uri(bad), Err(Error::InvalidUrl), "{bad:?}");
    }
    for bad in [
        "http://a.example/a%zz",
        "http://a.example/a%2",
        "http://a.example/%",
    ] {
        assert_eq!(
            base_string_uri(bad),
            Err(Error::InvalidPercentEncoding),
            "{bad:?}"
        );
    }
    assert_eq!(
        base_string_uri("http://a.example/a%2fb%20").as_deref(),
        Ok("http://a.example/a%2fb%20")
    );
}

/// A header of exactly `MAX_HEADER_LEN` bytes parses; one byte more is
/// `TooLarge` (SECURITY.md item 10, at the bound).
#[test]
fn header_limit_holds_at_its_bound() {
    use crate::limits::MAX_HEADER_LEN;
    use crate::{AuthorizationHeader, Error};
    let header = |len: usize| {
        // `OAuth x=""` around the value.
        let frame = "OAuth x=\"\"".len();
        alloc::format!(r#"OAuth x="{}""#, "a".repeat(len - frame))
    };
    assert_eq!(header(MAX_HEADER_LEN).len(), MAX_HEADER_LEN);
    assert!(AuthorizationHeader::parse(&header(MAX_HEADER_LEN)).is_ok());
    let over = AuthorizationHeader::parse(&header(MAX_HEADER_LEN + 1));
    assert_eq!(over.map(|_| ()), Err(Error::TooLarge));
}

/// A header built from decoded pairs refuses an empty name and `realm` as
/// a parameter (it is kept apart), each on its own.
#[test]
fn header_names_empty_or_realm_are_refused() {
    use crate::{AuthorizationHeader, Error};
    for name in ["", "realm", "Realm"] {
        let built = AuthorizationHeader::new(None, [(name, "x")]);
        assert_eq!(built.map(|_| ()), Err(Error::InvalidHeader), "{name:?}");
    }
}

/// `generate_nonce` draws every character of its alphabet equally often
/// (the rejection sampling keeps `b % 62` unbiased): over 4,200 nonces
/// (100,800 characters) each of the 62 is expected 1,626 times, with a
/// standard deviation of about 40; a bound of 250 either side fails by
/// chance about once in ten million runs, and a sampler that let byte 248
/// through (25% more `A`) or drew from a narrower range fails it always.
#[cfg(feature = "rand")]
#[test]
fn nonces_are_long_alphanumeric_distinct_and_unbiased() {
    use crate::generate_nonce;
    use crate::limits::CREDENTIAL_LEN;
    use alloc::collections::BTreeSet;
    let mut counts = [0u32; 128];
    let mut seen = BTreeSet::new();
    for _ in 0..4_200 {
        let nonce = generate_nonce().unwrap();
        assert_eq!(nonce.len(), CREDENTIAL_LEN);
        for b in nonce.bytes() {
            assert!(b.is_ascii_alphanumeric(), "{nonce:?}");
            counts[usize::from(b)] += 1;
        }
        assert!(seen.insert(nonce), "a nonce came twice");
    }
    let expected = 4_200 * CREDENTIAL_LEN as u32 / 62;
    for b in (b'0'..=b'9').chain(b'A'..=b'Z').chain(b'a'..=b'z') {
        let count = counts[usize::from(b)];
        assert!(
            count.abs_diff(expected) < 250,
            "{} drawn {count} times, expected about {expected}",
            char::from(b)
        );
    }
}

/// `SignatureMethod` displays as its wire name.
#[test]
fn signature_methods_display_their_wire_names() {
    use crate::SignatureMethod;
    use alloc::string::ToString as _;
    assert_eq!(SignatureMethod::HmacSha1.to_string(), "HMAC-SHA1");
    assert_eq!(SignatureMethod::Plaintext.to_string(), "PLAINTEXT");
}

/// The `http` helpers: signing needs an absolute URI, and a request in asterisk form
/// (`OPTIONS *`) is read as the path `/*` on the configured origin.
#[cfg(feature = "http")]
#[test]
fn http_helpers_need_absolute_uris_and_read_the_asterisk_form() {
    use crate::{Error, IncomingRequest, OAuthParams, Secret, SignatureMethod, sign_http_request};
    let oauth = OAuthParams::new("k", SignatureMethod::HmacSha1, 1, "n");
    for uri in ["a.example:443", "/relative"] {
        let mut req = http::Request::get(uri)
            .body(alloc::vec::Vec::<u8>::new())
            .unwrap();
        let signed = sign_http_request(&mut req, &oauth, &Secret::new("s"), None);
        assert_eq!(signed.map(|_| ()), Err(Error::InvalidUrl), "{uri}");
    }
    let header = r#"OAuth oauth_consumer_key="k", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="n", oauth_signature="x""#;
    let req = http::Request::options("*")
        .header("authorization", header)
        .body(alloc::vec::Vec::<u8>::new())
        .unwrap();
    let parsed = IncomingRequest::from_http(&req, "https://a.example").unwrap();
    assert!(
        parsed
            .base_string()
            .starts_with("OPTIONS&https%3A%2F%2Fa.example%2F%2A&"),
        "{}",
        parsed.base_string()
    );
}

/// `Debug` of the signer's values shows what helps debugging and hides
/// the verifier, the signature and the header (a PLAINTEXT signature is
/// the secrets).
#[test]
fn debug_shows_the_useful_and_hides_the_secret() {
    use crate::{Body, OAuthParams, RequestParts, Secret, SignatureMethod, sign};
    let mut oauth = OAuthParams::new("the-key", SignatureMethod::Plaintext, 1, "the-nonce");
    oauth.verifier = Some("the-verifier".into());
    let shown = alloc::format!("{oauth:?}");
    assert!(
        shown.contains("the-key") && shown.contains("the-nonce"),
        "{shown}"
    );
    assert!(!shown.contains("the-verifier"), "{shown}");
    let request = RequestParts {
        method: "GET",
        url: "https://a.example/",
        body: Body::Empty,
    };
    let signed = sign(&request, &oauth, &Secret::new("cs-7a1"), None).unwrap();
    let shown = alloc::format!("{signed:?}");
    assert!(shown.contains(&signed.base_string), "{shown}");
    assert!(!shown.contains("cs-7a1"), "{shown}");
}

/// The form rule: the media type without regard to case, spaces or tabs
/// around it, parameters allowed; another type is no form.
#[test]
fn form_content_types() {
    use crate::is_form_content_type;
    for form in [
        "application/x-www-form-urlencoded",
        "Application/X-WWW-Form-URLEncoded",
        " application/x-www-form-urlencoded ; charset=utf-8",
        "application/x-www-form-urlencoded\t;charset=utf-8",
    ] {
        assert!(is_form_content_type(form), "{form:?}");
    }
    for other in [
        "multipart/form-data",
        "application/x-www-form-urlencodedx",
        "text/plain",
    ] {
        assert!(!is_form_content_type(other), "{other:?}");
    }
}

/// The verifier's accessors and its body-hash rule for form bodies.
#[test]
fn incoming_requests_expose_their_consumer_and_refuse_a_hash_on_a_form() {
    use crate::{Error, IncomingRequest};
    let header = r#"OAuth oauth_consumer_key="the-key", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="n", oauth_signature="x""#;
    let form = Some("application/x-www-form-urlencoded");
    let parsed = IncomingRequest::parse("POST", "https://a.example/", Some(header), form, b"a=1");
    assert_eq!(parsed.unwrap().consumer_key(), "the-key");
    let hashed = header.replace(
        "oauth_nonce",
        r#"oauth_body_hash="2jmj7l5rSw0yVb%2FvlWAYkK%2FYBwk%3D", oauth_nonce"#,
    );
    let parsed = IncomingRequest::parse("POST", "https://a.example/", Some(&hashed), form, b"a=1");
    assert_eq!(parsed.map(|_| ()), Err(Error::BodyHashNotAllowed));
}

/// Every accessor of a parsed request returns its own parameter, decoded.
#[test]
fn incoming_request_accessors() {
    use crate::{IncomingRequest, SignatureMethod};
    let header = r#"OAuth realm="Photos", oauth_consumer_key="ck", oauth_token="tk", oauth_signature_method="HMAC-SHA256", oauth_timestamp="137131201", oauth_nonce="n%21x", oauth_verifier="vf", oauth_version="1.0", oauth_signature="s%2Fg""#;
    let parsed =
        IncomingRequest::parse("GET", "https://a.example/", Some(header), None, b"").unwrap();
    assert_eq!(parsed.consumer_key(), "ck");
    assert_eq!(parsed.token(), Some("tk"));
    assert_eq!(parsed.signature_method(), SignatureMethod::HmacSha256);
    assert_eq!(parsed.timestamp(), 137_131_201);
    assert_eq!(parsed.nonce(), "n!x");
    assert_eq!(parsed.signature(), "s/g");
    assert_eq!(parsed.verifier(), Some("vf"));
    assert_eq!(parsed.version(), Some("1.0"));
    assert_eq!(parsed.realm(), Some("Photos"));
    assert_eq!(parsed.callback(), None);
    let callback = r#"OAuth oauth_consumer_key="ck", oauth_signature_method="PLAINTEXT", oauth_timestamp="1", oauth_nonce="n", oauth_callback="oob", oauth_signature="x""#;
    let parsed =
        IncomingRequest::parse("POST", "https://a.example/", Some(callback), None, b"").unwrap();
    assert_eq!(
        (
            parsed.callback(),
            parsed.token(),
            parsed.verifier(),
            parsed.version(),
            parsed.realm()
        ),
        (Some("oob"), None, None, None, None)
    );
}

/// `oauth_signature` up to `MAX_SIGNATURE_LEN` bytes parses, one more is
/// refused; `Debug` of a parsed request shows who sent it, never the
/// signature.
#[test]
fn incoming_signature_limit_and_debug() {
    use crate::limits::MAX_SIGNATURE_LEN;
    use crate::{Error, IncomingRequest};
    let with_signature = |signature: &str| {
        let header = alloc::format!(
            r#"OAuth oauth_consumer_key="ck", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="n", oauth_signature="{signature}""#
        );
        IncomingRequest::parse("GET", "https://a.example/", Some(&header), None, b"")
    };
    let at_bound = with_signature(&"s".repeat(MAX_SIGNATURE_LEN)).unwrap();
    let shown = alloc::format!("{at_bound:?}");
    assert!(
        shown.contains("\"ck\"") && shown.contains("https://a.example/"),
        "{shown}"
    );
    assert!(!shown.contains("sss"), "{shown}");
    let over = with_signature(&"s".repeat(MAX_SIGNATURE_LEN + 1));
    assert_eq!(
        over.map(|_| ()),
        Err(Error::InvalidParameter("oauth_signature"))
    );
}
