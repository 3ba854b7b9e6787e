//! Signs a request with `oauth1-sign` and sends it with `ureq`.
//!
//! ```text
//! cargo run -p oauth1-sign --example sign_ureq
//! ```
//! signs the request of RFC 5849 §1.2 with its published timestamp and nonce
//! and prints it (nothing is sent). With a URL and credentials,
//! ```text
//! OAUTH_CONSUMER_KEY=... OAUTH_CONSUMER_SECRET=... OAUTH_TOKEN=... OAUTH_TOKEN_SECRET=... \
//! cargo run -p oauth1-sign --example sign_ureq -- https://api.example.org/resource?x=1
//! ```
//! it signs a GET of that URL with the current time and a fresh nonce, sends
//! it, and prints the reply.

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use oauth1_sign::{Body, OAuthParams, RequestParts, Secret, SignatureMethod, sign};

fn main() -> Result<(), Box<dyn Error>> {
    let Some(url) = std::env::args().nth(1) else {
        // RFC 5849 §1.2: the photo request, with the published values.
        let url = "http://photos.example.net/photos?file=vacation.jpg&size=original";
        let mut oauth = OAuthParams::new(
            "dpf43f3p2l4k3l03",
            SignatureMethod::HmacSha1,
            137131202,
            "chapoH",
        );
        oauth.token = Some("nnch734d00sl2jdk".into());
        oauth.version = None;
        let request = RequestParts {
            method: "GET",
            url,
            body: Body::Empty,
        };
        let signed = sign(
            &request,
            &oauth,
            &Secret::new("kd94hf93k423kf44"),
            Some(&Secret::new("pfkkdhi9sl3r4s00")),
        )?;
        // What ureq would send (ureq::get(url).header("Authorization", ...).call()).
        let _unsent = ureq::get(url).header("Authorization", &signed.authorization);
        println!("GET {url}");
        println!("Authorization: {}", signed.authorization);
        return Ok(());
    };
    let mut oauth = OAuthParams::new(
        env("OAUTH_CONSUMER_KEY")?,
        SignatureMethod::HmacSha1,
        unix_now()?,
        nonce()?,
    );
    oauth.token = Some(env("OAUTH_TOKEN")?);
    // A body would be given here: `Body::from_content_type(content_type, bytes)` signs a
    // form body's parameters and covers any other body with `oauth_body_hash`.
    let request = RequestParts {
        method: "GET",
        url: &url,
        body: Body::Empty,
    };
    let consumer_secret = Secret::new(env("OAUTH_CONSUMER_SECRET")?);
    let token_secret = Secret::new(env("OAUTH_TOKEN_SECRET")?);
    let signed = sign(&request, &oauth, &consumer_secret, Some(&token_secret))?;
    // Keep 4xx and 5xx replies as values, to print them.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(&url)
        .header("Authorization", &signed.authorization)
        .call()?;
    println!("GET {url}: {}", response.status().as_u16());
    println!("{}", response.body_mut().read_to_string()?);
    Ok(())
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

fn unix_now() -> Result<u64, Box<dyn Error>> {
    Ok(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())
}

/// 128 random bits as 32 hex digits (or enable the `rand` feature and call
/// `oauth1_sign::generate_nonce()`).
fn nonce() -> Result<String, Box<dyn Error>> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
