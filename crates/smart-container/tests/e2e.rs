//! End to end: the real `smart-container` binary on a loopback port with a
//! temporary data directory, driven by the `oauth1-dance` consumer side and
//! a cookie-keeping `reqwest` client, as an app and a browser would.

// Tests unwrap freely: a failed step is a failed test, and the message says which.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on any error"
)]

use smart_browser::query_param as callback_param;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use oauth1_dance::{Authorized, Consumer, Endpoints, Stamp, TemporaryCredentialsRequest};
use oauth1_sign::Secret;
use reqwest::blocking::Client;
use reqwest::redirect::Policy;
use smart_rdf::{Demographics, Graph, Medication, ResponseSummary, SEED_QUERY};

const BIN: &str = env!("CARGO_BIN_EXE_smart-container");
const APP_ID: &str = "rest-minimal@apps.smartplatforms.org";
const RECORD: &str = "2000000";
const PASSWORD: &str = "a-long-test-password";

fn manifest(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("manifest.json");
    std::fs::write(
        &path,
        format!(
            r#"{{ "name": "SMART REST Minimal", "description": "The minimal SMART REST example app",
  "id": "{APP_ID}", "mode": "ui", "scope": "record",
  "index": "http://127.0.0.1:9/", "oauth_callback": "http://127.0.0.1:9/authorized",
  "icon": "http://127.0.0.1:9/static/icon.png", "smart_version": "1.0", "version": ".1" }}"#
        ),
    )
    .unwrap();
    path
}

/// With `SMART_TEST_POSTGRES_URL` set, the binary runs on PostgreSQL: each
/// data directory gets a database of its own on that server (made on first
/// use), passed as `SMART_CONTAINER_DATABASE`; without it, on SQLite.
fn database_env(data: &Path) -> Vec<(&'static str, String)> {
    static MADE: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let Some(url) = std::env::var("SMART_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return Vec::new();
    };
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(data.to_string_lossy().as_bytes());
    let name: String = std::iter::once("e2e_".to_owned())
        .chain(hash.iter().take(10).map(|b| format!("{b:02x}")))
        .collect();
    let mut made = MADE.lock().unwrap();
    if !made.contains(&name) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let task = tokio::spawn(conn);
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            drop(client);
            let _ = task.await;
        });
        made.push(name.clone());
    }
    let database = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut parsed = url::Url::parse(&url).unwrap();
        parsed.set_path(&format!("/{name}"));
        parsed.to_string()
    } else {
        // key=value form: a later key wins.
        format!("{url} dbname={name}")
    };
    vec![("SMART_CONTAINER_DATABASE", database)]
}

/// Runs a CLI command to completion: (success, stdout, stderr).
fn cli(data: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .envs(database_env(data))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running server: the child, its base URL and everything it logged.
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(data: &Path, extra: &[&str]) -> Self {
        Self::start_at(data, "127.0.0.1:0", extra)
    }

    /// Serves on `listen`: the address of a killed predecessor, so that a
    /// request signed for it can be replayed to its successor.
    fn start_at(data: &Path, listen: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", listen])
            .args(extra)
            .envs(database_env(data))
            .env("RUST_LOG", "debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let line = line.unwrap_or_default();
                if let Some(addr) = line.split("listen=").nth(1) {
                    let _ = tx.send(addr.split_whitespace().next().unwrap_or("").to_owned());
                }
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server did not start");
        Self {
            child,
            base: format!("http://{addr}"),
            log,
        }
    }

    fn signal(&self, sig: &str) {
        assert!(
            Command::new("kill")
                .args([sig, &self.child.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn form_value(html: &str, name: &str) -> String {
    smart_browser::html::field_value(html, name)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
}

fn location(r: &reqwest::blocking::Response) -> String {
    assert_eq!(r.status().as_u16(), 303, "expected a redirect");
    r.headers()["location"].to_str().unwrap().to_owned()
}

fn send(http: &Client, r: &oauth1_dance::OutgoingRequest) -> (u16, Vec<u8>) {
    let mut req = http
        .request(r.method.clone(), &r.url)
        .header("Authorization", &r.authorization);
    if let Some(ct) = &r.content_type {
        req = req.header("Content-Type", ct);
    }
    let resp = req.body(r.body.clone()).send().unwrap();
    (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
}

fn signed_get(http: &Client, auth: &Authorized, url: &str) -> (u16, String) {
    let h = auth
        .request("GET", url, None, b"", Stamp::now().unwrap())
        .map(|r| r.authorization)
        .unwrap();
    let resp = http.get(url).header("Authorization", h).send().unwrap();
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    (resp.status().as_u16(), resp.text().unwrap())
}

/// What the dance leaves behind, for the log check.
struct Dance {
    auth: Authorized,
    request_token: String,
    verifier: String,
    session: String,
}

/// Launch, login through the HTML form, and the whole dance.
fn dance(server: &Server, consumer: &Consumer, http: &Client) -> Dance {
    let manifest: serde_json::Value = http
        .get(format!("{}/manifest", server.base))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let urls = &manifest["launch_urls"];
    // Launch: login, record picker, redirect to the app's index.
    let browser = browser();
    let launch = urls["app_launch"]
        .as_str()
        .unwrap()
        .replace("{{app_id}}", APP_ID);
    let to_login = location(&browser.get(&launch).send().unwrap());
    let login_page = browser
        .get(format!("{}{to_login}", server.base))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let return_url = form_value(&login_page, "return_url");
    let csrf = form_value(&login_page, "csrf_token");
    let r = browser
        .post(format!("{}/login", server.base))
        .form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("return_url", &return_url),
            ("csrf_token", &csrf),
        ])
        .send()
        .unwrap();
    let session = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap()
        .to_owned();
    assert_eq!(location(&r), format!("/apps/{APP_ID}/launch"));
    let picker = browser.get(&launch).send().unwrap().text().unwrap();
    assert!(picker.contains(&format!("record_id={RECORD}")));
    let index = location(
        &browser
            .get(format!("{launch}?record_id={RECORD}"))
            .send()
            .unwrap(),
    );
    let api_base: String = url::form_urlencoded::byte_serialize(server.base.as_bytes()).collect();
    assert_eq!(
        index,
        format!("http://127.0.0.1:9/?record_id={RECORD}&api_base={api_base}")
    );
    // The dance.
    let endpoints = Endpoints::new(
        urls["request_token"].as_str().unwrap().to_owned(),
        urls["authorize_token"].as_str().unwrap().to_owned(),
        urls["exchange_token"].as_str().unwrap().to_owned(),
    )
    .expect("valid endpoints");
    let (req, st) = TemporaryCredentialsRequest::out_of_band(endpoints)
        .param("smart_record_id", RECORD)
        .sign(consumer, Stamp::now().unwrap())
        .unwrap();
    let (status, body) = send(http, &req);
    let st = st.handle_response(status, &body).unwrap();
    let page = browser
        .get(st.authorization_url())
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("SMART REST Minimal"));
    let r = browser
        .post(urls["authorize_token"].as_str().unwrap())
        .form(&[
            ("oauth_token", st.token()),
            ("csrf_token", &form_value(&page, "csrf_token")),
            ("decision", "approve"),
        ])
        .send()
        .unwrap();
    let callback = location(&r);
    assert!(
        callback.starts_with("http://127.0.0.1:9/authorized?oauth_token="),
        "{callback}"
    );
    let query = callback.split_once('?').unwrap().1.to_owned();
    let verifier = query.split("oauth_verifier=").nth(1).unwrap().to_owned();
    let request_token = st.token().to_owned();
    let (req, st) = st
        .handle_callback(
            &callback_param(&query, "oauth_token"),
            &callback_param(&query, "oauth_verifier"),
            Stamp::now().unwrap(),
        )
        .unwrap();
    let (status, body) = send(http, &req);
    let auth = st.handle_response(status, &body).unwrap();
    assert_eq!(auth.attribute("record_id"), Some(RECORD));
    assert_eq!(auth.attribute("user_id"), Some("alice"));
    Dance {
        auth,
        request_token,
        verifier,
        session,
    }
}

fn read_demographics(server: &Server, http: &Client, auth: &Authorized) -> String {
    let (status, body) = signed_get(
        http,
        auth,
        &format!("{}/records/{RECORD}/demographics", server.base),
    );
    assert_eq!(status, 200, "{body}");
    let g = Graph::parse(body.as_bytes(), "application/rdf+xml", None).unwrap();
    let d = Demographics::from_graph(&g).unwrap();
    let rows = g.select(SEED_QUERY).unwrap();
    assert_eq!(
        rows.first().unwrap().string("family").unwrap(),
        d.name.family
    );
    d.name.family
}

#[test]
fn full_dance_against_the_binary_survives_a_crash_and_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, out, err) = cli(&data, &["load-app", manifest(dir.path()).to_str().unwrap()]);
    assert!(ok, "{err}");
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("consumer_secret: "))
        .unwrap()
        .to_owned();
    assert!(cli(&data, &["add-user", "alice", "--password", PASSWORD]).0);
    let consumer = Consumer::new(APP_ID, Secret::new(secret.clone()));
    let http = Client::builder().redirect(Policy::none()).build().unwrap();

    let server = Server::start(&data, &[]);
    // `load-app` also takes a URL: here the manifest this container serves.
    let copy = dir.path().join("copy");
    let url = format!("{}/apps/{APP_ID}/manifest", server.base);
    let (ok, out, err) = cli(&copy, &["load-app", &url]);
    assert!(
        ok && out.contains(&format!("consumer_key: {APP_ID}")),
        "{err}"
    );
    let d = dance(&server, &consumer, &http);
    let family = read_demographics(&server, &http, &d.auth);

    // A paged medication list, followed through nextPageURL.
    let mut url = format!("{}/records/{RECORD}/medications/?limit=2", server.base);
    let mut seen = 0;
    let mut total;
    loop {
        let (status, body) = signed_get(&http, &d.auth, &url);
        assert_eq!(status, 200, "{body}");
        let g = Graph::parse(body.as_bytes(), "application/rdf+xml", None).unwrap();
        let s = ResponseSummary::from_graph(&g).unwrap().unwrap();
        let meds = g.records::<Medication>().unwrap();
        assert!(meds.len() <= 2 && meds.len() as u64 == s.results_returned);
        seen += meds.len();
        total = s.total_result_count;
        match s.next_page_url {
            Some(next) => url = next,
            None => break,
        }
    }
    assert!(total >= 4 && seen as u64 == total, "{seen} of {total}");

    // A request accepted before the crash, to replay after it.
    let demo = format!("{}/records/{RECORD}/demographics", server.base);
    let signed = (d
        .auth
        .request("GET", &demo, None, b"", Stamp::now().unwrap()))
    .unwrap()
    .authorization;
    let accepted = http.get(&demo).header("Authorization", &signed).send();
    assert_eq!(accepted.unwrap().status().as_u16(), 200);

    // A crash (SIGKILL) loses nothing committed: apps, users and tokens survive.
    server.signal("-KILL");
    let log = server.log();
    let addr = server.base.trim_start_matches("http://").to_owned();
    drop(server);
    let server = Server::start_at(&data, &addr, &[]);
    let http = Client::builder().redirect(Policy::none()).build().unwrap();
    // Replay protection survives the crash: the nonces are stored, not in
    // memory, and the replay is within the timestamp window (#14).
    let replayed = http
        .get(&demo)
        .header("Authorization", &signed)
        .send()
        .unwrap();
    assert_eq!(replayed.status().as_u16(), 401);
    let reason = replayed.text().unwrap();
    assert!(reason.contains("nonce already used"), "{reason}");
    assert_eq!(
        read_demographics(&server, &http, &d.auth),
        family,
        "the access token survived"
    );
    let apps: Vec<serde_json::Value> = http
        .get(format!("{}/apps/manifests/", server.base))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(apps[0]["id"], APP_ID);
    let again = dance(&server, &consumer, &http);
    assert_ne!(again.auth.token(), d.auth.token());
    // `revoke-tokens` from another process takes effect at once (SECURITY.md 17).
    let (ok, out, _) = cli(&data, &["revoke-tokens", APP_ID]);
    assert!(ok && out.contains("revoked 2"), "{out}");
    assert_eq!(signed_get(&http, &again.auth, &demo).0, 401);

    // SIGTERM: a graceful shutdown that exits 0.
    server.signal("-TERM");
    let mut server = server;
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
    let log = log + &server.log();

    // SECURITY.md 21: the logs of both runs hold no secret.
    assert!(
        log.contains("path=/records/2000000/demographics")
            && log.contains(&format!("consumer={APP_ID}")),
        "one line a request"
    );
    for (what, s) in [
        ("consumer secret", secret.as_str()),
        ("password", PASSWORD),
        ("request token", d.request_token.as_str()),
        ("verifier", d.verifier.as_str()),
        ("access token", d.auth.token()),
        ("access token secret", d.auth.secret().expose()),
        ("session id", d.session.as_str()),
        ("second access token", again.auth.token()),
    ] {
        assert!(!log.contains(s), "the log shows the {what}");
    }
}

#[test]
fn cli_manages_apps_users_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let m = manifest(dir.path());
    let (ok, out, _) = cli(
        &data,
        &[
            "load-app",
            m.to_str().unwrap(),
            "--secret",
            "a-strong-secret-of-32-characters",
        ],
    );
    assert!(ok);
    assert!(
        out.contains(&format!("consumer_key: {APP_ID}")) && !out.contains("consumer_secret"),
        "{out}"
    );
    let (ok, out, _) = cli(&data, &["list-apps"]);
    assert!(
        ok && out.starts_with(APP_ID) && !out.contains("WEAK"),
        "{out}"
    );
    // Every violation of a bad manifest is listed with its field.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"name": 3, "id": "no-at-sign", "mode": "ui", "colour": "red"}"#,
    )
    .unwrap();
    let (ok, _, err) = cli(&data, &["load-app", bad.to_str().unwrap()]);
    assert!(!ok);
    for field in [
        "name:",
        "description: required",
        "id:",
        "index: required",
        "icon: required",
    ] {
        assert!(err.contains(field), "{field} in {err}");
    }
    assert!(
        !cli(
            &data,
            &[
                "load-app",
                dir.path().join("missing.json").to_str().unwrap()
            ]
        )
        .0
    );
    let (ok, out, _) = cli(&data, &["add-user", "carol", "--password", "pw"]);
    assert!(ok && out.contains("carol"));
    assert!(!cli(&data, &["add-user", "bad name", "--password", "pw"]).0);
    let (ok, out, _) = cli(&data, &["revoke-tokens", APP_ID]);
    assert!(ok && out.contains("revoked 0"), "{out}");
    assert!(!cli(&data, &["revoke-tokens", "nobody@apps.example"]).0);
    assert!(cli(&data, &["remove-app", APP_ID]).0);
    assert!(!cli(&data, &["remove-app", APP_ID]).0);
    assert_eq!(cli(&data, &["list-apps"]).1, "");
    // With SMART_CONTAINER_KEY the data key stays out of the data directory.
    let keyed = dir.path().join("keyed");
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&keyed)
        .args(["load-app", m.to_str().unwrap()])
        .envs(database_env(&keyed))
        .env(
            "SMART_CONTAINER_KEY",
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!keyed.join("secret.key").exists());
    let (ok, _, err) = cli(&keyed, &["list-apps"]);
    assert!(
        !ok && err.contains("SMART_CONTAINER_KEY"),
        "without the key nothing opens: {err}"
    );
    assert!(
        !keyed.join("secret.key").exists(),
        "and no new key is made up"
    );
}

#[test]
fn serve_refuses_weak_secrets_outside_dev_and_dev_creates_demo() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let m = manifest(dir.path());
    for weak in ["smartapp-secret", "short"] {
        assert!(cli(&data, &["load-app", m.to_str().unwrap(), "--secret", weak]).0);
        let (ok, _, err) = cli(&data, &["serve", "--listen", "127.0.0.1:0"]);
        assert!(!ok, "served with {weak}");
        assert!(err.contains(APP_ID) && err.contains("--secret"), "{err}");
    }
    let server = Server::start(&data, &["--dev"]);
    let log = server.log();
    assert!(log.contains("demo") && log.contains(APP_ID), "{log}");
    let browser = browser();
    let page = browser
        .get(format!("{}/login", server.base))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = form_value(&page, "csrf_token");
    let r = browser
        .post(format!("{}/login", server.base))
        .form(&[
            ("username", "demo"),
            ("password", "demo"),
            ("csrf_token", &csrf),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "demo/demo logs in");
}
