//! The out-of-band three-legged dance of a consumer against a running
//! container, the user's part played through the container's real pages:
//! the container manifest, the launch page (sign in, record picker), the
//! request token, the authorisation form with its CSRF token, the redirect
//! to the app's callback (read, not followed), the access token.

use oauth1_dance::{Authorized, Consumer, Endpoints, Stamp, TemporaryCredentialsRequest};
use url::Url;

use crate::browser::Browser;
use crate::flow::{Choice, approve_to_callback, open_picker};
use crate::{Error, query_of, query_param};

/// What one dance produced: the token credentials and the values a test
/// checks stay out of logs.
#[derive(Debug)]
pub struct Danced {
    /// The token credentials.
    pub authorized: Authorized,
    /// The record they read.
    pub record_id: String,
    /// The request token of the dance.
    pub request_token: String,
    /// The verifier the callback carried.
    pub verifier: String,
}

/// Who signs in, and which record to pick (`None`: the first the picker
/// offers).
#[derive(Debug, Clone, Copy)]
pub struct User<'a> {
    /// The user name.
    pub username: &'a str,
    /// The password.
    pub password: &'a str,
    /// The record to pick.
    pub record_id: Option<&'a str>,
}

/// The container's launch endpoints as its manifest lists them.
#[derive(Debug, Clone)]
pub struct LaunchUrls {
    /// The three dance endpoints.
    pub endpoints: Endpoints,
    /// The app's launch page, `{{app_id}}` replaced.
    pub app_launch: Url,
}

/// Reads `GET {api_base}/manifest` and the launch URLs for `app_id`.
pub async fn launch_urls(
    browser: &mut Browser,
    api_base: &str,
    app_id: &str,
) -> Result<LaunchUrls, Error> {
    let url = Url::parse(&format!("{}/manifest", api_base.trim_end_matches('/')))
        .map_err(|e| Error::new(format!("bad api_base {api_base:?}: {e}")))?;
    let page = browser.get(url).await?;
    if !page.status.is_success() {
        return Err(Error::new(format!(
            "GET /manifest answered {}",
            page.status
        )));
    }
    let manifest: serde_json::Value = serde_json::from_str(&page.body)
        .map_err(|e| Error::new(format!("the container manifest is not JSON: {e}")))?;
    let field = |name: &str| -> Result<String, Error> {
        manifest["launch_urls"][name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::new(format!("the container manifest has no launch_urls.{name}")))
    };
    let endpoints = Endpoints::new(
        field("request_token")?,
        field("authorize_token")?,
        field("exchange_token")?,
    )
    .map_err(|e| Error::new(format!("the container's launch URLs: {e}")))?;
    let launch = replace_app_id(&field("app_launch")?, app_id);
    let app_launch =
        Url::parse(&launch).map_err(|e| Error::new(format!("bad app_launch {launch:?}: {e}")))?;
    Ok(LaunchUrls {
        endpoints,
        app_launch,
    })
}

/// Runs the whole dance as `user` for `consumer` at the container at
/// `api_base`, with a fresh browser.
pub async fn dance(api_base: &str, consumer: &Consumer, user: User<'_>) -> Result<Danced, Error> {
    let mut browser = Browser::new()?;
    let urls = launch_urls(&mut browser, api_base, consumer.key()).await?;
    // The launch page makes the user sign in and lists the records.
    let (_, choices) =
        open_picker(&mut browser, &urls.app_launch, user.username, user.password).await?;
    let record_id = pick_record(&choices, user.record_id)?;

    // 1. Temporary credentials bound to the record.
    let now = || Stamp::now().map_err(|e| Error::new(format!("no clock or randomness: {e}")));
    let (request, state) = TemporaryCredentialsRequest::out_of_band(urls.endpoints)
        .param("smart_record_id", record_id.clone())
        .sign(consumer, now()?)
        .map_err(|e| Error::new(format!("signing the request-token request: {e}")))?;
    let reply = browser.send_signed(&request).await?;
    let state = state
        .handle_response(reply.status.as_u16(), reply.body.as_bytes())
        .map_err(|e| Error::new(format!("request token: {e}")))?;
    let request_token = state.token().to_owned();

    // 2. The authorisation page and its form, as the signed-in user.
    let url = Url::parse(&state.authorization_url())
        .map_err(|e| Error::new(format!("bad authorization url: {e}")))?;
    let page = browser.get(url).await?;
    let callback = approve_to_callback(&mut browser, &page).await?;
    let query = query_of(callback.as_str());
    let verifier = query_param(query, "oauth_verifier");

    // 3. The access token.
    let (request, state) = state
        .handle_callback(&query_param(query, "oauth_token"), &verifier, now()?)
        .map_err(|e| Error::new(format!("the callback: {e}")))?;
    let reply = browser.send_signed(&request).await?;
    let authorized = state
        .handle_response(reply.status.as_u16(), reply.body.as_bytes())
        .map_err(|e| Error::new(format!("access token: {e}")))?;
    Ok(Danced {
        authorized,
        record_id,
        request_token,
        verifier,
    })
}

fn pick_record(choices: &[Choice], wanted: Option<&str>) -> Result<String, Error> {
    match wanted {
        Some(id) if choices.iter().any(|c| c.record_id == id) => Ok(id.to_owned()),
        Some(id) => Err(Error::new(format!("record {id} is not offered"))),
        None => choices
            .first()
            .map(|c| c.record_id.clone())
            .ok_or_else(|| Error::new("the picker offers no record")),
    }
}

/// `{{app_id}}`, with any spaces inside the braces, replaced by the app id.
pub fn replace_app_id(template: &str, app_id: &str) -> String {
    match (template.find("{{"), template.find("}}")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{}{}", &template[..start], app_id, &template[end + 2..])
        }
        _ => template.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_replace_the_template() {
        assert_eq!(
            replace_app_id("http://h/apps/{{ app_id }}/launch", "a@b"),
            "http://h/apps/a@b/launch"
        );
        assert_eq!(replace_app_id("http://h/x", "a@b"), "http://h/x");
    }
}
