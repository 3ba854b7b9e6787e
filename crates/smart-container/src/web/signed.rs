//! Protected calls: a handler hands its request and its work to
//! [`AppState::signed`], which reads the body (at most the body limit) and
//! then, in ONE blocking section, has the `oauth1-dance` provider prove the
//! request (401), checks that the token is bound to the record the path
//! names (403), and runs the handler's work (its parameter checks, 400,
//! then the store read and the rendering) with the proven [`Signed`]
//! request. One hop to the blocking pool per request instead of two; the
//! order of the checks is the same as when they were two.
//!
//! An axum extractor would verify in a hop of its own before the handler
//! runs, which is the very second hop this shape removes; the handler
//! instead receives the proof inside the section.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use oauth1_dance::{Authenticated, ProviderRequest};

use super::debug::refused;
use super::oauth::{read_request, unix_now, with_consumer};
use super::{AppError, AppState};

/// What a protected call is about: one patient record (the token must be
/// bound to it, 403 otherwise) or the container (users, preferences).
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    /// The record of the path: `record_id` must be the token's.
    Record(String),
    /// Anything a token of any record may read.
    Container,
}

/// A request the provider proved: who signed it (consumer, token, user and
/// the record the token is bound to), and what it carried.
#[derive(Debug)]
pub(crate) struct Signed {
    /// The provider's proof: consumer key, token, user and attributes.
    pub(crate) auth: Authenticated,
    /// The request's URI (path and query).
    pub(crate) uri: Uri,
    /// The request's headers.
    pub(crate) headers: HeaderMap,
    /// The request body (at most the body limit).
    pub(crate) body: Bytes,
    /// The version of the record of a [`Scope::Record`] call, read before
    /// the request was proven (`None`: no such record, or a container
    /// call): the rendered documents are served only at it.
    pub(crate) record_version: Option<i64>,
}

impl Signed {
    /// The consumer (app) that signed.
    pub(crate) fn consumer(&self) -> &str {
        &self.auth.consumer_key
    }

    /// The user who approved the token.
    pub(crate) fn user(&self) -> &str {
        &self.auth.user_id
    }

    /// The query string (empty when there is none).
    pub(crate) fn query(&self) -> &str {
        self.uri.query().unwrap_or("")
    }

    /// The request's `Content-Type`, when it sent one it could read.
    pub(crate) fn content_type(&self) -> Option<&str> {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// Refuses any query parameter (400), for the calls that take none.
    pub(crate) fn no_parameters(&self) -> Result<(), AppError> {
        super::api::parse_query(crate::filters::NONE, self.query()).map(|_| ())
    }
}

/// An `application/rdf+xml` document, answered with 200.
#[derive(Debug)]
pub(crate) struct RdfXml(pub(crate) Bytes);

impl From<String> for RdfXml {
    fn from(doc: String) -> Self {
        Self(doc.into())
    }
}

/// The media type of every RDF document the container serves.
pub(crate) const RDF_XML: &str = "application/rdf+xml";

impl IntoResponse for RdfXml {
    fn into_response(self) -> Response {
        (StatusCode::OK, [(header::CONTENT_TYPE, RDF_XML)], self.0).into_response()
    }
}

impl AppState {
    /// Runs a protected call: reads the body, then in one blocking section
    /// verifies the request, checks its `scope` and runs `work` with the
    /// proof. The response is tagged with the consumer for the request log.
    pub(crate) async fn signed<R, F>(
        &self,
        req: Request,
        scope: Scope,
        work: F,
    ) -> Result<Response, AppError>
    where
        F: FnOnce(&AppState, Signed) -> Result<R, AppError> + Send + 'static,
        R: IntoResponse + Send + 'static,
    {
        let req = read_request(req).await?;
        let (consumer, res) = self
            .blocking(move |s| {
                let signed = s.verify(req, &scope)?;
                let consumer = signed.auth.consumer_key.clone();
                Ok((consumer, work(s, signed)?))
            })
            .await?;
        Ok(with_consumer(res.into_response(), consumer))
    }

    /// Proves a request (401 when the provider refuses it) and checks its
    /// scope (403 when the token is bound to another record). Blocking: the
    /// provider's stores are synchronous.
    ///
    /// Before any lookup it reads, in one statement, the credentials
    /// generation (consumers and access tokens then come from memory when
    /// they were read at it, `crate::credentials`) and the record's version;
    /// on a warm call the nonce insert is the only other statement.
    fn verify(&self, req: http::Request<Bytes>, scope: &Scope) -> Result<Signed, AppError> {
        let pr = ProviderRequest::from_http(&req, self.api_base()).map_err(AppError::OAuth)?;
        let record = match scope {
            Scope::Record(id) => Some(id.as_str()),
            Scope::Container => None,
        };
        let (generation, record_version) = self.container().store.call_versions(record)?;
        let auth = self
            .provider_at(generation)
            .authenticate(unix_now(), &pr)
            .map_err(|e| refused(self, &pr, e))?;
        if let Scope::Record(record_id) = scope {
            auth.require_attribute("record_id", record_id)
                .map_err(|_| {
                    AppError::Api(
                        StatusCode::FORBIDDEN,
                        "this token is bound to another record".into(),
                    )
                })?;
        }
        let (parts, body) = req.into_parts();
        Ok(Signed {
            auth,
            uri: parts.uri,
            headers: parts.headers,
            body,
            record_version,
        })
    }
}
