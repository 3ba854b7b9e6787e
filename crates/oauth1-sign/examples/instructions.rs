//! Runs one operation of the bench's typical request `N` times, for
//! instruction counts under `valgrind --tool=callgrind` (repeatable on a
//! loaded machine, unlike wall-clock time). Per-call cost is the difference
//! between two runs divided by the difference in `N`:
//!
//! ```text
//! cargo build --release -p oauth1-sign --example instructions
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/instructions sign 1
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/instructions sign 1001
//! ```
//!
//! Operations: `floor` (raw hmac + sha1 + base64 over the base string),
//! `sign`, `verify` (parse + recompute + compare), and `post` and
//! `post-form`: `sign` and `sign_form` for a POST with a 20-parameter form
//! body (the bench matrix's `post20`).
// An example: a failed unwrap means a broken setup and should stop the run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use oauth1_sign::{
    Body, IncomingRequest, OAuthParams, RequestParts, Secret, SignatureMethod, percent_encode,
    sign, sign_form,
};
use sha1::Sha1;

const URL: &str = "https://api.example.com/1.1/statuses/home_timeline.json?count=20&include_entities=true&since_id=12345";
const BASE_STRING: &str = "GET&https%3A%2F%2Fapi.example.com%2F1.1%2Fstatuses%2Fhome_timeline.json&count%3D20%26include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26since_id%3D12345";
const CONSUMER_SECRET: &str = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
const TOKEN_SECRET: &str = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";

const POST_URL: &str = "https://api.example.com/1.1/statuses/update.json";

/// The 20 form fields of the bench matrix's `post20`, several needing encoding.
fn post_fields() -> Vec<(String, String)> {
    (0..20)
        .map(|i| {
            let value = match i % 4 {
                0 => format!("{}", 1000 + i * 37),
                1 => format!("plain value {i} with spaces"),
                2 => format!("a&b=c/{i}?~*"),
                _ => format!("caf\u{e9} {i} \u{2713}"),
            };
            (format!("field_{i:02}"), value)
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_default();
    let n: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut oauth = OAuthParams::new(
        "xvz1evFS4wEEPTGEFPHBog",
        SignatureMethod::HmacSha1,
        1_318_622_958,
        "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
    );
    oauth.token = Some("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into());
    let (cs, ts) = (Secret::new(CONSUMER_SECRET), Secret::new(TOKEN_SECRET));
    let parts = RequestParts {
        method: "GET",
        url: URL,
        body: Body::Empty,
    };
    let authorization = sign(&parts, &oauth, &cs, Some(&ts)).unwrap().authorization;
    let key = format!("{CONSUMER_SECRET}&{TOKEN_SECRET}");
    let fields = post_fields();
    let form = (fields.iter())
        .map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    for _ in 0..n {
        match op.as_str() {
            "floor" => {
                let mut mac = Hmac::<Sha1>::new_from_slice(black_box(&key).as_bytes()).unwrap();
                mac.update(black_box(BASE_STRING).as_bytes());
                black_box(STANDARD.encode(mac.finalize().into_bytes()));
            }
            "sign" => {
                black_box(sign(black_box(&parts), black_box(&oauth), &cs, Some(&ts)).unwrap());
            }
            "verify" => {
                let req =
                    IncomingRequest::parse("GET", URL, Some(black_box(&authorization)), None, b"")
                        .unwrap();
                let _proof = req
                    .verify(SignatureMethod::HmacSha1, &cs, Some(&ts))
                    .unwrap();
            }
            "post" => {
                let post = RequestParts {
                    method: "POST",
                    url: POST_URL,
                    body: Body::Form(form.as_bytes()),
                };
                black_box(sign(black_box(&post), &oauth, &cs, Some(&ts)).unwrap());
            }
            "post-form" => {
                let pairs = fields.iter().map(|(n, v)| (n.as_str(), v.as_str()));
                black_box(sign_form("POST", POST_URL, pairs, &oauth, &cs, Some(&ts)).unwrap());
            }
            _ => panic!("usage: instructions floor|sign|verify|post|post-form N"),
        }
    }
}
