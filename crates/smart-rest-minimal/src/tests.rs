//! The app's routes over an in-memory container (a fake transport) and
//! `tower::ServiceExt::oneshot`: no socket.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing unwrap is a failing test"
)]

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use smart_client::{Credentials, Registry, SmartClient, Transport};
use tower::ServiceExt;

use crate::app::{AppState, app};

mod fake;
mod limits;
mod sessions;
mod summary;

pub(super) use fake::{API, Data, FakeContainer};

pub(super) fn state(fake: &Arc<FakeContainer>, https: bool) -> AppState {
    AppState::from_registry(registry(fake), https).unwrap()
}

/// One client for the fake container.
pub(super) fn registry(fake: &Arc<FakeContainer>) -> Registry {
    let mut registry = Registry::new();
    let transport: Arc<dyn Transport> = fake.clone();
    registry.insert(
        SmartClient::with_transport(API, Credentials::new("app@apps.test", "secret"), transport)
            .unwrap(),
    );
    registry
}

/// A GET as a browser makes it: without a cookie, the app's first answer
/// may be the hop that sets the session cookie and comes back
/// (`cookie_check=1`); that hop is followed once, and its `Set-Cookie` is
/// kept on the reply when the second answer sets none.
async fn get(state: &AppState, uri: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let first = get_once(state, uri, cookie).await;
    let hop = first.0 == StatusCode::SEE_OTHER
        && cookie.is_none()
        && first
            .1
            .get(header::LOCATION)
            .is_some_and(|l| l.to_str().unwrap().contains("cookie_check=1"));
    if !hop {
        return first;
    }
    let set = self::cookie(&first.1);
    let (status, mut headers, body) = get_once(state, location(&first.1), Some(&set)).await;
    if !headers.contains_key(header::SET_COOKIE) {
        headers.insert(header::SET_COOKIE, first.1[header::SET_COOKIE].clone());
    }
    (status, headers, body)
}

/// One GET, no cookie hop followed.
async fn get_once(
    state: &AppState,
    uri: &str,
    cookie: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::builder().uri(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn location(headers: &HeaderMap) -> &str {
    headers.get(header::LOCATION).unwrap().to_str().unwrap()
}

/// The `name=value` part of the session cookie set by a reply.
fn cookie(headers: &HeaderMap) -> String {
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// Launch and dance: returns the session cookie after the callback.
async fn dance(state: &AppState) -> String {
    let (status, headers, _) = get(state, "/?record_id=7&api_base=http%3A%2F%2Fc.test", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let authorize = location(&headers).to_owned();
    let token = authorize.split("oauth_token=").nth(1).unwrap().to_owned();
    let before = cookie(&headers);
    let uri = format!("/authorized?oauth_token={token}&oauth_verifier=v");
    let (status, headers, _) = get(state, &uri, Some(&before)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = cookie(&headers);
    assert_ne!(before, after, "the session id is renewed");
    after
}

#[tokio::test]
async fn without_a_record_the_app_sends_the_browser_to_launch() {
    let fake = FakeContainer::new(Data::Name);
    let (status, headers, _) = get(&state(&fake, false), "/", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&headers),
        "http://c.test/apps/app@apps.test/launch"
    );
}

#[tokio::test]
async fn the_whole_dance_then_the_name() {
    let fake = FakeContainer::new(Data::Name);
    let state = state(&fake, false);
    let (status, headers, _) = get(
        &state,
        "/?record_id=7&api_base=http%3A%2F%2Fc.test%2F",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&headers),
        "http://c.test/oauth/authorize?oauth_token=req1"
    );
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.starts_with("smart_rest_minimal_session="), "{set}");
    assert!(
        set.contains("; HttpOnly") && set.contains("; SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "{set}");
    let first = cookie(&headers);

    let (status, headers, _) = get(
        &state,
        "/authorized?oauth_token=req1&oauth_verifier=v",
        Some(&first),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&headers),
        "/?record_id=7&api_base=http%3A%2F%2Fc.test"
    );
    assert_eq!(headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
    let second = cookie(&headers);
    assert_ne!(first, second);
    assert_eq!(state.sessions().len(), 1, "the old session id is gone");

    // The old id no longer works: a fresh dance starts.
    let (status, headers, _) =
        get(&state, "/?record_id=7&api_base=http://c.test", Some(&first)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&headers).contains("/oauth/authorize"));

    let (status, headers, body) = get(
        &state,
        "/?record_id=7&api_base=http://c.test",
        Some(&second),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("Ada O&#39;Quill &amp; Co") || body.contains("Ada O'Quill &amp; Co"),
        "{body}"
    );
    assert!(
        body.contains(">7<") && body.contains("http://c.test"),
        "{body}"
    );
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
}

#[tokio::test]
async fn no_name_shows_unknown() {
    let fake = FakeContainer::new(Data::NoName);
    let state = state(&fake, false);
    let session = dance(&state).await;
    let (status, _, body) = get(
        &state,
        "/?record_id=7&api_base=http://c.test",
        Some(&session),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(">Unknown<"), "{body}");
}

#[tokio::test]
async fn sec_22_https_apps_get_secure_cookies() {
    let fake = FakeContainer::new(Data::Name);
    let (_, headers, _) = get(
        &state(&fake, true),
        "/?record_id=7&api_base=http://c.test",
        None,
    )
    .await;
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.ends_with("; Secure"), "{set}");
}

#[tokio::test]
async fn sec_23_a_foreign_callback_is_400_and_nothing_is_exchanged() {
    let fake = FakeContainer::new(Data::Name);
    let state = state(&fake, false);
    let (_, headers, _) = get(&state, "/?record_id=7&api_base=http://c.test", None).await;
    let session = cookie(&headers);
    for (uri, cookie) in [
        (
            "/authorized?oauth_token=req999&oauth_verifier=v",
            Some(session.as_str()),
        ),
        ("/authorized?oauth_token=req1&oauth_verifier=v", None),
        ("/authorized?oauth_token=req1", Some(session.as_str())),
        (
            "/authorized?oauth_token=req1&oauth_verifier=v",
            Some("smart_rest_minimal_session=zz"),
        ),
    ] {
        let (status, _, body) = get(&state, uri, cookie).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(body.contains("error-message"), "{body}");
    }
    assert!(!fake.paths().iter().any(|p| p == "/oauth/access_token"));
}

#[tokio::test]
async fn sec_24_an_unknown_api_base_is_refused_before_anything_is_sent() {
    let fake = FakeContainer::new(Data::Name);
    let state = state(&fake, false);
    for uri in [
        "/?record_id=7&api_base=http://evil.test",
        "/?api_base=http://evil.test",
        "/?record_id=7&api_base=http://c.test.evil.test",
    ] {
        let (status, _, body) = get(&state, uri, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            body.contains("not set up to work with that SMART container"),
            "{body}"
        );
    }
    let (status, _, _) = get(&state, "/?record_id=7", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(fake.paths().is_empty(), "{:?}", fake.paths());
}

#[tokio::test]
async fn a_revoked_token_leads_back_through_the_dance() {
    let fake = FakeContainer::new(Data::Name);
    let state = state(&fake, false);
    let session = dance(&state).await;
    *fake.data.lock().unwrap() = Data::Revoked;
    let (status, headers, _) = get(
        &state,
        "/?record_id=7&api_base=http://c.test",
        Some(&session),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&headers),
        "http://c.test/oauth/authorize?oauth_token=req2"
    );
    // The same session carries on: no new cookie is needed.
    assert!(headers.get(header::SET_COOKIE).is_none());
    *fake.data.lock().unwrap() = Data::Name;
    let (status, headers, _) = get(
        &state,
        "/authorized?oauth_token=req2&oauth_verifier=v",
        Some(&session),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = cookie(&headers);
    let (status, _, body) = get(
        &state,
        "/?record_id=7&api_base=http://c.test",
        Some(&session),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Ada"), "{body}");
}

#[tokio::test]
async fn the_icon_is_a_png() {
    let fake = FakeContainer::new(Data::Name);
    let response = app(state(&fake, false))
        .oneshot(
            Request::builder()
                .uri("/static/icon.png")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get(header::CONTENT_TYPE).unwrap(),
        "image/png"
    );
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(body.starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[tokio::test]
async fn a_denial_is_a_friendly_403_and_only_for_this_session() {
    let fake = FakeContainer::new(Data::Name);
    let state = state(&fake, false);
    let (_, headers, _) = get(&state, "/?record_id=7&api_base=http://c.test", None).await;
    let session = cookie(&headers);
    let denied = "/authorized?oauth_token=req1&oauth_problem=user_refused";
    let (status, _, _) = get(&state, denied, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "another browser's denial");
    let (status, _, body) = get(&state, denied, Some(&session)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("did not allow the app"), "{body}");
    // The request token is gone from the session.
    let (status, _, _) = get(
        &state,
        "/authorized?oauth_token=req1&oauth_verifier=v",
        Some(&session),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!fake.paths().iter().any(|p| p == "/oauth/access_token"));
}

#[tokio::test]
async fn sec_22_tokens_stay_server_side_and_the_session_id_is_renewed() {
    let fake = FakeContainer::new(Data::Name);
    let state = state(&fake, false);
    let mut seen = String::new();
    let (_, headers, body) = get(&state, "/?record_id=7&api_base=http://c.test", None).await;
    seen.push_str(&format!("{headers:?}{body}"));
    let first = cookie(&headers);
    let (_, headers, body) = get(
        &state,
        "/authorized?oauth_token=req1&oauth_verifier=v",
        Some(&first),
    )
    .await;
    seen.push_str(&format!("{headers:?}{body}"));
    let second = cookie(&headers);
    assert_ne!(first, second);
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.contains("; HttpOnly; SameSite=Lax"), "{set}");
    let (status, headers, body) = get(
        &state,
        "/?record_id=7&api_base=http://c.test",
        Some(&second),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    seen.push_str(&format!("{headers:?}{body}"));
    for secret in ["ACCESSTOKEN42", "ACCESSSECRET42", "s1", "secret"] {
        assert!(!seen.contains(secret), "{secret} reached the browser");
    }
    // The old id is dead, the new one is the only session.
    let (status, _, _) = get(&state, "/?record_id=7&api_base=http://c.test", Some(&first)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sec_25_the_callback_is_a_303_to_a_clean_url_without_referrer() {
    let fake = FakeContainer::new(Data::Name);
    let state = state(&fake, false);
    let (_, headers, _) = get(&state, "/?record_id=7&api_base=http://c.test", None).await;
    let session = cookie(&headers);
    let (status, headers, _) = get(
        &state,
        "/authorized?oauth_token=req1&oauth_verifier=VERIFIER99",
        Some(&session),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let location = location(&headers);
    assert_eq!(location, "/?record_id=7&api_base=http%3A%2F%2Fc.test");
    assert!(!location.contains("VERIFIER99") && !location.contains("oauth"));
}

/// A log sink for one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn sec_21_no_secret_reaches_the_logs() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakeContainer::new(Data::Name);
    let state = state(&fake, false);
    let session = dance(&state).await;
    get(
        &state,
        "/?record_id=7&api_base=http://c.test",
        Some(&session),
    )
    .await;
    // Error paths log too: a foreign callback, then a revoked token.
    get(
        &state,
        "/authorized?oauth_token=req1&oauth_verifier=VERIFIER77",
        Some(&session),
    )
    .await;
    *fake.data.lock().unwrap() = Data::Revoked;
    get(
        &state,
        "/?record_id=7&api_base=http://c.test",
        Some(&session),
    )
    .await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!logs.is_empty(), "nothing was logged");
    for secret in [
        "ACCESSTOKEN42",
        "ACCESSSECRET42",
        "VERIFIER77",
        "oauth_token_secret",
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
    assert!(
        !logs.contains(session.split('=').nth(1).unwrap()),
        "session id in the logs"
    );
}
