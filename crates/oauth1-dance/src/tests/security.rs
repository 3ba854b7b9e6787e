//! One test per SECURITY.md item this crate enforces, named `sec_NN_...`:
//! items 3 to 11 (the verifier) here, items 12 to 23 (the dance) in `security_dance`.

use std::sync::Arc;
use std::thread;

use oauth1_sign::{Body, OAuthParams, RequestParts, sign};

use super::*;

/// Signs a request by hand, for cases the consumer API refuses to produce.
pub(super) fn hand_signed(
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

pub(super) fn authenticate(
    h: &Harness,
    url: &str,
    authorization: &str,
) -> Result<crate::Authenticated, Error> {
    let mut request = ProviderRequest::new("GET", url);
    request.authorization = Some(authorization);
    h.provider.authenticate(h.now, &request)
}

/// A harness after the dance, with the access token and its secret.
pub(super) fn danced() -> (Harness, Authorized) {
    let mut h = Harness::new();
    let authorized = h.dance();
    (h, authorized)
}

pub(super) fn oauth_for(
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
    let good = h
        .get(&authorized, "/records/123/demographics")
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
    for _ in 0..50 {
        let request = h.get(&authorized, "/records/123/demographics");
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
    let request = h.get(&authorized, "/records/123/demographics");
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
    let request = h.get(&authorized, "/records/123/problems/?snomed=1&snomed=2");
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
    let request = h.get(&authorized, "/records/123/demographics");
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

/// The provider's own limits hold exactly at their bounds: a header or URL of
/// `MAX_HEADER_LEN` bytes and a body of `max_body_len` bytes get past them
/// (to fail, or pass, on their merits), one byte more is `TooLarge` before
/// anything is parsed.
#[test]
fn sec_10_limits_hold_exactly_at_their_bounds() {
    use oauth1_sign::limits::MAX_HEADER_LEN;
    let (mut h, authorized) = danced();
    let request = h.get(&authorized, "/records/123/demographics");
    let too_large = |r: Result<crate::Authenticated, Error>| matches!(r, Err(Error::TooLarge));

    // The header, padded with an unsigned parameter the signer refuses later.
    let header_of = |len: usize| {
        let head = format!("{}, x=\"", request.authorization);
        format!("{head}{}\"", "a".repeat(len - head.len() - 1))
    };
    let at = header_of(MAX_HEADER_LEN);
    assert_eq!(at.len(), MAX_HEADER_LEN);
    assert!(!too_large(authenticate(&h, &request.url, &at)));
    assert!(too_large(authenticate(
        &h,
        &request.url,
        &header_of(MAX_HEADER_LEN + 1)
    )));
    assert!(too_large(authenticate(
        &h,
        &request.url,
        &header_of(MAX_HEADER_LEN + 2)
    )));

    // The URL, padded with an unsigned query parameter.
    let url_of = |len: usize| {
        let head = format!("{}?pad=", request.url);
        format!("{head}{}", "a".repeat(len - head.len()))
    };
    assert!(!too_large(authenticate(
        &h,
        &url_of(MAX_HEADER_LEN),
        &request.authorization
    )));
    for len in [MAX_HEADER_LEN + 1, MAX_HEADER_LEN + 2] {
        assert!(too_large(authenticate(
            &h,
            &url_of(len),
            &request.authorization
        )));
    }

    // The body.
    let limit = h.provider.config().max_body_len;
    for (len, refused) in [(limit, false), (limit + 1, true)] {
        let body = vec![b'a'; len];
        let mut post = ProviderRequest::new("POST", request.url.as_str());
        post.authorization = Some(&request.authorization);
        post.content_type = Some("application/octet-stream");
        post.body = &body;
        assert_eq!(
            too_large(h.provider.authenticate(h.now, &post)),
            refused,
            "{len}"
        );
    }
}

/// A required request parameter that is present but empty is missing
/// (SMART: `smart_record_id=` names no record).
#[test]
fn a_required_parameter_that_is_empty_is_missing() {
    let mut h = Harness::new();
    let stamp = h.stamp();
    let (request, _) = TemporaryCredentialsRequest::out_of_band(endpoints())
        .param("smart_record_id", "")
        .sign(&h.consumer, stamp)
        .unwrap();
    let reply = h.send(&request);
    assert_eq!(reply.status, 400);
    assert!(
        matches!(&reply.error, Some(Error::MissingParameter(p)) if p == "smart_record_id"),
        "{:?}",
        reply.error
    );
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
