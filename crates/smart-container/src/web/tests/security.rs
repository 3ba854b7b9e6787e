//! One test per SECURITY.md item that concerns the provider or the UI
//! (items 3-21; 1-2 are the signer's, 22-25 the consumer app's). The
//! protocol rules are the dance crate's: these tests prove they are wired.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use oauth1_dance::{Authorized, Callback, Consumer, Stamp, TemporaryCredentialsRequest};
use oauth1_sign::Secret as SignSecret;

use super::harness::{APP_ID, Harness, OTHER_APP_ID, OTHER_RECORD, PUBLIC, RECORD, Reply};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn nonce() -> String {
    crate::crypto::random_token(24)
}

/// A signed GET with a hand-made stamp, and the header for replays.
async fn get_with(
    h: &Harness,
    auth: &Authorized,
    consumer: &Consumer,
    path: &str,
    stamp: Stamp,
) -> (Reply, String) {
    let url = format!("{PUBLIC}{path}");
    let hdr = auth
        .sign_request(consumer, "GET", &url, None, b"", stamp)
        .unwrap();
    (send_header(h, path, &hdr).await, hdr)
}

async fn send_header(h: &Harness, path: &str, authorization: &str) -> Reply {
    h.send(
        Request::get(format!("{PUBLIC}{path}"))
            .header(header::AUTHORIZATION, authorization)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn demo_path() -> String {
    format!("/records/{RECORD}/demographics")
}

#[tokio::test]
async fn sec_03_plaintext_is_refused_for_an_hmac_consumer() {
    // The consumer side refuses to sign PLAINTEXT over http, so the request
    // is forged: an HMAC-SHA1 header rewritten to PLAINTEXT with the right key.
    let h = Harness::new();
    let (req, _) = TemporaryCredentialsRequest::new(Harness::endpoints(), Callback::Oob)
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
    let (req, _) = TemporaryCredentialsRequest::new(Harness::endpoints(), Callback::Oob)
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
    let c = h.consumer();
    for ts in [now() - 301, now() + 301, 0] {
        let (r, _) = get_with(&h, &auth, &c, &demo_path(), Stamp::new(ts, nonce())).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "timestamp {ts}");
    }
    let (ok, hdr) = get_with(&h, &auth, &c, &demo_path(), Stamp::now().unwrap()).await;
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
    let c = h.consumer();
    let (first, hdr) = get_with(&h, &auth, &c, &demo_path(), Stamp::new(now(), "abc")).await;
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
    let (again, _) = get_with(&h, &auth, &c, &demo_path(), Stamp::new(ts, "abc")).await;
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
        .sign_request(&c, "GET", &url, None, b"", Stamp::now().unwrap())
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
    let (r, _) = get_with(&h, &auth, &h.consumer(), &path, Stamp::now().unwrap()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

#[tokio::test]
async fn sec_08_body_parameters_count_only_for_form_bodies() {
    let h = Harness::new();
    let (req, _) = TemporaryCredentialsRequest::new(Harness::endpoints(), Callback::Oob)
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
    let c = h.consumer();
    // Signed for another origin, sent with that Host: refused.
    let evil = format!("http://evil.example{}", demo_path());
    let hdr = auth
        .sign_request(&c, "GET", &evil, None, b"", Stamp::now().unwrap())
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
        .sign_request(&c, "GET", &url, None, b"", Stamp::now().unwrap())
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
    let (_, hdr) = get_with(
        &h,
        &auth,
        &h.consumer(),
        &demo_path(),
        Stamp::new(now(), "n1"),
    )
    .await;
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
        let (req, _) = TemporaryCredentialsRequest::new(Harness::endpoints(), Callback::Oob)
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

#[tokio::test]
async fn sec_12_request_tokens_confirm_the_callback() {
    let h = Harness::new();
    let st = h.request_token(&h.consumer(), RECORD).await;
    assert!(st.callback_confirmed());
}

#[tokio::test]
async fn sec_13_redirects_go_only_to_the_manifest_callback_keeping_its_query() {
    let h = Harness::with_callback("http://localhost:8000/authorized?app=1");
    let consumer = h.consumer();
    let (req, st) = TemporaryCredentialsRequest::new(
        Harness::endpoints(),
        Callback::Url("http://evil.example/steal".into()),
    )
    .param("smart_record_id", RECORD)
    .sign(&consumer, Stamp::now().unwrap())
    .unwrap();
    let r = h.send_outgoing(&req).await;
    let st = st
        .handle_response(r.status.as_u16(), r.body.as_bytes())
        .unwrap();
    let cookie = h.login("alice", "alice-password").await;
    let csrf = h.csrf(st.token(), &cookie).await;
    let form = [
        ("oauth_token", st.token()),
        ("csrf_token", csrf.as_str()),
        ("decision", "approve"),
        ("oauth_callback", "http://evil.example/x"),
    ];
    let r = h.post_form("/oauth/authorize", &form, Some(&cookie)).await;
    let location = r.header("location");
    assert!(
        location.starts_with(&format!(
            "http://localhost:8000/authorized?app=1&oauth_token={}&oauth_verifier=",
            st.token()
        )),
        "{location}"
    );
}

#[tokio::test]
async fn sec_14_authorize_needs_login_post_csrf_and_frame_headers() {
    let h = Harness::new();
    let st = h.request_token(&h.consumer(), RECORD).await;
    let token = st.token().to_owned();
    let page = format!("/oauth/authorize?oauth_token={token}");
    // Not logged in: to the login page, coming back here.
    let r = h.get(&page, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.header("location")
            .starts_with("/login?return_url=%2Foauth%2Fauthorize")
    );
    let alice = h.login("alice", "alice-password").await;
    let bob = h.login("bob", "bob-password").await;
    let r = h.get(&page, Some(&alice)).await;
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(r.header(name), value, "{name}");
    }
    assert!(
        r.header("content-security-policy")
            .contains("frame-ancestors 'none'")
    );
    let alice_csrf = super::harness::extract_value(&r.body, "csrf_token");
    let bob_csrf = h.csrf(&token, &bob).await;
    let post = |csrf: String, cookie: Option<String>| {
        let token = token.clone();
        let h = &h;
        async move {
            let form = [
                ("oauth_token", token.as_str()),
                ("csrf_token", csrf.as_str()),
                ("decision", "approve"),
            ];
            h.post_form("/oauth/authorize", &form, cookie.as_deref())
                .await
                .status
        }
    };
    assert_eq!(
        post(alice_csrf.clone(), None).await,
        StatusCode::UNAUTHORIZED,
        "no session"
    );
    assert_eq!(
        post(String::new(), Some(alice.clone())).await,
        StatusCode::FORBIDDEN,
        "no csrf"
    );
    assert_eq!(
        post(bob_csrf, Some(alice.clone())).await,
        StatusCode::FORBIDDEN,
        "another session's csrf"
    );
    // A CSRF token for another request token does not work either.
    let other = h.request_token(&h.consumer(), RECORD).await;
    let other_csrf = h.csrf(other.token(), &alice).await;
    assert_eq!(
        post(other_csrf, Some(alice.clone())).await,
        StatusCode::FORBIDDEN,
        "another token's csrf"
    );
    // GET with the decision does not approve.
    let r = h
        .get(
            &format!("{page}&decision=approve&csrf_token={alice_csrf}"),
            Some(&alice),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        post(alice_csrf.clone(), Some(alice.clone())).await,
        StatusCode::SEE_OTHER
    );
    // Decided: the page does not show again (no silent re-approval) and a second POST fails.
    assert_eq!(
        h.get(&page, Some(&alice)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(post(alice_csrf, Some(alice)).await, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sec_15_five_wrong_verifiers_burn_the_request_token() {
    let h = Harness::new();
    let consumer = h.consumer();
    let st = h.request_token(&consumer, RECORD).await;
    let cookie = h.login("alice", "alice-password").await;
    let location = h.approve(st.token(), &cookie).await;
    let verifier = location.split("oauth_verifier=").nth(1).unwrap().to_owned();
    assert!(
        verifier.len() >= 22 && verifier.bytes().all(|b| b.is_ascii_alphanumeric()),
        "128-bit verifier"
    );
    for _ in 0..5 {
        let (req, _) = st
            .clone()
            .handle_verifier(
                &consumer,
                "wrongwrongwrongwrongwrong",
                Stamp::now().unwrap(),
            )
            .unwrap();
        assert_eq!(h.send_outgoing(&req).await.status, StatusCode::UNAUTHORIZED);
    }
    let (req, _) = st
        .handle_verifier(&consumer, &verifier, Stamp::now().unwrap())
        .unwrap();
    assert_eq!(
        h.send_outgoing(&req).await.status,
        StatusCode::UNAUTHORIZED,
        "burned after five"
    );
}

#[tokio::test]
async fn sec_16_request_tokens_are_single_use_and_expire() {
    let h = Harness::new();
    let consumer = h.consumer();
    let st = h.request_token(&consumer, RECORD).await;
    let cookie = h.login("alice", "alice-password").await;
    let location = h.approve(st.token(), &cookie).await;
    let query = location.split_once('?').unwrap().1.to_owned();
    let (a, _) = st
        .clone()
        .handle_callback(&consumer, &query, Stamp::now().unwrap())
        .unwrap();
    let (b, _) = st
        .handle_callback(&consumer, &query, Stamp::now().unwrap())
        .unwrap();
    let (ra, rb) = tokio::join!(h.send_outgoing(&a), h.send_outgoing(&b));
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401]);
    // An expired request token is dead: push its expiry into the past.
    let st = h.request_token(&consumer, RECORD).await;
    h.state
        .container()
        .store
        .lock()
        .execute("UPDATE request_tokens SET expires_at = 1", [])
        .unwrap();
    assert_eq!(
        h.get(
            &format!("/oauth/authorize?oauth_token={}", st.token()),
            Some(&cookie)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn sec_17_access_tokens_are_bound_to_consumer_record_and_revocable() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let c = h.consumer();
    assert_eq!(
        h.signed_get(&auth, &c, &demo_path()).await.status,
        StatusCode::OK
    );
    let other_path = format!("/records/{OTHER_RECORD}/demographics");
    assert_eq!(
        h.signed_get(&auth, &c, &other_path).await.status,
        StatusCode::FORBIDDEN
    );
    let other_list = format!("/records/{OTHER_RECORD}/medications/");
    assert_eq!(
        h.signed_get(&auth, &c, &other_list).await.status,
        StatusCode::FORBIDDEN
    );
    let stolen = Authorized::from_parts(
        OTHER_APP_ID,
        Harness::endpoints(),
        auth.token(),
        auth.secret().clone(),
        auth.attributes().clone(),
    );
    assert_eq!(
        h.signed_get(&stolen, &h.other_consumer(), &demo_path())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.state.container().revoke_tokens(APP_ID).unwrap(), 1);
    assert_eq!(
        h.signed_get(&auth, &c, &demo_path()).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sec_18_credentials_are_long_random_and_distinct() {
    let h = Harness::new();
    let a = h.dance(RECORD).await;
    let b = h.dance(RECORD).await;
    for t in [
        a.token(),
        a.secret().expose(),
        b.token(),
        b.secret().expose(),
        h.secret.expose(),
    ] {
        assert!(
            t.len() >= 22 && t.bytes().all(|c| c.is_ascii_alphanumeric()),
            "{} chars",
            t.len()
        );
    }
    assert_ne!(a.token(), b.token());
    assert_ne!(a.secret().expose(), b.secret().expose());
}

#[tokio::test]
async fn sec_19_protected_and_credential_responses_are_no_store() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    for path in [
        demo_path(),
        format!("/records/{RECORD}/medications/"),
        "/users/alice".to_owned(),
    ] {
        assert_eq!(
            h.signed_get(&auth, &h.consumer(), &path)
                .await
                .header("cache-control"),
            "no-store",
            "{path}"
        );
    }
    let r = send_header(&h, &demo_path(), "OAuth oauth_consumer_key=\"x\"").await;
    assert_eq!(r.header("cache-control"), "no-store", "errors too");
}

#[tokio::test]
async fn sec_20_a_database_dump_reveals_no_credential() {
    let h = Harness::new();
    let consumer = h.consumer();
    let pending = h.request_token(&consumer, RECORD).await;
    let auth = h.dance(RECORD).await;
    // Checkpoint the WAL so that the main file holds everything.
    h.state
        .container()
        .store
        .lock()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let mut dump = std::fs::read(h.dir.path().join(crate::DB_FILE)).unwrap();
    dump.extend(
        std::fs::read(h.dir.path().join(format!("{}-wal", crate::DB_FILE))).unwrap_or_default(),
    );
    let dump = String::from_utf8_lossy(&dump);
    for (what, secret) in [
        ("consumer secret", h.secret.expose()),
        ("pending request token", pending.token()),
        ("access token", auth.token()),
        ("access token secret", auth.secret().expose()),
    ] {
        assert!(
            !dump.contains(secret),
            "the database holds the {what} in clear"
        );
    }
    assert!(
        dump.contains(&crate::crypto::digest(auth.token())),
        "tokens are stored as SHA-256 digests"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(h.dir.path().join(crate::KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the data key file is private");
    }
}

#[tokio::test]
async fn sec_21_secrets_are_redacted_in_debug_and_display() {
    let h = Harness::new();
    let shown = format!("{:?} {} {:?}", h.secret, h.secret, h.state);
    assert!(!shown.contains(h.secret.expose()), "{shown}");
    let form_debug = format!("{:?}", h.state.container());
    assert!(!form_debug.contains(h.secret.expose()));
}
