//! The security suite at the container level (SECURITY.md items 6, 10, 16
//! and 21; 26 to 32 in `hardening`): the real `smart-container` binary on a loopback port, hit in
//! parallel and with oversized input, its memory read from
//! `/proc/<pid>/status` and its log read back.
//!
//! The dance is driven with the `oauth1-dance` consumer and plain HTTP (no
//! browser): log in, read the CSRF token off the authorize page, approve.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oauth1_dance::{
    AwaitAuthorization, Callback, Consumer, Endpoints, OutgoingRequest, Stamp,
    TemporaryCredentialsRequest,
};
use oauth1_sign::Secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) const APP_ID: &str = "security-suite@apps.example.org";
pub(crate) const APP_SECRET: &str = "security-suite-secret-7f3a9c2e41d8b6";
pub(crate) const USER: &str = "alice";
pub(crate) const PASSWORD: &str = "alice-password-9d2f";
pub(crate) const RECORD: &str = "2000000";
pub(crate) const CALLBACK: &str = "http://localhost:8000/authorized";

/// `sec_06`: 16 parallel replays of one signed request give exactly one success.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec_06_sixteen_parallel_replays_give_one_success() {
    let server = Server::start("info");
    let http = http();
    let (authorized, _) = dance(&server, &http).await;
    let url = format!("{}/records/{RECORD}/demographics", server.base);
    let header = authorized
        .sign_request(&consumer(), "GET", &url, None, b"", Stamp::now().unwrap())
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
    let (query, _) = approve(&server, &http, pending.token()).await;
    let requests: Vec<OutgoingRequest> = (0..16)
        .map(|_| {
            let (request, _) = pending
                .clone()
                .handle_callback(&consumer(), &query, Stamp::now().unwrap())
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

/// The container binary serving a fresh data directory, with the app and
/// the user installed; killed when dropped.
pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) addr: String,
    pub(crate) child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    pub(crate) fn start(log_level: &str) -> Self {
        Self::start_with(log_level, &[])
    }

    /// Serves with extra `serve` flags (e.g. `--header-read-timeout 2`).
    pub(crate) fn start_with(log_level: &str, serve_flags: &[&str]) -> Self {
        let binary = smart_rest_tests::container_binary().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let manifest = dir.path().join("manifest.json");
        std::fs::write(
            &manifest,
            format!(
                r#"{{"name": "Security suite", "description": "The security tests",
                "id": "{APP_ID}", "mode": "ui", "scope": "record",
                "index": "http://localhost:8000/", "oauth_callback": "{CALLBACK}",
                "icon": "http://localhost:8000/icon.png", "smart_version": "1.0"}}"#
            ),
        )
        .unwrap();
        let cli = |args: &[&str]| {
            let out = Command::new(&binary)
                .arg("--data-dir")
                .arg(&data)
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "smart-container {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let manifest = manifest.to_string_lossy().into_owned();
        cli(&["load-app", &manifest, "--secret", APP_SECRET]);
        cli(&["add-user", USER, "--password", PASSWORD]);
        let addr = smart_rest_tests::free_addr().unwrap().to_string();
        let base = format!("http://{addr}");
        let log = dir.path().join("container.log");
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(&binary)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--listen", &addr, "--public-url", &base])
            .args(serve_flags)
            .env("RUST_LOG", log_level)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let server = Server {
            base,
            addr,
            child,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(&server.addr).is_err() {
            assert!(Instant::now() < deadline, "no container:\n{}", server.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A `/proc/<pid>/status` figure in KiB (`VmRSS`, `VmHWM`).
    pub(crate) fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }

    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a dance revealed that must never be logged.
pub(crate) struct DanceSecrets {
    request_secret: String,
    verifier: String,
    session: String,
}

pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) fn consumer() -> Consumer {
    Consumer::new(APP_ID, Secret::new(APP_SECRET))
}

pub(crate) fn endpoints(server: &Server) -> Endpoints {
    Endpoints {
        request_token: format!("{}/oauth/request_token", server.base),
        authorize: format!("{}/oauth/authorize", server.base),
        access_token: format!("{}/oauth/access_token", server.base),
    }
}

pub(crate) async fn send(http: &reqwest::Client, r: &OutgoingRequest) -> (u16, String) {
    let mut req = http
        .request(r.method.clone(), &r.url)
        .header("Authorization", &r.authorization);
    if let Some(content_type) = r.content_type {
        req = req.header("Content-Type", content_type);
    }
    let res = req.body(r.body.clone()).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// Step 1; returns the pending state and the request token secret.
pub(crate) async fn request_token(
    server: &Server,
    http: &reqwest::Client,
) -> (AwaitAuthorization, String) {
    let (request, state) = TemporaryCredentialsRequest::new(endpoints(server), Callback::Oob)
        .param("smart_record_id", RECORD)
        .sign(&consumer(), Stamp::now().unwrap())
        .unwrap();
    let (status, body) = send(http, &request).await;
    assert_eq!(status, 200, "request token: {body}");
    let secret = oauth1_sign::form_decode(&body)
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == "oauth_token_secret")
        .unwrap()
        .1;
    (
        state.handle_response(status, body.as_bytes()).unwrap(),
        secret,
    )
}

/// Step 2 as a browser does it; returns the callback query and the session id.
pub(crate) async fn approve(
    server: &Server,
    http: &reqwest::Client,
    token: &str,
) -> (String, String) {
    let login = login(server, http, USER, PASSWORD).await;
    assert_eq!(login.status().as_u16(), 303, "login failed");
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let session = cookie.split_once('=').unwrap().1.to_owned();
    let page = http
        .get(format!(
            "{}/oauth/authorize?oauth_token={token}",
            server.base
        ))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no csrf token on the authorize page:\n{page}"))
        .to_owned();
    let approved = http
        .post(format!("{}/oauth/authorize", server.base))
        .header("Cookie", &cookie)
        .form(&[
            ("oauth_token", token),
            ("csrf_token", csrf.as_str()),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status().as_u16(), 303, "approval failed");
    let location = approved.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(CALLBACK), "{location}");
    let query = location.split_once('?').unwrap().1.to_owned();
    (query, session)
}

/// Opens the login page (its cookie and CSRF token) and posts the form as
/// a browser does.
pub(crate) async fn login(
    server: &Server,
    http: &reqwest::Client,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let page = http
        .get(format!("{}/login", server.base))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let csrf = hidden(&html, "csrf_token");
    http.post(format!("{}/login", server.base))
        .header("Cookie", cookie)
        .form(&[
            ("username", user),
            ("password", password),
            ("return_url", "/"),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

/// The value of a hidden input of a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} on the page:\n{html}"))
        .to_owned()
}

/// The whole dance; returns the token credentials and what must stay out of logs.
pub(crate) async fn dance(
    server: &Server,
    http: &reqwest::Client,
) -> (oauth1_dance::Authorized, DanceSecrets) {
    let (pending, request_secret) = request_token(server, http).await;
    let (query, session) = approve(server, http, pending.token()).await;
    let verifier = oauth1_sign::form_decode(&query)
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == "oauth_verifier")
        .unwrap()
        .1;
    let (request, state) = pending
        .handle_callback(&consumer(), &query, Stamp::now().unwrap())
        .unwrap();
    let (status, body) = send(http, &request).await;
    assert_eq!(status, 200, "access token: {body}");
    let authorized = state.handle_response(status, body.as_bytes()).unwrap();
    let secrets = DanceSecrets {
        request_secret,
        verifier,
        session,
    };
    (authorized, secrets)
}

pub(crate) async fn signed_get(
    http: &reqwest::Client,
    authorized: &oauth1_dance::Authorized,
    url: &str,
) -> u16 {
    let header = authorized
        .sign_request(&consumer(), "GET", url, None, b"", Stamp::now().unwrap())
        .unwrap();
    let res = http
        .get(url)
        .header("Authorization", header)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let _ = res.bytes().await;
    status
}

/// Runs `n` copies of a task at once and collects their results in order.
pub(crate) async fn parallel<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            let work = task(i);
            tokio::spawn(async move {
                barrier.wait().await;
                work.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

/// Another client: `GET /healthz` every 50 ms until `stop`; returns how many
/// answered 200 and the worst latency. Any other answer fails the test.
pub(crate) async fn keep_serving(base: String, stop: Arc<AtomicBool>) -> (usize, Duration) {
    let http = http();
    let (mut served, mut worst) = (0, Duration::ZERO);
    while !stop.load(Ordering::SeqCst) {
        let start = Instant::now();
        let status = http
            .get(format!("{base}/healthz"))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(status.ok(), Some(200), "the other client was refused");
        served += 1;
        worst = worst.max(start.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (served, worst)
}

/// Sends `head` then `body_len` bytes of `a` over a fresh connection,
/// stopping when the server stops reading; returns the status line's code,
/// or `None` when the server closed the connection without an answer.
pub(crate) async fn raw(addr: &str, head: &[u8], body_len: usize) -> Option<u16> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let write = async {
        if writer.write_all(head).await.is_err() {
            return;
        }
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        while sent < body_len {
            let n = chunk.len().min(body_len - sent);
            if writer.write_all(&chunk[..n]).await.is_err() {
                return;
            }
            sent += n;
        }
    };
    let read = async {
        let mut buf = vec![0u8; 1024];
        let mut got = Vec::new();
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
        got
    };
    // The reply may come before the whole body was sent; stop writing then.
    let got = tokio::time::timeout(Duration::from_secs(120), async {
        tokio::pin!(read);
        tokio::select! {
            got = &mut read => got,
            () = write => tokio::time::timeout(Duration::from_secs(30), read)
                .await
                .unwrap_or_default(),
        }
    })
    .await
    .unwrap_or_default();
    let line = String::from_utf8_lossy(&got);
    line.strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
}

/// A refusal: a 4xx answer, or the connection closed without one.
pub(crate) fn expect_rejected(what: &str, status: Option<u16>) {
    eprintln!(
        "{what}: {}",
        status.map_or("connection closed".to_owned(), |s| s.to_string())
    );
    if let Some(status) = status {
        assert!(
            (400..500).contains(&status),
            "{what}: answered {status}, not a refusal"
        );
    }
}
