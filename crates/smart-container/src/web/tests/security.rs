//! One test per SECURITY.md item that concerns the provider or the UI
//! (items 3-21; 1-2 are the signer's, 22-25 the consumer app's). The
//! protocol rules are the dance crate's: these tests prove they are wired.
//! This file holds the verifier items 3-11; `security_dance.rs` items 12-21.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use oauth1_dance::{Authorized, Consumer, Stamp, TemporaryCredentialsRequest};
use oauth1_sign::Secret as SignSecret;

use super::harness::{APP_ID, Harness, PUBLIC, RECORD, Reply};

#[tokio::test]
async fn sec_03_plaintext_is_refused_for_an_hmac_consumer() {
    // The consumer side refuses to sign PLAINTEXT over http, so the request
    // is forged: an HMAC-SHA1 header rewritten to PLAINTEXT with the right key.
    let h = Harness::new();
    let (req, _) = TemporaryCredentialsRequest::out_of_band(Harness::endpoints())
        .param("smart_record_id", RECORD)
        .sign(&h.consumer(), Stamp::now().unwrap())
        .unwrap();
    let hdr = req.authorization.clone();
    let sig = hdr
        .split("oauth_signature=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let key = format!("{}%2526", h.secret.expose());
    let forged = hdr.replace("HMAC-SHA1", "PLAINTEXT").replace(
        &format!("oauth_signature=\"{sig}\""),
        &format!("oauth_signature=\"{key}\""),
    );
    assert_ne!(forged, hdr);
    let mut http = req.to_http().unwrap().map(Body::from);
    http.headers_mut()
        .insert(header::AUTHORIZATION, forged.parse().unwrap());
    let r = h.send(http).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("plaintext"), "{}", r.body);
}

#[tokio::test]
async fn sec_04_an_empty_key_is_never_accepted() {
    let h = Harness::new();
    let consumer = Consumer::new(APP_ID, SignSecret::new(""));
    let (req, _) = TemporaryCredentialsRequest::out_of_band(Harness::endpoints())
        .param("smart_record_id", RECORD)
        .sign(&consumer, Stamp::now().unwrap())
        .unwrap();
    let r = h.send_outgoing(&req).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(r.header("www-authenticate").starts_with("OAuth realm="));
}

#[tokio::test]
async fn sec_05_timestamps_outside_the_window_or_malformed_are_rejected() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    for ts in [now() - 301, now() + 301, 0] {
        let (r, _) = get_with(&h, &auth, &demo_path(), Stamp::new(ts, nonce())).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "timestamp {ts}");
    }
    let (ok, hdr) = get_with(&h, &auth, &demo_path(), Stamp::now().unwrap()).await;
    assert_eq!(ok.status, StatusCode::OK);
    let ts = hdr
        .split("oauth_timestamp=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    for bad in ["%2B1", "%201", "1.0", "-1", ""] {
        let tampered = hdr.replace(
            &format!("oauth_timestamp=\"{ts}\""),
            &format!("oauth_timestamp=\"{bad}\""),
        );
        let r = send_header(&h, &demo_path(), &tampered).await;
        assert!(
            matches!(r.status.as_u16(), 400 | 401),
            "timestamp {bad:?}: {}",
            r.status
        );
    }
}

#[tokio::test]
async fn sec_06_nonces_are_single_use_even_encoded_or_concurrent() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let (first, hdr) = get_with(&h, &auth, &demo_path(), Stamp::new(now(), "abc")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        send_header(&h, &demo_path(), &hdr).await.status,
        StatusCode::UNAUTHORIZED,
        "replay"
    );
    let ts = hdr
        .split("oauth_timestamp=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (again, _) = get_with(&h, &auth, &demo_path(), Stamp::new(ts, "abc")).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "same decoded nonce");
    let tampered = hdr.replace("oauth_nonce=\"abc\"", "oauth_nonce=\"%61bc\"");
    assert_ne!(tampered, hdr);
    assert_eq!(
        send_header(&h, &demo_path(), &tampered).await.status,
        StatusCode::UNAUTHORIZED,
        "percent-encoded replay"
    );
    // Sixteen concurrent replays of a fresh request: exactly one wins.
    let url = format!("{PUBLIC}{}", demo_path());
    let fresh = auth
        .request("GET", &url, None, b"", Stamp::now().unwrap())
        .map(|r| r.authorization)
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let router = crate::app(h.state.clone());
        let req = Request::get(&url)
            .header(header::AUTHORIZATION, &fresh)
            .body(Body::empty())
            .unwrap();
        tasks.push(tokio::spawn(async move {
            tower::ServiceExt::oneshot(router, req)
                .await
                .unwrap()
                .status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == StatusCode::OK {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn sec_07_oauth_parameters_in_two_places_are_400() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let path = format!("{}?oauth_nonce=x", demo_path());
    let (r, _) = get_with(&h, &auth, &path, Stamp::now().unwrap()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

#[tokio::test]
async fn sec_08_body_parameters_count_only_for_form_bodies() {
    let h = Harness::new();
    let (req, _) = TemporaryCredentialsRequest::out_of_band(Harness::endpoints())
        .param("smart_record_id", RECORD)
        .sign(&h.consumer(), Stamp::now().unwrap())
        .unwrap();
    let mut http = req.to_http().unwrap().map(Body::from);
    http.headers_mut()
        .insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    let r = h.send(http).await;
    assert!(
        matches!(r.status.as_u16(), 400 | 401),
        "{}: {}",
        r.status,
        r.body
    );
}

#[tokio::test]
async fn sec_09_the_base_string_uses_the_public_url_not_the_host_header() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    // Signed for another origin, sent with that Host: refused.
    let evil = format!("http://evil.example{}", demo_path());
    let hdr = auth
        .request("GET", &evil, None, b"", Stamp::now().unwrap())
        .map(|r| r.authorization)
        .unwrap();
    let req = Request::get(&evil)
        .header(header::HOST, "evil.example")
        .header(header::AUTHORIZATION, hdr)
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(req).await.status, StatusCode::UNAUTHORIZED);
    // Signed for the public URL, sent with any Host and X-Forwarded-Host: accepted.
    let url = format!("{PUBLIC}{}", demo_path());
    let hdr = auth
        .request("GET", &url, None, b"", Stamp::now().unwrap())
        .map(|r| r.authorization)
        .unwrap();
    let req = Request::get(demo_path())
        .header(header::HOST, "internal:7000")
        .header("x-forwarded-host", "evil.example")
        .header(header::AUTHORIZATION, hdr)
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(req).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sec_10_limits_come_before_work() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let huge = format!("OAuth oauth_consumer_key=\"{}\"", "a".repeat(1 << 20));
    let r = send_header(&h, &demo_path(), &huge).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let (_, hdr) = get_with(&h, &auth, &demo_path(), Stamp::new(now(), "n1")).await;
    let nul = hdr.replace("oauth_nonce=\"n1\"", "oauth_nonce=\"n%00\"");
    assert_eq!(
        send_header(&h, &demo_path(), &nul).await.status,
        StatusCode::BAD_REQUEST
    );
    // A body over the limit is refused.
    let big = vec![b'a'; super::super::BODY_LIMIT + 1];
    let r = h
        .send(
            Request::post(format!("{PUBLIC}/oauth/request_token"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(big))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn sec_11_unknown_consumer_and_bad_signature_fail_alike() {
    let h = Harness::new();
    let unknown = Consumer::new(
        "nobody@apps.example",
        SignSecret::new("whatever-secret-123"),
    );
    let wrong = Consumer::new(APP_ID, SignSecret::new("wrong-secret-123456"));
    let mut replies = Vec::new();
    for c in [&unknown, &wrong] {
        let (req, _) = TemporaryCredentialsRequest::out_of_band(Harness::endpoints())
            .param("smart_record_id", RECORD)
            .sign(c, Stamp::now().unwrap())
            .unwrap();
        let r = h.send_outgoing(&req).await;
        let challenge = r.header("www-authenticate").to_owned();
        replies.push((r.status, r.body, challenge));
    }
    assert_eq!(replies[0].0, StatusCode::UNAUTHORIZED);
    assert_eq!(replies[0], replies[1], "same status, body and challenge");
}

pub(super) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(super) fn nonce() -> String {
    crate::crypto::random_token(24)
}

/// A signed GET with a hand-made stamp, and the header for replays.
pub(super) async fn get_with(
    h: &Harness,
    auth: &Authorized,
    path: &str,
    stamp: Stamp,
) -> (Reply, String) {
    let url = format!("{PUBLIC}{path}");
    let hdr = auth
        .request("GET", &url, None, b"", stamp)
        .map(|r| r.authorization)
        .unwrap();
    (send_header(h, path, &hdr).await, hdr)
}

pub(super) async fn send_header(h: &Harness, path: &str, authorization: &str) -> Reply {
    h.send(
        Request::get(format!("{PUBLIC}{path}"))
            .header(header::AUTHORIZATION, authorization)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

pub(super) fn demo_path() -> String {
    format!("/records/{RECORD}/demographics")
}
