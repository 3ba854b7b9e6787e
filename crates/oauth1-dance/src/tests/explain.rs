//! `Provider::explain_signature`: a refused signature explained with the
//! base string and the expected signature, and nothing else explained.

use std::string::ToString;

use oauth1_sign::{Secret, SignatureMethod};

use super::*;
use crate::{Authorized, SignatureMismatch};

const WRONG: &str = "not-the-secret";

/// The decoded `oauth_signature` of a request we signed.
fn signature_of(request: &OutgoingRequest) -> String {
    let header = oauth1_sign::AuthorizationHeader::parse(&request.authorization).unwrap();
    header.get("oauth_signature").unwrap().to_string()
}

/// An access token of `APP_KEY` for record 7 and its secret, issued on a
/// two-legged request.
fn access_token(h: &mut Harness) -> (String, String) {
    let stamp = h.stamp();
    let request = h
        .consumer
        .two_legged_request(
            "POST",
            &format!("{ORIGIN}/tokens"),
            None,
            b"".to_vec(),
            stamp,
        )
        .unwrap();
    let auth = h
        .provider
        .authenticate_consumer(h.now, &ProviderRequest::from(&request))
        .unwrap();
    let mut attributes = Attributes::new();
    attributes.insert("record_id".to_string(), "7".to_string());
    let issued = h
        .provider
        .issue_consumer_token(h.now, auth, "", attributes, &mut h.rng)
        .unwrap();
    let secret = issued
        .body()
        .split('&')
        .find_map(|pair| pair.strip_prefix("oauth_token_secret="))
        .unwrap()
        .to_string();
    (issued.token, secret)
}

fn explain(h: &Harness, request: &OutgoingRequest) -> Option<SignatureMismatch> {
    h.provider
        .explain_signature(&ProviderRequest::from(request))
        .unwrap()
}

#[test]
fn a_wrong_consumer_secret_is_explained_with_the_signature_the_right_one_gives() {
    let mut h = Harness::new();
    let (token, secret) = access_token(&mut h);
    let url = format!("{ORIGIN}/records/7/medications/?limit=2");
    let stamp = Stamp::new(h.now, "n1");
    let right = Authorized::from_parts(
        h.consumer.clone(),
        token.clone(),
        Secret::new(secret.clone()),
        Attributes::new(),
    );
    let wrong = Authorized::from_parts(
        Consumer::new(APP_KEY, Secret::new(WRONG)),
        token.clone(),
        Secret::new(secret),
        Attributes::new(),
    );
    let good = right
        .request("GET", &url, None, b"", stamp.clone())
        .unwrap();
    let bad = wrong.request("GET", &url, None, b"", stamp).unwrap();
    assert!(matches!(
        h.provider.authenticate(h.now, &ProviderRequest::from(&bad)),
        Err(Error::InvalidCredentials)
    ));
    let mismatch = explain(&h, &bad).unwrap();
    assert_eq!(mismatch.consumer_key, APP_KEY);
    assert_eq!(mismatch.signature_method, SignatureMethod::HmacSha1);
    assert!(
        mismatch.base_string.starts_with(
            "GET&https%3A%2F%2Fsmart.example.org%2Frecords%2F7%2Fmedications%2F&limit%3D2%26oauth_consumer_key%3D"
        ),
        "{}",
        mismatch.base_string
    );
    assert!(
        mismatch
            .base_string
            .contains(&format!("oauth_token%3D{token}"))
    );
    assert_eq!(mismatch.expected, signature_of(&good));
    assert_eq!(mismatch.received, signature_of(&bad));
    assert_ne!(mismatch.expected, mismatch.received);
    // No secret is in it.
    let shown = format!("{mismatch:?}");
    assert!(
        !shown.contains(APP_SECRET) && !shown.contains(WRONG),
        "{shown}"
    );
}

#[test]
fn a_wrong_token_secret_on_a_request_token_and_a_two_legged_request_are_explained() {
    let mut h = Harness::new();
    let (request, _state) = h.initiate();
    let reply = h.send(&request);
    let body = String::from_utf8(reply.body).unwrap();
    let request_token = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("oauth_token="))
        .unwrap()
        .to_string();
    let url = format!("{ORIGIN}/oauth/access_token");
    let signed_with = |token_secret: &str| {
        Authorized::from_parts(
            h.consumer.clone(),
            request_token.clone(),
            Secret::new(token_secret),
            Attributes::new(),
        )
        .request("POST", &url, None, b"", Stamp::new(START, "n2"))
        .unwrap()
    };
    let bad = signed_with(WRONG);
    let mismatch = explain(&h, &bad).unwrap();
    assert!(
        mismatch
            .base_string
            .starts_with("POST&https%3A%2F%2Fsmart.example.org%2Foauth%2Faccess_token&")
    );
    assert_eq!(mismatch.received, signature_of(&bad));
    assert_ne!(mismatch.expected, mismatch.received);

    let stamp = h.stamp();
    let two_legged = Consumer::new(APP_KEY, Secret::new(WRONG))
        .two_legged_request(
            "POST",
            &format!("{ORIGIN}/tokens"),
            None,
            b"".to_vec(),
            stamp.clone(),
        )
        .unwrap();
    let right = h
        .consumer
        .two_legged_request(
            "POST",
            &format!("{ORIGIN}/tokens"),
            None,
            b"".to_vec(),
            stamp,
        )
        .unwrap();
    let mismatch = explain(&h, &two_legged).unwrap();
    assert_eq!(mismatch.expected, signature_of(&right));
    assert!(!mismatch.base_string.contains("oauth_token%3D"));
}

#[test]
fn only_a_signature_of_a_known_consumer_and_token_that_does_not_match_is_explained() {
    let mut h = Harness::new();
    let (token, secret) = access_token(&mut h);
    let url = format!("{ORIGIN}/records/7/medications/");
    let with = |key: &str, consumer_secret: &str, token: &str, method: SignatureMethod| {
        let consumer =
            Consumer::new(key, Secret::new(consumer_secret)).with_signature_method(method);
        Authorized::from_parts(
            consumer,
            token,
            Secret::new(secret.clone()),
            Attributes::new(),
        )
        .request("GET", &url, None, b"", Stamp::new(START, "n3"))
        .unwrap()
    };
    let hmac = SignatureMethod::HmacSha1;
    // A good signature, even one already used (its nonce taken), is not a mismatch.
    let good = with(APP_KEY, APP_SECRET, &token, hmac);
    assert!(
        h.provider
            .authenticate(h.now, &ProviderRequest::from(&good))
            .is_ok()
    );
    assert_eq!(explain(&h, &good), None);
    // An unknown consumer, an unknown token, another consumer's token.
    assert_eq!(explain(&h, &with("nobody", WRONG, &token, hmac)), None);
    assert_eq!(
        explain(&h, &with(APP_KEY, WRONG, "unknown-token", hmac)),
        None
    );
    assert_eq!(explain(&h, &with(OTHER_KEY, WRONG, &token, hmac)), None);
    // PLAINTEXT: its signature is the secrets, never shown.
    let plaintext = with(APP_KEY, WRONG, &token, SignatureMethod::Plaintext);
    assert_eq!(explain(&h, &plaintext), None);
    // Another HMAC method is explained with it.
    let sha256 = explain(
        &h,
        &with(APP_KEY, WRONG, &token, SignatureMethod::HmacSha256),
    )
    .unwrap();
    assert_eq!(sha256.signature_method, SignatureMethod::HmacSha256);
    // A request that does not parse is the parse's error.
    let mut broken = with(APP_KEY, WRONG, &token, hmac);
    broken.authorization = "OAuth oauth_consumer_key=\"x\"".to_string();
    assert!(matches!(
        h.provider
            .explain_signature(&ProviderRequest::from(&broken)),
        Err(Error::Request(_))
    ));
}
