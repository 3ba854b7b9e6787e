//! `/oauth/debug` on the real container: in `--dev` a request signed with
//! the wrong secret is listed there with the base string `oauth1 explain`
//! computes for it and the signature the right secret gives, no secret in
//! sight, and the 401 points there; without `--dev` the address is a 404.

use super::support::{APP_ID, APP_SECRET, Server, http};

const WRONG_SECRET: &str = "not-the-app-secret-5c1e";

/// The `oauth1` command's arguments for a temporary-credentials request
/// signed with `secret`, at a fixed nonce and timestamp.
fn oauth1_args(command: &str, base: &str, secret: &str, timestamp: &str) -> Vec<String> {
    [
        "oauth1",
        command,
        "--method",
        "POST",
        "--url",
        &format!("{base}/oauth/request_token"),
        "--consumer-key",
        APP_ID,
        "--consumer-secret",
        secret,
        "--callback",
        "oob",
        "--param",
        "smart_record_id=2000000",
        "--nonce",
        "debug-page-nonce",
        "--timestamp",
        timestamp,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// Signs with the `oauth1` command and sends the request: (status, body).
async fn send_signed(
    http: &reqwest::Client,
    base: &str,
    secret: &str,
    timestamp: &str,
) -> (u16, String) {
    let mut args = oauth1_args("sign", base, secret, timestamp);
    args.extend(["--format".into(), "json".into()]);
    let out = oauth1_cli::run(args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let signed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let text = |k: &str| signed[k].as_str().unwrap().to_owned();
    let response = http
        .post(text("url"))
        .header("Authorization", text("authorization"))
        .header("Content-Type", text("content_type"))
        .body(text("body"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn now() -> String {
    chrono::Utc::now().timestamp().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_signature_is_shown_on_the_debug_page_in_dev_only() {
    let server = Server::start_with("info", &["--dev"]);
    let http = http();
    let timestamp = now();
    let (status, body) = send_signed(&http, &server.base, WRONG_SECRET, &timestamp).await;
    assert_eq!(status, 401, "{body}");
    let url = body
        .lines()
        .find_map(|l| l.strip_prefix("signature debug (development mode): "))
        .unwrap_or_else(|| panic!("no pointer to the debug page in {body:?}"))
        .to_owned();
    assert_eq!(
        url,
        format!(
            "{}/oauth/debug?consumer_key=security-suite%40apps.example.org",
            server.base
        )
    );

    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let page = page.text().await.unwrap();
    let field = |name: &str| {
        page.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no `{name}` in {page}"))
            .trim()
            .to_owned()
    };
    assert_eq!(field("method:"), "POST");
    assert_eq!(field("signature method:"), "HMAC-SHA1");
    // The base string is the one `oauth1 explain` computes for the request.
    let base = field("base string:");
    let mut explain = oauth1_args("explain", &server.base, WRONG_SECRET, &timestamp);
    explain.extend(["--compare".into(), base.clone()]);
    let compared = oauth1_cli::run(explain);
    assert_eq!(compared.code, 0, "{}{}", compared.stdout, compared.stderr);
    // The expected signature is the right secret's; the received one ours.
    let right = oauth1_cli::run(oauth1_args("sign", &server.base, APP_SECRET, &timestamp));
    let wrong = oauth1_cli::run(oauth1_args("sign", &server.base, WRONG_SECRET, &timestamp));
    let signature = |out: &oauth1_cli::Outcome| {
        out.stdout
            .lines()
            .find_map(|l| l.strip_prefix("signature:"))
            .unwrap()
            .trim()
            .to_owned()
    };
    assert_eq!(field("expected signature:"), signature(&right));
    assert_eq!(field("received signature:"), signature(&wrong));
    // No secret, ours or the container's.
    assert!(
        !page.contains(APP_SECRET) && !page.contains(WRONG_SECRET),
        "{page}"
    );
    // The list of consumers names it; a signature that matches adds nothing.
    let list = http
        .get(format!("{}/oauth/debug", server.base))
        .send()
        .await
        .unwrap();
    assert!(list.text().await.unwrap().contains(&url));
    let (status, _) = send_signed(&http, &server.base, APP_SECRET, &now()).await;
    assert_eq!(status, 200);
    let again = http.get(&url).send().await.unwrap().text().await.unwrap();
    assert_eq!(again.matches("base string:").count(), 1, "{again}");
    // An unknown parameter is a 400 naming the accepted one.
    let bad = http
        .get(format!("{}/oauth/debug?key=x", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("consumer_key"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_dev_the_debug_page_is_a_404_and_the_401_points_nowhere() {
    let server = Server::start("info");
    let http = http();
    let (status, body) = send_signed(&http, &server.base, WRONG_SECRET, &now()).await;
    assert_eq!(status, 401);
    assert!(!body.contains("debug"), "{body}");
    for path in [
        "/oauth/debug",
        "/oauth/debug?consumer_key=security-suite%40apps.example.org",
    ] {
        let r = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}
