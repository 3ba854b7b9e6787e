//! The oracle for the provider side of the dance: arbitrary sequences of
//! initiations, approvals, denials, exchanges, protected calls, revocations,
//! clock moves and raw requests, checked against a small model.
//!
//! Properties: no panic; token credentials only for the verifier issued for
//! that request token, once (single use), before expiry and before the
//! token is burned by wrong verifiers; a protected call succeeds only with a
//! live, unrevoked access token of the signing consumer and a fresh nonce;
//! every request the model calls valid succeeds; consumed, denied and burned
//! request tokens stay dead; raw requests never pass; every error maps to a
//! 4xx status and a challenge exactly for 401.

use std::collections::HashSet;

use arbitrary::Arbitrary;
use oauth1_dance::memory::MemoryStore;
use oauth1_dance::store::{Attributes, ConsumerRecord};
use oauth1_dance::{AuthorizationGrant, Error, Provider, ProviderConfig, ProviderRequest};
use oauth1_sign::{Body, OAuthParams, RequestParts, Secret, SignatureMethod, form_decode, sign};

const ORIGIN: &str = "https://smart.example.org";
const APP: (&str, &str) = ("app@apps.example.org", "app-secret-0123456789");
const OTHER: (&str, &str) = ("other@apps.example.org", "other-secret-0123456789");
const START: u64 = 1_700_000_000;
const WINDOW: u64 = 300;
const TTL: u64 = 600;

/// One run of the provider.
#[derive(Arbitrary, Debug)]
pub struct ProviderInput {
    /// Seeds the provider's random source.
    pub seed: u64,
    /// Whether the app registered a callback (else out of band).
    pub registered_callback: bool,
    /// What happens, in order.
    pub steps: Vec<Step>,
}

/// One event at the provider.
#[derive(Arbitrary, Debug)]
pub enum Step {
    /// A temporary-credentials request.
    Initiate {
        /// `oauth_callback` (`oob` when `None`).
        callback: Option<String>,
        /// Signed by the other consumer.
        other: bool,
        /// When and with which nonce.
        stamp: StampChoice,
    },
    /// The user approves the n-th request token.
    Authorize {
        /// Which token.
        token: u8,
    },
    /// The user refuses the n-th request token.
    Deny {
        /// Which token.
        token: u8,
    },
    /// A token request for the n-th request token.
    Exchange {
        /// Which token.
        token: u8,
        /// Which verifier.
        verifier: VerifierChoice,
        /// Signed by the other consumer.
        other: bool,
        /// When and with which nonce.
        stamp: StampChoice,
    },
    /// A protected request with the n-th access token.
    Call {
        /// Which token.
        token: u8,
        /// Signed by the other consumer.
        other: bool,
        /// When and with which nonce.
        stamp: StampChoice,
    },
    /// Revoke the n-th access token.
    Revoke {
        /// Which token.
        token: u8,
    },
    /// Move the clock forward.
    Wait(u16),
    /// Purge expired tokens and nonces.
    Purge,
    /// A request the fuzzer wrote entirely.
    Raw {
        /// 0: initiate, 1: exchange, else protected.
        endpoint: u8,
        /// The method.
        method: String,
        /// The path and query.
        path: String,
        /// The `Authorization` header.
        authorization: Option<String>,
        /// The content type.
        content_type: Option<String>,
        /// The body.
        body: Vec<u8>,
    },
}

/// The timestamp offset and nonce of a signed request.
#[derive(Arbitrary, Debug)]
pub struct StampChoice {
    /// Seconds from now.
    pub skew: i16,
    /// Reuse the n-th nonce used so far, else a fresh one.
    pub reuse: Option<u8>,
}

/// Which verifier an exchange presents.
#[derive(Arbitrary, Debug)]
pub enum VerifierChoice {
    /// The one issued for this token.
    Issued,
    /// The one issued for another token.
    OfToken(u8),
    /// Any text.
    Guess(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Issued,
    Authorized(String),
    Dead,
}

struct RequestToken {
    token: String,
    secret: String,
    consumer: &'static str,
    phase: Phase,
    failures: u32,
    expires_at: u64,
    purged: bool,
}

struct AccessToken {
    token: String,
    secret: String,
    consumer: &'static str,
    revoked: bool,
}

struct Model {
    now: u64,
    requests: Vec<RequestToken>,
    accesses: Vec<AccessToken>,
    stamps: Vec<(u64, String)>,
    nonces: HashSet<(String, Option<String>, u64, String)>,
    fresh: u64,
}

/// Runs the steps against a provider with an in-memory store; see the module documentation.
pub fn dance_provider(input: &ProviderInput) {
    let store = MemoryStore::new();
    let callback = input
        .registered_callback
        .then(|| String::from("https://app.example.org/after_auth?x=1"));
    for (key, secret) in [APP, OTHER] {
        let added = store.add_consumer(ConsumerRecord {
            key: key.into(),
            secret: Secret::new(secret),
            signature_methods: vec![SignatureMethod::HmacSha1],
            callback: callback.clone(),
        });
        assert!(added.is_ok());
    }
    let mut config = ProviderConfig::new("SMART");
    config.request_token_ttl = TTL;
    config.timestamp_window = WINDOW;
    let provider = Provider::new(config, store);
    let mut rng_state = input.seed;
    let mut rng = move |dest: &mut [u8]| {
        for b in dest {
            rng_state = rng_state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *b = (rng_state >> 33) as u8;
        }
    };
    let mut model = Model {
        now: START,
        requests: Vec::new(),
        accesses: Vec::new(),
        stamps: Vec::new(),
        nonces: HashSet::new(),
        fresh: 0,
    };

    for step in &input.steps {
        match step {
            Step::Initiate {
                callback,
                other,
                stamp,
            } => {
                let consumer = if *other { OTHER } else { APP };
                let (ts, nonce) = model.stamp(stamp);
                let mut oauth =
                    OAuthParams::new(consumer.0, SignatureMethod::HmacSha1, ts, nonce.clone());
                oauth.callback = Some(callback.clone().unwrap_or_else(|| "oob".into()));
                let url = format!("{ORIGIN}/oauth/request_token");
                let Some(authorization) = signed(&url, &oauth, consumer.1, None) else {
                    continue;
                };
                let request = post(&url, &authorization);
                let result = provider.issue_temporary_credentials(model.now, &request, &mut rng);
                let fresh = model.fresh_nonce(consumer.0, None, ts, &nonce);
                let in_window = model.now.abs_diff(ts) <= WINDOW;
                match result {
                    Ok(issued) => {
                        assert!(
                            fresh && in_window,
                            "initiate accepted a replay or a stale timestamp"
                        );
                        model.use_nonce(consumer.0, None, ts, &nonce);
                        let fields = form_decode(issued.body()).unwrap_or_default();
                        assert!(
                            fields.contains(&("oauth_callback_confirmed".into(), "true".into()))
                        );
                        let secret = value(&fields, "oauth_token_secret");
                        assert_eq!(value(&fields, "oauth_token"), issued.token);
                        assert!(!format!("{issued:?}").contains(&secret), "secret in Debug");
                        model.requests.push(RequestToken {
                            token: issued.token,
                            secret,
                            consumer: consumer.0,
                            phase: Phase::Issued,
                            failures: 0,
                            expires_at: issued.expires_at,
                            purged: false,
                        });
                    }
                    Err(e) => {
                        check_error(&provider, &e);
                        let callback_ok = callback.as_deref().is_none_or(plain_absolute_http);
                        assert!(
                            !(fresh && in_window && callback_ok),
                            "a valid initiation failed: {e:?} {callback:?}"
                        );
                    }
                }
            }
            Step::Authorize { token } => {
                let Some(index) = model.request_index(*token) else {
                    continue;
                };
                let now = model.now;
                let r = &mut model.requests[index];
                let live = !r.purged && now <= r.expires_at;
                let result =
                    provider.authorize(now, &r.token, "user-1", Attributes::new(), &mut rng);
                match result {
                    Ok(grant) => {
                        assert!(
                            live && r.phase == Phase::Issued,
                            "authorized a dead or decided token"
                        );
                        let verifier = match grant {
                            AuthorizationGrant::Redirect { location } => {
                                let Some(cb) = &callback else {
                                    panic!("redirect without a registered callback: {location}");
                                };
                                assert!(
                                    location.starts_with(cb.as_str()),
                                    "redirect elsewhere: {location}"
                                );
                                let query = location.split_once('?').map_or("", |(_, q)| q);
                                let fields = form_decode(query).unwrap_or_default();
                                assert_eq!(value(&fields, "oauth_token"), r.token);
                                value(&fields, "oauth_verifier")
                            }
                            AuthorizationGrant::OutOfBand { verifier } => {
                                assert!(
                                    callback.is_none(),
                                    "out of band despite a registered callback"
                                );
                                verifier.expose().to_owned()
                            }
                        };
                        assert!(verifier.len() >= 22, "verifier shorter than 128 bits");
                        r.phase = Phase::Authorized(verifier);
                    }
                    Err(e) => {
                        check_error(&provider, &e);
                        assert!(
                            !(live && r.phase == Phase::Issued),
                            "approval of a live token failed: {e:?}"
                        );
                    }
                }
            }
            Step::Deny { token } => {
                let Some(index) = model.request_index(*token) else {
                    continue;
                };
                let now = model.now;
                let r = &mut model.requests[index];
                // Only a live request token can be denied (an expired one is gone).
                let present = !r.purged && r.phase != Phase::Dead && now <= r.expires_at;
                match provider.deny(now, &r.token) {
                    Ok(_) => assert!(present, "denied a token that was gone"),
                    Err(e) => {
                        check_error(&provider, &e);
                        assert!(!present, "denial of a stored token failed: {e:?}");
                    }
                }
                r.phase = Phase::Dead;
            }
            Step::Exchange {
                token,
                verifier,
                other,
                stamp,
            } => {
                let Some(index) = model.request_index(*token) else {
                    continue;
                };
                let presented = match verifier {
                    VerifierChoice::Issued => issued_verifier(&model.requests[index]),
                    VerifierChoice::OfToken(n) => model
                        .request_index(*n)
                        .map(|i| issued_verifier(&model.requests[i]))
                        .unwrap_or_default(),
                    VerifierChoice::Guess(g) => g.clone(),
                };
                if presented.is_empty() {
                    continue;
                }
                let consumer = if *other { OTHER } else { APP };
                let (ts, nonce) = model.stamp(stamp);
                let now = model.now;
                let r = &mut model.requests[index];
                let mut oauth =
                    OAuthParams::new(consumer.0, SignatureMethod::HmacSha1, ts, nonce.clone());
                oauth.token = Some(r.token.clone());
                oauth.verifier = Some(presented.clone());
                let url = format!("{ORIGIN}/oauth/access_token");
                let Some(authorization) = signed(&url, &oauth, consumer.1, Some(&r.secret)) else {
                    continue;
                };
                let request = post(&url, &authorization);
                let result = provider.issue_token_credentials(now, &request, &mut rng);
                let key = (
                    consumer.0.to_owned(),
                    Some(r.token.clone()),
                    ts,
                    nonce.clone(),
                );
                let fresh = !model.nonces.contains(&key);
                let in_window = now.abs_diff(ts) <= WINDOW;
                let live = !r.purged && now <= r.expires_at && r.phase != Phase::Dead;
                let signature_checks = fresh && in_window && live && consumer.0 == r.consumer;
                let right = r.phase == Phase::Authorized(presented.clone());
                match result {
                    Ok(issued) => {
                        assert!(
                            signature_checks && right,
                            "token credentials without the right verifier, or twice"
                        );
                        model.nonces.insert(key);
                        let fields = form_decode(issued.body()).unwrap_or_default();
                        assert!(!issued.body().contains(&presented), "verifier echoed");
                        model.accesses.push(AccessToken {
                            token: value(&fields, "oauth_token"),
                            secret: value(&fields, "oauth_token_secret"),
                            consumer: r.consumer,
                            revoked: false,
                        });
                        r.phase = Phase::Dead;
                    }
                    Err(e) => {
                        check_error(&provider, &e);
                        assert!(
                            !(signature_checks && right),
                            "a valid exchange failed: {e:?}"
                        );
                        if signature_checks {
                            model.nonces.insert(key);
                            assert!(
                                matches!(e, Error::InvalidVerifier),
                                "expected InvalidVerifier, got {e:?}"
                            );
                            r.failures += 1;
                            if r.failures >= 5 {
                                r.phase = Phase::Dead;
                            }
                        }
                    }
                }
            }
            Step::Call {
                token,
                other,
                stamp,
            } => {
                if model.accesses.is_empty() {
                    continue;
                }
                let index = usize::from(*token) % model.accesses.len();
                let consumer = if *other { OTHER } else { APP };
                let (ts, nonce) = model.stamp(stamp);
                let a = &model.accesses[index];
                let mut oauth =
                    OAuthParams::new(consumer.0, SignatureMethod::HmacSha1, ts, nonce.clone());
                oauth.token = Some(a.token.clone());
                let url = format!("{ORIGIN}/records/1/demographics?x=%20y");
                let parts = RequestParts {
                    method: "GET",
                    url: &url,
                    body: Body::Empty,
                };
                let token_secret = Secret::new(a.secret.clone());
                let Ok(signed) = sign(
                    &parts,
                    &oauth,
                    &Secret::new(consumer.1),
                    Some(&token_secret),
                ) else {
                    continue;
                };
                let mut request = ProviderRequest::new("GET", url.as_str());
                request.authorization = Some(&signed.authorization);
                let result = provider.authenticate(model.now, &request);
                let key = (
                    consumer.0.to_owned(),
                    Some(a.token.clone()),
                    ts,
                    nonce.clone(),
                );
                let valid = !model.nonces.contains(&key)
                    && model.now.abs_diff(ts) <= WINDOW
                    && !a.revoked
                    && a.consumer == consumer.0;
                match result {
                    Ok(auth) => {
                        assert!(
                            valid,
                            "protected call accepted: replay, stale, revoked or foreign token"
                        );
                        assert_eq!(auth.token, a.token);
                        assert_eq!(auth.consumer_key, consumer.0);
                        model.nonces.insert(key);
                    }
                    Err(e) => {
                        check_error(&provider, &e);
                        assert!(!valid, "a valid protected call failed: {e:?}");
                    }
                }
            }
            Step::Revoke { token } => {
                if model.accesses.is_empty() {
                    continue;
                }
                let index = usize::from(*token) % model.accesses.len();
                let a = &mut model.accesses[index];
                let existed = provider.revoke(&a.token);
                assert_eq!(
                    existed.ok(),
                    Some(!a.revoked),
                    "revoke disagrees with the model"
                );
                a.revoked = true;
            }
            Step::Wait(seconds) => model.now += u64::from(*seconds),
            Step::Purge => {
                assert!(provider.purge_expired(model.now).is_ok());
                let now = model.now;
                for r in &mut model.requests {
                    if r.expires_at < now {
                        r.purged = true;
                    }
                }
                model
                    .nonces
                    .retain(|(_, _, ts, _)| ts.saturating_add(WINDOW) >= now);
            }
            Step::Raw {
                endpoint,
                method,
                path,
                authorization,
                content_type,
                body,
            } => {
                let url = format!("{ORIGIN}/{path}");
                let request = ProviderRequest {
                    method,
                    url: url.as_str().into(),
                    authorization: authorization.as_deref(),
                    content_type: content_type.as_deref(),
                    body,
                };
                let error = match endpoint {
                    0 => provider
                        .issue_temporary_credentials(model.now, &request, &mut rng)
                        .err(),
                    1 => provider
                        .issue_token_credentials(model.now, &request, &mut rng)
                        .err(),
                    _ => provider.authenticate(model.now, &request).err(),
                };
                let Some(error) = error else {
                    panic!("a request the fuzzer wrote passed: {request:?}");
                };
                check_error(&provider, &error);
            }
        }
    }
}

impl Model {
    /// The timestamp and nonce for a request.
    fn stamp(&mut self, choice: &StampChoice) -> (u64, String) {
        if let Some(n) = choice.reuse
            && !self.stamps.is_empty()
        {
            return self.stamps[usize::from(n) % self.stamps.len()].clone();
        }
        self.fresh += 1;
        let ts = self.now.saturating_add_signed(i64::from(choice.skew));
        let stamp = (ts, format!("n{}", self.fresh));
        self.stamps.push(stamp.clone());
        stamp
    }

    fn fresh_nonce(&self, consumer: &str, token: Option<&str>, ts: u64, nonce: &str) -> bool {
        !self.nonces.contains(&(
            consumer.to_owned(),
            token.map(str::to_owned),
            ts,
            nonce.to_owned(),
        ))
    }

    fn use_nonce(&mut self, consumer: &str, token: Option<&str>, ts: u64, nonce: &str) {
        self.nonces.insert((
            consumer.to_owned(),
            token.map(str::to_owned),
            ts,
            nonce.to_owned(),
        ));
    }

    fn request_index(&self, n: u8) -> Option<usize> {
        (!self.requests.is_empty()).then(|| usize::from(n) % self.requests.len())
    }
}

fn issued_verifier(r: &RequestToken) -> String {
    match &r.phase {
        Phase::Authorized(v) => v.clone(),
        _ => String::new(),
    }
}

fn signed(
    url: &str,
    oauth: &OAuthParams,
    consumer_secret: &str,
    token_secret: Option<&str>,
) -> Option<String> {
    let parts = RequestParts {
        method: "POST",
        url,
        body: Body::Empty,
    };
    let token_secret = token_secret.map(Secret::new);
    sign(
        &parts,
        oauth,
        &Secret::new(consumer_secret),
        token_secret.as_ref(),
    )
    .ok()
    .map(|s| s.authorization)
}

fn post<'a>(url: &'a str, authorization: &'a str) -> ProviderRequest<'a> {
    let mut request = ProviderRequest::new("POST", url);
    request.authorization = Some(authorization);
    request
}

fn value(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("reply without {name}"))
}

/// An absolute `http(s)` URI of visible ASCII with a host, as the provider accepts.
fn plain_absolute_http(callback: &str) -> bool {
    if callback == "oob" {
        return true;
    }
    let lower = callback.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    callback.len() <= 2048
        && callback.bytes().all(|b| b.is_ascii_graphic())
        && !host.is_empty()
        && !host.starts_with(':')
        && !host.contains('@')
}

fn check_error(provider: &Provider<MemoryStore>, error: &Error) {
    let status = error.http_status();
    assert!(
        matches!(status, 400 | 401 | 403),
        "a request error maps to {status}: {error:?}"
    );
    assert_eq!(provider.challenge(error).is_some(), status == 401);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> StampChoice {
        StampChoice {
            skew: 0,
            reuse: None,
        }
    }

    #[test]
    fn a_whole_dance_passes_the_oracle() {
        for registered_callback in [false, true] {
            dance_provider(&ProviderInput {
                seed: 7,
                registered_callback,
                steps: vec![
                    Step::Initiate {
                        callback: None,
                        other: false,
                        stamp: stamp(),
                    },
                    Step::Authorize { token: 0 },
                    Step::Exchange {
                        token: 0,
                        verifier: VerifierChoice::Guess("x".into()),
                        other: false,
                        stamp: stamp(),
                    },
                    Step::Exchange {
                        token: 0,
                        verifier: VerifierChoice::Issued,
                        other: true,
                        stamp: stamp(),
                    },
                    Step::Exchange {
                        token: 0,
                        verifier: VerifierChoice::Issued,
                        other: false,
                        stamp: stamp(),
                    },
                    Step::Exchange {
                        token: 0,
                        verifier: VerifierChoice::Issued,
                        other: false,
                        stamp: stamp(),
                    },
                    Step::Call {
                        token: 0,
                        other: false,
                        stamp: stamp(),
                    },
                    Step::Call {
                        token: 0,
                        other: false,
                        stamp: StampChoice {
                            skew: 0,
                            reuse: Some(255),
                        },
                    },
                    Step::Call {
                        token: 0,
                        other: true,
                        stamp: stamp(),
                    },
                    Step::Revoke { token: 0 },
                    Step::Call {
                        token: 0,
                        other: false,
                        stamp: stamp(),
                    },
                    Step::Wait(700),
                    Step::Purge,
                    Step::Initiate {
                        callback: Some("https://evil.example/".into()),
                        other: false,
                        stamp: stamp(),
                    },
                    Step::Deny { token: 1 },
                    Step::Deny { token: 1 },
                    Step::Raw {
                        endpoint: 2,
                        method: "GET".into(),
                        path: "records/1".into(),
                        authorization: Some("OAuth oauth_consumer_key=\"x\"".into()),
                        content_type: None,
                        body: vec![],
                    },
                ],
            });
        }
    }

    #[test]
    fn callbacks_are_classified_like_the_provider() {
        assert!(plain_absolute_http("oob"));
        assert!(plain_absolute_http("HTTPS://a.example/x?y#z"));
        assert!(!plain_absolute_http("https://"));
        assert!(!plain_absolute_http("https://u@h/"));
        assert!(!plain_absolute_http("ftp://h/"));
        assert!(!plain_absolute_http("http://a b/"));
    }
}
