//! SECURITY.md items 26 to 32 against the real `smart-container` binary on
//! loopback ports, each attacked the way issue 16 found it: stored HTML,
//! query-string signatures, a flood of failed logins, a login without the
//! form's token, connections that never finish their headers, spoofing
//! manifests and degenerate nonces. (The Chromium halves of 26 and 29 are in
//! `tests/browser/attacks.rs`; item 33 is the reference app's, in
//! `smart-rest-minimal`.)

use std::time::{Duration, Instant};

use oauth1_sign::{Body, OAuthParams, RequestParts, Secret, SignatureMethod, sign};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::support::{
    APP_ID, APP_SECRET, PASSWORD, RECORD, Server, USER, dance, hidden, http, login, parallel,
};

/// Signs a request with the access token by hand, with any nonce and body.
fn signed(
    authorized: &oauth1_dance::Authorized,
    method: &str,
    url: &str,
    nonce: &str,
    body: Body<'_>,
) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut oauth = OAuthParams::new(APP_ID, SignatureMethod::HmacSha1, now, nonce);
    oauth.token = Some(authorized.token().to_owned());
    let parts = RequestParts { method, url, body };
    sign(
        &parts,
        &oauth,
        &Secret::new(APP_SECRET),
        Some(authorized.secret()),
    )
    .unwrap()
    .authorization
}

/// A GET signed by hand with any nonce (the signer refuses degenerate ones).
fn hand_signed_get(authorized: &oauth1_dance::Authorized, url: &str, nonce: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let params = [
        ("oauth_consumer_key", APP_ID),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", now.as_str()),
        ("oauth_token", authorized.token()),
        ("oauth_version", "1.0"),
    ];
    let base = oauth1_sign::signature_base_string("GET", url, params);
    let signature = oauth1_sign::sign_base_string(
        SignatureMethod::HmacSha1,
        &base,
        &Secret::new(APP_SECRET),
        Some(authorized.secret()),
    )
    .unwrap();
    let mut header = String::from("OAuth ");
    for (name, value) in params
        .iter()
        .chain([("oauth_signature", signature.as_str())].iter())
    {
        header.push_str(&format!(
            "{name}=\"{}\", ",
            oauth1_sign::percent_encode(value)
        ));
    }
    header.trim_end_matches(", ").to_owned()
}

fn random_nonce() -> String {
    oauth1_sign::generate_nonce().unwrap()
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// `sec_26`: an app stores `text/html` with a script in its scratchpad: the
/// write is refused (415) and what was stored stays; every API reply carries
/// `nosniff` and the sandbox CSP, and a stored document comes back as an
/// attachment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_26_stored_html_is_refused_and_api_replies_cannot_run_script() {
    let server = Server::start("info");
    let http = http();
    let (authorized, _) = dance(&server, &http).await;
    let url = format!("{}/records/{RECORD}/apps/{APP_ID}/scratchpad", server.base);
    let put = |ct: &'static str, body: &'static [u8]| {
        let header = signed(&authorized, "PUT", &url, &random_nonce(), Body::Other(body));
        http.put(&url)
            .header("Authorization", header)
            .header("Content-Type", ct)
            .body(body)
            .send()
    };
    let ok = put("text/plain", b"kept notes").await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    for ct in [
        "text/html",
        "text/html; charset=utf-8",
        "TEXT/HTML",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
    ] {
        let r = put(ct, b"<script>fetch('/oauth/authorize')</script>")
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 415, "{ct}");
        assert!(r.text().await.unwrap().contains("browser would render"));
    }
    let header_value = signed(&authorized, "GET", &url, &random_nonce(), Body::Empty);
    let got = http
        .get(&url)
        .header("Authorization", header_value)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(header(&got, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&got, "content-security-policy"),
        "default-src 'none'; sandbox"
    );
    assert!(header(&got, "content-disposition").starts_with("attachment"));
    assert_eq!(header(&got, "content-type"), "text/plain");
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"kept notes");
    for path in [
        "/manifest",
        "/healthz",
        "/nowhere",
        "/records/1/demographics",
    ] {
        let r = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert!(
            header(&r, "content-security-policy").starts_with("default-src 'none'"),
            "{path}"
        );
    }
}

/// `sec_26`: with `--ui-listen` the pages live on their own origin: the
/// manifest's launch and authorize URLs point there, the API origin only
/// redirects a page path to it, and the UI origin serves no API call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_26_pages_live_on_their_own_origin() {
    let ui_addr = smart_rest_tests::free_addr().unwrap().to_string();
    let server = Server::start_with("info", &["--ui-listen", &ui_addr]);
    let ui = format!("http://{ui_addr}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(&ui_addr).is_err() {
        assert!(Instant::now() < deadline, "no UI listener");
        std::thread::sleep(Duration::from_millis(50));
    }
    let http = http();
    let manifest: serde_json::Value = http
        .get(format!("{}/manifest", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let urls = &manifest["launch_urls"];
    assert_eq!(urls["authorize_token"], format!("{ui}/oauth/authorize"));
    assert!(urls["app_launch"].as_str().unwrap().starts_with(&ui));
    assert!(
        urls["request_token"]
            .as_str()
            .unwrap()
            .starts_with(&server.base)
    );
    assert_eq!(manifest["api_base"], server.base.as_str());

    let r = http
        .get(format!("{}/oauth/authorize?oauth_token=t", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        header(&r, "location"),
        format!("{ui}/oauth/authorize?oauth_token=t")
    );
    let r = http
        .post(format!("{}/login", server.base))
        .form(&[("username", USER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405, "no login on the API origin");
    for path in [
        "/manifest",
        "/records/1/demographics",
        "/oauth/request_token",
    ] {
        let r = http.get(format!("{ui}{path}")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path} on the UI origin");
    }
    let page = http.get(format!("{ui}/login")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("csrf_token"));
}

/// `sec_27`: the same data call, signed into the query string, is 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_27_a_data_call_signed_into_the_query_is_400() {
    let server = Server::start("info");
    let http = http();
    let (authorized, _) = dance(&server, &http).await;
    let url = format!("{}/records/{RECORD}/demographics", server.base);
    let auth = signed(&authorized, "GET", &url, &random_nonce(), Body::Empty);
    let query: Vec<String> = auth
        .trim_start_matches("OAuth ")
        .split(", ")
        .filter(|p| !p.starts_with("realm="))
        .map(|p| p.replace('"', ""))
        .collect();
    let link = format!("{url}?{}", query.join("&"));
    let r = http.get(&link).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400, "{}", r.text().await.unwrap());
    let auth = signed(&authorized, "GET", &url, &random_nonce(), Body::Empty);
    let r = http
        .get(&url)
        .header("Authorization", auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

/// `sec_29`: a login posted without the form's token (a foreign page's
/// auto-submitted form), or with a token of another login cookie, is 403
/// and starts no session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_29_a_login_without_the_forms_token_starts_no_session() {
    let server = Server::start("info");
    let http = http();
    let bare = http
        .post(format!("{}/login", server.base))
        .form(&[("username", USER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status().as_u16(), 403);
    assert!(!header(&bare, "set-cookie").contains("smart_container_session="));
    // The attacker's own token, sent with the victim's login cookie.
    let attacker = http
        .get(format!("{}/login", server.base))
        .send()
        .await
        .unwrap();
    let attacker_token = hidden(&attacker.text().await.unwrap(), "csrf_token");
    let victim = http
        .get(format!("{}/login", server.base))
        .send()
        .await
        .unwrap();
    let victim_cookie = header(&victim, "set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let r = http
        .post(format!("{}/login", server.base))
        .header("Cookie", &victim_cookie)
        .form(&[
            ("username", USER),
            ("password", PASSWORD),
            ("csrf_token", attacker_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(!header(&r, "set-cookie").contains("smart_container_session="));
    assert_eq!(
        login(&server, &http, USER, PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
}

/// `sec_30`: 100 connections that never finish their headers are closed
/// after the header read timeout; meanwhile a normal client is served, and
/// the server never holds more connections than `--max-connections`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec_30_slow_header_connections_are_closed_and_others_served() {
    let server = Server::start_with(
        "warn",
        &["--header-read-timeout", "2", "--max-connections", "60"],
    );
    let pid = server.child.id();
    let sockets = move || {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|l| l.to_string_lossy().starts_with("socket:"))
            .count()
    };
    let idle = sockets();
    let started = Instant::now();
    let addr = server.addr.clone();
    let slow = parallel(100, move |_| {
        let addr = addr.clone();
        async move {
            let mut s = TcpStream::connect(&addr).await.unwrap();
            let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
            let opened = Instant::now();
            // Trickle a header byte now and then, never the blank line.
            let mut buf = [0u8; 512];
            loop {
                tokio::select! {
                    read = s.read(&mut buf) => match read {
                        Ok(0) | Err(_) => return Some(opened.elapsed()),
                        Ok(_) => continue,
                    },
                    () = tokio::time::sleep(Duration::from_millis(500)) => {
                        if opened.elapsed() > Duration::from_secs(40) {
                            return None;
                        }
                        if s.write_all(b"X-Slow: 1\r\n").await.is_err() {
                            return Some(opened.elapsed());
                        }
                    }
                }
            }
        }
    });
    let slow = tokio::spawn(slow);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = sockets().saturating_sub(idle);
    // A normal client while they hang: served once slots free up.
    let normal = http()
        .get(format!("{}/healthz", server.base))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(normal.status().as_u16(), 200);
    let closed = slow.await.unwrap();
    eprintln!(
        "slow-header connections: {} held at once (limit 60), all closed after {:?}",
        held,
        started.elapsed()
    );
    assert!(held <= 60 + 2, "{held} connections held");
    for (i, c) in closed.iter().enumerate() {
        let c = c.unwrap_or_else(|| panic!("connection {i} still open after 40 s"));
        assert!(
            c < Duration::from_secs(20),
            "connection {i} closed after {c:?}"
        );
    }
}

/// `sec_32`: an empty or over-long `oauth_nonce` is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_32_an_empty_or_overlong_nonce_is_refused() {
    let server = Server::start("info");
    let http = http();
    let (authorized, _) = dance(&server, &http).await;
    let url = format!("{}/records/{RECORD}/demographics", server.base);
    // The hand-built header is right: with an ordinary nonce it is 200.
    let control = hand_signed_get(&authorized, &url, &random_nonce());
    let r = http
        .get(&url)
        .header("Authorization", control)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "the hand-signed control request");
    for nonce in [String::new(), "n".repeat(300)] {
        // The signer refuses such a nonce, so the header is built by hand.
        let auth = hand_signed_get(&authorized, &url, &nonce);
        let r = http
            .get(&url)
            .header("Authorization", auth)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_eq!(status, 400, "nonce of {} bytes: {body}", nonce.len());
        assert!(body.contains("oauth_nonce"), "{body}");
    }
}

/// `sec_10` (issue 16): a body declared larger than the limit with
/// `Expect: 100-continue` gets 413 at once, never `100 Continue` (which
/// invited the client to send 100 MB first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_10_a_declared_oversized_body_gets_413_before_100_continue() {
    let server = Server::start("warn");
    let head = format!(
        "PUT /records/{RECORD}/apps/{APP_ID}/scratchpad HTTP/1.1\r\nHost: x\r\n\
         Content-Type: text/plain\r\nContent-Length: 104857600\r\nExpect: 100-continue\r\n\r\n"
    );
    let status = super::support::raw(&server.addr, head.as_bytes(), 0).await;
    assert_eq!(
        status,
        Some(413),
        "the first answer to a 100 MB declaration"
    );
}

/// Issue 16 item 4: a scratchpad `PUT` signed as RFC 5849 clients sign it
/// (no `oauth_body_hash`) is accepted by default and refused with
/// `--require-body-hash`; a wrong body hash is refused either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_without_body_hash_is_accepted_unless_required() {
    for (flags, expected) in [(&[][..], 200), (&["--require-body-hash"][..], 400)] {
        let server = Server::start_with("warn", flags);
        let http = http();
        let (authorized, _) = dance(&server, &http).await;
        let url = format!("{}/records/{RECORD}/apps/{APP_ID}/scratchpad", server.base);
        let put = |signed_body: Body<'static>| {
            let header = signed(&authorized, "PUT", &url, &random_nonce(), signed_body);
            http.put(&url)
                .header("Authorization", header)
                .header("Content-Type", "text/plain")
                .body("notes")
                .send()
        };
        let r = put(Body::Empty).await.unwrap();
        assert_eq!(
            r.status().as_u16(),
            expected,
            "{flags:?}: {}",
            r.text().await.unwrap()
        );
        let r = put(Body::Other(b"other")).await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{flags:?}: a wrong body hash");
        let r = put(Body::Other(b"notes")).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{flags:?}: the right body hash");
    }
}
