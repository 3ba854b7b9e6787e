//! The typical request of the performance issue, side by side in one run:
//! this crate's `sign` and `verify`, `oauth1-request` 0.6 signing the same
//! request, and raw `hmac` + `sha1` + `base64` over the same base string
//! (the floor). After criterion's report, a summary measured in this same
//! process prints the ratios.
// A benchmark: a failed unwrap means a broken setup and should stop the run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Display;
use std::hint::black_box;
use std::num::NonZeroU64;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::Criterion;
use hmac::{Hmac, Mac};
use oauth1_sign::{
    Body, IncomingRequest, OAuthParams, RequestParts, Secret, SignatureMethod, sign,
};
use sha1::Sha1;

const URL: &str = "https://api.example.com/1.1/statuses/home_timeline.json?count=20&include_entities=true&since_id=12345";
const BASE_URL: &str = "https://api.example.com/1.1/statuses/home_timeline.json";
const CONSUMER_KEY: &str = "xvz1evFS4wEEPTGEFPHBog";
const CONSUMER_SECRET: &str = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
const TOKEN: &str = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb";
const TOKEN_SECRET: &str = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
const NONCE: &str = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
const TIMESTAMP: u64 = 1_318_622_958;

struct Fixture {
    oauth: OAuthParams,
    cs: Secret,
    ts: Secret,
    base_string: String,
    key: String,
    authorization: String,
}

fn fixture() -> Fixture {
    let mut oauth = OAuthParams::new(CONSUMER_KEY, SignatureMethod::HmacSha1, TIMESTAMP, NONCE);
    oauth.token = Some(TOKEN.into());
    let cs = Secret::new(CONSUMER_SECRET);
    let ts = Secret::new(TOKEN_SECRET);
    let signed = our_sign(&oauth, &cs, &ts);
    let key = format!("{CONSUMER_SECRET}&{TOKEN_SECRET}");
    // All four compute the same signature over the same base string.
    assert_eq!(floor(&key, &signed.base_string), signed.signature);
    let theirs = oauth1_request_sign();
    assert!(
        theirs.contains(&oauth1_sign::percent_encode(&signed.signature)),
        "{theirs}"
    );
    let fx = Fixture {
        base_string: signed.base_string,
        authorization: signed.authorization,
        oauth,
        cs,
        ts,
        key,
    };
    our_verify(&fx);
    fx
}

fn our_sign(oauth: &OAuthParams, cs: &Secret, ts: &Secret) -> oauth1_sign::Signed {
    let parts = RequestParts {
        method: "GET",
        url: URL,
        body: Body::Empty,
    };
    sign(&parts, oauth, cs, Some(ts)).unwrap()
}

fn our_verify(fx: &Fixture) {
    let req = IncomingRequest::parse("GET", URL, Some(&fx.authorization), None, b"").unwrap();
    let _proof = req
        .verify(SignatureMethod::HmacSha1, &fx.cs, Some(&fx.ts))
        .unwrap();
}

fn oauth1_request_sign() -> String {
    let request = oauth1_request::ParameterList::new([
        ("count", &20 as &dyn Display),
        ("include_entities", &"true"),
        ("since_id", &12345),
    ]);
    let token =
        oauth1_request::Token::from_parts(CONSUMER_KEY, CONSUMER_SECRET, TOKEN, TOKEN_SECRET);
    let mut builder = oauth1_request::Builder::with_token(token, oauth1_request::HMAC_SHA1);
    builder
        .nonce(NONCE)
        .timestamp(NonZeroU64::new(TIMESTAMP))
        .version(true);
    builder.get(BASE_URL, &request)
}

fn floor(key: &str, base: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(base.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn benches(c: &mut Criterion, fx: &Fixture) {
    let mut group = c.benchmark_group("typical_get_hmac_sha1");
    group.bench_function("raw_hmac_sha1_base64_floor", |b| {
        b.iter(|| floor(black_box(&fx.key), black_box(&fx.base_string)));
    });
    group.bench_function("oauth1_sign_sign", |b| {
        b.iter(|| our_sign(black_box(&fx.oauth), &fx.cs, &fx.ts));
    });
    group.bench_function("oauth1_sign_verify", |b| {
        b.iter(|| our_verify(black_box(fx)))
    });
    group.bench_function("oauth1_request_0_6_sign", |b| b.iter(oauth1_request_sign));
    group.finish();
}

/// Median ns per call over interleaved rounds, so all four see the same
/// machine state.
fn summary(fx: &Fixture) {
    const ROUNDS: usize = 31;
    const ITERS: u32 = 20_000;
    let mut times = [const { Vec::new() }; 4];
    for _ in 0..ROUNDS {
        for (k, slot) in times.iter_mut().enumerate() {
            let start = Instant::now();
            for _ in 0..ITERS {
                match k {
                    0 => drop(black_box(floor(
                        black_box(&fx.key),
                        black_box(&fx.base_string),
                    ))),
                    1 => drop(black_box(our_sign(black_box(&fx.oauth), &fx.cs, &fx.ts))),
                    2 => our_verify(black_box(fx)),
                    _ => drop(black_box(oauth1_request_sign())),
                }
            }
            slot.push(start.elapsed().as_secs_f64() * 1e9 / f64::from(ITERS));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let [f, s, v, o] = times.map(|mut t| median(&mut t));
    println!(
        "\nsummary: typical GET, HMAC-SHA1, {}-byte base string (median of {ROUNDS} interleaved rounds of {ITERS})",
        fx.base_string.len()
    );
    println!("  raw hmac+sha1+base64 (floor) {f:8.1} ns   1.00x floor");
    println!(
        "  oauth1-sign sign             {s:8.1} ns   {:.2}x floor (target <= 1.30x)",
        s / f
    );
    println!(
        "  oauth1-sign verify           {v:8.1} ns   {:.2}x floor (target <= 1.60x)",
        v / f
    );
    println!(
        "  oauth1-request 0.6 sign      {o:8.1} ns   {:.2}x floor",
        o / f
    );
    println!(
        "  oauth1-sign sign is {:.2}x faster than oauth1-request (target >= 1.80x)",
        o / s
    );
}

fn main() {
    let fx = fixture();
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &fx);
    c.final_summary();
    // Only under `cargo bench` (not when `cargo test` runs benches once).
    if std::env::args().any(|a| a == "--bench") {
        summary(&fx);
    }
}
