//! The reply of a REST call: status, headers, raw body, parsed graph and
//! typed records.

use http::{HeaderMap, StatusCode, header};
use smart_rdf::Graph;

use crate::error::{Error, Result};
use crate::transport::HttpResponse;

/// A successful reply of a REST call.
///
/// RDF bodies (`application/rdf+xml` and the other RDF types) are parsed
/// when the reply arrives; [`SmartResponse::graph`] holds the graph.
pub struct SmartResponse {
    /// The status (2xx).
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Vec<u8>,
    graph: Option<Graph>,
}

impl std::fmt::Debug for SmartResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("body_len", &self.body.len())
            .field("triples", &self.graph.as_ref().map(Graph::len))
            .finish()
    }
}

impl SmartResponse {
    /// Checks the status (a non-2xx is an error that keeps it) and parses
    /// an RDF body.
    pub fn from_reply(reply: HttpResponse) -> Result<Self> {
        if !reply.status.is_success() {
            return Err(Error::from_status(reply.status, &reply.body));
        }
        let content_type = content_type(&reply.headers).unwrap_or_default();
        let graph = if is_rdf(&content_type) && !reply.body.is_empty() {
            Some(
                Graph::parse(&reply.body, &content_type, None)
                    .map_err(|e| Error::Rdf(e.to_string()))?,
            )
        } else {
            None
        };
        Ok(SmartResponse {
            status: reply.status,
            headers: reply.headers,
            body: reply.body,
            graph,
        })
    }

    /// The media type, without parameters, lower-case.
    pub fn content_type(&self) -> Option<String> {
        content_type(&self.headers)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Json(e.to_string()))
    }

    /// The parsed graph, when the body is RDF.
    pub fn graph(&self) -> Option<&Graph> {
        self.graph.as_ref()
    }

    /// The parsed graph, or an error naming what came instead.
    pub fn require_graph(&self) -> Result<&Graph> {
        self.graph.as_ref().ok_or_else(|| {
            Error::Rdf(format!(
                "expected an rdf body, got {}",
                self.content_type()
                    .unwrap_or_else(|| "no content type".into())
            ))
        })
    }

    /// The typed records of the graph (e.g. `smart_rdf::Medication`).
    pub fn records<R: smart_rdf::Record>(&self) -> Result<Vec<R>> {
        self.require_graph()?
            .records::<R>()
            .map_err(|e| Error::Rdf(e.to_string()))
    }
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media = value.split(';').next().unwrap_or_default().trim();
    Some(media.to_ascii_lowercase())
}

fn is_rdf(media: &str) -> bool {
    smart_rdf::Syntax::from_content_type(media).is_ok()
}
