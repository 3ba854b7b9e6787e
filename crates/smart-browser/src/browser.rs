//! A tiny headless browser: a cookie store, redirects followed by hand so
//! that every hop can be inspected, and HTML forms submitted.

use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::Error;
use crate::html::{self, Form};

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

    /// The `Location` of a redirect, resolved against the page's URL.
    pub fn location(&self) -> Option<Url> {
        let location = self.headers.get(LOCATION)?.to_str().ok()?;
        self.url.join(location).ok()
    }

    /// The value of the first form field with this name on the page.
    pub fn field(&self, name: &str) -> Option<String> {
        html::field_value(&self.body, name)
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
    pub fn new() -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::new(format!("cannot build http client: {e}")))?;
        Ok(Browser {
            client,
            history: Vec::new(),
        })
    }

    /// The value the servers last set for the cookie `name` (from the
    /// `Set-Cookie` headers in the history), if any.
    pub fn cookie_set(&self, name: &str) -> Option<String> {
        self.history.iter().rev().find_map(|hop| {
            hop.headers
                .get_all(reqwest::header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|v| {
                    let pair = v.split(';').next()?;
                    let (n, value) = pair.split_once('=')?;
                    (n.trim() == name).then(|| value.trim().to_owned())
                })
        })
    }

    /// Opens a URL, following redirects.
    pub async fn get(&mut self, url: Url) -> Result<Page, Error> {
        self.navigate(Method::GET, url, None).await
    }

    /// Submits a form of `page` with these pairs, following redirects.
    pub async fn submit(
        &mut self,
        page: &Page,
        form: &Form,
        pairs: &[(String, String)],
    ) -> Result<Page, Error> {
        let (method, url, body) = submission(page, form, pairs)?;
        self.navigate(method, url, body).await
    }

    /// Submits a form of `page` with these pairs and returns the reply as it
    /// is, a redirect not followed.
    pub async fn submit_once(
        &mut self,
        page: &Page,
        form: &Form,
        pairs: &[(String, String)],
    ) -> Result<Page, Error> {
        let (method, url, body) = submission(page, form, pairs)?;
        self.fetch(method, url, body).await
    }

    /// Sends a request signed by `oauth1-dance` (its `Authorization` header,
    /// content type and body) with this browser's cookies; no redirect is
    /// followed.
    pub async fn send_signed(
        &mut self,
        request: &oauth1_dance::OutgoingRequest,
    ) -> Result<Page, Error> {
        let url =
            Url::parse(&request.url).map_err(|e| Error::new(format!("bad signed url: {e}")))?;
        let mut builder = self
            .client
            .request(request.method.clone(), url.clone())
            .header(reqwest::header::AUTHORIZATION, &request.authorization);
        if let Some(content_type) = &request.content_type {
            builder = builder.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        self.record(
            request.method.clone(),
            url,
            builder.body(request.body.clone()),
        )
        .await
    }

    /// One request, redirects not followed.
    pub async fn fetch(
        &mut self,
        method: Method,
        url: Url,
        form_body: Option<String>,
    ) -> Result<Page, Error> {
        let mut request = self.client.request(method.clone(), url.clone());
        if let Some(body) = form_body {
            request = request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body);
        }
        self.record(method, url, request).await
    }

    /// Sends a built request and records the exchange.
    async fn record(
        &mut self,
        method: Method,
        url: Url,
        request: reqwest::RequestBuilder,
    ) -> Result<Page, Error> {
        let response = request.send().await.map_err(|e| {
            Error::new(format!(
                "{method} {}: {}",
                strip_query(&url),
                e.without_url()
            ))
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(|e| {
            Error::new(format!(
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
    ) -> Result<Page, Error> {
        let mut page = self.fetch(method, url, body).await?;
        for _ in 0..MAX_REDIRECTS {
            if !page.status.is_redirection() {
                return Ok(page);
            }
            let next = page.location().ok_or_else(|| {
                Error::new(format!(
                    "redirect without a usable location from {}",
                    strip_query(&page.url)
                ))
            })?;
            page = self.fetch(Method::GET, next, None).await?;
        }
        Err(Error::new("too many redirects"))
    }
}

/// Where a form of `page` goes: the method, the URL and the form body.
fn submission(
    page: &Page,
    form: &Form,
    pairs: &[(String, String)],
) -> Result<(Method, Url, Option<String>), Error> {
    let action = page
        .url
        .join(&form.action)
        .map_err(|e| Error::new(format!("bad form action {:?}: {e}", form.action)))?;
    if form.method == "POST" {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Ok((Method::POST, action, Some(body)))
    } else {
        let mut url = action;
        url.query_pairs_mut().clear().extend_pairs(pairs);
        Ok((Method::GET, url, None))
    }
}

/// A URL without its query (which may carry tokens), for messages.
pub fn strip_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}
