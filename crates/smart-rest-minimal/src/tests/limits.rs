//! SECURITY.md 33 over a real socket: launch links replayed by a client
//! without cookies create no request token at the container, and one that
//! keeps cookies is held to the per-address bucket.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::{Data, FakeContainer, state};
use crate::limit::{BURST, REFILL};

const LAUNCH: &str = "/?record_id=7&api_base=http%3A%2F%2Fc.test";

/// Serves the app on a loopback port; returns its base URL and the stop switch.
async fn serve(fake: &std::sync::Arc<FakeContainer>) -> (String, watch::Sender<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, mut stopped) = watch::channel(false);
    let app_state = state(fake, false);
    tokio::spawn(crate::serve(app_state, listener, async move {
        let _ = stopped.changed().await;
    }));
    (base, stop)
}

fn request_tokens(fake: &FakeContainer) -> usize {
    fake.paths()
        .iter()
        .filter(|p| *p == "/oauth/request_token")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_33_two_thousand_cookieless_launches_create_no_request_token() {
    let fake = FakeContainer::new(Data::Name);
    let (base, _stop) = serve(&fake).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let mut statuses = std::collections::BTreeMap::new();
    for chunk in 0..40 {
        let replies = futures_like_join((0..50).map(|_| {
            let (http, url) = (http.clone(), format!("{base}{LAUNCH}"));
            async move { http.get(url).send().await.unwrap().status().as_u16() }
        }))
        .await;
        for s in replies {
            *statuses.entry(s).or_insert(0) += 1;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "chunk {chunk}"
        );
    }
    eprintln!(
        "2000 cookie-less launches: {statuses:?} in {:?}",
        started.elapsed()
    );
    assert_eq!(statuses.get(&303), Some(&2000), "{statuses:?}");
    assert_eq!(request_tokens(&fake), 0, "request tokens created");

    // Following the hop without the cookie is a clear 400, still no token.
    let hop = format!("{base}{LAUNCH}&cookie_check=1");
    let r = http.get(hop).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("cookie"));
    assert_eq!(request_tokens(&fake), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_33_a_client_with_cookies_is_held_to_the_per_address_bucket() {
    let fake = FakeContainer::new(Data::Name);
    let (base, _stop) = serve(&fake).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The browser's first hop: a session cookie and a redirect to itself.
    let first = http.get(format!("{base}{LAUNCH}")).send().await.unwrap();
    assert_eq!(first.status().as_u16(), 303);
    let cookie = first.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let back = first.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.contains("cookie_check=1"), "{back}");
    let started = Instant::now();
    let (mut dances, mut throttled) = (0, 0);
    for _ in 0..(BURST * 3) {
        let r = http
            .get(format!("{base}{back}"))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            303 => dances += 1,
            429 => {
                assert!(r.headers().contains_key("retry-after"));
                throttled += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let allowed = f64::from(BURST) + started.elapsed().as_secs_f64() / REFILL.as_secs_f64() + 1.0;
    eprintln!(
        "{} launches with a cookie: {dances} started, {throttled} refused",
        BURST * 3
    );
    assert!(throttled > 0);
    assert!(f64::from(dances) <= allowed, "{dances} > {allowed}");
    assert_eq!(request_tokens(&fake), dances as usize);
}

/// Runs futures concurrently and collects their outputs in order.
async fn futures_like_join<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
