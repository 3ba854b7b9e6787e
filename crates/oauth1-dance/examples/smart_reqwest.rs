//! The SMART consumer of `smart_ureq.rs`, over blocking `reqwest` (the async
//! client is the same with `.await`). CI runs it against the reference container.
//!
//! ```text
//! SMART_API_BASE=http://127.0.0.1:7000 SMART_CONSUMER_KEY=... SMART_CONSUMER_SECRET=... \
//! SMART_RECORD_ID=... cargo run -p oauth1-dance --features os --example smart_reqwest
//! ```

use std::error::Error;

use oauth1_dance::{
    Consumer, Endpoints, OutgoingRequest, Secret, Stamp, TemporaryCredentialsRequest,
};

fn main() -> Result<(), Box<dyn Error>> {
    let api_base = env("SMART_API_BASE")?;
    let record_id = env("SMART_RECORD_ID")?;
    let consumer = Consumer::new(
        env("SMART_CONSUMER_KEY")?,
        Secret::new(env("SMART_CONSUMER_SECRET")?),
    );
    // reqwest returns 4xx and 5xx replies as values: they go to the state machine too.
    let http = reqwest::blocking::Client::new();

    let manifest: serde_json::Value = http.get(format!("{api_base}/manifest")).send()?.json()?;
    let endpoints: Endpoints = serde_json::from_value(manifest["launch_urls"].clone())?;

    // 1. Temporary credentials, bound to the record.
    let (request, state) = TemporaryCredentialsRequest::out_of_band(endpoints)
        .param("smart_record_id", &record_id)
        .sign(&consumer, Stamp::now()?)?;
    let (status, body) = send(&http, request)?;
    let state = state.handle_response(status, &body)?;

    // 2. The user approves at the container, which redirects to the app's callback.
    println!("authorize: {}", state.authorization_url());
    println!("paste the callback URL:");
    let mut callback = String::new();
    std::io::stdin().read_line(&mut callback)?;
    let callback = reqwest::Url::parse(callback.trim())?;
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };

    // 3. Token credentials.
    let (request, state) = state.handle_callback(
        &param("oauth_token"),
        &param("oauth_verifier"),
        Stamp::now()?,
    )?;
    let (status, body) = send(&http, request)?;
    let authorized = state.handle_response(status, &body)?;

    // 4. A signed data call, sent like every step of the dance.
    let url = format!("{api_base}/records/{record_id}/demographics");
    let (status, body) = send(
        &http,
        authorized.request("GET", &url, None, b"", Stamp::now()?)?,
    )?;
    println!("GET {url}: {status}");
    println!("{}", String::from_utf8_lossy(&body));
    Ok(())
}

/// Sends any request of the dance or a data call; returns the status and body, whatever the status.
fn send(
    http: &reqwest::blocking::Client,
    request: OutgoingRequest,
) -> Result<(u16, Vec<u8>), Box<dyn Error>> {
    let mut builder = http
        .request(request.method, &request.url)
        .header("Authorization", request.authorization);
    if let Some(content_type) = request.content_type {
        builder = builder.header("Content-Type", content_type);
    }
    let response = builder.body(request.body).send()?;
    Ok((response.status().as_u16(), response.bytes()?.to_vec()))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}
