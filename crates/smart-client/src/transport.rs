//! The HTTP transport: a small trait, and its default implementation on
//! `reqwest` with rustls.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use url::Url;

use crate::error::{Error, Result};

/// A boxed, sendable future, the return type of [`Transport::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One HTTP request, fully built (signed if it needs to be).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: Url,
    /// The headers (the `Authorization` header among them).
    pub headers: HeaderMap,
    /// The body, empty for `GET`.
    pub body: Vec<u8>,
}

/// One HTTP reply, its body read in full.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

/// What the client needs from an HTTP stack: send one request, read the
/// whole reply.
///
/// Implementations must not follow redirects (a signed request is valid for
/// one URL only), must enforce their own timeouts, and should bound the size
/// of the reply body, answering [`Error::TooLarge`] beyond it.
pub trait Transport: Send + Sync {
    /// Sends the request and reads the reply.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>>;
}

/// Limits applied by [`ReqwestTransport`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time allowed to open the connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole exchange, body included.
    pub timeout: Duration,
    /// The largest reply body accepted, in bytes.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 16 * 1024 * 1024,
        }
    }
}

/// The default transport: `reqwest` with rustls, no redirects, timeouts and
/// a bounded body.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_body: usize,
}

impl ReqwestTransport {
    /// A transport with the given limits.
    pub fn new(limits: Limits) -> Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("smart-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Transport(e.to_string()))?;
        Ok(ReqwestTransport {
            client,
            max_body: limits.max_body,
        })
    }

    /// A transport over an existing `reqwest` client (its redirect policy
    /// should be `none`), with the given body limit.
    pub fn with_client(client: reqwest::Client, max_body: usize) -> Self {
        ReqwestTransport { client, max_body }
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse> {
        let mut builder = self
            .client
            .request(request.method, request.url)
            .headers(request.headers);
        if !request.body.is_empty() {
            builder = builder.body(request.body);
        }
        let mut reply = builder.send().await.map_err(map_reqwest)?;
        if let Some(length) = reply.content_length()
            && length > self.max_body as u64
        {
            return Err(Error::TooLarge {
                limit: self.max_body,
            });
        }
        let status = reply.status();
        let headers = reply.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = reply.chunk().await.map_err(map_reqwest)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(Error::TooLarge {
                    limit: self.max_body,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        Box::pin(self.exchange(request))
    }
}

/// Maps a `reqwest` error, keeping timeouts apart. The URL is left out: it
/// may carry an `oauth_verifier` or other values that belong in no log.
fn map_reqwest(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(error.without_url().to_string())
    }
}
