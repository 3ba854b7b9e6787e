//! Where a protected request may carry its protocol parameters (the
//! `Authorization` header only, SECURITY.md 27) and how a non-form body
//! without `oauth_body_hash` is treated (accepted unless the provider
//! requires the body hash; verified whenever present).

use oauth1_sign::{Body, RequestParts, sign};

use super::security::{danced, hand_signed, oauth_for};
use super::*;

/// The `Authorization` header's parameters as a query string (their values
/// are already percent-encoded).
fn header_as_query(header: &str) -> String {
    header
        .trim_start_matches("OAuth ")
        .split(", ")
        .filter(|p| !p.starts_with("realm="))
        .map(|p| p.replace('"', ""))
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn sec_27_a_protected_request_signed_into_the_query_is_refused() {
    let (h, authorized) = danced();
    let url = format!("{ORIGIN}/records/123/demographics");
    let oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "query-nonce");
    let header = hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose()));
    // The same signature as a link: every parameter in the query.
    let link = format!("{url}?{}", header_as_query(&header));
    let error = h
        .provider
        .authenticate(h.now, &ProviderRequest::new("GET", link.as_str()))
        .unwrap_err();
    assert_eq!(error.http_status(), 400, "{error}");
    // One parameter moved to the query (its name percent-encoded) is refused too.
    let mut request = ProviderRequest::new("GET", format!("{url}?oauth%5Fversion=1.0"));
    request.authorization = Some(&header);
    let error = h.provider.authenticate(h.now, &request).unwrap_err();
    assert_eq!(error.http_status(), 400, "{error}");
    // The header alone is accepted.
    let mut request = ProviderRequest::new("GET", url.as_str());
    request.authorization = Some(&header);
    assert!(h.provider.authenticate(h.now, &request).is_ok());
}

#[test]
fn sec_27_the_query_rule_can_be_turned_off_for_other_providers() {
    let mut config = smart_config();
    config.protected_header_only = false;
    let mut h = Harness::with_config(config);
    let authorized = h.dance();
    let url = format!("{ORIGIN}/records/123/demographics");
    let oauth = oauth_for(&h, &authorized, SignatureMethod::HmacSha1, "query-nonce");
    let header = hand_signed(&url, &oauth, APP_SECRET, Some(authorized.secret().expose()));
    let link = format!("{url}?{}", header_as_query(&header));
    assert!(
        h.provider
            .authenticate(h.now, &ProviderRequest::new("GET", link.as_str()))
            .is_ok()
    );
}

/// A signed `PUT` of `body` as `text/plain`, with or without a body hash.
fn put(h: &Harness, authorized: &Authorized, signed_body: Option<&[u8]>, nonce: &str) -> String {
    let url = format!("{ORIGIN}/records/123/apps/app/scratchpad");
    let oauth = oauth_for(h, authorized, SignatureMethod::HmacSha1, nonce);
    let parts = RequestParts {
        method: "PUT",
        url: &url,
        body: signed_body.map_or(Body::Empty, Body::Other),
    };
    sign(
        &parts,
        &oauth,
        &Secret::new(APP_SECRET),
        Some(authorized.secret()),
    )
    .unwrap()
    .authorization
}

fn send_put(h: &Harness, header: &str, body: &[u8]) -> Result<crate::Authenticated, Error> {
    let url = format!("{ORIGIN}/records/123/apps/app/scratchpad");
    let mut request = ProviderRequest::new("PUT", url);
    request.authorization = Some(header);
    request.content_type = Some("text/plain");
    request.body = body;
    h.provider.authenticate(h.now, &request)
}

#[test]
fn a_non_form_body_without_body_hash_is_accepted_by_default() {
    let (h, authorized) = danced();
    let header = put(&h, &authorized, None, "no-hash");
    assert!(send_put(&h, &header, b"notes").is_ok());
}

#[test]
fn a_body_hash_when_present_is_verified() {
    let (h, authorized) = danced();
    let header = put(&h, &authorized, Some(b"notes"), "hash-ok");
    assert!(send_put(&h, &header, b"notes").is_ok());
    let header = put(&h, &authorized, Some(b"other"), "hash-bad");
    let error = send_put(&h, &header, b"notes").unwrap_err();
    assert_eq!(error.http_status(), 401, "{error}");
}

#[test]
fn require_body_hash_refuses_a_body_without_one() {
    let mut config = smart_config();
    config.require_body_hash = true;
    let mut h = Harness::with_config(config);
    let authorized = h.dance();
    let header = put(&h, &authorized, None, "no-hash");
    let error = send_put(&h, &header, b"notes").unwrap_err();
    assert_eq!(error.http_status(), 400, "{error}");
    let header = put(&h, &authorized, Some(b"notes"), "hash-ok");
    assert!(send_put(&h, &header, b"notes").is_ok());
}
