//! A tiny headless browser: a cookie store, redirects followed by hand so
//! that every hop can be inspected, and HTML forms submitted.

use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use super::SmokeError;
use super::html::{self, Form};

/// The most redirects one navigation follows.
pub const MAX_REDIRECTS: usize = 16;

/// One HTTP exchange seen by the browser.
#[derive(Debug, Clone)]
pub struct Hop {
    /// The method sent.
    pub method: Method,
    /// The URL requested.
    pub url: Url,
    /// The status received.
    pub status: StatusCode,
    /// The headers received.
    pub headers: HeaderMap,
}

/// The page a navigation ended on.
#[derive(Debug, Clone)]
pub struct Page {
    /// Its final URL.
    pub url: Url,
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: String,
}

impl Page {
    /// The page's forms.
    pub fn forms(&self) -> Vec<Form> {
        html::forms(&self.body)
    }

    /// The first form that has a field with this name.
    pub fn form_with(&self, field: &str) -> Option<Form> {
        self.forms().into_iter().find(|f| f.has(field))
    }

    /// The text of the element with this id.
    pub fn text_by_id(&self, id: &str) -> Option<String> {
        html::text_by_id(&self.body, id)
    }

    /// The page's links, resolved against its URL, with their text.
    pub fn links(&self) -> Vec<(Url, String)> {
        html::links_with_text(&self.body)
            .into_iter()
            .filter_map(|(href, text)| Some((self.url.join(&href).ok()?, text)))
            .collect()
    }
}

/// A browser with its own cookie store.
#[derive(Debug)]
pub struct Browser {
    client: reqwest::Client,
    /// Every exchange so far, in order.
    pub history: Vec<Hop>,
}

impl Browser {
    /// A browser with an empty cookie store.
    pub fn new() -> Result<Self, SmokeError> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SmokeError::new(format!("cannot build http client: {e}")))?;
        Ok(Browser {
            client,
            history: Vec::new(),
        })
    }

    /// Opens a URL, following redirects.
    pub async fn get(&mut self, url: Url) -> Result<Page, SmokeError> {
        self.navigate(Method::GET, url, None).await
    }

    /// Submits a form of `page` with these pairs, following redirects.
    pub async fn submit(
        &mut self,
        page: &Page,
        form: &Form,
        pairs: &[(String, String)],
    ) -> Result<Page, SmokeError> {
        let action = page
            .url
            .join(&form.action)
            .map_err(|e| SmokeError::new(format!("bad form action {:?}: {e}", form.action)))?;
        if form.method == "POST" {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            self.navigate(Method::POST, action, Some(body)).await
        } else {
            let mut url = action;
            url.query_pairs_mut().clear().extend_pairs(pairs);
            self.navigate(Method::GET, url, None).await
        }
    }

    /// One request, redirects not followed.
    pub async fn fetch(
        &mut self,
        method: Method,
        url: Url,
        form_body: Option<String>,
    ) -> Result<Page, SmokeError> {
        let mut request = self.client.request(method.clone(), url.clone());
        if let Some(body) = form_body {
            request = request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body);
        }
        let response = request.send().await.map_err(|e| {
            SmokeError::new(format!(
                "{method} {}: {}",
                strip_query(&url),
                e.without_url()
            ))
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(|e| {
            SmokeError::new(format!(
                "reading {}: {}",
                strip_query(&url),
                e.without_url()
            ))
        })?;
        self.history.push(Hop {
            method,
            url: url.clone(),
            status,
            headers: headers.clone(),
        });
        Ok(Page {
            url,
            status,
            headers,
            body,
        })
    }

    async fn navigate(
        &mut self,
        method: Method,
        url: Url,
        body: Option<String>,
    ) -> Result<Page, SmokeError> {
        let mut page = self.fetch(method, url, body).await?;
        for _ in 0..MAX_REDIRECTS {
            if !page.status.is_redirection() {
                return Ok(page);
            }
            let location = page
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    SmokeError::new(format!(
                        "redirect without location from {}",
                        strip_query(&page.url)
                    ))
                })?;
            let next = page
                .url
                .join(location)
                .map_err(|e| SmokeError::new(format!("bad location {location:?}: {e}")))?;
            page = self.fetch(Method::GET, next, None).await?;
        }
        Err(SmokeError::new("too many redirects"))
    }
}

/// A URL without its query (which may carry tokens), for messages.
pub fn strip_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}
