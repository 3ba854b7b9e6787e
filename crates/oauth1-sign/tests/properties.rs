//! Property tests (proptest, 1000 cases each) and the SECURITY.md items
//! that belong to the signer, named `sec_NN_...` after the item.
// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use oauth1_sign::{
    AuthorizationHeader, Body, Error, IncomingRequest, OAuthParams, RequestParts, Secret,
    SignatureMethod, form_decode, limits, normalize_parameters, percent_decode, percent_encode,
    sign, signature_base_string,
};
use proptest::prelude::*;

/// 1000 cases per property, unless `PROPTEST_CASES` names another number
/// (`cargo xtask mutants` asks for fewer, to keep each mutant's run short).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok());
    ProptestConfig::with_cases(cases.unwrap_or(1000))
}

type Pairs = Vec<(String, String)>;

/// Non-oauth parameter names (any Unicode, never the reserved prefix).
fn name() -> impl Strategy<Value = String> {
    "\\PC{0,8}".prop_filter("oauth_ is reserved", |n| !n.starts_with("oauth_"))
}

fn params() -> impl Strategy<Value = Pairs> {
    prop::collection::vec((name(), "\\PC{0,8}"), 0..6)
}

/// Identifiers: visible ASCII, as the verifier requires.
fn ident() -> impl Strategy<Value = String> {
    "[!-~]{1,24}"
}

#[derive(Debug, Clone)]
struct Case {
    method: String,
    https: bool,
    host: String,
    port: Option<u16>,
    path: String,
    query: Pairs,
    form: Option<Pairs>,
    consumer_key: String,
    token: Option<(String, String)>,
    consumer_secret: String,
    nonce: String,
    timestamp: u64,
    sig_method: SignatureMethod,
    realm: Option<String>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            "\\PC{1,8}",
            any::<bool>(),
            "[a-zA-Z0-9][a-zA-Z0-9.-]{0,15}",
            prop::option::of(any::<u16>()),
            "(/[^?#%]{0,10}){0,3}",
            params(),
            prop::option::of(params()),
        ),
        (
            ident(),
            prop::option::of((ident(), "\\PC{0,12}")),
            "\\PC{1,12}",
            ident(),
            any::<u64>(),
            prop::sample::select(vec![
                SignatureMethod::HmacSha1,
                SignatureMethod::HmacSha256,
                SignatureMethod::HmacSha512,
                SignatureMethod::Plaintext,
            ]),
            prop::option::of("[^\\p{Cc}]{0,10}"),
        ),
    )
        .prop_map(|((method, https, host, port, path, query, form), rest)| {
            let (consumer_key, token, consumer_secret, nonce, timestamp, sig_method, realm) = rest;
            // PLAINTEXT is refused over http (sec_03): use https for it.
            let https = https || sig_method == SignatureMethod::Plaintext;
            Case {
                method,
                https,
                host,
                port,
                path,
                query,
                form,
                consumer_key,
                token,
                consumer_secret,
                nonce,
                timestamp,
                sig_method,
                realm,
            }
        })
}

fn encode_form(pairs: &Pairs) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Case {
    fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let query = if self.query.is_empty() {
            String::new()
        } else {
            format!("?{}", encode_form(&self.query))
        };
        format!("{scheme}://{}{port}{}{query}", self.host, self.path)
    }

    fn body(&self) -> Option<String> {
        self.form.as_ref().map(encode_form)
    }

    fn oauth(&self) -> OAuthParams {
        let mut o = OAuthParams::new(
            self.consumer_key.as_str(),
            self.sig_method,
            self.timestamp,
            self.nonce.as_str(),
        );
        o.token = self.token.as_ref().map(|(t, _)| t.clone());
        o.realm = self.realm.clone();
        o
    }

    fn token_secret(&self) -> Option<Secret> {
        self.token.as_ref().map(|(_, s)| Secret::new(s.as_str()))
    }

    /// Signs the case and returns its URL, body and `Authorization` header.
    fn signed(&self) -> (String, Option<String>, String) {
        let url = self.url();
        let body = self.body();
        let parts = RequestParts {
            method: &self.method,
            url: &url,
            body: body
                .as_ref()
                .map_or(Body::Empty, |b| Body::Form(b.as_bytes())),
        };
        let signed = sign(
            &parts,
            &self.oauth(),
            &Secret::new(self.consumer_secret.as_str()),
            self.token_secret().as_ref(),
        )
        .unwrap();
        (url, body, signed.authorization)
    }
}

fn verify(
    method: &str,
    url: &str,
    body: Option<&str>,
    header: &str,
    case: &Case,
    cs: &str,
    ts: Option<Secret>,
) -> Result<(), Error> {
    let ct = body.map(|_| "application/x-www-form-urlencoded");
    let req = IncomingRequest::parse(method, url, Some(header), ct, body.unwrap_or("").as_bytes())?;
    req.verify(case.sig_method, &Secret::new(cs), ts.as_ref())
        .map(|_| ())
}

/// Replaces the value of one header parameter (decoded) and re-renders.
fn set_header_param(header: &str, name: &str, value: &str) -> String {
    let h = AuthorizationHeader::parse(header).unwrap();
    let params: Pairs = h
        .params()
        .map(|(n, v)| {
            (
                n.to_owned(),
                if n == name {
                    value.to_owned()
                } else {
                    v.to_owned()
                },
            )
        })
        .collect();
    AuthorizationHeader::new(h.realm(), params)
        .unwrap()
        .render()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sign_then_verify_round_trip(case in case()) {
        let (url, body, header) = case.signed();
        let token_secret = case.token_secret();
        prop_assert_eq!(verify(&case.method, &url, body.as_deref(), &header, &case, &case.consumer_secret, token_secret), Ok(()));
    }

    #[test]
    fn sec_01_any_one_field_tamper_is_rejected(mut case in case(), which in 0usize..9) {
        // PLAINTEXT signs only the secrets (RFC 5849 §3.4.4), so the request
        // fields are tampered with under HMAC-SHA1 instead.
        if case.sig_method == SignatureMethod::Plaintext && !matches!(which, 3 | 4 | 7) {
            case.sig_method = SignatureMethod::HmacSha1;
        }
        let (url, body, header) = case.signed();
        let mut method = case.method.clone();
        let mut url2 = url.clone();
        let mut body2 = body.clone();
        let mut header2 = header.clone();
        let mut cs = case.consumer_secret.clone();
        let mut ts = case.token.as_ref().map(|(_, s)| s.clone());
        match which {
            0 => method.push('X'),
            1 => url2 = url.replacen(&case.host, &format!("{}x", case.host), 1),
            2 => match &mut body2 {
                Some(b) => b.push_str("&x=1"),
                None => url2.push_str(if url2.contains('?') { "&x=1" } else { "?x=1" }),
            },
            3 => cs.push('x'),
            4 => match &mut ts { Some(t) => t.push('x'), None => cs.insert(0, 'y') },
            5 => {
                let nonce = format!("{}x", case.nonce);
                header2 = set_header_param(&header, "oauth_nonce", &nonce);
            }
            6 => header2 = set_header_param(&header, "oauth_timestamp", &case.timestamp.wrapping_add(1).to_string()),
            7 => {
                let h = AuthorizationHeader::parse(&header).unwrap();
                let sig = h.get("oauth_signature").unwrap();
                // Change one character to another of the same alphabet.
                let mut chars: Vec<char> = sig.chars().collect();
                chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
                header2 = set_header_param(&header, "oauth_signature", &chars.into_iter().collect::<String>());
            }
            _ => header2 = set_header_param(&header, "oauth_consumer_key", &format!("{}x", case.consumer_key)),
        }
        let token_secret = ts.map(Secret::new);
        let result = verify(&method, &url2, body2.as_deref(), &header2, &case, &cs, token_secret);
        prop_assert!(result.is_err(), "tamper {} accepted", which);
    }

    #[test]
    fn sign_form_equals_sign_with_the_encoded_body(case in case(), form in params()) {
        let url = case.url();
        let body = encode_form(&form);
        let parts = RequestParts { method: &case.method, url: &url, body: Body::Form(body.as_bytes()) };
        let (cs, ts) = (Secret::new(case.consumer_secret.as_str()), case.token_secret());
        let pairs = form.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let from_pairs = oauth1_sign::sign_form(&case.method, &url, pairs, &case.oauth(), &cs, ts.as_ref());
        prop_assert_eq!(from_pairs, sign(&parts, &case.oauth(), &cs, ts.as_ref()));
    }

    #[test]
    fn realm_is_never_signed(case in case(), realm in "[a-z]{0,8}") {
        let (url, body, header) = case.signed();
        let h = AuthorizationHeader::parse(&header).unwrap();
        let params: Pairs = h.params().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        let header2 = AuthorizationHeader::new(Some(&realm), params).unwrap().render();
        prop_assert_eq!(verify(&case.method, &url, body.as_deref(), &header2, &case, &case.consumer_secret, case.token_secret()), Ok(()));
    }

    #[test]
    fn parameter_order_does_not_change_the_base_string(
        pairs in prop::collection::vec(("\\PC{0,6}", "\\PC{0,6}"), 0..8),
        seed in any::<u64>(),
    ) {
        let mut shuffled = pairs.clone();
        // A deterministic shuffle driven by the seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(
            signature_base_string("GET", "https://a.example/", pairs),
            signature_base_string("GET", "https://a.example/", shuffled)
        );
    }

    #[test]
    fn oauth_placement_header_or_query_does_not_change_the_base_string(case in case()) {
        let (url, body, header) = case.signed();
        let h = AuthorizationHeader::parse(&header).unwrap();
        let ct = body.as_ref().map(|_| "application/x-www-form-urlencoded");
        let b = body.clone().unwrap_or_default();
        let in_header = IncomingRequest::parse(&case.method, &url, Some(&header), ct, b.as_bytes()).unwrap();
        // The same protocol parameters moved to the query.
        let moved: Pairs = h.params().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        let sep = if url.contains('?') { '&' } else { '?' };
        let url2 = format!("{url}{sep}{}", encode_form(&moved));
        let in_query = IncomingRequest::parse(&case.method, &url2, None, ct, b.as_bytes()).unwrap();
        prop_assert_eq!(in_header.base_string(), in_query.base_string());
        prop_assert_eq!(in_query.verify(case.sig_method, &Secret::new(case.consumer_secret.as_str()), case.token_secret().as_ref()).map(|_| ()), Ok(()));
    }

    #[test]
    fn encode_decode_round_trip(s in "\\PC{0,16}", raw in any::<String>()) {
        prop_assert_eq!(percent_decode(&percent_encode(&s)), Ok(s.clone()));
        prop_assert_eq!(percent_decode(&percent_encode(&raw)), Ok(raw.clone()));
        let form = format!("{}={}", percent_encode(&s), percent_encode(&raw));
        prop_assert_eq!(form_decode(&form), Ok(vec![(s, raw)]));
    }

    #[test]
    fn sec_02_encoding_is_injective(a in any::<String>(), b in any::<String>()) {
        prop_assume!(a != b);
        prop_assert_ne!(percent_encode(&a), percent_encode(&b));
        let enc = percent_encode(&a);
        prop_assert!(enc.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._~%".contains(&c)));
    }

    #[test]
    fn sec_02_normalization_is_injective(a in params(), b in params()) {
        let (mut sa, mut sb) = (a.clone(), b.clone());
        sa.sort();
        sb.sort();
        prop_assume!(sa != sb);
        prop_assert_ne!(normalize_parameters(a), normalize_parameters(b));
    }

    #[test]
    fn header_render_parse_round_trip(
        realm in prop::option::of("[\"=,%\\\\ a-zé]{0,10}"),
        values in prop::collection::vec("[\"=,% a-zA-Zé\\\\]{0,10}", 1..6),
    ) {
        let names = ["oauth_consumer_key", "oauth_nonce", "oauth_callback", "oauth_token", "x\"=,%", "custom"];
        let params: Pairs = names.iter().zip(&values).map(|(n, v)| ((*n).to_owned(), v.clone())).collect();
        let header = AuthorizationHeader::new(realm.as_deref(), params.clone()).unwrap();
        let parsed = AuthorizationHeader::parse(&header.render()).unwrap();
        prop_assert_eq!(parsed.realm(), realm.as_deref());
        let got: Pairs = parsed.params().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        prop_assert_eq!(got, params);
        prop_assert_eq!(parsed.render(), header.render());
    }

    #[test]
    fn parsers_never_panic(
        url in "(https?://)?\\PC{0,40}",
        raw in any::<String>(),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let _ = oauth1_sign::base_string_uri(&url);
        let _ = oauth1_sign::base_string_uri(&raw);
        let _ = form_decode(&raw);
        let _ = percent_decode(&raw);
        let form = Some("application/x-www-form-urlencoded");
        let _ = IncomingRequest::parse(&raw, &url, Some(&raw), form, &body);
        let _ = IncomingRequest::parse("POST", &url, None, form, raw.as_bytes());
        let _ = IncomingRequest::parse("PUT", &url, None, Some(&raw), &body);
    }

    #[test]
    fn header_parse_never_panics(s in "\\PC{0,64}", t in "OAuth [a-z_=\",% \\\\]{0,40}") {
        let _ = AuthorizationHeader::parse(&s);
        let _ = AuthorizationHeader::parse(&t);
        let _ = IncomingRequest::parse("GET", "https://a.example/", Some(&t), None, b"");
    }
}

const PHOTOS_URL: &str = "https://photos.example.net/photos?file=vacation.jpg&size=original";

fn photos_oauth(method: SignatureMethod) -> OAuthParams {
    let mut o = OAuthParams::new("dpf43f3p2l4k3l03", method, 137131202, "chapoH");
    o.token = Some("nnch734d00sl2jdk".into());
    o
}

fn cs() -> Secret {
    Secret::new("kd94hf93k423kf44")
}

fn ts() -> Secret {
    Secret::new("pfkkdhi9sl3r4s00")
}

fn signed_header(url: &str, oauth: &OAuthParams, cs: &Secret, ts: Option<&Secret>) -> String {
    let parts = RequestParts {
        method: "GET",
        url,
        body: Body::Empty,
    };
    sign(&parts, oauth, cs, ts).unwrap().authorization
}

fn parse(url: &str, header: &str) -> Result<IncomingRequest, Error> {
    IncomingRequest::parse("GET", url, Some(header), None, b"")
}

/// Builds a header from decoded pairs (no checks beyond the syntax).
fn raw_header(pairs: &[(&str, &str)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(n, v)| format!("{}=\"{}\"", percent_encode(n), percent_encode(v)))
        .collect();
    format!("OAuth {}", body.join(", "))
}

const BASE: &[(&str, &str)] = &[
    ("oauth_consumer_key", "k"),
    ("oauth_signature_method", "HMAC-SHA1"),
    ("oauth_timestamp", "1"),
    ("oauth_nonce", "n"),
    ("oauth_signature", "x"),
];

fn with_param(name: &str, value: &str) -> String {
    let mut pairs: Vec<(&str, &str)> = BASE.iter().filter(|(n, _)| *n != name).copied().collect();
    pairs.push((name, value));
    raw_header(&pairs)
}

#[test]
fn sec_01_signature_is_compared_on_decoded_bytes() {
    let header = signed_header(
        PHOTOS_URL,
        &photos_oauth(SignatureMethod::HmacSha1),
        &cs(),
        Some(&ts()),
    );
    // Encode every character of the signature: the decoded bytes are the same.
    let h = AuthorizationHeader::parse(&header).unwrap();
    let sig = h.get("oauth_signature").unwrap();
    let fully: String = sig.bytes().map(|b| format!("%{b:02x}")).collect();
    let start = header.find("oauth_signature=\"").unwrap() + "oauth_signature=\"".len();
    let header2 = format!("{}{fully}\"", &header[..start]);
    let req = parse(PHOTOS_URL, &header2).unwrap();
    assert!(
        req.verify(SignatureMethod::HmacSha1, &cs(), Some(&ts()))
            .is_ok()
    );
    // A truncated signature is a plain mismatch (401), not a panic or a 400.
    let short = set_header_param(&header, "oauth_signature", &sig[..sig.len() - 4]);
    let err = parse(PHOTOS_URL, &short)
        .unwrap()
        .verify(SignatureMethod::HmacSha1, &cs(), Some(&ts()))
        .unwrap_err();
    assert_eq!((err, err.http_status()), (Error::InvalidSignature, 401));
}

#[test]
fn sec_03_signature_method_is_fixed_by_the_verifier() {
    let header = signed_header(
        PHOTOS_URL,
        &photos_oauth(SignatureMethod::Plaintext),
        &cs(),
        Some(&ts()),
    );
    let req = parse(PHOTOS_URL, &header).unwrap();
    let err = req
        .verify(SignatureMethod::HmacSha1, &cs(), Some(&ts()))
        .unwrap_err();
    assert_eq!(
        (err, err.http_status()),
        (Error::SignatureMethodMismatch, 400)
    );
    assert!(
        req.verify(SignatureMethod::Plaintext, &cs(), Some(&ts()))
            .is_ok()
    );
}

#[test]
fn sec_03_plaintext_is_refused_over_http() {
    let http_url = "http://photos.example.net/photos";
    let parts = RequestParts {
        method: "GET",
        url: http_url,
        body: Body::Empty,
    };
    let oauth = photos_oauth(SignatureMethod::Plaintext);
    assert_eq!(
        sign(&parts, &oauth, &cs(), Some(&ts())).unwrap_err(),
        Error::InsecurePlaintext
    );
    // A client that sent it anyway is refused by the verifier too.
    let header = with_param("oauth_signature_method", "PLAINTEXT").replace(
        "oauth_signature=\"x\"",
        "oauth_signature=\"kd94hf93k423kf44%26\"",
    );
    let req = parse(http_url, &header).unwrap();
    let err = req
        .verify(SignatureMethod::Plaintext, &cs(), None)
        .unwrap_err();
    assert_eq!((err, err.http_status()), (Error::InsecurePlaintext, 400));
}

#[test]
fn sec_04_a_missing_secret_never_becomes_an_empty_key() {
    // Signed with key "&" (no secrets) for a consumer that has a secret.
    let header = signed_header(
        PHOTOS_URL,
        &photos_oauth(SignatureMethod::HmacSha1),
        &Secret::new(""),
        Some(&Secret::new("")),
    );
    let req = parse(PHOTOS_URL, &header).unwrap();
    let err = req
        .verify(SignatureMethod::HmacSha1, &cs(), Some(&ts()))
        .unwrap_err();
    assert_eq!((err, err.http_status()), (Error::InvalidSignature, 401));
    // The verifier refuses an empty consumer secret and a missing token secret.
    let err = req
        .verify(
            SignatureMethod::HmacSha1,
            &Secret::new(""),
            Some(&Secret::new("")),
        )
        .unwrap_err();
    assert_eq!((err, err.http_status()), (Error::SecretMismatch, 401));
    let err = req
        .verify(SignatureMethod::HmacSha1, &cs(), None)
        .unwrap_err();
    assert_eq!((err, err.http_status()), (Error::SecretMismatch, 401));
}

#[test]
fn sec_05_timestamp_must_be_ascii_digits() {
    for bad in [
        "+1",
        " 1",
        "1 ",
        "1.0",
        "-1",
        "",
        "0x1",
        "\u{661}",
        "1e3",
        "18446744073709551616",
    ] {
        let err = parse(PHOTOS_URL, &with_param("oauth_timestamp", bad)).unwrap_err();
        assert_eq!(
            (err, err.http_status()),
            (Error::InvalidTimestamp, 400),
            "{bad:?}"
        );
    }
    assert_eq!(
        parse(PHOTOS_URL, &with_param("oauth_timestamp", "0137131202"))
            .unwrap()
            .timestamp(),
        137131202
    );
    assert_eq!(
        parse(
            PHOTOS_URL,
            &with_param("oauth_timestamp", "18446744073709551615")
        )
        .unwrap()
        .timestamp(),
        u64::MAX
    );
}

#[test]
fn sec_06_nonce_is_exposed_decoded() {
    // `%61bc` and `abc` are the same nonce for the replay store.
    let req = parse(
        PHOTOS_URL,
        &with_param("oauth_nonce", "abc").replace("oauth_nonce=\"abc\"", "oauth_nonce=\"%61bc\""),
    )
    .unwrap();
    assert_eq!(req.nonce(), "abc");
}

#[test]
fn sec_07_oauth_params_in_two_places_or_twice_are_400() {
    let header = raw_header(BASE);
    let twice = format!("{header}, oauth_nonce=\"m\"");
    let cases = [
        ("twice in the header", parse(PHOTOS_URL, &twice)),
        (
            "header and query",
            parse("https://a.example/?oauth_nonce=n", &header),
        ),
        (
            "twice in the query",
            IncomingRequest::parse(
                "GET",
                "https://a.example/?oauth_token=a&oauth_token=a",
                Some(&header),
                None,
                b"",
            ),
        ),
        (
            "header and body",
            IncomingRequest::parse(
                "POST",
                "https://a.example/",
                Some(&header),
                Some("application/x-www-form-urlencoded"),
                b"oauth_timestamp=1",
            ),
        ),
        (
            "signature in the query",
            parse("https://a.example/?oauth_signature=x", &header),
        ),
    ];
    for (what, result) in cases {
        let err = result.unwrap_err();
        assert_eq!(
            (err, err.http_status()),
            (Error::DuplicateParameter, 400),
            "{what}"
        );
    }
    let err = parse(PHOTOS_URL, &format!("{header}, oauth_foo=\"1\"")).unwrap_err();
    assert_eq!((err, err.http_status()), (Error::UnknownParameter, 400));
    let err = parse(PHOTOS_URL, &raw_header(&BASE[1..])).unwrap_err();
    assert_eq!(
        (err, err.http_status()),
        (Error::MissingParameter("oauth_consumer_key"), 400)
    );
}

#[test]
fn sec_07_duplicate_non_oauth_params_are_kept_and_signed() {
    let oauth = photos_oauth(SignatureMethod::HmacSha1);
    let url = "https://a.example/p?a=1&a=1";
    let header = signed_header(url, &oauth, &cs(), Some(&ts()));
    let req = parse(url, &header).unwrap();
    assert_eq!(req.params().collect::<Vec<_>>(), [("a", "1"), ("a", "1")]);
    assert!(
        req.verify(SignatureMethod::HmacSha1, &cs(), Some(&ts()))
            .is_ok()
    );
    let dropped = parse("https://a.example/p?a=1", &header).unwrap();
    assert_eq!(
        dropped
            .verify(SignatureMethod::HmacSha1, &cs(), Some(&ts()))
            .unwrap_err(),
        Error::InvalidSignature
    );
}

#[test]
fn sec_08_body_params_count_only_for_a_form_content_type() {
    let header = raw_header(BASE);
    let form = IncomingRequest::parse(
        "POST",
        "https://a.example/",
        Some(&header),
        Some("Application/X-WWW-Form-Urlencoded; charset=utf-8"),
        b"a=1",
    )
    .unwrap();
    assert_eq!(form.params().collect::<Vec<_>>(), [("a", "1")]);
    // The same bytes as text/plain are not parameters, and need a body hash.
    let err = IncomingRequest::parse(
        "POST",
        "https://a.example/",
        Some(&header),
        Some("text/plain"),
        b"a=1",
    )
    .unwrap_err();
    assert_eq!((err, err.http_status()), (Error::BodyHashNotAllowed, 400));
    let multipart = IncomingRequest::parse(
        "POST",
        "https://a.example/",
        Some(&with_param("oauth_body_hash", "x")),
        Some("multipart/form-data; boundary=x"),
        b"a=1",
    )
    .unwrap();
    assert_eq!(multipart.params().count(), 0);
}

#[test]
fn sec_09_the_base_uri_comes_from_the_url_given_not_the_request() {
    // The verifier only knows the URL it is given: a request signed for
    // another origin fails even with identical path and query.
    let header = signed_header(
        "https://evil.example/photos",
        &photos_oauth(SignatureMethod::HmacSha1),
        &cs(),
        Some(&ts()),
    );
    let req = parse("https://photos.example.net/photos", &header).unwrap();
    assert_eq!(
        req.verify(SignatureMethod::HmacSha1, &cs(), Some(&ts()))
            .unwrap_err(),
        Error::InvalidSignature
    );
}

#[cfg(feature = "http")]
#[test]
fn sec_09_from_http_ignores_the_host_header() {
    let header = signed_header(
        "https://photos.example.net/photos?size=original",
        &photos_oauth(SignatureMethod::HmacSha1),
        &cs(),
        Some(&ts()),
    );
    let request = http::Request::get("/photos?size=original")
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("authorization", header)
        .body(Vec::new())
        .unwrap();
    let req = IncomingRequest::from_http(&request, "https://photos.example.net").unwrap();
    assert!(
        req.base_string()
            .starts_with("GET&https%3A%2F%2Fphotos.example.net%2Fphotos&")
    );
    assert!(
        req.verify(SignatureMethod::HmacSha1, &cs(), Some(&ts()))
            .is_ok()
    );
}

#[test]
fn sec_10_limits_are_checked_before_any_work() {
    let huge = format!("OAuth oauth_nonce=\"{}\"", "a".repeat(1 << 20));
    let err = parse(PHOTOS_URL, &huge).unwrap_err();
    assert_eq!((err, err.http_status()), (Error::TooLarge, 400));
    let err = parse(PHOTOS_URL, &with_param("oauth_nonce", "a\0b")).unwrap_err();
    assert_eq!(
        (err, err.http_status()),
        (Error::InvalidParameter("oauth_nonce"), 400)
    );
    let long_key = "k".repeat(limits::MAX_TOKEN_LEN + 1);
    let err = parse(PHOTOS_URL, &with_param("oauth_consumer_key", &long_key)).unwrap_err();
    assert_eq!(err, Error::InvalidParameter("oauth_consumer_key"));
    let err = parse(PHOTOS_URL, &with_param("oauth_verifier", "a b")).unwrap_err();
    assert_eq!(err, Error::InvalidParameter("oauth_verifier"));
    let many: Vec<String> = (0..=limits::MAX_PARAMS)
        .map(|i| format!("p{i}=1"))
        .collect();
    let err = parse(
        &format!("https://a.example/?{}", many.join("&")),
        &raw_header(BASE),
    )
    .unwrap_err();
    assert_eq!(err, Error::TooLarge);
    let body = vec![b'a'; limits::MAX_FORM_BODY_LEN + 1];
    let err = IncomingRequest::parse(
        "POST",
        "https://a.example/",
        Some(&raw_header(BASE)),
        Some("application/x-www-form-urlencoded"),
        &body,
    )
    .unwrap_err();
    assert_eq!(err, Error::TooLarge);
}

#[test]
fn sec_21_secret_debug_redacted() {
    let secret = Secret::new("s3cr3t-value");
    assert_eq!(format!("{secret:?}"), "Secret(..)");
    let mut oauth = photos_oauth(SignatureMethod::Plaintext);
    oauth.verifier = Some("v3r1f13r".into());
    assert!(!format!("{oauth:?}").contains("v3r1f13r"));
    let parts = RequestParts {
        method: "GET",
        url: PHOTOS_URL,
        body: Body::Empty,
    };
    let signed = sign(&parts, &oauth, &secret, Some(&Secret::new("t0k3n-s3cr3t"))).unwrap();
    let debug = format!("{signed:?}");
    assert!(
        !debug.contains("s3cr3t") && !debug.contains("t0k3n"),
        "{debug}"
    );
    let req = parse(PHOTOS_URL, &signed.authorization).unwrap();
    let debug = format!("{req:?}");
    assert!(
        !debug.contains("s3cr3t") && !debug.contains("v3r1f13r"),
        "{debug}"
    );
    for e in [
        Error::InvalidSignature,
        Error::SecretMismatch,
        Error::InvalidKey,
    ] {
        assert!(!e.to_string().contains("s3cr3t"));
    }
}

#[test]
fn body_hash_is_computed_and_checked() {
    let mut oauth = photos_oauth(SignatureMethod::HmacSha1);
    oauth.token = None;
    let body = br#"{"a":1}"#;
    let parts = RequestParts {
        method: "PUT",
        url: "https://a.example/r",
        body: Body::Other(body),
    };
    let signed = sign(&parts, &oauth, &cs(), None).unwrap();
    assert!(
        signed
            .authorization
            .contains("oauth_body_hash=\"n4nHQM60bXQYySSnisV5QdXpZSA%3D\"")
    );
    let check = |b: &[u8]| {
        IncomingRequest::parse(
            "PUT",
            "https://a.example/r",
            Some(&signed.authorization),
            Some("application/json"),
            b,
        )
        .and_then(|r| r.verify(SignatureMethod::HmacSha1, &cs(), None).map(|_| ()))
    };
    assert_eq!(check(body), Ok(()));
    assert_eq!(check(br#"{"a":2}"#), Err(Error::BodyHashMismatch));
    let form = RequestParts {
        method: "POST",
        url: "https://a.example/r",
        body: Body::Form(b"a=1"),
    };
    oauth.body_hash = Some("x".into());
    assert_eq!(
        sign(&form, &oauth, &cs(), None).unwrap_err(),
        Error::BodyHashNotAllowed
    );
}

#[test]
fn strict_header_syntax_errors() {
    for bad in [
        "Basic abc",
        // Another five-letter scheme with well-formed parameters.
        "Basic x=\"1\"",
        "OAuthoauth_nonce=\"a\"",
        "OAuth oauth_nonce=a",
        "OAuth oauth_nonce=\"a\",",
        "OAuth oauth_nonce=\"a\" oauth_token=\"b\"",
        "OAuth oauth_nonce=\"a",
        "OAuth =\"a\"",
        "OAuth oauth_nonce=\"a\\\"b\"",
        "OAuth oauth_nonce=\"%zz\"",
        "OAuth oauth_nonce=\"%ff\"",
        "OAuth realm=\"a\", realm=\"b\"",
        "OAuth x=\"1\", x=\"2\"",
    ] {
        assert!(AuthorizationHeader::parse(bad).is_err(), "{bad:?} accepted");
    }
    let ok =
        AuthorizationHeader::parse("oauth   realm=\"a \\\"b\\\"\" ,\toauth_nonce=\"x\"").unwrap();
    assert_eq!(
        (ok.realm(), ok.get("oauth_nonce")),
        (Some("a \"b\""), Some("x"))
    );
}

/// The header of [`BASE`] without `oauth_nonce`, for nonces sent elsewhere.
fn header_without_nonce() -> String {
    let pairs: Vec<(&str, &str)> = BASE
        .iter()
        .filter(|(n, _)| *n != "oauth_nonce")
        .copied()
        .collect();
    raw_header(&pairs)
}

/// Parses a request whose nonce is sent as `placement` says: in the
/// header (`value` percent-encoded), or as the raw `segment` of the query
/// or of a form body.
fn parse_nonce(placement: &str, value: &str, segment: &str) -> Result<IncomingRequest, Error> {
    let form = Some("application/x-www-form-urlencoded");
    let url = "https://a.example/p";
    match placement {
        "header" => parse(url, &with_param("oauth_nonce", value)),
        "query" => parse(&format!("{url}?{segment}"), &header_without_nonce()),
        _ => IncomingRequest::parse(
            "POST",
            url,
            Some(&header_without_nonce()),
            form,
            segment.as_bytes(),
        ),
    }
}

#[test]
fn sec_32_an_empty_nonce_is_refused_wherever_it_is_sent() {
    let empty_segments = [
        "oauth_nonce=",
        "oauth_nonce",
        "oauth_nonce=&a=1",
        "a=1&oauth_nonce",
    ];
    for placement in ["header", "query", "body"] {
        for segment in empty_segments {
            let err = parse_nonce(placement, "", segment).unwrap_err();
            assert_eq!(
                (err, err.http_status()),
                (Error::InvalidParameter("oauth_nonce"), 400),
                "{placement}: {segment:?}"
            );
        }
    }
    // A nonce that decodes to blanks is not empty, and still refused.
    for segment in ["oauth_nonce=+", "oauth_nonce=%20"] {
        for placement in ["query", "body"] {
            let err = parse_nonce(placement, "", segment).unwrap_err();
            assert_eq!(err, Error::InvalidParameter("oauth_nonce"), "{segment:?}");
        }
    }
    // The name percent-encoded is the same parameter, refused the same way.
    let header = format!("{}, oauth%5Fnonce=\"\"", header_without_nonce());
    let err = parse("https://a.example/p", &header).unwrap_err();
    assert_eq!(err, Error::InvalidParameter("oauth_nonce"));
    let err = parse_nonce("query", "", "oauth%5Fnonce=").unwrap_err();
    assert_eq!(err, Error::InvalidParameter("oauth_nonce"));
    // Absent altogether is a missing parameter.
    let err = parse_nonce("query", "", "a=1").unwrap_err();
    assert_eq!(err, Error::MissingParameter("oauth_nonce"));
    // The signer refuses to make such a request in the first place.
    let oauth = OAuthParams::new("k", SignatureMethod::HmacSha1, 1, "");
    let parts = RequestParts {
        method: "GET",
        url: "https://a.example/p",
        body: Body::Empty,
    };
    let err = sign(&parts, &oauth, &cs(), None).unwrap_err();
    assert_eq!(err, Error::InvalidParameter("oauth_nonce"));
}

#[test]
fn sec_32_an_over_long_nonce_is_refused_wherever_it_is_sent() {
    let longest = "n".repeat(limits::MAX_TOKEN_LEN);
    let too_long = "n".repeat(limits::MAX_TOKEN_LEN + 1);
    for placement in ["header", "query", "body"] {
        let ok = parse_nonce(placement, &longest, &format!("oauth_nonce={longest}"));
        assert_eq!(
            ok.map(|r| r.nonce().len()),
            Ok(limits::MAX_TOKEN_LEN),
            "{placement}"
        );
        let err = parse_nonce(placement, &too_long, &format!("oauth_nonce={too_long}"));
        let err = err.unwrap_err();
        assert_eq!(
            (err, err.http_status()),
            (Error::InvalidParameter("oauth_nonce"), 400),
            "{placement}"
        );
    }
    // The length is that of the decoded nonce: escapes do not sneak past it.
    let escaped = "%6E".repeat(limits::MAX_TOKEN_LEN + 1);
    let err = parse_nonce("query", "", &format!("oauth_nonce={escaped}")).unwrap_err();
    assert_eq!(err, Error::InvalidParameter("oauth_nonce"));
    let oauth = OAuthParams::new("k", SignatureMethod::HmacSha1, 1, too_long);
    let parts = RequestParts {
        method: "GET",
        url: "https://a.example/p",
        body: Body::Empty,
    };
    let err = sign(&parts, &oauth, &cs(), None).unwrap_err();
    assert_eq!(err, Error::InvalidParameter("oauth_nonce"));
}
