//! Table-driven conformance test over every vector file in `tests/data/`
//! (schema: `tests/data/README.md`). A failure names the vector.
// Tests read trusted data files: a malformed file should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Debug;
use std::fs;
use std::path::Path;

use oauth1_sign::{
    AuthorizationHeader, Body, IncomingRequest, OAuthParams, RequestParts, Secret, SignatureMethod,
    base_string_uri, form_decode, normalize_parameters, percent_decode, percent_encode, sign,
    sign_base_string, signature_base_string,
};
use serde_json::Value;

type Pairs = Vec<(String, String)>;

/// Collects failures so one run reports every failing vector by name.
#[derive(Default)]
struct Report {
    checked: usize,
    kinds: Vec<String>,
    failures: Vec<String>,
}

impl Report {
    /// The one comparison helper: `got` must equal `expected` for vector `name`.
    fn check<T: PartialEq + Debug>(&mut self, name: &str, what: &str, got: T, expected: T) {
        self.checked += 1;
        self.kinds.push(what.to_owned());
        if got != expected {
            self.failures.push(format!(
                "{name}: {what}: got {got:?}, expected {expected:?}"
            ));
        }
    }
}

#[test]
fn all_vectors_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut report = Report::default();
    let mut files = 0;
    let mut vectors = 0;
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        files += 1;
        let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        for v in doc["vectors"].as_array().unwrap() {
            vectors += 1;
            run_vector(&mut report, v);
        }
    }
    assert_eq!(files, 4, "expected the four vector files");
    assert_eq!(vectors, 64, "the vector files changed: update this count");
    let count = |what: &str| report.kinds.iter().filter(|k| *k == what).count();
    eprintln!(
        "{} checks; sign() {}, verify() {}",
        report.checked,
        count("sign()"),
        count("verify()")
    );
    // Guard against silently skipping the end-to-end paths.
    assert!(count("sign()") >= 8 && count("verify()") >= 8);
    assert!(
        report.failures.is_empty(),
        "{} of {} checks failed:\n{}",
        report.failures.len(),
        report.checked,
        report.failures.join("\n")
    );
}

fn run_vector(r: &mut Report, v: &Value) {
    let name = v["name"].as_str().unwrap();
    match v["kind"].as_str().unwrap() {
        "encode" => {
            let input = v["input"].as_str().unwrap();
            let expected = v["expected"].as_str().unwrap();
            r.check(name, "encode", percent_encode(input), expected.to_owned());
            r.check(
                name,
                "decode",
                percent_decode(expected),
                Ok(input.to_owned()),
            );
        }
        "normalize" => {
            let expected = v["expected"].as_str().unwrap().to_owned();
            let params = pairs(&v["params"]);
            r.check(
                name,
                "normalize",
                normalize_parameters(params_ref(&params)),
                expected.clone(),
            );
            if let Some(raw) = v["raw_form"].as_str() {
                let decoded = form_decode(raw).unwrap();
                r.check(name, "raw_form decode", decoded.clone(), params);
                r.check(
                    name,
                    "normalize raw_form",
                    normalize_parameters(decoded),
                    expected,
                );
            }
        }
        "base_uri" => {
            let expected = v["expected"].as_str().unwrap().to_owned();
            r.check(
                name,
                "base_uri",
                base_string_uri(v["url"].as_str().unwrap()),
                Ok(expected),
            );
        }
        "collect" => collect(r, name, v),
        "hmac_raw" => {
            let cs = v["consumer_secret"].as_str().unwrap();
            let ts = v["token_secret"].as_str().unwrap();
            let key = format!("{}&{}", percent_encode(cs), percent_encode(ts));
            r.check(name, "key", key, v["key"].as_str().unwrap().to_owned());
            let method: SignatureMethod = v["signature_method"].as_str().unwrap().parse().unwrap();
            let sig = sign_base_string(
                method,
                v["text"].as_str().unwrap(),
                &Secret::new(cs),
                Some(&Secret::new(ts)),
            );
            r.check(name, "hmac", sig, Ok(expected_signature(v)));
        }
        "plaintext" => {
            let cs = Secret::new(v["consumer_secret"].as_str().unwrap());
            let ts = v["token_secret"].as_str().map(Secret::new);
            let sig = sign_base_string(SignatureMethod::Plaintext, "ignored", &cs, ts.as_ref());
            r.check(name, "plaintext", sig, Ok(expected_signature(v)));
        }
        "signature" => signature(r, name, v),
        other => r.check(name, "known kind", other, "one of the schema's kinds"),
    }
}

fn signature(r: &mut Report, name: &str, v: &Value) {
    let method = v["method"].as_str().unwrap();
    let url = v["url"].as_str().unwrap();
    let params = pairs(&v["params"]);
    let oauth = pairs(&v["oauth_params"]);
    let base_uri = base_string_uri(url).unwrap();
    let all: Pairs = params.iter().chain(&oauth).cloned().collect();
    let base = signature_base_string(method, &base_uri, params_ref(&all));
    if let Some(expected) = v["expected_base_string"].as_str() {
        r.check(name, "base string", base.as_str(), expected);
    }
    let Some(expected_sig) = v["expected_signature"].as_str() else {
        return;
    };
    let Ok(sig_method) = v["signature_method"]
        .as_str()
        .unwrap()
        .parse::<SignatureMethod>()
    else {
        // Only RSA names fail to parse, and only without the `rsa` feature.
        r.check(name, "method parses with rsa", cfg!(feature = "rsa"), false);
        return;
    };
    let is_rsa = sig_method.as_str().starts_with("RSA");
    let consumer = if is_rsa {
        Secret::new(v["rsa_private_key_pem"].as_str().unwrap())
    } else {
        match v["consumer_secret"].as_str() {
            Some(cs) => Secret::new(cs),
            None => return, // The source gave no secrets: base string only.
        }
    };
    let token = v["token_secret"].as_str().map(Secret::new);
    let sig = sign_base_string(sig_method, &base, &consumer, token.as_ref());
    r.check(name, "signature", sig, Ok(expected_sig.to_owned()));
    if let Some(wire) = v["expected_signature_wire"].as_str() {
        r.check(
            name,
            "signature wire",
            percent_encode(expected_sig),
            wire.to_owned(),
        );
    }
    if !is_rsa {
        through_sign(r, name, v, sig_method, &consumer, token.as_ref());
        through_verify(r, name, v, sig_method, &consumer, token.as_ref());
    }
}

/// Signs the vector's request with `sign()` where its parameters fit
/// `OAuthParams` and its query and body give exactly `params`.
fn through_sign(
    r: &mut Report,
    name: &str,
    v: &Value,
    sig_method: SignatureMethod,
    consumer: &Secret,
    token: Option<&Secret>,
) {
    let url = v["url"].as_str().unwrap();
    let raw_body = v["raw_body"].as_str();
    let mut collected = form_decode(url.split_once('?').map_or("", |(_, q)| q)).unwrap();
    collected.extend(form_decode(raw_body.unwrap_or("")).unwrap());
    let Some(oauth) = oauth_params(v, sig_method) else {
        return;
    };
    if sorted(collected) != sorted(pairs(&v["params"]))
        || (sig_method == SignatureMethod::Plaintext && !url.starts_with("https:"))
    {
        return;
    }
    let body = raw_body.map_or(Body::Empty, |b| Body::Form(b.as_bytes()));
    let parts = RequestParts {
        method: v["method"].as_str().unwrap(),
        url,
        body,
    };
    let signed = sign(&parts, &oauth, consumer, token).map(|s| s.signature);
    r.check(name, "sign()", signed, Ok(expected_signature(v)));
}

/// Sends the vector's request, signed with its expected signature, through
/// `IncomingRequest::parse` and `verify`, with the parameters in the query.
fn through_verify(
    r: &mut Report,
    name: &str,
    v: &Value,
    sig_method: SignatureMethod,
    consumer: &Secret,
    token: Option<&Secret>,
) {
    let Some(oauth) = oauth_params(v, sig_method) else {
        return;
    };
    let url = v["url"].as_str().unwrap();
    if consumer.expose().is_empty()
        || (sig_method == SignatureMethod::Plaintext && !url.starts_with("https:"))
    {
        return; // The verifier refuses these on purpose (see the sec_ tests).
    }
    let base_uri = base_string_uri(url).unwrap();
    let query: Vec<String> = pairs(&v["params"])
        .iter()
        .map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v)))
        .collect();
    let full = format!("{base_uri}?{}", query.join("&"));
    let mut header = pairs(&v["oauth_params"]);
    header.push(("oauth_signature".into(), expected_signature(v)));
    let header = AuthorizationHeader::new(v["realm"].as_str(), params_ref(&header))
        .unwrap()
        .render();
    let token = if oauth.token.is_some() { token } else { None };
    let verified = IncomingRequest::parse(
        v["method"].as_str().unwrap(),
        &full,
        Some(&header),
        None,
        b"",
    )
    .and_then(|req| req.verify(sig_method, consumer, token))
    .map(|_| ());
    r.check(name, "verify()", verified, Ok(()));
}

fn collect(r: &mut Report, name: &str, v: &Value) {
    let mut got = form_decode(v["raw_query"].as_str().unwrap()).unwrap();
    got.extend(form_decode(v["raw_body"].as_str().unwrap()).unwrap());
    let header_params = pairs(&v["header_params"]);
    let rendered = AuthorizationHeader::new(v["realm"].as_str(), params_ref(&header_params))
        .unwrap()
        .render();
    let parsed = AuthorizationHeader::parse(&rendered).unwrap();
    r.check(
        name,
        "realm kept apart",
        parsed.realm(),
        v["realm"].as_str(),
    );
    got.extend(parsed.params().map(|(n, v)| (n.to_owned(), v.to_owned())));
    r.check(
        name,
        "collected",
        sorted(got),
        sorted(pairs(&v["expected_params"])),
    );
}

/// `OAuthParams` for the vector when its protocol parameters fit the type.
fn oauth_params(v: &Value, sig_method: SignatureMethod) -> Option<OAuthParams> {
    let mut o = OAuthParams::new("", sig_method, 0, "");
    o.version = None;
    for (n, val) in pairs(&v["oauth_params"]) {
        match n.as_str() {
            "oauth_consumer_key" => o.consumer_key = val,
            "oauth_token" => o.token = Some(val),
            "oauth_signature_method" if val == sig_method.as_str() => {}
            "oauth_timestamp" => o.timestamp = val.parse().ok()?,
            "oauth_nonce" => o.nonce = val,
            "oauth_version" => o.version = Some(val),
            "oauth_callback" => o.callback = Some(val),
            "oauth_verifier" => o.verifier = Some(val),
            _ => return None,
        }
    }
    o.realm = v["realm"].as_str().map(String::from);
    Some(o)
}

fn expected_signature(v: &Value) -> String {
    v["expected_signature"].as_str().unwrap().to_owned()
}

fn pairs(v: &Value) -> Pairs {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn params_ref(p: &Pairs) -> Vec<(&str, &str)> {
    p.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

fn sorted(mut p: Pairs) -> Pairs {
    p.sort();
    p
}
