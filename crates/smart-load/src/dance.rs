//! The real three-legged dance against a SMART container, as a browser and
//! an app back end would do it: the container manifest, the HTML login form,
//! the record picker, the request token, the authorize form (with its CSRF
//! token), the redirect to the app's callback, and the access token.

use anyhow::{Context, Result, bail};
use oauth1_dance::{
    Authorized, Consumer, Endpoints, OutgoingRequest, Stamp, TemporaryCredentialsRequest,
};
use oauth1_sign::percent_decode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::redirect::Policy;

/// Runs the dance as `username` and returns the app's credentials and the
/// record they read (the first one the record picker offers).
pub(crate) async fn obtain_token(
    api_base: &str,
    consumer: &Consumer,
    username: &str,
    password: &str,
) -> Result<(Authorized, String)> {
    // The browser: keeps cookies, and lets us read each redirect.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .no_proxy()
        .build()
        .context("cannot build the HTTP client")?;

    let manifest: serde_json::Value = browser
        .get(format!("{api_base}/manifest"))
        .send()
        .await
        .context("GET /manifest")?
        .error_for_status()
        .context("GET /manifest")?
        .json()
        .await
        .context("the container manifest is not JSON")?;
    let url = |name: &str| -> Result<String> {
        manifest["launch_urls"][name]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("the container manifest has no launch_urls.{name}"))
    };
    let endpoints = Endpoints::new(
        url("request_token")?,
        url("authorize_token")?,
        url("exchange_token")?,
    )?;
    let ui_origin = origin(endpoints.authorize_token())?;
    let launch = replace_app_id(&url("app_launch")?, consumer.key());

    // Log in through the HTML form (its CSRF token is bound to the login
    // cookie the page sets).
    let login_page = browser
        .get(format!("{ui_origin}/login"))
        .send()
        .await
        .context("GET /login")?
        .text()
        .await?;
    let csrf = hidden_input(&login_page, "csrf_token").unwrap_or_default();
    let response = browser
        .post(format!("{ui_origin}/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("return_url", "/"),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .context("POST /login")?;
    if !response.status().is_redirection() {
        bail!("login as `{username}` failed ({})", response.status());
    }

    // The record picker of the app's launch page names the records.
    let page = browser
        .get(&launch)
        .send()
        .await
        .context("GET the launch page")?
        .text()
        .await?;
    let record_id = first_record_id(&page)
        .with_context(|| format!("the launch page {launch} lists no record"))?;

    // 1. Temporary credentials bound to the record.
    let (request, state) = TemporaryCredentialsRequest::out_of_band(endpoints)
        .param("smart_record_id", record_id.clone())
        .sign(consumer, Stamp::now()?)?;
    let (status, body) = send(&browser, request).await?;
    let state = state
        .handle_response(status, &body)
        .context("request token")?;

    // 2. The authorize page and its form, as the logged-in user.
    let page = browser
        .get(state.authorization_url())
        .send()
        .await
        .context("GET the authorize page")?;
    if !page.status().is_success() {
        bail!("the authorize page answered {}", page.status());
    }
    let page = page.text().await?;
    let csrf = hidden_input(&page, "csrf_token").context("the authorize page has no csrf_token")?;
    let action = form_action(&page)
        .map(|a| absolute(&ui_origin, &a))
        .unwrap_or_else(|| state.authorization_url());
    let response = browser
        .post(action)
        .form(&[
            ("oauth_token", state.token()),
            ("csrf_token", csrf.as_str()),
            ("decision", "approve"),
        ])
        .send()
        .await
        .context("POST the authorize form")?;
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .with_context(|| {
            format!(
                "approving answered {} without a redirect",
                response.status()
            )
        })?;
    let query = location
        .split_once('?')
        .map(|(_, q)| q.split('#').next().unwrap_or_default().to_owned())
        .context("the callback redirect carries no query")?;

    // 3. The access token.
    let (request, state) = state.handle_callback(
        &callback_param(&query, "oauth_token"),
        &callback_param(&query, "oauth_verifier"),
        Stamp::now()?,
    )?;
    let (status, body) = send(&browser, request).await?;
    let authorized = state
        .handle_response(status, &body)
        .context("access token")?;
    Ok((authorized, record_id))
}

/// Sends a request the dance signed.
async fn send(client: &reqwest::Client, request: OutgoingRequest) -> Result<(u16, Vec<u8>)> {
    let mut builder = client
        .request(request.method.clone(), &request.url)
        .header(AUTHORIZATION, &request.authorization);
    if let Some(content_type) = request.content_type {
        builder = builder.header(CONTENT_TYPE, content_type);
    }
    let response = builder
        .body(request.body)
        .send()
        .await
        .with_context(|| format!("POST {}", request.url))?;
    let status = response.status().as_u16();
    Ok((status, response.bytes().await?.to_vec()))
}

/// `scheme://host[:port]` of an absolute URL.
fn origin(url: &str) -> Result<String> {
    let (scheme, rest) = url
        .split_once("://")
        .with_context(|| format!("`{url}` is not an absolute URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    Ok(format!("{scheme}://{host}"))
}

fn absolute(origin: &str, href: &str) -> String {
    if href.starts_with("http://") || href.starts_with("https://") {
        href.to_owned()
    } else {
        format!("{origin}/{}", href.trim_start_matches('/'))
    }
}

/// `{{app_id}}`, with any spaces inside the braces, replaced by the app id.
fn replace_app_id(template: &str, app_id: &str) -> String {
    match (template.find("{{"), template.find("}}")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{}{}", &template[..start], app_id, &template[end + 2..])
        }
        _ => template.to_owned(),
    }
}

/// The first `record_id=` value linked from a page.
fn first_record_id(page: &str) -> Option<String> {
    let start = page.find("record_id=")? + "record_id=".len();
    let value: String = page[start..]
        .chars()
        .take_while(|c| !matches!(c, '"' | '&' | '\'' | '#' | '<' | ' '))
        .collect();
    let value = percent_decode(&unescape(&value)).ok()?;
    (!value.is_empty()).then_some(value)
}

/// The `value` of `<input ... name="NAME" ... value="...">`.
fn hidden_input(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\""))?;
    let tag_start = page[..at].rfind('<')?;
    let tag_end = at + page[at..].find('>')?;
    attribute(&page[tag_start..tag_end], "value")
}

/// The `action` of the first `<form method="post">`.
fn form_action(page: &str) -> Option<String> {
    let mut rest = page;
    while let Some(at) = rest.find("<form") {
        let tag = &rest[at..at + rest[at..].find('>')?];
        if tag.to_ascii_lowercase().contains("post") {
            return attribute(tag, "action");
        }
        rest = &rest[at + 5..];
    }
    None
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// The few entities an HTML attribute value may carry.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// One parameter of a callback query, decoded as a web framework would (empty when absent).
fn callback_param(query: &str, name: &str) -> String {
    oauth1_sign::form_decode(query.trim_start_matches('?'))
        .unwrap_or_default()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pages() {
        let page = r#"<td><a href="/apps/x/launch?record_id=2169591&amp;y=1">Doe, J</a></td>"#;
        assert_eq!(first_record_id(page).as_deref(), Some("2169591"));
        let form = r#"<form method="post" action="/oauth/authorize"><input type="hidden" name="csrf_token" value="a&amp;b"></form>"#;
        assert_eq!(hidden_input(form, "csrf_token").as_deref(), Some("a&b"));
        assert_eq!(form_action(form).as_deref(), Some("/oauth/authorize"));
        assert_eq!(first_record_id("<p>none</p>"), None);
        assert_eq!(
            replace_app_id("http://h/apps/{{ app_id }}/launch", "a@b"),
            "http://h/apps/a@b/launch"
        );
        assert_eq!(
            origin("http://127.0.0.1:7000/oauth/authorize")
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:7000")
        );
    }
}
