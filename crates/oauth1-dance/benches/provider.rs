//! Full request authentication in the provider with the in-memory store:
//! [`Provider::authenticate`] on a freshly signed SMART data call (limits,
//! header parse, timestamp window, consumer and token lookups, HMAC-SHA1
//! verification, nonce insert), next to the bare signature check
//! (`IncomingRequest::parse` + `verify`) of the same request, so the
//! provider's own overhead shows.
//!
//! Every iteration authenticates a request with a nonce never used before,
//! on a virtual clock that moves one second per 50 requests, so the nonce
//! table stays at its steady size (rate x window) instead of growing with
//! the run. The Python peer (oauthlib's `ResourceEndpoint`) for the same
//! request is `bench/python_peers.py`; `cargo xtask bench` prints the ratio.
//!
//! Run: `cargo bench -p oauth1-dance --bench provider` (or `cargo xtask bench`).

// A bench aborts on a broken fixture: a panic with the reason is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use oauth1_dance::memory::MemoryStore;
use oauth1_dance::store::{AccessTokenRecord, AccessTokenStore, Attributes, ConsumerRecord};
use oauth1_dance::{Provider, ProviderConfig, ProviderRequest};
use oauth1_sign::{Body, IncomingRequest, OAuthParams, RequestParts, Secret, SignatureMethod};

/// Alphanumeric credentials in the lengths oauthlib's provider accepts, so
/// the Python peer checks exactly the same request.
const CONSUMER_KEY: &str = "BenchConsumerKey7Qm2xK9pL";
const CONSUMER_SECRET: &str = "BenchConsumerSecretVb8nR4tYzq1Jx6Hd";
const TOKEN: &str = "BenchAccessToken4Pq3Zr8Lm5";
const TOKEN_SECRET: &str = "BenchTokenSecretHy6Fd2Qa9Wm4Rc7Tg";
const T0: u64 = 1_700_000_000;

/// The two data calls of the load test, on the provider's external origin.
const CASES: [(&str, &str); 2] = [
    (
        "demographics",
        "https://smart.example.org/records/1000001/demographics",
    ),
    (
        "medications",
        "https://smart.example.org/records/1000001/medications/?limit=5&offset=5",
    ),
];

fn provider() -> Provider<MemoryStore> {
    let store = MemoryStore::new();
    store
        .add_consumer(ConsumerRecord {
            key: CONSUMER_KEY.into(),
            secret: Secret::new(CONSUMER_SECRET),
            signature_methods: vec![SignatureMethod::HmacSha1],
            callback: None,
        })
        .unwrap();
    let mut attributes = Attributes::new();
    attributes.insert("record_id".into(), "1000001".into());
    store
        .insert_access_token(&AccessTokenRecord {
            token: TOKEN.into(),
            secret: Secret::new(TOKEN_SECRET),
            consumer_key: CONSUMER_KEY.into(),
            user_id: "alice".into(),
            attributes,
            issued_at: T0,
            expires_at: None,
        })
        .unwrap();
    Provider::new(ProviderConfig::new("SMART"), store)
}

/// Signs `url` with a nonce made from `n` and the virtual time of request `n`.
fn signed(url: &str, n: u64) -> (u64, String) {
    let now = T0 + n / 50;
    let nonce = format!("N{n:021}");
    let mut oauth = OAuthParams::new(CONSUMER_KEY, SignatureMethod::HmacSha1, now, nonce);
    oauth.token = Some(TOKEN.into());
    let parts = RequestParts {
        method: "GET",
        url,
        body: Body::Empty,
    };
    let signed = oauth1_sign::sign(
        &parts,
        &oauth,
        &Secret::new(CONSUMER_SECRET),
        Some(&Secret::new(TOKEN_SECRET)),
    )
    .unwrap();
    (now, signed.authorization)
}

fn bench_provider(c: &mut Criterion) {
    let consumer_secret = Secret::new(CONSUMER_SECRET);
    let token_secret = Secret::new(TOKEN_SECRET);
    for (name, url) in CASES {
        let provider = provider();
        let counter = Cell::new(0u64);
        let failures = Cell::new(0u64);
        let next = || {
            let n = counter.get();
            counter.set(n + 1);
            signed(url, n)
        };
        // The fixture must authenticate, and a replay must not.
        let (now, header) = next();
        let mut request = ProviderRequest::new("GET", url);
        request.authorization = Some(&header);
        let authenticated = provider.authenticate(now, &request).unwrap();
        authenticated
            .require_attribute("record_id", "1000001")
            .unwrap();
        assert!(
            provider.authenticate(now, &request).is_err(),
            "replay accepted"
        );

        let mut group = c.benchmark_group(format!("provider-{name}"));
        group.bench_function("authenticate", |b| {
            b.iter_batched(
                next,
                |(now, header)| {
                    let mut request = ProviderRequest::new("GET", url);
                    request.authorization = Some(&header);
                    let ok = provider.authenticate(now, black_box(&request)).is_ok();
                    failures.set(failures.get() + u64::from(!ok));
                },
                BatchSize::SmallInput,
            );
        });
        group.bench_function("verify-only", |b| {
            b.iter_batched(
                next,
                |(_, header)| {
                    let parsed =
                        IncomingRequest::parse("GET", url, Some(&header), None, b"").unwrap();
                    let ok = parsed
                        .verify(
                            SignatureMethod::HmacSha1,
                            &consumer_secret,
                            Some(&token_secret),
                        )
                        .is_ok();
                    failures.set(failures.get() + u64::from(!ok));
                },
                BatchSize::SmallInput,
            );
        });
        group.finish();
        assert_eq!(failures.get(), 0, "{name}: a measured request was refused");
        println!(
            "provider-{name}: {} nonces remembered at the end (steady state, not growth)",
            provider.store().nonce_count().unwrap()
        );
    }
}

criterion_group!(benches, bench_provider);
criterion_main!(benches);
