//! Our client, their provider: `smart-client` and the `smart-rest-minimal`
//! app dance against `interop/oauthlib_provider.py` (oauthlib's four
//! provider endpoints over a plain in-memory validator) and read the name.

use std::process::Command;
use std::time::Duration;

use smart_client::{Credentials, Error, SmartClient};
use smart_rdf::Demographics;

use crate::support::{Service, binary, free_port, scratch_dir};
use crate::{interop_dir, python};

/// The app id (consumer key) the peer provider knows.
const APP_ID: &str = "rest-minimal@apps.smartplatforms.org";
/// The record the provider serves, and the name in its fixed document.
const RECORD: &str = "1000001";
const GIVEN: &str = "Odalys";
const FAMILY: &str = "Wrenfield";

/// Starts the oauthlib provider on a free port; returns it with its api_base.
fn start_provider(
    dir: &std::path::Path,
    secret: &str,
    callback: &str,
    app_index: &str,
) -> (Service, String) {
    let port = free_port();
    let mut provider = Service::start(
        "oauthlib-provider",
        Command::new(python())
            .arg(interop_dir().join("oauthlib_provider.py"))
            .arg(port.to_string())
            .args(["--consumer-key", APP_ID, "--consumer-secret", secret])
            .args(["--callback", callback, "--app-index", app_index])
            .args(["--record-id", RECORD]),
        dir,
    );
    provider.wait_for_port(port, Duration::from_secs(30));
    (provider, format!("http://127.0.0.1:{port}"))
}

/// `smart-client`: request token, authorization (oauthlib auto-approves),
/// exchange, demographics; then what must fail.
pub(crate) async fn smart_client_against_oauthlib() {
    let dir = scratch_dir("interop", "smart-client-their-provider");
    let secret = oauth1_sign::generate_nonce().expect("the OS random generator");
    let callback = "http://127.0.0.1:9/authorized";
    let (provider, api_base) = start_provider(&dir, &secret, callback, "");
    let fail = |step: &str, e: &dyn std::fmt::Display| -> ! {
        panic!(
            "smart-client against oauthlib, {step}: {e}\n{}",
            provider.log_tail()
        )
    };

    let client = SmartClient::new(&api_base, Credentials::new(APP_ID, secret.clone()))
        .unwrap_or_else(|e| fail("new client", &e));
    let pending = client
        .request_token(RECORD)
        .await
        .unwrap_or_else(|e| fail("request token", &e));
    let authorize = client
        .authorize_url(&pending)
        .unwrap_or_else(|e| fail("authorize URL", &e));
    let (token, verifier) = approve(authorize.as_str()).await;
    assert_eq!(
        token,
        pending.request_token(),
        "the callback names our request token"
    );

    // A callback naming another token is refused before anything is sent.
    let spare = client
        .request_token(RECORD)
        .await
        .unwrap_or_else(|e| fail("second request token", &e));
    match client
        .exchange(spare, "not-the-request-token", &verifier)
        .await
    {
        Err(Error::TokenMismatch) => {}
        other => panic!("a callback with another oauth_token must be TokenMismatch, got {other:?}"),
    }

    let access = client
        .exchange(pending, &token, &verifier)
        .await
        .unwrap_or_else(|e| fail("access token", &e));
    let records = client
        .record(&access)
        .unwrap_or_else(|e| fail("record client", &e));
    let reply = records
        .demographics()
        .await
        .unwrap_or_else(|e| fail("GET demographics", &e));
    let demographics = reply
        .records::<Demographics>()
        .unwrap_or_else(|e| fail("read demographics", &e));
    assert_eq!(demographics.len(), 1, "one Demographics node");
    assert_eq!(demographics[0].name.given, GIVEN);
    assert_eq!(demographics[0].name.family, FAMILY);
    eprintln!(
        "smart-client against oauthlib: dance done, name {} {}",
        demographics[0].name.given, demographics[0].name.family
    );
}

/// `smart-rest-minimal serve` against the oauthlib provider, driven over HTTP
/// like a browser (cookies kept, redirects followed): the final page names
/// the patient.
pub(crate) async fn minimal_app_against_oauthlib() {
    let dir = scratch_dir("interop", "minimal-app-their-provider");
    let secret = oauth1_sign::generate_nonce().expect("the OS random generator");
    let app_port = free_port();
    let app_url = format!("http://127.0.0.1:{app_port}");
    let (provider, api_base) = start_provider(
        &dir,
        &secret,
        &format!("{app_url}/authorized"),
        &format!("{app_url}/"),
    );
    let mut app = Service::start(
        "smart-rest-minimal",
        Command::new(binary("smart-rest-minimal"))
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{app_port}")])
            .args(["--public-url", &format!("{app_url}/")])
            .args(["--api-base", &api_base, "--app-id", APP_ID])
            .args(["--consumer-secret", &secret])
            // Its sessions in the scratch dir, not in the working directory.
            .arg("--data-dir")
            .arg(dir.join("app-data")),
        &dir,
    );
    app.wait_for_port(app_port, Duration::from_secs(30));

    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(10))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    // Opened without a record, the app sends the browser to the
    // container's launch URL, which comes back with record_id and api_base.
    let page = browser
        .get(format!("{app_url}/"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("open the app: {e}\n{}", app.log_tail()));
    let status = page.status();
    let landed = page.url().to_string();
    let body = page.text().await.unwrap_or_default();
    assert!(
        status.is_success() && body.contains(GIVEN) && body.contains(FAMILY),
        "the app's page after the dance with oauthlib ({status}, {landed}) does not name \
         {GIVEN} {FAMILY}:\n{body}\n{}\n{}",
        app.log_tail(),
        provider.log_tail()
    );
    assert!(
        !landed.contains("oauth_verifier"),
        "the app left the verifier in the URL: {landed}"
    );
    eprintln!("smart-rest-minimal against oauthlib: the page names {GIVEN} {FAMILY} ({landed})");
}

/// Follows the authorize URL without redirects: the oauthlib provider
/// approves at once and answers 302 to the callback with the verifier.
async fn approve(authorize: &str) -> (String, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let reply = http
        .get(authorize)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {authorize}: {e}"));
    let location = reply
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("GET {authorize}: {} without Location", reply.status()))
        .to_owned();
    let url = url_query(&location);
    let get = |name: &str| {
        url.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("the callback {location} has no {name}"))
    };
    (get("oauth_token"), get("oauth_verifier"))
}

/// The decoded query pairs of a URL.
fn url_query(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    oauth1_sign::form_decode(query).unwrap_or_else(|e| panic!("query of {url}: {e}"))
}
