//! SECURITY.md items 12 to 23 (the dance), one test each, named `sec_NN_...`.

use std::sync::Arc;
use std::thread;

use oauth1_sign::{Body, OAuthParams, RequestParts, sign};

use super::security::danced;
use super::*;

#[test]
fn sec_12_callback_is_required_and_confirmed() {
    let h = Harness::new();
    let url = format!("{ORIGIN}/oauth/request_token");
    let body = b"smart_record_id=123";
    let post = |h: &Harness, callback: Option<&str>, nonce: &str| {
        let mut oauth = OAuthParams::new(APP_KEY, SignatureMethod::HmacSha1, h.now, nonce);
        oauth.callback = callback.map(str::to_string);
        let parts = RequestParts {
            method: "POST",
            url: &url,
            body: Body::Form(body),
        };
        let header = sign(&parts, &oauth, &Secret::new(APP_SECRET), None)
            .unwrap()
            .authorization;
        let mut request = ProviderRequest::new("POST", url.as_str());
        request.authorization = Some(&header);
        request.content_type = Some("application/x-www-form-urlencoded");
        request.body = body;
        h.provider
            .issue_temporary_credentials(h.now, &request, &mut SeededRng(nonce.len() as u64))
    };
    let error = post(&h, None, "c0").unwrap_err();
    assert!(
        matches!(&error, Error::MissingParameter(p) if p == "oauth_callback"),
        "{error:?}"
    );
    for bad in [
        "javascript:alert(1)",
        "/relative",
        "http://",
        "http:// space",
        "ftp://x.example",
    ] {
        let error = post(&h, Some(bad), &format!("c-{}", bad.len())).unwrap_err();
        assert_eq!(error.http_status(), 400, "{bad}: {error:?}");
    }
    for good in ["oob", "https://app.example.org/cb?x=1"] {
        let issued = post(&h, Some(good), good).unwrap();
        assert!(issued.body().ends_with("&oauth_callback_confirmed=true"));
    }
}

#[test]
fn sec_13_only_the_registered_callback_and_its_query_is_kept() {
    let mut h = Harness::new();
    h.provider
        .store()
        .add_consumer(consumer_record(
            APP_KEY,
            APP_SECRET,
            Some("https://app.example.org/cb?session=1#top"),
        ))
        .unwrap();
    let stamp = h.stamp();
    let (request, state) =
        TemporaryCredentialsRequest::with_callback(endpoints(), "https://evil.example/steal")
            .param("smart_record_id", "123")
            .sign(&h.consumer, stamp)
            .unwrap();
    let reply = h.send(&request);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    let location = h.approve(state.token());
    assert!(
        location.starts_with(&format!(
            "https://app.example.org/cb?session=1&oauth_token={}&oauth_verifier=",
            state.token()
        )),
        "{location}"
    );
    assert!(location.ends_with("#top"));
}

#[test]
fn sec_15_verifiers_are_long_single_use_bound_and_limited() {
    // Length: the default 24 alphanumerics carry more than 128 bits.
    let mut h = Harness::new();
    let (_, query) = h.until_callback();
    let verifier = query.split("oauth_verifier=").nth(1).unwrap();
    assert_eq!(verifier.len(), 24);
    assert!(verifier.bytes().all(|b| b.is_ascii_alphanumeric()));

    // Bound to the consumer: another consumer with the token and verifier is refused.
    let mut h = Harness::new();
    let (state, query) = h.until_callback();
    let token = state.token().to_string();
    let mut oauth = OAuthParams::new(OTHER_KEY, SignatureMethod::HmacSha1, h.now, "other");
    oauth.token = Some(token.clone());
    oauth.verifier = Some(query.split("oauth_verifier=").nth(1).unwrap().to_string());
    let url = format!("{ORIGIN}/oauth/access_token");
    let parts = RequestParts {
        method: "POST",
        url: &url,
        body: Body::Empty,
    };
    let header = sign(
        &parts,
        &oauth,
        &Secret::new(OTHER_SECRET),
        Some(&Secret::new("guess")),
    )
    .unwrap()
    .authorization;
    let mut request = ProviderRequest::new("POST", url.as_str());
    request.authorization = Some(&header);
    let error = h
        .provider
        .issue_token_credentials(h.now, &request, &mut SeededRng(2))
        .unwrap_err();
    assert!(matches!(error, Error::InvalidCredentials), "{error:?}");

    // Five wrong verifiers burn the token; the right one then fails too.
    let wrong = format!("oauth_token={token}&oauth_verifier=wrong");
    for attempt in 1..=5 {
        let stamp = h.stamp();
        let (request, _) = state.clone().callback_query(&wrong, stamp).unwrap();
        let reply = h.send(&request);
        let expected = if attempt < 5 {
            "InvalidVerifier"
        } else {
            "burned"
        };
        assert_eq!(reply.status, 401, "attempt {attempt} ({expected})");
    }
    let stamp = h.stamp();
    let (request, _) = state.callback_query(&query, stamp).unwrap();
    let reply = h.send(&request);
    assert!(
        matches!(reply.error, Some(Error::InvalidCredentials)),
        "{:?}",
        reply.error
    );
    assert_eq!(h.provider.store().request_token_count().unwrap(), 0);
}

#[test]
fn sec_15_four_wrong_verifiers_do_not_burn_the_token() {
    let mut h = Harness::new();
    let (state, query) = h.until_callback();
    let wrong = format!("oauth_token={}&oauth_verifier=wrong", state.token());
    for _ in 0..4 {
        let stamp = h.stamp();
        let (request, _) = state.clone().callback_query(&wrong, stamp).unwrap();
        assert!(matches!(
            h.send(&request).error,
            Some(Error::InvalidVerifier)
        ));
    }
    let stamp = h.stamp();
    let (request, _) = state.callback_query(&query, stamp).unwrap();
    assert_eq!(h.send(&request).status, 200);
}

#[test]
fn sec_16_request_tokens_expire_and_have_one_exchange_winner() {
    // Expiry: alive at 600 s, dead at 601 s.
    for (age, ok) in [(600, true), (601, false)] {
        let mut h = Harness::new();
        let (state, query) = h.until_callback();
        h.now += age;
        let stamp = h.stamp();
        let (request, _) = state.callback_query(&query, stamp).unwrap();
        assert_eq!(h.send(&request).status == 200, ok, "age {age}");
    }
    // Two parallel exchanges (different nonces), one winner.
    let mut h = Harness::new();
    let (state, query) = h.until_callback();
    let requests: Vec<OutgoingRequest> = (0..8)
        .map(|_| {
            let stamp = h.stamp();
            state.clone().callback_query(&query, stamp).unwrap().0
        })
        .collect();
    let now = h.now;
    let provider = Arc::new(h.provider);
    let handles: Vec<_> = requests
        .into_iter()
        .enumerate()
        .map(|(i, request)| {
            let provider = Arc::clone(&provider);
            thread::spawn(move || {
                let incoming = ProviderRequest {
                    method: "POST",
                    url: request.url.as_str().into(),
                    authorization: Some(&request.authorization),
                    content_type: None,
                    body: &[],
                };
                provider
                    .issue_token_credentials(now, &incoming, &mut SeededRng(100 + i as u64))
                    .is_ok()
            })
        })
        .collect();
    let wins = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|won| *won)
        .count();
    assert_eq!(wins, 1);
}

#[test]
fn sec_17_access_tokens_are_bound_to_consumer_record_and_revocable() {
    let (mut h, authorized) = danced();
    // Another consumer, even holding the token secret, is 401.
    let request = h.get(
        &authorized_as(&authorized, Harness::other_consumer()),
        "/records/123/demographics",
    );
    assert!(matches!(
        h.send(&request).error,
        Some(Error::InvalidCredentials)
    ));
    // Another record is 403.
    let request = h.get(&authorized, "/records/124/demographics");
    let mut incoming = ProviderRequest::new("GET", request.url.as_str());
    incoming.authorization = Some(&request.authorization);
    let authenticated = h.provider.authenticate(h.now, &incoming).unwrap();
    assert!(authenticated.require_attribute("record_id", "123").is_ok());
    let error = authenticated
        .require_attribute("record_id", "124")
        .unwrap_err();
    assert_eq!(error.http_status(), 403);
    assert!(authenticated.require_attribute("no_such", "x").is_err());
    // Revocation is immediate.
    assert!(h.provider.revoke(authorized.token()).unwrap());
    let request = h.get(&authorized, "/records/123/demographics");
    assert!(matches!(
        h.send(&request).error,
        Some(Error::InvalidCredentials)
    ));
}

/// The same token credentials, claimed by another consumer key.
fn authorized_as(authorized: &Authorized, consumer: Consumer) -> Authorized {
    Authorized::from_parts(
        consumer,
        authorized.token(),
        authorized.secret().clone(),
        authorized.attributes().clone(),
    )
}

#[test]
fn sec_18_credentials_come_only_from_the_callers_random_source() {
    let issue = |seed: u64| {
        let mut h = Harness::new();
        h.rng = SeededRng(seed);
        let authorized = h.dance();
        authorized.token().to_string()
    };
    assert_eq!(issue(7), issue(7));
    assert_ne!(issue(7), issue(8));
    // A source that never yields a usable byte is an error, not a weak credential.
    let h = Harness::new();
    let mut broken = BrokenRandom;
    assert!(matches!(
        Stamp::generate(h.now, &mut broken),
        Err(Error::RandomUnavailable)
    ));
}

struct BrokenRandom;

impl Random for BrokenRandom {
    fn try_fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        dest.fill(0xff);
        Ok(())
    }
}

#[test]
fn sec_19_credential_replies_are_not_cached() {
    let mut h = Harness::new();
    let (request, _) = h.initiate();
    let mut incoming = ProviderRequest::new("POST", request.url.as_str());
    incoming.authorization = Some(&request.authorization);
    incoming.content_type = request.content_type.as_deref();
    incoming.body = &request.body;
    let response = h
        .provider
        .issue_temporary_credentials(h.now, &incoming, &mut h.rng)
        .unwrap()
        .into_http_response();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(
        response.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
}

#[test]
fn sec_21_no_secret_in_debug_or_display() {
    let mut h = Harness::new();
    let (request, state) = h.initiate();
    let mut seen = vec![format!("{request:?}"), format!("{state:?}")];
    let reply = h.send(&request);
    let body = String::from_utf8(reply.body.clone()).unwrap();
    let temporary_secret = body
        .split("oauth_token_secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    seen.push(format!("{state:?}"));
    let location = h.approve(state.token());
    let verifier = location
        .split("oauth_verifier=")
        .nth(1)
        .unwrap()
        .to_string();
    let stamp = h.stamp();
    let (request, state) = state
        .callback_query(location.split_once('?').unwrap().1, stamp)
        .unwrap();
    seen.push(format!("{request:?}"));
    seen.push(format!("{state:?}"));
    let mut incoming = ProviderRequest::new("POST", request.url.as_str());
    incoming.authorization = Some(&request.authorization);
    let issued = h
        .provider
        .issue_token_credentials(h.now, &incoming, &mut h.rng)
        .unwrap();
    seen.push(format!("{issued:?}"));
    let authorized = state
        .handle_response(200, issued.body().as_bytes())
        .unwrap();
    seen.push(format!("{authorized:?}"));
    seen.push(format!("{:?}", h.consumer));
    seen.push(format!("{:?}", h.provider));
    seen.push(format!("{:?}", h.provider.store()));
    let error = state_error();
    seen.push(format!("{error:?} {error}"));
    for text in &seen {
        for secret in [
            APP_SECRET,
            &temporary_secret,
            &verifier,
            authorized.secret().expose(),
            "SUPERSECRET",
        ] {
            assert!(!text.contains(secret), "secret leaked in {text}");
        }
    }
}

fn state_error() -> Error {
    let mut h = Harness::new();
    let (_, state) = h.initiate();
    state
        .handle_response(
            200,
            b"oauth_token=t&oauth_token_secret=SUPERSECRET&oauth_callback_confirmed=no",
        )
        .unwrap_err()
}

#[test]
fn sec_23_a_foreign_callback_exchanges_nothing() {
    let mut h = Harness::new();
    let (state, query) = h.until_callback();
    let forged = query.replacen("oauth_token=", "oauth_token=x", 1);
    let stamp = h.stamp();
    let error = state.callback_query(&forged, stamp).unwrap_err();
    assert!(matches!(error, Error::CallbackMismatch));
    assert_eq!(error.http_status(), 400);
    assert_eq!(h.wire.len(), 1, "only the request-token call went out");
}
