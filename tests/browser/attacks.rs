//! The attacks of issue 16 replayed in Chromium against the real container
//! binary (one origin for API and pages, the harder case):
//! - `sec_26`: an app stores `text/html` with a script in its scratchpad and
//!   the logged-in user opens a signed link to it: the script does not run.
//! - `sec_29`: a foreign page on another loopback port auto-posts the login
//!   form with the attacker's credentials: the user is not logged in.

use std::process::Command;
use std::time::Duration;

use fantoccini::{Client, Locator};
use oauth1_dance::{Consumer, Stamp};
use oauth1_sign::Secret;
use smart_rest_tests::{APP_ID, ContainerProcess, PASSWORD, USER};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Service, free_port, scratch_dir};
use crate::{connect, program, wait_for};

const APP_URL: &str = "http://127.0.0.1:9/";
const RECORD: &str = "2000000";

/// Chromium through a fresh chromedriver.
async fn chromium(test: &str) -> (Client, Service, std::path::PathBuf) {
    let dir = scratch_dir("browser", test);
    let port = free_port();
    let mut driver = Service::start(
        "chromedriver",
        Command::new(program("SMART_REST_CHROMEDRIVER", "chromedriver"))
            .arg(format!("--port={port}")),
        &dir,
    );
    driver.wait_for_port(port, Duration::from_secs(30));
    let client = connect(port, &dir.join("chromium-profile")).await;
    (client, driver, dir)
}

async fn start_container() -> ContainerProcess {
    let manifest = smart_rest_tests::app_manifest(&url::Url::parse(APP_URL).unwrap()).unwrap();
    ContainerProcess::start(&manifest).await.unwrap()
}

/// Logs the browser in through the container's login page.
async fn log_in(browser: &Client, base: &str, user: &str, password: &str) {
    browser.goto(&format!("{base}/login")).await.unwrap();
    let name = wait_for(browser, "input[name=username]", "login page")
        .await
        .unwrap();
    name.send_keys(user).await.unwrap();
    let pass = wait_for(browser, "input[name=password]", "login page")
        .await
        .unwrap();
    pass.send_keys(password).await.unwrap();
    browser
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// The text of the container's home page (who is logged in).
async fn home_text(browser: &Client, base: &str) -> String {
    browser.goto(&format!("{base}/")).await.unwrap();
    let body = wait_for(browser, "body", "home page").await.unwrap();
    body.text().await.unwrap()
}

fn hidden(html: &str, name: &str) -> String {
    smart_browser::html::field_value(html, name)
        .unwrap_or_else(|| panic!("no {name} on the page:\n{html}"))
}

/// The app's side of the dance, the user's approval through the
/// container's pages; returns the token credentials.
async fn dance(container: &ContainerProcess) -> oauth1_dance::Authorized {
    let consumer = Consumer::new(APP_ID, Secret::new(container.app_secret.clone()));
    let user = smart_browser::dance::User {
        username: USER,
        password: PASSWORD,
        record_id: Some(RECORD),
    };
    smart_browser::dance::dance(&container.api_base, &consumer, user)
        .await
        .unwrap()
        .authorized
}

/// The script an app stores: it marks the page and the origin if it runs.
const PAYLOAD: &str = "<html><body><script>document.title='PWNED';\
document.cookie='pwned=1; path=/';</script><p>stored page</p></body></html>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_26_stored_html_opened_from_a_signed_link_runs_no_script_in_chromium() {
    let container = start_container().await;
    let authorized = dance(&container).await;
    let base = container.api_base.clone();
    let url = format!("{base}/records/{RECORD}/apps/{APP_ID}/scratchpad");
    let http = reqwest::Client::new();
    // The app stores its page, as the attacker's app did.
    let header = authorized
        .request(
            "PUT",
            &url,
            Some("text/html"),
            PAYLOAD.as_bytes(),
            Stamp::now().unwrap(),
        )
        .unwrap()
        .authorization;
    let put = http
        .put(&url)
        .header("Authorization", header)
        .header("Content-Type", "text/html")
        .body(PAYLOAD)
        .send()
        .await
        .unwrap();
    eprintln!("PUT text/html scratchpad: {}", put.status());
    // The signed GET as a link: the protocol parameters in the query.
    let header = authorized
        .request("GET", &url, None, b"", Stamp::now().unwrap())
        .unwrap()
        .authorization;
    let query: Vec<String> = header
        .trim_start_matches("OAuth ")
        .split(", ")
        .filter(|p| !p.starts_with("realm="))
        .map(|p| p.replace('"', ""))
        .collect();
    let link = format!("{url}?{}", query.join("&"));

    let (browser, _driver, _dir) = chromium("sec-26").await;
    log_in(&browser, &base, USER, PASSWORD).await;
    assert!(home_text(&browser, &base).await.contains("Logged in as"));
    browser.goto(&link).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let title = browser.title().await.unwrap_or_default();
    // Back on a page of the container's origin, read its cookies.
    browser.goto(&format!("{base}/login")).await.unwrap();
    let cookies = browser
        .execute("return document.cookie;", Vec::new())
        .await
        .unwrap();
    let _ = browser.close().await;
    eprintln!("after opening the link: title {title:?}, cookies {cookies}");
    assert_ne!(title, "PWNED", "the stored script ran");
    assert!(
        !cookies.to_string().contains("pwned"),
        "the stored script ran: {cookies}"
    );
}

/// Serves one HTML page on a loopback port until dropped.
async fn serve_page(html: String) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                html.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
        }
    });
    (port, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_29_a_foreign_page_posting_the_login_form_logs_nobody_in() {
    let container = start_container().await;
    let base = container.api_base.clone();
    container
        .cli(&["add-user", "mallory", "--password", "mallory-password-42"])
        .unwrap();
    // The attacker's own login form token (for the attacker's cookie).
    let page = reqwest::get(format!("{base}/login"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = hidden(&page, "csrf_token");
    let html = format!(
        r#"<!doctype html><html><body onload="document.forms[0].submit()">
<form method="post" action="{base}/login">
<input name="username" value="mallory"><input name="password" value="mallory-password-42">
<input name="return_url" value="/"><input name="csrf_token" value="{token}">
</form></body></html>"#
    );
    let (port, server) = serve_page(html).await;

    let (browser, _driver, _dir) = chromium("sec-29").await;
    // The victim has visited the container before (a login cookie of their own).
    browser.goto(&format!("{base}/login")).await.unwrap();
    browser
        .goto(&format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after_post = browser
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap_or_default();
    let home = home_text(&browser, &base).await;
    let _ = browser.close().await;
    server.abort();
    eprintln!("after the foreign page: {after_post:?}; home: {home:?}");
    assert!(
        !home.contains("Logged in as"),
        "the foreign page logged the user in: {home}"
    );
}
