//! Sessions in the SQLite store: they survive a new process over the same
//! data directory, end at sign-out, expire, and keep no secret in clear.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use super::{Data, FakeContainer, dance, get, location, registry};
use crate::app::{AppState, app};
use crate::session::{SESSION_TTL, SessionStore};

fn state_in(fake: &std::sync::Arc<FakeContainer>, dir: &std::path::Path) -> AppState {
    AppState::with_sessions(registry(fake), false, SessionStore::open(dir).unwrap())
}

const NAME_PAGE: &str = "/?record_id=7&api_base=http://c.test";

#[tokio::test]
async fn sec_22_a_session_survives_a_new_store_over_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeContainer::new(Data::Name);
    let cookie = dance(&state_in(&fake, dir.path())).await;
    // A new state over the same directory: what a restarted process opens.
    let restarted = state_in(&fake, dir.path());
    let (status, _, body) = get(&restarted, NAME_PAGE, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"patient-name\""), "{body}");

    // At rest: neither the token, its secret nor the session id in clear.
    let db = std::fs::read(dir.path().join("sessions.sqlite3")).unwrap();
    let wal = std::fs::read(dir.path().join("sessions.sqlite3-wal")).unwrap_or_default();
    let session_id = cookie.split_once('=').unwrap().1;
    for file in [&db, &wal] {
        for secret in ["ACCESSTOKEN42", "ACCESSSECRET42", session_id] {
            assert!(
                !file.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} stored in clear"
            );
        }
    }
    // Another key opens nothing: the session is gone, not an error.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.path().join("sessions.sqlite3"),
        other.path().join("sessions.sqlite3"),
    )
    .unwrap();
    let (status, headers, _) = get(&state_in(&fake, other.path()), NAME_PAGE, Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&headers).contains("/oauth/authorize"));
}

#[tokio::test]
async fn a_copied_cookie_opens_nothing_after_sign_out() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeContainer::new(Data::Name);
    let state = state_in(&fake, dir.path());
    let cookie = dance(&state).await;
    let response = app(state.clone())
        .oneshot(
            Request::post("/logout")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set.contains("Max-Age=0"), "{set}");
    assert_eq!(state.sessions().len(), 0);
    // The stolen copy of the cookie: no name page, a fresh dance instead.
    let (status, headers, _) = get(&state, NAME_PAGE, Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&headers).contains("/oauth/authorize"));
}

#[tokio::test]
async fn expired_sessions_are_refused_and_purged() {
    let fake = FakeContainer::new(Data::Name);
    let state = super::state(&fake, false);
    let cookie = dance(&state).await;
    state
        .sessions()
        .age_all(SESSION_TTL + std::time::Duration::from_secs(5));
    let (status, headers, _) = get(&state, NAME_PAGE, Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&headers).contains("/oauth/authorize"));
    // The refused session went; the fresh dance's session is young.
    let dance_session = state.sessions().len();
    state
        .sessions()
        .age_all(SESSION_TTL + std::time::Duration::from_secs(5));
    assert_eq!(state.sessions().purge().unwrap(), dance_session);
    assert!(state.sessions().is_empty());
}
