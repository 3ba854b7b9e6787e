//! The minimal SMART consumer over `ureq`: the whole dance against a SMART
//! container, then one signed data call. This file is the README's example
//! (a test checks that they are the same); CI runs it against the reference
//! container.
//!
//! ```text
//! SMART_API_BASE=http://127.0.0.1:7000 SMART_CONSUMER_KEY=... SMART_CONSUMER_SECRET=... \
//! SMART_RECORD_ID=... cargo run -p oauth1-dance --features os --example smart_ureq
//! ```
//!
//! It prints the authorization URL; approve in a browser, then paste the URL
//! the container sent the browser back to (the app's callback).

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
    // Every reply goes to the state machine, whatever its status: ureq must
    // not turn 4xx and 5xx into errors.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();

    // The endpoints, from the container manifest's `launch_urls` (checked: absolute http(s) URLs).
    let manifest: serde_json::Value = agent
        .get(format!("{api_base}/manifest"))
        .call()?
        .body_mut()
        .read_json()?;
    let endpoints: Endpoints = serde_json::from_value(manifest["launch_urls"].clone())?;

    // 1. Temporary credentials, bound to the record (SMART sends `oauth_callback=oob`).
    let (request, state) = TemporaryCredentialsRequest::out_of_band(endpoints)
        .param("smart_record_id", &record_id)
        .sign(&consumer, Stamp::now()?)?;
    let (status, body) = send(&agent, request)?;
    let state = state.handle_response(status, &body)?;

    // 2. The user approves at the container, which redirects to the app's callback.
    println!("authorize: {}", state.authorization_url());
    println!("paste the callback URL:");
    let mut callback = String::new();
    std::io::stdin().read_line(&mut callback)?;
    let query = callback
        .trim()
        .split_once('?')
        .map_or("", |(_, query)| query);
    let params = oauth1_dance::oauth1_sign::form_decode(query)?;
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };

    // 3. Token credentials, after checking the callback's token against ours.
    let (request, state) =
        state.handle_callback(param("oauth_token"), param("oauth_verifier"), Stamp::now()?)?;
    let (status, body) = send(&agent, request)?;
    let authorized = state.handle_response(status, &body)?;

    // 4. Signed data calls, sent like every step of the dance.
    let url = format!("{api_base}/records/{record_id}/demographics");
    let (status, body) = send(
        &agent,
        authorized.request("GET", &url, None, b"", Stamp::now()?)?,
    )?;
    println!("GET {url}: {status}");
    println!("{}", String::from_utf8_lossy(&body));
    Ok(())
}

/// Sends any request of the dance or a data call; returns the status and body, whatever the status.
fn send(agent: &ureq::Agent, request: OutgoingRequest) -> Result<(u16, Vec<u8>), Box<dyn Error>> {
    let mut response = agent.run(request.to_http()?)?;
    Ok((
        response.status().as_u16(),
        response.body_mut().read_to_vec()?,
    ))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}
