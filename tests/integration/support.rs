//! What the container-level security tests share: the real binary on a
//! loopback port with the app and a user installed, the dance driven over
//! plain HTTP (log in with the form's token, approve with the page's CSRF
//! token), parallel runs and raw sockets.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oauth1_dance::{
    AwaitAuthorization, Consumer, Endpoints, OutOfBand, OutgoingRequest, Stamp,
    TemporaryCredentialsRequest,
};
use oauth1_sign::Secret;
pub(crate) use smart_browser::query_param as callback_param;
use smart_browser::{Browser, flow, query_of};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) const APP_ID: &str = "security-suite@apps.example.org";
pub(crate) const APP_SECRET: &str = "security-suite-secret-7f3a9c2e41d8b6";
pub(crate) const USER: &str = "alice";
pub(crate) const PASSWORD: &str = "alice-password-9d2f";
pub(crate) const RECORD: &str = "2000000";
pub(crate) const CALLBACK: &str = "http://localhost:8000/authorized";

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
    pub(crate) request_secret: String,
    pub(crate) verifier: String,
    pub(crate) session: String,
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
    Endpoints::new(
        format!("{}/oauth/request_token", server.base),
        format!("{}/oauth/authorize", server.base),
        format!("{}/oauth/access_token", server.base),
    )
    .expect("valid endpoints")
}

pub(crate) async fn send(http: &reqwest::Client, r: &OutgoingRequest) -> (u16, String) {
    let mut req = http
        .request(r.method.clone(), &r.url)
        .header("Authorization", &r.authorization);
    if let Some(content_type) = &r.content_type {
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
) -> (AwaitAuthorization<OutOfBand>, String) {
    let (request, state) = TemporaryCredentialsRequest::out_of_band(endpoints(server))
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

/// Step 2 as a browser does it (sign in on the login page the
/// authorisation page sends it to, approve with the page's CSRF token);
/// returns the callback query and the container's session id.
pub(crate) async fn approve(server: &Server, token: &str) -> (String, String) {
    let mut browser = Browser::new().unwrap();
    let url = format!("{}/oauth/authorize?oauth_token={token}", server.base);
    let page = browser.get(url.parse().unwrap()).await.unwrap();
    let page = flow::sign_in(&mut browser, page, USER, PASSWORD)
        .await
        .unwrap();
    let callback = flow::approve_to_callback(&mut browser, &page)
        .await
        .unwrap();
    assert!(callback.as_str().starts_with(CALLBACK), "{callback}");
    let session = browser
        .cookie_set("smart_container_session")
        .expect("the login set a session cookie");
    (query_of(callback.as_str()).to_owned(), session)
}

/// Opens the login page (its cookie and CSRF token) and posts the form as
/// a browser does.
pub(crate) async fn login(
    server: &Server,
    http: &reqwest::Client,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let (cookie, csrf) = form_token(server, http).await;
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

/// A login cookie from `GET /login` and the form's CSRF token bound to it.
pub(crate) async fn form_token(server: &Server, http: &reqwest::Client) -> (String, String) {
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
    (cookie, hidden(&page.text().await.unwrap(), "csrf_token"))
}

/// The value of a form field of a page (a hidden CSRF token).
pub(crate) fn hidden(html: &str, name: &str) -> String {
    smart_browser::html::field_value(html, name)
        .unwrap_or_else(|| panic!("no {name} on the page:\n{html}"))
}

/// The whole dance; returns the token credentials and what must stay out of logs.
pub(crate) async fn dance(
    server: &Server,
    http: &reqwest::Client,
) -> (oauth1_dance::Authorized, DanceSecrets) {
    let (pending, request_secret) = request_token(server, http).await;
    let (query, session) = approve(server, pending.token()).await;
    let verifier = oauth1_sign::form_decode(&query)
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == "oauth_verifier")
        .unwrap()
        .1;
    let (request, state) = pending
        .handle_callback(
            &callback_param(&query, "oauth_token"),
            &callback_param(&query, "oauth_verifier"),
            Stamp::now().unwrap(),
        )
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
        .request("GET", url, None, b"", Stamp::now().unwrap())
        .map(|r| r.authorization)
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
