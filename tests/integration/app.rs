//! The reference app against the real container binary over loopback.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::StatusCode;
use reqwest::header::{LOCATION, REFERRER_POLICY, SET_COOKIE};
use smart_browser::{Browser, app, flow};
use smart_client::{Credentials, Registry, SmartClient};
use smart_rest_minimal::AppState;
use smart_rest_tests::{APP_ID, ContainerProcess, PASSWORD, USER, app_manifest};
use tokio::sync::oneshot;
use url::Url;

/// The app served in-process on a loopback port, installed in a real
/// container process.
struct Running {
    container: ContainerProcess,
    app_url: Url,
    _stop: oneshot::Sender<()>,
}

async fn start() -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let container = ContainerProcess::start(&app_manifest(&app_url).unwrap())
        .await
        .unwrap();
    let mut registry = Registry::new();
    registry.insert(
        SmartClient::new(
            &container.api_base,
            Credentials::new(APP_ID, container.app_secret.clone()),
        )
        .unwrap(),
    );
    let state = AppState::from_registry(registry, false).unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(smart_rest_minimal::serve(state, listener, async {
        let _ = stopped.await;
    }));
    Running {
        container,
        app_url,
        _stop: stop,
    }
}

fn set_cookie_named<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_for_several_patients() {
    let running = start().await;
    let mut browser = Browser::new().unwrap();
    let (_, choices) = flow::open_picker(&mut browser, &running.app_url, USER, PASSWORD)
        .await
        .unwrap();
    assert!(choices.len() >= 10, "{} patients", choices.len());
    let picked = [0, choices.len() / 2, choices.len() - 1];
    for index in picked {
        let choice = &choices[index];
        let outcome = app::run_flow(&running.app_url, USER, PASSWORD, &choice.record_id)
            .await
            .unwrap();
        assert_eq!(outcome.record_id, choice.record_id);
        assert_eq!(outcome.api_base, running.container.api_base);
        assert_ne!(outcome.name, "Unknown");
        let label = choice.label.as_deref().unwrap();
        assert!(
            app::name_matches_label(&outcome.name, label),
            "shown {:?}, listed {label:?}",
            outcome.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_22_the_session_cookie_and_the_callback_redirect() {
    let running = start().await;
    let ids = smart_rest_tests::record_ids(&running.container)
        .await
        .unwrap();
    let outcome = app::run_flow(&running.app_url, USER, PASSWORD, &ids[0])
        .await
        .unwrap();
    let app_origin = running.app_url.origin();
    let app_hops: Vec<_> = outcome
        .browser
        .history
        .iter()
        .filter(|h| h.url.origin() == app_origin)
        .collect();
    // The first cookie the app sets, when it starts the dance.
    let launch = app_hops
        .iter()
        .find(|h| set_cookie_named(&h.headers, "smart_rest_minimal_session").is_some())
        .unwrap();
    let first = set_cookie_named(&launch.headers, "smart_rest_minimal_session").unwrap();
    let callback = app_hops
        .iter()
        .find(|h| h.url.path() == "/authorized")
        .unwrap();
    assert_eq!(callback.status, StatusCode::SEE_OTHER);
    assert_eq!(
        callback.headers.get(REFERRER_POLICY).unwrap(),
        "no-referrer"
    );
    let location = callback.headers.get(LOCATION).unwrap().to_str().unwrap();
    assert!(location.starts_with("/?record_id="), "{location}");
    assert!(!location.contains("oauth"), "{location}");
    let renewed = set_cookie_named(&callback.headers, "smart_rest_minimal_session").unwrap();
    for cookie in [first, renewed] {
        assert!(cookie.contains("; HttpOnly"), "{cookie}");
        assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
        assert!(
            !cookie.contains("Secure"),
            "{cookie} (the app is served over http)"
        );
    }
    let value = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(value(first), value(renewed), "the session id is renewed");
    // The container's own session cookie has another name.
    let container_cookie = outcome
        .browser
        .history
        .iter()
        .filter(|h| h.url.origin() != app_origin)
        .find_map(|h| set_cookie_named(&h.headers, "smart_container_session"));
    assert!(container_cookie.is_some());
    assert!(
        outcome
            .browser
            .history
            .iter()
            .all(|h| h.url.origin() != app_origin
                || set_cookie_named(&h.headers, "smart_container_session").is_none())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_23_a_foreign_callback_is_400_and_nothing_is_exchanged() {
    let running = start().await;
    // Browser A: launch, pick, and approve without following to the app.
    let mut a = Browser::new().unwrap();
    let (picker, choices) = flow::open_picker(&mut a, &running.app_url, USER, PASSWORD)
        .await
        .unwrap();
    let authorize = flow::pick(&mut a, &picker, &choices[0]).await.unwrap();
    let form = authorize.form_with("csrf_token").unwrap();
    let pairs = form.submission(&[], Some(("decision", "approve")));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let action = authorize.url.join(&form.action).unwrap();
    let approved = a
        .fetch(reqwest::Method::POST, action, Some(body))
        .await
        .unwrap();
    let location = approved.headers.get(LOCATION).unwrap().to_str().unwrap();
    let callback = approved.url.join(location).unwrap();
    assert_eq!(callback.path(), "/authorized");

    // Browser B has a dance of its own under way; browser C has no session.
    let mut b = Browser::new().unwrap();
    let (picker_b, choices_b) = flow::open_picker(&mut b, &running.app_url, USER, PASSWORD)
        .await
        .unwrap();
    flow::pick(&mut b, &picker_b, &choices_b[1]).await.unwrap();
    let mut c = Browser::new().unwrap();
    for browser in [&mut b, &mut c] {
        let page = browser.get(callback.clone()).await.unwrap();
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.text_by_id("error-message").is_some(), "{}", page.body);
    }

    // A's request token was not used up: A's own callback still works.
    let page = a.get(callback).await.unwrap();
    let outcome = app::read_name_page(a, page, &choices[0].record_id).unwrap();
    assert_ne!(outcome.name, "Unknown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_leads_back_through_the_dance() {
    let running = start().await;
    let ids = smart_rest_tests::record_ids(&running.container)
        .await
        .unwrap();
    let outcome = app::run_flow(&running.app_url, USER, PASSWORD, &ids[0])
        .await
        .unwrap();
    let name_url = outcome.page.url.clone();
    let name = outcome.name.clone();
    let mut browser = outcome.browser;

    // Still authorised: the page comes straight back.
    let before = browser.history.len();
    let page = browser.get(name_url.clone()).await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(browser.history.len(), before + 1);

    running.container.cli(&["revoke-tokens", APP_ID]).unwrap();
    let page = browser.get(name_url).await.unwrap();
    assert!(
        page.form_with("csrf_token").is_some(),
        "back at the authorisation page, got {} at {}",
        page.status,
        page.url
    );
    let page = flow::approve(&mut browser, page).await.unwrap();
    let again = app::read_name_page(browser, page, &ids[0]).unwrap();
    assert_eq!(again.name, name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_24_an_unconfigured_api_base_is_an_error_page_and_nothing_is_sent() {
    let running = start().await;
    // A trap standing in for the unknown container: it counts connections.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trap_url = format!("http://{}", trap.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((_socket, _)) = trap.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let mut browser = Browser::new().unwrap();
    for query in [
        vec![("record_id", "2000001"), ("api_base", trap_url.as_str())],
        vec![("api_base", trap_url.as_str())],
    ] {
        let mut url = running.app_url.clone();
        url.query_pairs_mut().extend_pairs(&query);
        let page = browser.get(url).await.unwrap();
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        let message = page.text_by_id("error-message").unwrap();
        assert!(message.contains("not set up"), "{message}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a request reached the unknown api_base"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_ends_on_a_friendly_page() {
    let running = start().await;
    let mut browser = Browser::new().unwrap();
    let (picker, choices) = flow::open_picker(&mut browser, &running.app_url, USER, PASSWORD)
        .await
        .unwrap();
    let authorize = flow::pick(&mut browser, &picker, &choices[0])
        .await
        .unwrap();
    let form = authorize.form_with("csrf_token").unwrap();
    let pairs = form.submission(&[], Some(("decision", "deny")));
    let page = browser.submit(&authorize, &form, &pairs).await.unwrap();
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.url.path(), "/authorized");
    let message = page.text_by_id("error-message").unwrap();
    assert!(message.contains("did not allow"), "{message}");
}
