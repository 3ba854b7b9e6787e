//! SECURITY.md items 12-21: the dance, the tokens and the storage.

use axum::http::StatusCode;
use oauth1_dance::{Authorized, Stamp, TemporaryCredentialsRequest};

use super::harness::{APP_ID, Harness, OTHER_RECORD, RECORD, callback_param};
use super::security::{demo_path, send_header};

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
    let (req, st) = TemporaryCredentialsRequest::with_callback(
        Harness::endpoints(),
        "http://evil.example/steal",
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
            .handle_verifier("wrongwrongwrongwrongwrong", Stamp::now().unwrap())
            .unwrap();
        assert_eq!(h.send_outgoing(&req).await.status, StatusCode::UNAUTHORIZED);
    }
    let (req, _) = st
        .handle_verifier(&verifier, Stamp::now().unwrap())
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
        .handle_callback(
            &callback_param(&query, "oauth_token"),
            &callback_param(&query, "oauth_verifier"),
            Stamp::now().unwrap(),
        )
        .unwrap();
    let (b, _) = st
        .handle_callback(
            &callback_param(&query, "oauth_token"),
            &callback_param(&query, "oauth_verifier"),
            Stamp::now().unwrap(),
        )
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
        .execute("UPDATE request_tokens SET expires_at = 1", &[])
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
    assert_eq!(
        h.signed_get(&auth, &demo_path()).await.status,
        StatusCode::OK
    );
    let other_path = format!("/records/{OTHER_RECORD}/demographics");
    assert_eq!(
        h.signed_get(&auth, &other_path).await.status,
        StatusCode::FORBIDDEN
    );
    let other_list = format!("/records/{OTHER_RECORD}/medications/");
    assert_eq!(
        h.signed_get(&auth, &other_list).await.status,
        StatusCode::FORBIDDEN
    );
    let stolen = Authorized::from_parts(
        h.other_consumer(),
        auth.token(),
        auth.secret().clone(),
        auth.attributes().clone(),
    );
    assert_eq!(
        h.signed_get(&stolen, &demo_path()).await.status,
        StatusCode::UNAUTHORIZED
    );
    // An expired access token (60 minutes) is dead.
    let expiring = h.dance(RECORD).await;
    h.state
        .container()
        .store
        .execute(
            "UPDATE access_tokens SET expires_at = 1 WHERE token_hash = ?1",
            crate::store::sql::args![crate::crypto::digest(expiring.token())],
        )
        .unwrap();
    assert_eq!(
        h.signed_get(&expiring, &demo_path()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.state.container().revoke_tokens(APP_ID).unwrap(), 2);
    assert_eq!(
        h.signed_get(&auth, &demo_path()).await.status,
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
            h.signed_get(&auth, &path).await.header("cache-control"),
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
    let store = &h.state.container().store;
    // Every value of every table, on either backend.
    let mut dump = store.dump().unwrap().into_bytes();
    if !store.is_postgres() {
        // And the SQLite file itself (freed pages included): checkpoint the
        // WAL so that the main file holds everything.
        store
            .run(|c| c.batch("PRAGMA wal_checkpoint(TRUNCATE)"))
            .unwrap();
        dump.extend(std::fs::read(h.dir.path().join(crate::DB_FILE)).unwrap());
        dump.extend(
            std::fs::read(h.dir.path().join(format!("{}-wal", crate::DB_FILE))).unwrap_or_default(),
        );
    }
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
