//! SECURITY.md 28 against the real binary: 300 parallel failed logins keep
//! its memory bounded (RSS read from `/proc/<pid>/status`), failures in a
//! row are throttled, and an unknown user takes as long as a known one.

use std::time::{Duration, Instant};

use super::support::{PASSWORD, Server, USER, form_token, http, login, parallel};

/// `sec_28`: 300 parallel failed logins (the attack took RSS from 28 MB to
/// 5.2 GB) keep RSS under 300 MB, the ones past the short queue get 503
/// with `Retry-After`, and RSS comes back near its baseline.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec_28_three_hundred_parallel_failed_logins_keep_memory_bounded() {
    let server = Server::start("warn");
    let http = http();
    let (cookie, csrf) = form_token(&server, &http).await;
    let baseline = server.memory_kib("VmRSS");
    let started = Instant::now();
    let replies = parallel(300, |i| {
        let (http, base, cookie, csrf) = (
            http.clone(),
            server.base.clone(),
            cookie.clone(),
            csrf.clone(),
        );
        async move {
            let user = format!("nobody{i}");
            let r = http
                .post(format!("{base}/login"))
                .header("Cookie", cookie)
                .form(&[
                    ("username", user.as_str()),
                    ("password", "wrong-password"),
                    ("csrf_token", csrf.as_str()),
                ])
                .timeout(Duration::from_secs(120))
                .send()
                .await
                .unwrap();
            let retry = r.headers().contains_key("retry-after");
            (r.status().as_u16(), retry)
        }
    })
    .await;
    let elapsed = started.elapsed();
    let peak = server.memory_kib("VmHWM");
    let mut counts = std::collections::BTreeMap::new();
    for (status, retry) in &replies {
        *counts.entry(*status).or_insert(0) += 1;
        if *status == 503 || *status == 429 {
            assert!(retry, "{status} without Retry-After");
        }
        assert!(
            matches!(status, 401 | 429 | 503),
            "a failed login answered {status}"
        );
    }
    // Let the hashing threads go idle, then read RSS again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.memory_kib("VmRSS");
    eprintln!(
        "300 parallel failed logins in {elapsed:?}: {counts:?}; RSS baseline {} MB, peak {} MB, after {} MB",
        baseline / 1024,
        peak / 1024,
        after / 1024
    );
    assert!(peak < 300 * 1024, "peak RSS {} MB", peak / 1024);
    assert!(
        after < baseline + 100 * 1024,
        "RSS {} MB after, baseline {} MB",
        after / 1024,
        baseline / 1024
    );
    assert!(counts.get(&503).copied().unwrap_or(0) > 0, "{counts:?}");
    // Still serving: the right password logs in.
    assert_eq!(
        login(&server, &http, USER, PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
}

/// `sec_28`: 25 wrong passwords in a row for one user are throttled (429
/// with `Retry-After`), and the right password then does not get in until
/// the backoff passes (the attack: 30 wrong, then the right one, logged in).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_28_twenty_five_failures_in_a_row_are_throttled() {
    let server = Server::start("warn");
    let http = http();
    let (cookie, csrf) = form_token(&server, &http).await;
    let post = |user: &'static str, password: &'static str| {
        http.post(format!("{}/login", server.base))
            .header("Cookie", cookie.clone())
            .form(&[
                ("username", user),
                ("password", password),
                ("csrf_token", csrf.as_str()),
            ])
            .send()
    };
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let r = post(USER, "wrong").await.unwrap();
        if r.status().as_u16() == 429 {
            assert!(r.headers().contains_key("retry-after"));
        }
        statuses.push(r.status().as_u16());
    }
    eprintln!("25 wrong passwords for {USER}: {statuses:?}");
    assert!(statuses[..5].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(
        statuses.iter().filter(|s| **s == 429).count() >= 15,
        "{statuses:?}"
    );
    let right = post(USER, PASSWORD).await.unwrap();
    assert_eq!(
        right.status().as_u16(),
        429,
        "the right password got through"
    );
}

/// `sec_28`: an unknown user name takes about as long as a wrong password
/// for a known one (both run one argon2 check).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_28_unknown_users_take_as_long_as_known_ones() {
    let server = Server::start("warn");
    let http = http();
    let (cookie, csrf) = form_token(&server, &http).await;
    let time = |user: String| {
        let (http, base, cookie, csrf) = (
            http.clone(),
            server.base.clone(),
            cookie.clone(),
            csrf.clone(),
        );
        async move {
            let start = Instant::now();
            let r = http
                .post(format!("{base}/login"))
                .header("Cookie", cookie)
                .form(&[
                    ("username", user.as_str()),
                    ("password", "wrong"),
                    ("csrf_token", csrf.as_str()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 401);
            start.elapsed()
        }
    };
    // Warm the dummy hash, then alternate (4 each: under every throttle).
    time("warm-up".into()).await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..4 {
        known.push(time(USER.to_owned()).await);
        unknown.push(time(format!("ghost{i}")).await);
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[2].as_secs_f64(), unknown[2].as_secs_f64());
    eprintln!("median login time: known user {k:.3} s, unknown user {u:.3} s");
    assert!(
        u > k * 0.5 && u < k * 2.0,
        "known {known:?}, unknown {unknown:?}"
    );
}
