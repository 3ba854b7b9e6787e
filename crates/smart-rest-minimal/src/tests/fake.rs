//! An in-memory SMART container behind the client's `Transport`: the
//! manifest, the dance, the demographics, and whatever a test routes.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderValue, StatusCode, header};
use smart_client::transport::BoxFuture;
use smart_client::{HttpRequest, HttpResponse, Transport};

pub(crate) const API: &str = "http://c.test";

/// What the fake container does with data calls.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Data {
    Name,
    NoName,
    Revoked,
}

pub(crate) struct FakeContainer {
    pub(crate) data: Mutex<Data>,
    /// Extra replies by path and query (`/records/7/medications/?offset=1`):
    /// status, content type, body.
    routes: Mutex<Vec<(String, u16, &'static str, String)>>,
    seen: Mutex<Vec<HttpRequest>>,
    next_token: Mutex<u32>,
}

impl FakeContainer {
    pub(crate) fn new(data: Data) -> Arc<Self> {
        Arc::new(FakeContainer {
            data: Mutex::new(data),
            routes: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            next_token: Mutex::new(0),
        })
    }

    /// Answers `target` (path, then `?query` when there is one) so.
    pub(crate) fn route(
        &self,
        target: &str,
        status: u16,
        content_type: &'static str,
        body: String,
    ) {
        self.routes
            .lock()
            .unwrap()
            .push((target.to_owned(), status, content_type, body));
    }

    /// Every URL asked for, in order.
    pub(crate) fn urls(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.url.to_string())
            .collect()
    }

    pub(crate) fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect()
    }

    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        let target = match request.url.query() {
            Some(query) => format!("{}?{query}", request.url.path()),
            None => request.url.path().to_owned(),
        };
        let routed = self
            .routes
            .lock()
            .unwrap()
            .iter()
            .find(|(t, ..)| *t == target)
            .map(|(_, status, content_type, body)| (*content_type, body.clone(), *status));
        let (content_type, body, status) = if let Some(routed) = routed {
            routed
        } else {
            match request.url.path() {
            "/manifest" => (
                "application/json",
                serde_json::json!({
                    "smart_version": "1.0", "api_base": API,
                    "launch_urls": {
                        "app_launch": format!("{API}/apps/{{{{app_id}}}}/launch"),
                        "request_token": format!("{API}/oauth/request_token"),
                        "authorize_token": format!("{API}/oauth/authorize"),
                        "exchange_token": format!("{API}/oauth/access_token"),
                    }
                })
                .to_string(),
                200,
            ),
            "/oauth/request_token" => {
                let mut n = self.next_token.lock().unwrap();
                *n += 1;
                (
                    "application/x-www-form-urlencoded",
                    format!(
                        "oauth_token=req{n}&oauth_token_secret=s{n}&oauth_callback_confirmed=true"
                    ),
                    200,
                )
            }
            "/oauth/access_token" => (
                "application/x-www-form-urlencoded",
                "oauth_token=ACCESSTOKEN42&oauth_token_secret=ACCESSSECRET42&record_id=7&user_id=demo".to_owned(),
                200,
            ),
            "/records/7/demographics" => match *self.data.lock().unwrap() {
                Data::Revoked => ("text/plain", "revoked".to_owned(), 401),
                Data::Name => ("application/rdf+xml", demographics(true), 200),
                Data::NoName => ("application/rdf+xml", demographics(false), 200),
            },
            _ => ("text/plain", "not found".to_owned(), 404),
            }
        };
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        HttpResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.into_bytes(),
        }
    }
}

impl Transport for FakeContainer {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, smart_client::Result<HttpResponse>> {
        let reply = self.answer(&request);
        self.seen.lock().unwrap().push(request);
        Box::pin(async move { Ok(reply) })
    }
}

fn demographics(with_name: bool) -> String {
    let name = if with_name {
        "<v:n><v:Name><v:given-name>Ada</v:given-name><v:family-name>O'Quill &amp; Co</v:family-name></v:Name></v:n>"
    } else {
        ""
    };
    format!(
        r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:sp="http://smartplatforms.org/terms#" xmlns:v="http://www.w3.org/2006/vcard/ns#">
  <sp:Demographics rdf:about="{API}/records/7/demographics">{name}<v:bday>1970-01-01</v:bday></sp:Demographics>
</rdf:RDF>"#
    )
}
