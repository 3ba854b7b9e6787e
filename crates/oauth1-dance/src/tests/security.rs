//! One test per SECURITY.md item this crate enforces, named `sec_NN_...`.

use std::sync::Arc;
use std::thread;

use oauth1_sign::{Body, OAuthParams, RequestParts, sign};

use super::*;

/// Signs a request by hand, for cases the consumer API refuses to produce.
fn hand_signed(
    url: &str,
    oauth: &OAuthParams,
    consumer_secret: &str,
    token_secret: Option<&str>,
) -> String {
    let parts = RequestParts {
        method: "GET",
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
    .unwrap()
    .authorization
}

fn authenticate(
    h: &Harness,
    url: &str,
    authorization: &str,
) -> Result<crate::Authenticated, Error> {
    let mut request = ProviderRequest::new("GET", url);
    request.authorization = Some(authorization);
    h.provider.authenticate(h.now, &request)
}

/// A harness after the dance, with the access token and its secret.
fn danced() -> (Harness, Authorized) {
    let mut h = Harness::new();
    let authorized = h.dance();
    (h, authorized)
}

fn oauth_for(
    h: &Harness,
    authorized: &Authorized,
    method: SignatureMethod,
    nonce: &str,
) -> OAuthParams {
    let mut oauth = OAuthParams::new(APP_KEY, method, h.now, nonce);
    oauth.token = Some(authorized.token().to_string());
    oauth
}

#[test]
fn sec_03_signature_method_is_fixed_by_the_provider() {
    let (h, authorized) = danced();
    let url = format!("{ORIGIN}/records/123/demographics");
    for method in [
        SignatureMethod::Plaintext,
        SignatureMethod::HmacSha256,
        SignatureMethod::HmacSha512,
    ] {
        let oauth = oauth_for(&h, &authorized, method, &format!("n-{}", method.as_str()));
        let header = hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose()));
        let error = authenticate(&h, &url, &header).unwrap_err();
        assert!(
            matches!(error, Error::InvalidCredentials),
            "{method:?}: {error:?}"
        );
    }
    // PLAINTEXT over http is refused before any lookup.
    let http_url = "http://smart.example.org/records/123/demographics";
    let mut oauth = oauth_for(&h, &authorized, SignatureMethod::Plaintext, "plain");
    oauth.signature_method = SignatureMethod::Plaintext;
    let header = format!(
        "OAuth oauth_consumer_key=\"{APP_KEY}\", oauth_token=\"{}\", oauth_signature_method=\"PLAINTEXT\", \
         oauth_timestamp=\"{}\", oauth_nonce=\"plain\", oauth_signature=\"{}%26{}\"",
        authorized.token(),
        h.now,
        APP_SECRET,
        authorized.secret().expose()
    );
    let error = authenticate(&h, http_url, &header).unwrap_err();
    assert_eq!(error.http_status(), 400, "{error:?}");
}

#[test]
fn sec_03_a_consumer_registered_for_plaintext_may_use_it_over_https() {
    let (h, authorized) = danced();
    let mut record = consumer_record(APP_KEY, APP_SECRET, Some(APP_CALLBACK));
    record.signature_methods = vec![SignatureMethod::Plaintext];
    h.provider.store().add_consumer(record).unwrap();
    let url = format!("{ORIGIN}/records/123/demographics");
    let oauth = oauth_for(&h, &authorized, SignatureMethod::Plaintext, "p1");
    let header = hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose()));
    assert!(authenticate(&h, &url, &header).is_ok());
    // And now HMAC-SHA1 is the one refused.
    let oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "p2");
    let header = hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose()));
    assert!(matches!(
        authenticate(&h, &url, &header),
        Err(Error::InvalidCredentials)
    ));
}

#[test]
fn sec_04_a_missing_secret_never_becomes_an_empty_key() {
    let (h, authorized) = danced();
    let url = format!("{ORIGIN}/records/123/demographics");
    // Signed with key `&`: empty consumer secret, empty token secret.
    let oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "empty-key");
    let header = hand_signed(&url, &oauth, "", Some(""));
    let error = authenticate(&h, &url, &header).unwrap_err();
    assert_eq!(error.http_status(), 401, "{error:?}");
    // Signed with the right consumer secret but no token secret.
    let oauth = oauth_for(
        &h,
        &authorized,
        SignatureMethod::HmacSha1,
        "no-token-secret",
    );
    let header = hand_signed(&url, &oauth, APP_SECRET, Some(""));
    let error = authenticate(&h, &url, &header).unwrap_err();
    assert_eq!(error.http_status(), 401, "{error:?}");
}

#[test]
fn sec_05_timestamps_are_digits_within_the_window() {
    let (mut h, authorized) = danced();
    let url = format!("{ORIGIN}/records/123/demographics");
    let consumer = h.consumer.clone();
    let good = h
        .get(&authorized, &consumer, "/records/123/demographics")
        .authorization;
    for bad in [
        "+1",
        " 1",
        "1.0",
        "-1",
        "0x10",
        "",
        "99999999999999999999999",
    ] {
        let header = replace_param(&good, "oauth_timestamp", bad);
        let error = authenticate(&h, &url, &header).unwrap_err();
        assert_eq!(error.http_status(), 400, "timestamp {bad:?}: {error:?}");
    }
    for (offset, ok) in [(300_i64, true), (301, false), (-300, true), (-301, false)] {
        let mut oauth = oauth_for(
            &h,
            &authorized,
            SignatureMethod::HmacSha1,
            &format!("t{offset}"),
        );
        oauth.timestamp = h.now.checked_add_signed(offset).unwrap();
        let header = hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose()));
        let result = authenticate(&h, &url, &header);
        assert_eq!(result.is_ok(), ok, "offset {offset}: {result:?}");
        if !ok {
            assert!(matches!(result, Err(Error::InvalidTimestamp)));
        }
    }
    // The window is configurable.
    let mut config = smart_config();
    config.timestamp_window = 10;
    let mut h = Harness::with_config(config);
    let (request, _) = h.initiate();
    h.now += 11;
    assert!(matches!(
        h.send(&request).error,
        Some(Error::InvalidTimestamp)
    ));
}

#[test]
fn sec_06_nonces_are_single_use_decoded_and_recorded_after_the_signature() {
    let (h, authorized) = danced();
    let url = format!("{ORIGIN}/records/123/demographics");
    let oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "abc");
    let header = hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose()));
    // A bad signature with this nonce first: it must not burn the nonce.
    let forged = hand_signed(&url, &oauth, APP_SECRET, Some("wrong"));
    assert!(matches!(
        authenticate(&h, &url, &forged),
        Err(Error::InvalidCredentials)
    ));
    assert!(authenticate(&h, &url, &header).is_ok());
    let replay = authenticate(&h, &url, &header).unwrap_err();
    assert!(matches!(replay, Error::NonceReused));
    assert_eq!(replay.http_status(), 401);
    // `%61bc` decodes to `abc`: the same nonce.
    let encoded = replace_param(&header, "oauth_nonce", "%61bc");
    assert!(matches!(
        authenticate(&h, &url, &encoded),
        Err(Error::NonceReused)
    ));
    // The same nonce with another timestamp is another key.
    let mut later = oauth.clone();
    later.timestamp += 1;
    let header = hand_signed(&url, &later, APP_SECRET, Some(authorized.secret().expose()));
    assert!(authenticate(&h, &url, &header).is_ok());
}

#[test]
fn sec_06_sixteen_concurrent_replays_one_success() {
    let (h, authorized) = danced();
    let url = format!("{ORIGIN}/records/123/demographics");
    let oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "race");
    let header = hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose()));
    let now = h.now;
    let provider = Arc::new(h.provider);
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let provider = Arc::clone(&provider);
            let (url, header) = (url.clone(), header.clone());
            thread::spawn(move || {
                let mut request = ProviderRequest::new("GET", url.as_str());
                request.authorization = Some(&header);
                provider.authenticate(now, &request).is_ok()
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
fn sec_06_the_nonce_store_is_bounded_by_the_window() {
    let (mut h, authorized) = danced();
    let consumer = h.consumer.clone();
    for _ in 0..50 {
        let request = h.get(&authorized, &consumer, "/records/123/demographics");
        assert_eq!(h.send(&request).status, 200);
    }
    assert!(h.provider.store().nonce_count().unwrap() >= 50);
    h.now += 301;
    h.provider.purge_expired(h.now).unwrap();
    assert_eq!(h.provider.store().nonce_count().unwrap(), 0);
}

#[test]
fn sec_07_oauth_parameters_in_two_places_or_twice_are_400() {
    let (mut h, authorized) = danced();
    let consumer = h.consumer.clone();
    let request = h.get(&authorized, &consumer, "/records/123/demographics");
    let nonce = header_param(&request.authorization, "oauth_nonce").to_string();
    let in_query = format!("{}?oauth_nonce={nonce}", request.url);
    let error = authenticate(&h, &in_query, &request.authorization).unwrap_err();
    assert_eq!(error.http_status(), 400, "{error:?}");
    let twice = request.authorization.replacen(
        "oauth_nonce=",
        &format!("oauth_nonce=\"{nonce}\", oauth_nonce="),
        1,
    );
    let error = authenticate(&h, &request.url, &twice).unwrap_err();
    assert_eq!(error.http_status(), 400, "{error:?}");
    // `realm` is never signed: changing it keeps the signature valid.
    let with_realm = request
        .authorization
        .replacen("OAuth ", "OAuth realm=\"Elsewhere\", ", 1);
    assert!(authenticate(&h, &request.url, &with_realm).is_ok());
}

#[test]
fn sec_07_duplicate_plain_parameters_are_kept_and_signed() {
    let (mut h, authorized) = danced();
    let consumer = h.consumer.clone();
    let request = h.get(
        &authorized,
        &consumer,
        "/records/123/problems/?snomed=1&snomed=2",
    );
    let collapsed = request.url.replace("snomed=1&snomed=2", "snomed=1");
    assert!(matches!(
        authenticate(&h, &collapsed, &request.authorization),
        Err(Error::InvalidCredentials)
    ));
    assert!(authenticate(&h, &request.url, &request.authorization).is_ok());
}

#[test]
fn sec_10_limits_before_work() {
    let (mut h, authorized) = danced();
    let consumer = h.consumer.clone();
    let request = h.get(&authorized, &consumer, "/records/123/demographics");
    let huge = format!("{}, x=\"{}\"", request.authorization, "a".repeat(1 << 20));
    let error = authenticate(&h, &request.url, &huge).unwrap_err();
    assert_eq!(error.http_status(), 400, "{error:?}");
    let nul = replace_param(&request.authorization, "oauth_nonce", "a%00b");
    let error = authenticate(&h, &request.url, &nul).unwrap_err();
    assert_eq!(error.http_status(), 400, "{error:?}");
    let mut big = ProviderRequest::new("POST", request.url.as_str());
    big.authorization = Some(&request.authorization);
    let body = vec![b'a'; (1 << 20) + 1];
    big.body = &body;
    assert!(matches!(
        h.provider.authenticate(h.now, &big),
        Err(Error::TooLarge)
    ));
}

#[test]
fn sec_11_unknown_consumer_and_token_fail_like_a_bad_signature() {
    let (h, authorized) = danced();
    let url = format!("{ORIGIN}/records/123/demographics");
    let bad_signature = {
        let oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "s1");
        authenticate(
            &h,
            &url,
            &hand_signed(&url, &oauth, "wrong", Some(authorized.secret().expose())),
        )
        .unwrap_err()
    };
    let unknown_consumer = {
        let mut oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "s2");
        oauth.consumer_key = "nobody@example.org".to_string();
        authenticate(
            &h,
            &url,
            &hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose())),
        )
        .unwrap_err()
    };
    let unknown_token = {
        let mut oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "s3");
        oauth.token = Some("no-such-token".to_string());
        authenticate(&h, &url, &hand_signed(&url, &oauth, APP_SECRET, Some("x"))).unwrap_err()
    };
    let dummy_secret = {
        // Even a request signed with the provider's dummy secret fails.
        let mut oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "s4");
        oauth.consumer_key = "nobody@example.org".to_string();
        oauth.token = Some("no-such-token".to_string());
        let dummy = "oauth1-dance dummy secret: never valid";
        authenticate(&h, &url, &hand_signed(&url, &oauth, dummy, Some(dummy))).unwrap_err()
    };
    for error in [&unknown_consumer, &unknown_token, &dummy_secret] {
        assert_eq!(error.to_string(), bad_signature.to_string());
        assert!(matches!(error, Error::InvalidCredentials));
        assert_eq!(error.http_status(), 401);
    }
}

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
    let (request, state) = TemporaryCredentialsRequest::new(
        endpoints(),
        Callback::Url("https://evil.example/steal".to_string()),
    )
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
        let (request, _) = state
            .clone()
            .handle_callback(&h.consumer, &wrong, stamp)
            .unwrap();
        let reply = h.send(&request);
        let expected = if attempt < 5 {
            "InvalidVerifier"
        } else {
            "burned"
        };
        assert_eq!(reply.status, 401, "attempt {attempt} ({expected})");
    }
    let stamp = h.stamp();
    let (request, _) = state.handle_callback(&h.consumer, &query, stamp).unwrap();
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
        let (request, _) = state
            .clone()
            .handle_callback(&h.consumer, &wrong, stamp)
            .unwrap();
        assert!(matches!(
            h.send(&request).error,
            Some(Error::InvalidVerifier)
        ));
    }
    let stamp = h.stamp();
    let (request, _) = state.handle_callback(&h.consumer, &query, stamp).unwrap();
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
        let (request, _) = state.handle_callback(&h.consumer, &query, stamp).unwrap();
        assert_eq!(h.send(&request).status == 200, ok, "age {age}");
    }
    // Two parallel exchanges (different nonces), one winner.
    let mut h = Harness::new();
    let (state, query) = h.until_callback();
    let requests: Vec<OutgoingRequest> = (0..8)
        .map(|_| {
            let stamp = h.stamp();
            state
                .clone()
                .handle_callback(&h.consumer, &query, stamp)
                .unwrap()
                .0
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
    let other = Harness::other_consumer();
    let request = h.get(
        &authorized_as(&authorized, OTHER_KEY),
        &other,
        "/records/123/demographics",
    );
    assert!(matches!(
        h.send(&request).error,
        Some(Error::InvalidCredentials)
    ));
    // Another record is 403.
    let consumer = h.consumer.clone();
    let request = h.get(&authorized, &consumer, "/records/124/demographics");
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
    let request = h.get(&authorized, &consumer, "/records/123/demographics");
    assert!(matches!(
        h.send(&request).error,
        Some(Error::InvalidCredentials)
    ));
}

/// The same token credentials, claimed by another consumer key.
fn authorized_as(authorized: &Authorized, consumer_key: &str) -> Authorized {
    Authorized::from_parts(
        consumer_key,
        endpoints(),
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
    incoming.content_type = request.content_type;
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
        .handle_callback(&h.consumer, location.split_once('?').unwrap().1, stamp)
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
    let error = state
        .handle_callback(&h.consumer, &forged, stamp)
        .unwrap_err();
    assert!(matches!(error, Error::CallbackMismatch));
    assert_eq!(error.http_status(), 400);
    assert_eq!(h.wire.len(), 1, "only the request-token call went out");
}
