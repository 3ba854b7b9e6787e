//! The examples of `oauth1-dance`, built and run as a user would: the two
//! SMART consumers do the whole dance against the real container binary
//! (the test plays the browser: it signs in and approves, then pastes the
//! callback URL into the example), and the axum provider authenticates a
//! request it signed.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};

use smart_rest_tests::{
    APP_ID, ContainerProcess, app_manifest, approve, example_binary, record_ids,
};
use url::Url;

#[tokio::test]
async fn the_consumer_examples_do_the_dance_against_the_container() {
    let manifest = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    let container = ContainerProcess::start(&manifest).await.unwrap();
    let record = record_ids(&container).await.unwrap().remove(0);
    for name in ["smart_ureq", "smart_reqwest"] {
        let binary = example_binary("oauth1-dance", name, "os").unwrap();
        let mut child = Command::new(&binary)
            .env("SMART_API_BASE", &container.api_base)
            .env("SMART_CONSUMER_KEY", APP_ID)
            .env("SMART_CONSUMER_SECRET", &container.app_secret)
            .env("SMART_RECORD_ID", &record)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let authorize = line
            .trim()
            .strip_prefix("authorize: ")
            .unwrap_or_else(|| panic!("{name} printed {line:?}"));
        let callback = approve(Url::parse(authorize).unwrap()).await.unwrap();
        assert!(
            callback
                .as_str()
                .starts_with("http://127.0.0.1:9/authorized?"),
            "{callback}"
        );
        writeln!(child.stdin.take().unwrap(), "{callback}").unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(status.success(), "{name}: {status}\n{rest}\n{stderr}");
        let expected = format!(
            "GET {}/records/{record}/demographics: 200",
            container.api_base
        );
        assert!(rest.contains(&expected), "{name}:\n{rest}");
        assert!(
            rest.contains("Demographics"),
            "{name}: no record data:\n{rest}"
        );
    }
}

#[tokio::test]
async fn a_consumer_example_shows_the_containers_reason() {
    // A record the container does not have: the example fails with the container's reason.
    let manifest = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    let container = ContainerProcess::start(&manifest).await.unwrap();
    let binary = example_binary("oauth1-dance", "smart_ureq", "os").unwrap();
    let output = Command::new(&binary)
        .env("SMART_API_BASE", &container.api_base)
        .env("SMART_CONSUMER_KEY", APP_ID)
        .env("SMART_CONSUMER_SECRET", &container.app_secret)
        .env("SMART_RECORD_ID", "no-such-record")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    // `main` returning an error prints its `Debug`: the status and the container's reason.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("UnexpectedStatus { status: 400, body: \"unknown smart_record_id\" }"),
        "{stderr}"
    );
}

#[test]
fn the_axum_provider_example_authenticates_and_refuses_a_replay() {
    let binary = example_binary("oauth1-dance", "provider_axum", "os").unwrap();
    let output = Command::new(&binary).stdin(Stdio::null()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("first: 200 record 123, read by app@example.org for alice"),
        "{stdout}"
    );
    assert!(
        stdout.contains("replayed: 401 nonce already used"),
        "{stdout}"
    );
}

#[test]
fn the_signer_examples_sign_the_rfc_5849_request() {
    for name in ["readme", "sign_ureq", "sign_reqwest"] {
        let binary = example_binary("oauth1-sign", name, "std").unwrap();
        let output = Command::new(&binary).stdin(Stdio::null()).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{name}: {stdout}");
        assert!(
            stdout.contains("oauth_consumer_key=\"dpf43f3p2l4k3l03\""),
            "{name}: {stdout}"
        );
    }
    // Without oauth_version, the published signature of RFC 5849 §1.2.
    let binary = example_binary("oauth1-sign", "sign_ureq", "std").unwrap();
    let output = Command::new(&binary).output().unwrap();
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\""),
    );
}

/// The signer's examples, given a URL and token credentials from a real
/// dance, sign a data call the container accepts.
#[tokio::test]
async fn the_signer_examples_sign_a_data_call_the_container_accepts() {
    use oauth1_dance::{
        Consumer, Endpoints, OutgoingRequest, Secret, Stamp, TemporaryCredentialsRequest,
    };

    async fn send(http: &reqwest::Client, r: OutgoingRequest) -> (u16, Vec<u8>) {
        let mut builder = http
            .request(r.method, &r.url)
            .header("Authorization", r.authorization);
        if let Some(content_type) = r.content_type {
            builder = builder.header("Content-Type", content_type);
        }
        let response = builder.body(r.body).send().await.unwrap();
        (
            response.status().as_u16(),
            response.bytes().await.unwrap().to_vec(),
        )
    }

    let manifest = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    let container = ContainerProcess::start(&manifest).await.unwrap();
    let record = record_ids(&container).await.unwrap().remove(0);
    // The dance, with oauth1-dance, for token credentials.
    let http = reqwest::Client::new();
    let manifest: serde_json::Value = http
        .get(format!("{}/manifest", container.api_base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let endpoints: Endpoints = serde_json::from_value(manifest["launch_urls"].clone()).unwrap();
    let consumer = Consumer::new(APP_ID, Secret::new(container.app_secret.clone()));
    let (request, state) = TemporaryCredentialsRequest::out_of_band(endpoints)
        .param("smart_record_id", &record)
        .sign(&consumer, Stamp::now().unwrap())
        .unwrap();
    let (status, body) = send(&http, request).await;
    let state = state.handle_response(status, &body).unwrap();
    let callback = approve(Url::parse(&state.authorization_url()).unwrap())
        .await
        .unwrap();
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (request, state) = state
        .handle_callback(
            &param("oauth_token"),
            &param("oauth_verifier"),
            Stamp::now().unwrap(),
        )
        .unwrap();
    let (status, body) = send(&http, request).await;
    let authorized = state.handle_response(status, &body).unwrap();
    // Each signer example signs and sends a GET of the record's demographics.
    let url = format!("{}/records/{record}/demographics", container.api_base);
    for name in ["sign_ureq", "sign_reqwest"] {
        let binary = example_binary("oauth1-sign", name, "std").unwrap();
        let output = Command::new(&binary)
            .arg(&url)
            .env("OAUTH_CONSUMER_KEY", APP_ID)
            .env("OAUTH_CONSUMER_SECRET", &container.app_secret)
            .env("OAUTH_TOKEN", authorized.token())
            .env("OAUTH_TOKEN_SECRET", authorized.secret().expose())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{name}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains(&format!("GET {url}: 200")),
            "{name}:\n{stdout}"
        );
        assert!(stdout.contains("Demographics"), "{name}:\n{stdout}");
    }
}
