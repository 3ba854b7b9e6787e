//! Two-legged requests (the consumer alone, no token) and the tokens a
//! provider issues on them: SMART background apps.

use std::string::ToString;

use oauth1_sign::Secret;

use super::*;
use crate::Authorized;

const TOKENS_URL: &str = "https://smart.example.org/apps/x/tokens/records/first";

fn two_legged(h: &mut Harness, consumer: &Consumer) -> OutgoingRequest {
    let stamp = h.stamp();
    consumer
        .two_legged_request("POST", TOKENS_URL, None, b"".to_vec(), stamp)
        .unwrap()
}

fn own(h: &mut Harness) -> OutgoingRequest {
    let consumer = h.consumer.clone();
    two_legged(h, &consumer)
}

fn record_attributes(record: &str) -> Attributes {
    let mut attributes = Attributes::new();
    attributes.insert("record_id".to_string(), record.to_string());
    attributes.insert("oauth_hidden".to_string(), "never in the body".to_string());
    attributes
}

#[test]
fn a_two_legged_request_gets_a_token_that_reads_expires_and_is_revoked_like_any_other() {
    let mut h = Harness::new();
    let request = own(&mut h);
    assert!(!request.authorization.contains("oauth_token="));
    let auth = h
        .provider
        .authenticate_consumer(h.now, &ProviderRequest::from(&request))
        .unwrap();
    assert_eq!(auth.consumer_key, APP_KEY);
    let _ = auth.proof();
    let issued = h
        .provider
        .issue_consumer_token(h.now, auth, "", record_attributes("7"), &mut h.rng)
        .unwrap();
    assert_eq!(issued.user_id, "");
    assert_eq!(issued.consumer_key, APP_KEY);
    let body = issued.body().to_string();
    // Tokens, secrets and the record id here are alphanumeric: no decoding.
    let pairs: Vec<(String, String)> = body
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["oauth_token", "oauth_token_secret", "record_id"]);
    assert_eq!(pairs[0].1, issued.token);
    assert_eq!(pairs[2].1, "7");

    // The token signs protected requests like one from the dance.
    let authorized = Authorized::from_parts(
        h.consumer.clone(),
        pairs[0].1.clone(),
        Secret::new(pairs[1].1.clone()),
        Attributes::new(),
    );
    let get = h.get(&authorized, "/records/7/medications/");
    let reader = h
        .provider
        .authenticate(h.now, &ProviderRequest::from(&get))
        .unwrap();
    assert_eq!(reader.attributes["record_id"], "7");
    assert!(reader.require_attribute("record_id", "8").is_err());

    // It lives the configured hour and not a second longer.
    h.now = START + 3600;
    let get = h.get(&authorized, "/records/7/medications/");
    assert!(
        h.provider
            .authenticate(h.now, &ProviderRequest::from(&get))
            .is_ok()
    );
    h.now = START + 3601;
    let get = h.get(&authorized, "/records/7/medications/");
    assert!(matches!(
        h.provider.authenticate(h.now, &ProviderRequest::from(&get)),
        Err(Error::InvalidCredentials)
    ));

    // Revoked, it is refused at once.
    h.now = START;
    assert!(h.provider.revoke(&pairs[0].1).unwrap());
    let get = h.get(&authorized, "/records/7/medications/");
    assert!(matches!(
        h.provider.authenticate(h.now, &ProviderRequest::from(&get)),
        Err(Error::InvalidCredentials)
    ));
}

#[test]
fn a_two_legged_request_with_a_token_verifier_or_callback_is_400() {
    let mut h = Harness::new();
    let authorized = Authorized::from_parts(
        h.consumer.clone(),
        "sometoken",
        Secret::new("somesecret"),
        Attributes::new(),
    );
    let stamp = h.stamp();
    let with_token = authorized
        .request("POST", TOKENS_URL, None, b"".to_vec(), stamp)
        .unwrap();
    let error = h
        .provider
        .authenticate_consumer(h.now, &ProviderRequest::from(&with_token))
        .unwrap_err();
    assert!(
        matches!(error, Error::UnexpectedParameter("oauth_token")),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 400);

    for (name, value) in [("oauth_verifier", "abc"), ("oauth_callback", "oob")] {
        let mut request = own(&mut h);
        request.authorization = format!("{}, {name}=\"{value}\"", request.authorization);
        let error = h
            .provider
            .authenticate_consumer(h.now, &ProviderRequest::from(&request))
            .unwrap_err();
        assert!(
            matches!(error, Error::UnexpectedParameter(n) if n == name),
            "{name}: {error:?}"
        );
    }

    // OAuth parameters outside the header are refused here too.
    let request = own(&mut h);
    let mut provider_request = ProviderRequest::from(&request);
    provider_request.url = format!("{TOKENS_URL}?oauth_nonce=x").into();
    let error = h
        .provider
        .authenticate_consumer(h.now, &provider_request)
        .unwrap_err();
    assert!(matches!(error, Error::UnexpectedParameter(_)), "{error:?}");
}

#[test]
fn a_two_legged_request_with_a_wrong_secret_or_a_replayed_nonce_is_401() {
    let mut h = Harness::new();
    let wrong = Consumer::new(APP_KEY, Secret::new("not-the-secret-0123456789"));
    let request = two_legged(&mut h, &wrong);
    assert!(matches!(
        h.provider
            .authenticate_consumer(h.now, &ProviderRequest::from(&request)),
        Err(Error::InvalidCredentials)
    ));
    let unknown = Consumer::new("nobody@apps.example.org", Secret::new(APP_SECRET));
    let request = two_legged(&mut h, &unknown);
    assert!(matches!(
        h.provider
            .authenticate_consumer(h.now, &ProviderRequest::from(&request)),
        Err(Error::InvalidCredentials)
    ));
    let request = own(&mut h);
    assert!(
        h.provider
            .authenticate_consumer(h.now, &ProviderRequest::from(&request))
            .is_ok()
    );
    assert!(matches!(
        h.provider
            .authenticate_consumer(h.now, &ProviderRequest::from(&request)),
        Err(Error::NonceReused)
    ));
    // Another consumer's signature never passes as this one's.
    let other = Harness::other_consumer();
    let mut request = two_legged(&mut h, &other);
    let key = APP_KEY.replace('@', "%40");
    request.authorization = replace_param(&request.authorization, "oauth_consumer_key", &key);
    assert!(matches!(
        h.provider
            .authenticate_consumer(h.now, &ProviderRequest::from(&request)),
        Err(Error::InvalidCredentials)
    ));
}
