//! The security suite at the container level (SECURITY.md items 6, 10, 16
//! and 21; 26 to 32 in `hardening`): the real `smart-container` binary on a loopback port, hit in
//! parallel and with oversized input, its memory read from
//! `/proc/<pid>/status` and its log read back.
//!
//! The dance is driven with the `oauth1-dance` consumer and plain HTTP (no
//! browser): log in, read the CSRF token off the authorize page, approve.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oauth1_dance::{OutgoingRequest, Stamp};

use super::support::{
    APP_ID, APP_SECRET, PASSWORD, RECORD, Server, approve, callback_param, dance, expect_rejected,
    http, keep_serving, parallel, raw, request_token, send, signed_get,
};

/// `sec_06`: 16 parallel replays of one signed request give exactly one success.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec_06_sixteen_parallel_replays_give_one_success() {
    let server = Server::start("info");
    let http = http();
    let (authorized, _) = dance(&server, &http).await;
    let url = format!("{}/records/{RECORD}/demographics", server.base);
    let header = authorized
        .request("GET", &url, None, b"", Stamp::now().unwrap())
        .map(|r| r.authorization)
        .unwrap();
    let statuses = parallel(16, |_| {
        let (http, url, header) = (http.clone(), url.clone(), header.clone());
        async move {
            let r = http.get(&url).header("Authorization", header).send().await;
            r.unwrap().status().as_u16()
        }
    })
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "statuses: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
}

/// `sec_16`: 16 parallel exchanges of one verifier give exactly one access
/// token (each exchange signed with its own nonce, so only the single use
/// of the request token and verifier can stop them).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec_16_sixteen_parallel_exchanges_give_one_access_token() {
    let server = Server::start("info");
    let http = http();
    let (pending, _) = request_token(&server, &http).await;
    let (query, _) = approve(&server, pending.token()).await;
    let requests: Vec<OutgoingRequest> = (0..16)
        .map(|_| {
            let (request, _) = pending
                .clone()
                .handle_callback(
                    &callback_param(&query, "oauth_token"),
                    &callback_param(&query, "oauth_verifier"),
                    Stamp::now().unwrap(),
                )
                .unwrap();
            request
        })
        .collect();
    let requests = Arc::new(requests);
    let replies = parallel(16, |i| {
        let (http, requests) = (http.clone(), Arc::clone(&requests));
        async move { send(&http, &requests[i]).await }
    })
    .await;
    let winners: Vec<&(u16, String)> = replies.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(winners.len(), 1, "replies: {replies:?}");
    assert!(winners[0].1.contains("oauth_token_secret="));
    assert!(
        replies.iter().all(|(s, _)| *s == 200 || *s == 401),
        "{replies:?}"
    );
}

/// `sec_10`: a 1 MB header, 100,000 parameters (in the query and in a form
/// body), a 100 MB body and 100,000 distinct nonces are each rejected or
/// handled with flat memory, while another client keeps being served.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec_10_oversized_input_and_many_nonces_keep_memory_flat_and_service_up() {
    let mut server = Server::start("warn");
    let http = http();
    let (authorized, _) = dance(&server, &http).await;
    let scratchpad = format!("{}/records/{RECORD}/apps/{APP_ID}/scratchpad", server.base);
    // Warm up the allocator, the connection pool and the database cache.
    for _ in 0..200 {
        let status = signed_get(&http, &authorized, &scratchpad).await;
        assert_eq!(status, 200);
    }
    let baseline = server.memory_kib("VmRSS");

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(keep_serving(server.base.clone(), Arc::clone(&stop)));

    let addr = server.addr.clone();
    // A 1 MB Authorization header.
    let head = format!(
        "GET /records/{RECORD}/demographics HTTP/1.1\r\nHost: {addr}\r\nAuthorization: OAuth oauth_nonce=\"{}\"\r\n\r\n",
        "a".repeat(1 << 20)
    );
    expect_rejected("1 MB header", raw(&addr, head.as_bytes(), 0).await);

    // 100,000 query parameters.
    let query: String = (0..100_000).map(|i| format!("p{i}=&")).collect();
    let head =
        format!("GET /records/{RECORD}/demographics?{query} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    expect_rejected(
        "100,000 query parameters",
        raw(&addr, head.as_bytes(), 0).await,
    );

    // 100,000 form parameters in a body under the body limit.
    let form = "a=&".repeat(100_000);
    let reply = http
        .post(format!("{}/oauth/request_token", server.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "OAuth oauth_consumer_key=\"x\"")
        .body(form)
        .send()
        .await
        .map(|r| r.status().as_u16());
    expect_rejected("100,000 form parameters", reply.ok());

    // A 100 MB body, streamed, to the endpoints that read bodies.
    for path in [
        "/oauth/request_token".to_owned(),
        "/oauth/access_token".to_owned(),
        format!("/records/{RECORD}/apps/{APP_ID}/scratchpad"),
    ] {
        let method = if path.contains("scratchpad") {
            "PUT"
        } else {
            "POST"
        };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            100 << 20
        );
        expect_rejected("100 MB body", raw(&addr, head.as_bytes(), 100 << 20).await);
    }

    // 100,000 distinct nonces, all valid requests, eight at a time.
    let started = Instant::now();
    let authorized = Arc::new(authorized);
    let statuses = parallel(8, |worker| {
        let (http, authorized, url) = (http.clone(), Arc::clone(&authorized), scratchpad.clone());
        async move {
            let mut bad = Vec::new();
            for i in 0..12_500 {
                let status = signed_get(&http, &authorized, &url).await;
                if status != 200 {
                    bad.push((worker, i, status));
                }
            }
            bad
        }
    })
    .await;
    let bad: Vec<_> = statuses.into_iter().flatten().collect();
    assert!(
        bad.is_empty(),
        "some nonce requests failed: {:?}",
        &bad[..bad.len().min(10)]
    );
    eprintln!("100,000 signed requests in {:?}", started.elapsed());

    stop.store(true, Ordering::SeqCst);
    let (served, worst) = watcher.await.unwrap();
    let after = server.memory_kib("VmRSS");
    let peak = server.memory_kib("VmHWM");
    eprintln!(
        "container memory: baseline {baseline} KiB, after {after} KiB, peak {peak} KiB; other client: {served} requests, worst latency {worst:?}"
    );
    assert!(
        served >= 10,
        "the other client was served only {served} times"
    );
    assert!(
        worst < Duration::from_secs(5),
        "the other client waited {worst:?}"
    );
    // Flat: far below what buffering any one of the inputs would take.
    let growth = peak.saturating_sub(baseline);
    assert!(
        growth < 64 * 1024,
        "memory grew by {growth} KiB (baseline {baseline}, peak {peak})"
    );
    assert!(server.alive(), "the container died");
}

/// `sec_21`: a full dance with the container logging at `trace`: its log
/// holds no consumer secret, token secret, verifier, session id or password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_21_container_log_of_a_full_dance_holds_no_secret() {
    let server = Server::start("trace");
    let http = http();
    let (authorized, dance) = dance(&server, &http).await;
    let url = format!("{}/records/{RECORD}/demographics", server.base);
    assert_eq!(signed_get(&http, &authorized, &url).await, 200);
    // Failures log too: a wrong verifier and a tampered signature.
    let bad = http
        .get(&url)
        .header("Authorization", "OAuth oauth_consumer_key=\"x\"")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let log = server.log();
    assert!(
        log.contains("request"),
        "the log is empty or unreadable:\n{log}"
    );
    for (what, value) in [
        ("consumer secret", APP_SECRET),
        ("password", PASSWORD),
        ("request token secret", dance.request_secret.as_str()),
        ("verifier", dance.verifier.as_str()),
        ("session id", dance.session.as_str()),
        ("access token secret", authorized.secret().expose()),
    ] {
        assert!(
            value.len() >= 8,
            "{what} too short to search for: {value:?}"
        );
        assert!(!log.contains(value), "the log shows the {what}");
    }
}
