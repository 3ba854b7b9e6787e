//! Signatures both ways: thousands of generated requests signed by
//! `oauth1-sign` and verified by oauthlib, and signed by oauthlib and
//! verified by `oauth1-sign`. Every failure names its request.

use std::path::Path;
use std::process::Command;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use oauth1_sign::{
    AuthorizationHeader, Body, IncomingRequest, OAuthParams, RequestParts, Secret, SignatureMethod,
    percent_encode, sign,
};
use serde_json::{Value, json};

use crate::generate::{self, Rng};
use crate::support::scratch_dir;
use crate::{interop_dir, python};

/// How many requests each direction checks.
const COUNT: u32 = 3000;
/// The seed of our generator (any fixed value; the suite is repeatable).
const OUR_SEED: u64 = 0x5849_0001;
/// The seed given to the oauthlib generator.
const THEIR_SEED: u64 = 5849;

const FORM: &str = "application/x-www-form-urlencoded";

/// Ours signs, oauthlib verifies.
pub(crate) fn ours_verified_by_oauthlib() {
    let dir = scratch_dir("interop", "signatures-ours");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let mut rng = Rng::new(OUR_SEED);
    let cases: Vec<Value> = (0..COUNT).map(|i| our_case(&mut rng, i, now)).collect();
    let file = dir.join("ours.json");
    std::fs::write(&file, serde_json::to_vec(&cases).expect("cases to JSON")).expect("write cases");

    let report = run_json(
        Command::new(python())
            .arg(interop_dir().join("signatures.py"))
            .arg("verify")
            .arg(&file),
        "signatures.py verify",
    );
    let agreed = &report["agreed"];
    eprintln!(
        "signed by oauth1-sign, verified by oauthlib: {} checked, agreed {agreed}",
        report["checked"]
    );
    if let Some(names) = report["peer_defect_cases"].as_array()
        && !names.is_empty()
    {
        eprintln!(
            "oauthlib refused {} of ours through its double decoding and {} through \
             its lost ';' (peer defects: {}),\n  e.g. {names:?}",
            agreed["peer-double-decode"], agreed["peer-empty-params"], report["peer_defects"]
        );
    }
    assert_eq!(report["checked"], json!(COUNT), "every case checked");
    assert_eq!(
        report["failed"],
        json!(0),
        "oauthlib disagrees with oauth1-sign:\n{}",
        serde_json::to_string_pretty(&report["failures"]).unwrap_or_default()
    );
    // Most cases are plain ones that must verify; the quirk is rare.
    let valid = agreed["valid"].as_u64().unwrap_or(0);
    assert!(
        valid >= u64::from(COUNT) * 9 / 10,
        "too few plain agreements: {agreed}"
    );
}

/// oauthlib signs, ours verifies.
pub(crate) fn oauthlib_verified_by_ours() {
    let dir = scratch_dir("interop", "signatures-theirs");
    let file = dir.join("theirs.json");
    let summary = run_json(
        Command::new(python())
            .arg(interop_dir().join("signatures.py"))
            .args(["sign", "--count", &COUNT.to_string(), "--seed"])
            .arg(THEIR_SEED.to_string())
            .arg("--out")
            .arg(&file),
        "signatures.py sign",
    );
    assert_eq!(
        summary["signed"],
        json!(COUNT),
        "oauthlib signed every case"
    );
    let cases: Vec<Value> =
        serde_json::from_slice(&std::fs::read(&file).expect("read oauthlib's cases"))
            .expect("oauthlib's cases are JSON");
    assert_eq!(cases.len(), COUNT as usize);

    let mut failures = Vec::new();
    let mut valid = 0;
    let mut peer_wrong = 0;
    for case in &cases {
        let expect = case["expect"].as_str().unwrap_or("valid");
        match (verify_case(case), expect) {
            (Ok(()), "valid") => valid += 1,
            (Err(e), "peer-wrong") if e.contains("invalid signature") => peer_wrong += 1,
            (outcome, _) => failures.push(format!(
                "{}: expected {expect}, oauth1-sign said {outcome:?}\n  {} {}\n  RFC base string: {}\n  {}",
                case["name"].as_str().unwrap_or("?"),
                case["method"].as_str().unwrap_or("?"),
                case["url"].as_str().unwrap_or("?"),
                case["base_string"].as_str().unwrap_or("?"),
                case["note"].as_str().unwrap_or(""),
            )),
        }
    }
    eprintln!(
        "signed by oauthlib, verified by oauth1-sign: {} checked, {valid} valid, \
         {peer_wrong} refused as oauthlib signed a non-RFC base string (its double \
         decoding or its lost ';')",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} oauthlib-signed requests disagree with oauth1-sign:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(valid >= COUNT * 9 / 10, "too few plain agreements: {valid}");
}

/// Parses and verifies one oauthlib case with `oauth1-sign`.
fn verify_case(case: &Value) -> Result<(), String> {
    let text = |key: &str| case[key].as_str();
    let method = SignatureMethod::from_str(text("signature_method").unwrap_or(""))
        .map_err(|e| format!("method: {e}"))?;
    let request = IncomingRequest::parse(
        text("method").unwrap_or(""),
        text("url").unwrap_or(""),
        text("authorization"),
        text("content_type"),
        text("body").unwrap_or("").as_bytes(),
    )
    .map_err(|e| format!("parse: {e}"))?;
    let consumer_secret = Secret::new(text("consumer_secret").unwrap_or(""));
    let token_secret = text("token_secret").map(Secret::new);
    request
        .verify(method, &consumer_secret, token_secret.as_ref())
        .map(|_| ())
        .map_err(|e| format!("verify: {e}"))
}

/// Where the protocol parameters travel.
#[derive(Clone, Copy, Debug)]
enum Transport {
    Header,
    Query,
    Body,
}

/// One random request, signed by `oauth1-sign`, as a JSON case.
fn our_case(rng: &mut Rng, index: u32, now: u64) -> Value {
    let https = rng.chance(0.4);
    let mut methods = vec![SignatureMethod::HmacSha1; 5];
    methods.extend([
        SignatureMethod::HmacSha256,
        SignatureMethod::HmacSha256,
        SignatureMethod::HmacSha512,
    ]);
    if https {
        methods.push(SignatureMethod::Plaintext);
    }
    let signature_method = *rng.pick(&methods);
    let http_method = *rng.pick(&["GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH"]);

    let mut url = generate::url(rng, https);
    let query = generate::params(rng, 5);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&generate::form(rng, &query));
    }
    let (content_type, mut body, form) = if matches!(http_method, "POST" | "PUT" | "PATCH") {
        if rng.chance(0.6) {
            let content_type = if rng.chance(0.1) {
                format!("{FORM}; charset=UTF-8")
            } else {
                FORM.to_owned()
            };
            let pairs = generate::params(rng, 6);
            (Some(content_type), generate::form(rng, &pairs), true)
        } else if rng.chance(0.5) {
            let note = serde_json::to_string(&generate::text(rng, 0, 20)).unwrap_or_default();
            (
                Some("application/json".to_owned()),
                format!("{{\"note\":{note}}}"),
                false,
            )
        } else {
            (None, String::new(), false)
        }
    } else {
        (None, String::new(), false)
    };
    let transport = match rng.range(0, 19) {
        0..=2 => Transport::Query,
        3..=5 if form => Transport::Body,
        _ => Transport::Header,
    };

    let consumer_key = generate::alnum(rng, 20, 30);
    let consumer_secret = generate::text(rng, 1, 24);
    let token = rng.chance(0.7).then(|| generate::alnum(rng, 20, 30));
    let token_secret = token.as_ref().map(|_| generate::text(rng, 0, 24));
    let mut oauth = OAuthParams::new(
        consumer_key.clone(),
        signature_method,
        now,
        generate::alnum(rng, 20, 30),
    );
    oauth.token.clone_from(&token);
    if token.is_none() && rng.chance(0.5) {
        oauth.callback = Some(match rng.range(0, 2) {
            0 => "oob".to_owned(),
            1 => "http://printer.example.com/ready".to_owned(),
            _ => format!(
                "https://app.example.org/cb?x=1&y={}",
                generate::encode(&generate::text(rng, 1, 4), "", false)
            ),
        });
    }
    if token.is_some() && rng.chance(0.2) {
        oauth.verifier = Some(generate::alnum(rng, 20, 30));
    }
    if matches!(transport, Transport::Header) && rng.chance(0.25) {
        oauth.realm = Some((*rng.pick(&["Photos", "http://sp.example.com/"])).to_owned());
    }
    if rng.chance(0.1) {
        oauth.version = None;
    }

    let signed_body = match (&content_type, form) {
        (_, true) => Body::Form(body.as_bytes()),
        (Some(_), false) => Body::Other(body.as_bytes()),
        (None, _) => Body::Empty,
    };
    let parts = RequestParts {
        method: http_method,
        url: &url,
        body: signed_body,
    };
    let consumer = Secret::new(consumer_secret.clone());
    let token_secret_value = token_secret.clone().map(Secret::new);
    let signed = sign(&parts, &oauth, &consumer, token_secret_value.as_ref())
        .unwrap_or_else(|e| panic!("ours-{index}: oauth1-sign could not sign {url}: {e}"));
    let mut authorization = Some(signed.authorization.clone());
    if !matches!(transport, Transport::Header) {
        // The same protocol parameters, moved from the header to the query
        // or the form body (RFC 5849 §3.5.2, §3.5.3).
        let header = AuthorizationHeader::parse(&signed.authorization)
            .unwrap_or_else(|e| panic!("ours-{index}: our own header does not parse: {e}"));
        let encoded: Vec<String> = header
            .params()
            .map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v)))
            .collect();
        let joined = encoded.join("&");
        let target = if matches!(transport, Transport::Query) {
            &mut url
        } else {
            &mut body
        };
        let separator = if matches!(transport, Transport::Query) {
            if target.contains('?') { "&" } else { "?" }
        } else if target.is_empty() {
            ""
        } else {
            "&"
        };
        target.push_str(separator);
        target.push_str(&joined);
        authorization = None;
    }
    json!({
        "name": format!("ours-{OUR_SEED:x}-{index:05}-{}-{transport:?}-{http_method}", signature_method.as_str()),
        "method": http_method,
        "url": url,
        "authorization": authorization,
        "content_type": content_type,
        "body": body,
        "consumer_key": consumer_key,
        "consumer_secret": consumer_secret,
        "token": token,
        "token_secret": token_secret,
        "signature_method": signature_method.as_str(),
        "base_string": signed.base_string,
        "expect": "valid",
    })
}

/// Runs a peer script that prints one JSON document; panics with its output otherwise.
pub(crate) fn run_json(command: &mut Command, what: &str) -> Value {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not start {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match serde_json::from_str::<Value>(&stdout) {
        Ok(value) => value,
        Err(e) => panic!(
            "{what} ({}) printed no JSON report ({e}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
            output.status
        ),
    }
}

/// Checks that a path exists, naming the suite's setup when it does not.
pub(crate) fn require(path: &Path) {
    assert!(
        path.exists(),
        "{} is missing (run the suite with `cargo xtask interop`)",
        path.display()
    );
}
