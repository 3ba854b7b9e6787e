//! The signer's matrix: sign and verify with HMAC-SHA1, HMAC-SHA256 and
//! PLAINTEXT, for the typical GET and for a POST with a 20-parameter form
//! body, side by side with `oauth1-request` 0.6 and the raw
//! `hmac` + `sha1`/`sha2` + `base64` floor, in one run.
//!
//! A counting global allocator (`stats_alloc`) measures the allocations of
//! one signature; after criterion has run, the medians it wrote are read
//! back and printed as ratios.
//!
//! `oauth1-request` has no HMAC-SHA256: the bench plugs one into its public
//! `SignatureMethod` trait (RustCrypto `hmac` + `sha2`, fed incrementally as
//! its own HMAC-SHA1 is), so the comparison covers every cell.
//!
//! Run: `cargo bench -p oauth1-sign --bench matrix` (or `cargo xtask bench`).

// A bench aborts on a broken fixture: a panic with the reason is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;
use std::fmt::{self, Display, Write as _};
use std::hint::black_box;
use std::num::NonZeroU64;
use std::path::PathBuf;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group};
use hmac::{Hmac, Mac};
use oauth::signature_method::{Sign, SignatureMethod as PeerMethod};
use oauth1_request as oauth;
use oauth1_sign::{
    Body, IncomingRequest, OAuthParams, RequestParts, Secret, SignatureMethod, percent_decode,
    percent_encode, sign, sign_form,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const CONSUMER_KEY: &str = "bench-consumer-7Qm2xK9pLw";
const CONSUMER_SECRET: &str = "c0nsumer-s3cret-Vb8nR4tYzq1Jx6Hd";
const TOKEN: &str = "41871-bench-token-Pq3Zr8Lm5Nw2Ks7Xv";
const TOKEN_SECRET: &str = "t0ken-s3cret-Hy6Fd2Qa9Wm4Rc7Tg";
const TIMESTAMP: u64 = 1_700_000_000;
const NONCE: &str = "Kq7Vb2Xm9Pz4Lw8Nc3Rt6Yh1Gd";

/// The typical GET of issue 2.
const GET_URL: &str = "https://api.example.com/1.1/statuses/home_timeline.json?count=20&include_entities=true&since_id=12345";
const GET_BASE: &str = "https://api.example.com/1.1/statuses/home_timeline.json";
const POST_URL: &str = "https://api.example.com/1.1/statuses/update.json";
const FORM: &str = "application/x-www-form-urlencoded";

/// One request shape: its method, URL, decoded parameters and form body.
struct Shape {
    name: &'static str,
    method: &'static str,
    /// The URL our signer sees (with the query).
    url: &'static str,
    /// The URL `oauth1-request` sees (the query goes in `params`).
    peer_url: &'static str,
    /// Decoded query or form parameters, for `oauth1-request`.
    params: Vec<(String, String)>,
    /// The encoded form body (empty for the GET).
    body: String,
}

impl Shape {
    fn get() -> Self {
        Shape {
            name: "get",
            method: "GET",
            url: GET_URL,
            peer_url: GET_BASE,
            params: vec![
                ("count".into(), "20".into()),
                ("include_entities".into(), "true".into()),
                ("since_id".into(), "12345".into()),
            ],
            body: String::new(),
        }
    }

    /// A POST with 20 form parameters, several of them needing encoding.
    fn post() -> Self {
        let params: Vec<(String, String)> = (0..20)
            .map(|i| {
                let value = match i % 4 {
                    0 => format!("{}", 1000 + i * 37),
                    1 => format!("plain value {i} with spaces"),
                    2 => format!("a&b=c/{i}?~*"),
                    _ => format!("caf\u{e9} {i} \u{2713}"),
                };
                (format!("field_{i:02}"), value)
            })
            .collect();
        let body = params
            .iter()
            .map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        Shape {
            name: "post20",
            method: "POST",
            url: POST_URL,
            peer_url: POST_URL,
            params,
            body,
        }
    }

    fn body(&self) -> Body<'_> {
        if self.body.is_empty() {
            Body::Empty
        } else {
            Body::Form(self.body.as_bytes())
        }
    }

    fn content_type(&self) -> Option<&'static str> {
        (!self.body.is_empty()).then_some(FORM)
    }
}

fn methods() -> [(SignatureMethod, &'static str); 3] {
    [
        (SignatureMethod::HmacSha1, "hmac-sha1"),
        (SignatureMethod::HmacSha256, "hmac-sha256"),
        (SignatureMethod::Plaintext, "plaintext"),
    ]
}

fn oauth_params(method: SignatureMethod) -> OAuthParams {
    let mut oauth = OAuthParams::new(CONSUMER_KEY, method, TIMESTAMP, NONCE);
    oauth.token = Some(TOKEN.into());
    oauth
}

fn ours_sign(shape: &Shape, oauth: &OAuthParams, cs: &Secret, ts: &Secret) -> String {
    let parts = RequestParts {
        method: shape.method,
        url: shape.url,
        body: shape.body(),
    };
    sign(&parts, oauth, cs, Some(ts)).unwrap().authorization
}

/// `sign_form`: the form body's parameters given decoded, as `oauth1-request`
/// takes them (the caller encodes the body it sends).
fn ours_sign_form(shape: &Shape, oauth: &OAuthParams, cs: &Secret, ts: &Secret) -> String {
    let pairs = shape.params.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    sign_form(shape.method, shape.url, pairs, oauth, cs, Some(ts))
        .unwrap()
        .authorization
}

fn ours_verify(
    shape: &Shape,
    method: SignatureMethod,
    authorization: &str,
    cs: &Secret,
    ts: &Secret,
) -> bool {
    let parsed = IncomingRequest::parse(
        shape.method,
        shape.url,
        Some(authorization),
        shape.content_type(),
        shape.body.as_bytes(),
    )
    .unwrap();
    parsed.verify(method, cs, Some(ts)).is_ok()
}

/// The parameters of a shape as `oauth1-request` takes them: decoded and
/// sorted once, outside the timed loop (as a caller's own request type is).
type PeerList<'a> = oauth::ParameterList<&'a str, &'a str, Vec<(&'a str, &'a str)>>;

fn peer_list(shape: &Shape) -> PeerList<'_> {
    oauth::ParameterList::new(
        shape
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    )
}

/// `oauth1-request` signing the same request.
fn peer_sign(shape: &Shape, list: &PeerList<'_>, method: SignatureMethod) -> String {
    let token = oauth::Token::from_parts(CONSUMER_KEY, CONSUMER_SECRET, TOKEN, TOKEN_SECRET);
    match method {
        SignatureMethod::HmacSha1 => peer_with(token, oauth::HMAC_SHA1, shape, list),
        SignatureMethod::HmacSha256 => peer_with(token, PeerHmacSha256, shape, list),
        _ => peer_with(token, oauth::signature_method::PLAINTEXT, shape, list),
    }
}

fn peer_with<SM: PeerMethod + Clone>(
    token: oauth::Token<&str, &str>,
    method: SM,
    shape: &Shape,
    list: &PeerList<'_>,
) -> String {
    let mut builder = oauth::Builder::with_token(token, method);
    builder
        .nonce(NONCE)
        .timestamp(NonZeroU64::new(TIMESTAMP))
        .version(true);
    builder.authorize(shape.method, shape.peer_url, list)
}

/// The floor: the raw primitive over a base string built beforehand.
fn floor(method: SignatureMethod, base_string: &str, key: &str) -> String {
    match method {
        SignatureMethod::HmacSha1 => {
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).unwrap();
            mac.update(base_string.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        SignatureMethod::HmacSha256 => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
            mac.update(base_string.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        // PLAINTEXT's primitive is the key itself, written out once.
        _ => key.to_owned(),
    }
}

fn bench_matrix(c: &mut Criterion) {
    let cs = Secret::new(CONSUMER_SECRET);
    let ts = Secret::new(TOKEN_SECRET);
    let key = format!(
        "{}&{}",
        percent_encode(CONSUMER_SECRET),
        percent_encode(TOKEN_SECRET)
    );
    for shape in [Shape::get(), Shape::post()] {
        for (method, method_name) in methods() {
            let oauth = oauth_params(method);
            let parts = RequestParts {
                method: shape.method,
                url: shape.url,
                body: shape.body(),
            };
            let signed = sign(&parts, &oauth, &cs, Some(&ts)).unwrap();
            check_same_signature(&shape, method, &signed.signature, &signed.base_string, &key);

            let mut group = c.benchmark_group(format!("matrix-{}-{method_name}", shape.name));
            group.bench_function("ours-sign", |b| {
                b.iter(|| ours_sign(black_box(&shape), black_box(&oauth), &cs, &ts));
            });
            group.bench_function("ours-verify", |b| {
                b.iter(|| {
                    ours_verify(
                        black_box(&shape),
                        method,
                        black_box(&signed.authorization),
                        &cs,
                        &ts,
                    )
                });
            });
            if !shape.body.is_empty() {
                group.bench_function("ours-sign-form", |b| {
                    b.iter(|| ours_sign_form(black_box(&shape), black_box(&oauth), &cs, &ts));
                });
            }
            let list = peer_list(&shape);
            group.bench_function("oauth1-request-sign", |b| {
                b.iter(|| peer_sign(black_box(&shape), black_box(&list), method));
            });
            group.bench_function("floor", |b| {
                b.iter(|| floor(method, black_box(&signed.base_string), black_box(&key)));
            });
            group.finish();
        }
    }
}

/// Both signers and the floor must produce the same signature, or the
/// comparison measures different work.
fn check_same_signature(
    shape: &Shape,
    method: SignatureMethod,
    ours: &str,
    base_string: &str,
    key: &str,
) {
    let header = peer_sign(shape, &peer_list(shape), method);
    let theirs = header
        .split("oauth_signature=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("oauth1-request header has a signature");
    let theirs = percent_decode(theirs).unwrap();
    assert_eq!(ours, theirs, "{} {method:?}: signatures differ", shape.name);
    assert_eq!(ours, floor(method, base_string, key), "floor differs");
}

criterion_group!(benches, bench_matrix);

fn main() {
    let started = SystemTime::now();
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
    print_allocations();
    print_ratios(started);
}

/// Allocations of one call, averaged over many (criterion is not running).
fn print_allocations() {
    const N: usize = 1000;
    let cs = Secret::new(CONSUMER_SECRET);
    let ts = Secret::new(TOKEN_SECRET);
    println!("\nallocations per call (blocks allocated + reallocated):");
    println!(
        "{:<24} {:>10} {:>15} {:>12} {:>16} {:>8}",
        "case", "ours-sign", "ours-sign-form", "ours-verify", "oauth1-request", "floor"
    );
    for shape in [Shape::get(), Shape::post()] {
        for (method, method_name) in methods() {
            let oauth = oauth_params(method);
            let signed = sign(
                &RequestParts {
                    method: shape.method,
                    url: shape.url,
                    body: shape.body(),
                },
                &oauth,
                &cs,
                Some(&ts),
            )
            .unwrap();
            let key = format!(
                "{}&{}",
                percent_encode(CONSUMER_SECRET),
                percent_encode(TOKEN_SECRET)
            );
            let count = |f: &mut dyn FnMut()| {
                let region = Region::new(GLOBAL);
                for _ in 0..N {
                    f();
                }
                let stats = region.change();
                (stats.allocations + stats.reallocations) as f64 / N as f64
            };
            let sign_allocs = count(&mut || {
                black_box(ours_sign(&shape, &oauth, &cs, &ts));
            });
            // `sign_form` is for form bodies: the GET has none.
            let form_allocs = if shape.body.is_empty() {
                f64::NAN
            } else {
                count(&mut || {
                    black_box(ours_sign_form(&shape, &oauth, &cs, &ts));
                })
            };
            let verify_allocs = count(&mut || {
                black_box(ours_verify(&shape, method, &signed.authorization, &cs, &ts));
            });
            let list = peer_list(&shape);
            let peer_allocs = count(&mut || {
                black_box(peer_sign(&shape, &list, method));
            });
            let floor_allocs = count(&mut || {
                black_box(floor(method, &signed.base_string, &key));
            });
            println!(
                "{:<24} {sign_allocs:>10.1} {form_allocs:>15.1} {verify_allocs:>12.1} {peer_allocs:>16.1} {floor_allocs:>8.1}",
                format!("{}/{method_name}", shape.name)
            );
        }
    }
}

/// Reads back the medians criterion wrote in this run and prints the ratios.
fn print_ratios(started: SystemTime) {
    let home = criterion_home();
    println!(
        "\nmedians of this run and ratios (criterion output in {}):",
        home.display()
    );
    println!(
        "{:<24} {:>10} {:>10} {:>12} {:>10} {:>10} {:>13} {:>13} {:>11} {:>11}",
        "case",
        "sign ns",
        "form ns",
        "verify ns",
        "peer ns",
        "floor ns",
        "sign/floor",
        "verify/floor",
        "peer/sign",
        "peer/form"
    );
    for shape in ["get", "post20"] {
        for (_, method_name) in methods() {
            let group = format!("matrix-{shape}-{method_name}");
            let read = |id: &str| median_ns(&home, &group, id, started);
            let (Some(s), Some(v), Some(p), Some(f)) = (
                read("ours-sign"),
                read("ours-verify"),
                read("oauth1-request-sign"),
                read("floor"),
            ) else {
                println!("{group:<24} (not run in this invocation)");
                continue;
            };
            // `sign_form` applies to form bodies only.
            let (form, peer_form) = match read("ours-sign-form") {
                Some(form) => (format!("{form:.0}"), format!("{:.2}x", p / form)),
                None => ("-".to_owned(), "-".to_owned()),
            };
            println!(
                "{:<24} {s:>10.0} {form:>10} {v:>12.0} {p:>10.0} {f:>10.0} {:>12.2}x {:>12.2}x {:>10.2}x {peer_form:>11}",
                format!("{shape}/{method_name}"),
                s / f,
                v / f,
                p / s
            );
        }
    }
}

/// Where criterion writes: `$CRITERION_HOME`, `$CARGO_TARGET_DIR/criterion`
/// or the workspace's `target/criterion`.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion")
}

/// The median (ns) criterion wrote for `group/id`, if written since `started`.
fn median_ns(home: &std::path::Path, group: &str, id: &str, started: SystemTime) -> Option<f64> {
    let path = home.join(group).join(id).join("new/estimates.json");
    let fresh = std::fs::metadata(&path).ok()?.modified().ok()? >= started;
    if !fresh {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// HMAC-SHA256 for `oauth1-request`, through its public trait.
#[derive(Clone, Copy)]
struct PeerHmacSha256;

struct PeerHmacSha256Sign(Hmac<sha2::Sha256>);

struct PeerSignature([u8; 32]);

impl PeerMethod for PeerHmacSha256 {
    type Sign = PeerHmacSha256Sign;

    fn sign_with(self, client_secret: &str, token_secret: Option<&str>) -> Self::Sign {
        let mut key = percent_encode(client_secret);
        key.push('&');
        key.push_str(&percent_encode(token_secret.unwrap_or("")));
        PeerHmacSha256Sign(Hmac::new_from_slice(key.as_bytes()).unwrap())
    }
}

impl Sign for PeerHmacSha256Sign {
    type Signature = PeerSignature;

    fn get_signature_method_name(&self) -> &'static str {
        "HMAC-SHA256"
    }

    fn request_method(&mut self, method: &str) {
        self.0.update(method.as_bytes());
        self.0.update(b"&");
    }

    fn uri<T: Display>(&mut self, uri: T) {
        write!(MacWriter(&mut self.0), "{uri}&").unwrap();
    }

    fn parameter<V: Display>(&mut self, key: &str, value: V) {
        self.0.update(key.as_bytes());
        self.0.update(b"%3D");
        write!(MacWriter(&mut self.0), "{value}").unwrap();
    }

    fn delimiter(&mut self) {
        self.0.update(b"%26");
    }

    fn end(self) -> PeerSignature {
        PeerSignature(self.0.finalize().into_bytes().into())
    }
}

/// Feeds formatted text into the MAC without a buffer.
struct MacWriter<'a>(&'a mut Hmac<sha2::Sha256>);

impl fmt::Write for MacWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

impl Display for PeerSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 44];
        let n = STANDARD
            .encode_slice(self.0, &mut buf)
            .map_err(|_| fmt::Error)?;
        for &b in &buf[..n] {
            match b {
                b'+' => f.write_str("%2B")?,
                b'/' => f.write_str("%2F")?,
                b'=' => f.write_str("%3D")?,
                _ => f.write_char(char::from(b))?,
            }
        }
        Ok(())
    }
}
