//! Runs the real `oauth1` binary.
// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn oauth1(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_oauth1"))
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

const PHOTOS: &[&str] = &[
    "--method",
    "GET",
    "--url",
    "http://photos.example.net/photos?file=vacation.jpg&size=original",
    "--consumer-key",
    "dpf43f3p2l4k3l03",
    "--consumer-secret",
    "kd94hf93k423kf44",
    "--token",
    "nnch734d00sl2jdk",
    "--token-secret",
    "pfkkdhi9sl3r4s00",
];

fn with(base: &[&'static str], extra: &[&'static str]) -> Vec<&'static str> {
    base.iter().chain(extra).copied().collect()
}

#[test]
fn reproduces_the_rfc5849_section_1_2_signatures() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../oauth1-sign/tests/data/rfc5849.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut checked = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        if !name.starts_with("rfc5849-1.2-") {
            continue;
        }
        let mut args: Vec<String> = vec![
            "sign".into(),
            "--method".into(),
            v["method"].as_str().unwrap().into(),
            "--url".into(),
            v["url"].as_str().unwrap().into(),
            "--consumer-secret".into(),
            v["consumer_secret"].as_str().unwrap().into(),
            "--realm".into(),
            v["realm"].as_str().unwrap().into(),
            "--no-oauth-version".into(),
            "--format".into(),
            "json".into(),
        ];
        if let Some(ts) = v["token_secret"].as_str().filter(|t| !t.is_empty()) {
            args.extend(["--token-secret".into(), ts.into()]);
        }
        for p in v["oauth_params"].as_array().unwrap() {
            let flag = match p[0].as_str().unwrap() {
                "oauth_consumer_key" => "--consumer-key",
                "oauth_token" => "--token",
                "oauth_signature_method" => "--signature-method",
                "oauth_timestamp" => "--timestamp",
                "oauth_nonce" => "--nonce",
                "oauth_callback" => "--callback",
                "oauth_verifier" => "--verifier",
                other => panic!("{name}: unexpected {other}"),
            };
            args.extend([flag.into(), p[1].as_str().unwrap().into()]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = oauth1(&refs);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let out: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(out["signature"], v["expected_signature"], "{name}");
        let auth = out["authorization"].as_str().unwrap();
        assert!(
            auth.starts_with("OAuth realm=\"Photos\", "),
            "{name}: {auth}"
        );
        assert!(
            out["base_string"]
                .as_str()
                .unwrap()
                .starts_with(v["method"].as_str().unwrap())
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn the_readme_command_prints_the_initiate_signature() {
    let run = oauth1(&[
        "sign",
        "--method",
        "POST",
        "--url",
        "https://photos.example.net/initiate",
        "--consumer-key",
        "dpf43f3p2l4k3l03",
        "--consumer-secret",
        "kd94hf93k423kf44",
        "--callback",
        "http://printer.example.com/ready",
        "--nonce",
        "wIjqoS",
        "--timestamp",
        "137131200",
        "--no-oauth-version",
        "--realm",
        "Photos",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("signature:     74KNZJeDHnMBp0EMJ9ZHt/XKycU=\n"),
        "{}",
        run.stdout
    );
    let header = oauth1(&[
        "sign",
        "--method",
        "POST",
        "--url",
        "https://photos.example.net/initiate",
        "--consumer-key",
        "dpf43f3p2l4k3l03",
        "--consumer-secret",
        "kd94hf93k423kf44",
        "--callback",
        "http://printer.example.com/ready",
        "--nonce",
        "wIjqoS",
        "--timestamp",
        "137131200",
        "--no-oauth-version",
        "--realm",
        "Photos",
        "--format",
        "header",
    ]);
    assert_eq!(
        header.stdout,
        "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_signature_method=\"HMAC-SHA1\", \
         oauth_timestamp=\"137131200\", oauth_nonce=\"wIjqoS\", oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\", \
         oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\"\n"
    );
}

#[test]
fn sign_then_verify_exits_0_and_a_tamper_exits_1() {
    let mut args = vec!["sign"];
    args.extend(PHOTOS);
    args.extend(["--format", "header"]);
    let signed = oauth1(&args);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let header = signed.stdout.trim_end().to_owned();
    assert!(
        header.contains("oauth_version=\"1.0\""),
        "1.0 is sent by default: {header}"
    );
    let verify = |url: &str, ts: &str| {
        oauth1(&[
            "verify",
            "--method",
            "GET",
            "--url",
            url,
            "--authorization",
            &header,
            "--consumer-secret",
            "kd94hf93k423kf44",
            "--token-secret",
            ts,
        ])
    };
    let ok = verify(
        "http://photos.example.net/photos?file=vacation.jpg&size=original",
        "pfkkdhi9sl3r4s00",
    );
    assert_eq!((ok.code, ok.stderr.as_str()), (0, ""));
    assert!(ok.stdout.starts_with("valid: HMAC-SHA1"));
    let bad = verify(
        "http://photos.example.net/photos?file=vacation.jpg&size=small",
        "pfkkdhi9sl3r4s00",
    );
    assert_eq!(bad.code, 1);
    assert_eq!(bad.stderr, "invalid: invalid signature (HTTP 401)\n");
    let wrong_secret = verify(
        "http://photos.example.net/photos?file=vacation.jpg&size=original",
        "x",
    );
    assert_eq!(wrong_secret.code, 1);
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let bad_url = oauth1(&[
        "verify",
        "--method",
        "GET",
        "--url",
        "photos.example.net/photos",
        "--authorization",
        "OAuth oauth_consumer_key=\"k\"",
        "--consumer-secret",
        "s",
    ]);
    assert_eq!(bad_url.code, 2);
    assert!(
        bad_url.stderr.contains("invalid absolute url"),
        "{}",
        bad_url.stderr
    );
    let missing = oauth1(&["sign", "--method", "GET", "--url", "https://a.example/"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("--consumer-key"),
        "{}",
        missing.stderr
    );
    let bad_param = oauth1(&with(&["sign"], &with(PHOTOS, &["--param", "novalue"])));
    assert_eq!(bad_param.code, 2);
    assert!(bad_param.stderr.contains("NAME=VALUE"));
    let bad_ts = oauth1(&with(&["sign"], &with(PHOTOS, &["--timestamp", "+1"])));
    assert_eq!(bad_ts.code, 2);
}

#[test]
fn malformed_header_is_invalid_with_the_reason() {
    let run = oauth1(&[
        "verify",
        "--method",
        "GET",
        "--url",
        "https://a.example/",
        "--authorization",
        "OAuth oauth_consumer_key=\"k\", oauth_consumer_key=\"k\"",
        "--consumer-secret",
        "s",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("more than one place") && run.stderr.contains("400"),
        "{}",
        run.stderr
    );
}

#[test]
fn explain_masks_secrets_unless_asked() {
    let masked = oauth1(&with(
        &["explain"],
        &with(PHOTOS, &["--nonce", "chapoH", "--timestamp", "137131202"]),
    ));
    assert_eq!(masked.code, 0, "{}", masked.stderr);
    for step in [
        "collected parameters",
        "normalized parameters",
        "base string URI",
        "signature base string",
        "MdpQcU8iPSUjWoN/UDMsK2sui9I=",
    ] {
        // Version 1.0 is sent here, so the RFC signature must not appear.
        if step.ends_with('=') {
            assert!(!masked.stdout.contains(step));
        } else {
            assert!(
                masked.stdout.contains(step),
                "missing {step}: {}",
                masked.stdout
            );
        }
    }
    assert!(!masked.stdout.contains("kd94hf93k423kf44"));
    assert!(!masked.stdout.contains("pfkkdhi9sl3r4s00"));
    let shown = oauth1(&with(
        &["explain"],
        &with(
            PHOTOS,
            &[
                "--show-secrets",
                "--no-oauth-version",
                "--nonce",
                "chapoH",
                "--timestamp",
                "137131202",
            ],
        ),
    ));
    assert!(shown.stdout.contains("kd94hf93k423kf44&pfkkdhi9sl3r4s00"));
    assert!(shown.stdout.contains("MdpQcU8iPSUjWoN/UDMsK2sui9I="));
}

#[test]
fn explain_masks_a_plaintext_signature() {
    let run = oauth1(&[
        "explain",
        "--method",
        "POST",
        "--url",
        "https://photos.example.net/request_token",
        "--consumer-key",
        "dpf43f3p2l4k3l03",
        "--consumer-secret",
        "kd94hf93k423kf44",
        "--signature-method",
        "PLAINTEXT",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("kd94hf93k423kf44"), "{}", run.stdout);
}

#[test]
fn params_go_to_the_query_for_get_and_the_form_body_otherwise() {
    let get = oauth1(&[
        "sign",
        "--method",
        "GET",
        "--url",
        "https://a.example/p?x=1",
        "--consumer-key",
        "k",
        "--consumer-secret",
        "s",
        "--param",
        "q=a b=c",
        "--format",
        "json",
    ]);
    let get: Value = serde_json::from_str(&get.stdout).unwrap();
    assert_eq!(get["url"], "https://a.example/p?x=1&q=a%20b%3Dc");
    assert!(
        get["base_string"]
            .as_str()
            .unwrap()
            .contains("q%3Da%2520b%253Dc")
    );
    let post = oauth1(&[
        "sign",
        "--method",
        "POST",
        "--url",
        "https://a.example/p",
        "--consumer-key",
        "k",
        "--consumer-secret",
        "s",
        "--param",
        "q=a b",
        "--format",
        "json",
    ]);
    let post: Value = serde_json::from_str(&post.stdout).unwrap();
    assert_eq!(post["url"], "https://a.example/p");
    assert_eq!(post["body"], "q=a%20b");
    assert_eq!(post["content_type"], "application/x-www-form-urlencoded");
    assert!(
        post["base_string"]
            .as_str()
            .unwrap()
            .contains("q%3Da%2520b")
    );
}

#[test]
fn other_bodies_get_a_body_hash_that_verify_checks() {
    let sign = |body: &str| {
        let run = oauth1(&[
            "sign",
            "--method",
            "PUT",
            "--url",
            "https://a.example/r",
            "--consumer-key",
            "k",
            "--consumer-secret",
            "s",
            "--body",
            body,
            "--content-type",
            "application/json",
            "--format",
            "header",
        ]);
        run.stdout.trim_end().to_owned()
    };
    let header = sign("{\"a\":1}");
    // SHA-1 of {"a":1}, base64 then percent-encoded.
    assert!(
        header.contains("oauth_body_hash=\"n4nHQM60bXQYySSnisV5QdXpZSA%3D\""),
        "{header}"
    );
    let verify = |body: &str| {
        oauth1(&[
            "verify",
            "--method",
            "PUT",
            "--url",
            "https://a.example/r",
            "--authorization",
            &header,
            "--consumer-secret",
            "s",
            "--body",
            body,
            "--content-type",
            "application/json",
        ])
    };
    assert_eq!(verify("{\"a\":1}").code, 0);
    let tampered = verify("{\"a\":2}");
    assert_eq!(tampered.code, 1);
    assert!(tampered.stderr.contains("body hash"), "{}", tampered.stderr);
}

#[test]
fn curl_format_is_a_runnable_command_line() {
    let run = oauth1(&with(
        &["sign"],
        &with(
            PHOTOS,
            &["--format", "curl", "--nonce", "n", "--timestamp", "1"],
        ),
    ));
    assert!(
        run.stdout
            .starts_with("curl -X 'GET' -H 'Authorization: OAuth oauth_consumer_key="),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with(" 'http://photos.example.net/photos?file=vacation.jpg&size=original'\n")
    );
}

#[test]
fn missing_nonce_and_timestamp_are_generated() {
    let run = oauth1(&with(&["sign"], &with(PHOTOS, &["--format", "json"])));
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    let nonce = out["oauth_nonce"].as_str().unwrap();
    assert!((20..=30).contains(&nonce.len()) && nonce.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert!(out["oauth_timestamp"].as_u64().unwrap() > 1_600_000_000);
}

/// A form with `; charset=utf-8` signed by the command verifies on our
/// provider (`oauth1-dance`), which reads the body as a form too: one rule,
/// `oauth1_sign::is_form_content_type`, on both sides.
#[test]
fn a_charset_form_it_signs_verifies_on_our_provider() {
    use oauth1_dance::memory::MemoryStore;
    use oauth1_dance::store::{AccessTokenRecord, AccessTokenStore, Attributes, ConsumerRecord};
    use oauth1_dance::{Provider, ProviderConfig, ProviderRequest, Secret, SignatureMethod};

    const URL: &str = "https://api.example.org/records/1/notes?x=1";
    const CT: &str = "application/x-www-form-urlencoded; charset=utf-8";
    const BODY: &str = "note=caf%C3%A9&n=1";
    let store = MemoryStore::new();
    store
        .add_consumer(ConsumerRecord {
            key: "cli-app".into(),
            secret: Secret::new("cli-consumer-secret"),
            signature_methods: vec![SignatureMethod::HmacSha1],
            callback: None,
        })
        .unwrap();
    store
        .insert_access_token(&AccessTokenRecord {
            token: "cli-token".into(),
            secret: Secret::new("cli-token-secret"),
            consumer_key: "cli-app".into(),
            user_id: "u".into(),
            attributes: Attributes::new(),
            issued_at: 0,
            expires_at: None,
        })
        .unwrap();
    let provider = Provider::new(ProviderConfig::new("r"), store);
    let now = 1_700_000_000u64;
    let timestamp = now.to_string();
    let signed = oauth1(&[
        "sign",
        "--method",
        "POST",
        "--url",
        URL,
        "--consumer-key",
        "cli-app",
        "--consumer-secret",
        "cli-consumer-secret",
        "--token",
        "cli-token",
        "--token-secret",
        "cli-token-secret",
        "--timestamp",
        &timestamp,
        "--body",
        BODY,
        "--content-type",
        CT,
        "--format",
        "header",
    ]);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let header = signed.stdout.trim_end();
    assert!(
        !header.contains("oauth_body_hash"),
        "signed as a form: {header}"
    );
    let mut request = ProviderRequest::new("POST", URL);
    request.authorization = Some(header);
    request.content_type = Some(CT);
    request.body = BODY.as_bytes();
    let authenticated = provider.authenticate(now, &request);
    assert!(authenticated.is_ok(), "{authenticated:?}");
}

/// RFC 5849 §1.2's third request, as a server behind a TLS proxy would see
/// it if it took the URL as `https`: the base string it logs.
const PHOTOS_BASE_HTTPS: &str = "GET&https%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal";

#[test]
fn explain_compares_the_other_sides_base_string() {
    let args = |theirs: &'static str| {
        with(
            &["explain"],
            &with(
                PHOTOS,
                &[
                    "--no-oauth-version",
                    "--nonce",
                    "chapoH",
                    "--timestamp",
                    "137131202",
                    "--compare",
                    theirs,
                ],
            ),
        )
    };
    let same = PHOTOS_BASE_HTTPS.replacen("https", "http", 1).leak();
    let run = oauth1(&args(same));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("compared with the given base string: the same"),
        "{}",
        run.stdout
    );

    let run = oauth1(&args(PHOTOS_BASE_HTTPS));
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The explanation is still printed, the report on both streams.
    assert!(
        run.stdout.contains("5. signature base string"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("the base strings differ from byte 8"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "base string URI: ours \"http://photos.example.net/photos\", theirs \"https://photos.example.net/photos\""
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("parameter only"), "{}", run.stderr);
    assert!(!run.stderr.contains("kd94hf93k423kf44"), "{}", run.stderr);

    let run = oauth1(&args("not a base string"));
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("theirs cannot be taken apart"),
        "{}",
        run.stderr
    );
}
