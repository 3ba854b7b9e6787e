//! Protected calls: a handler hands its request and its work to
//! [`AppState::signed`], which reads the body (at most the body limit),
//! has the `oauth1-dance` provider prove the request (401), writes the
//! request's nonce and refuses a replay (401), checks that the token is
//! bound to the record the path names (403), and runs the handler's work
//! (its parameter checks, 400, then the store read and the rendering) with
//! the proven [`Signed`] request. Nothing of the work runs before the
//! nonce is committed.
//!
//! A warm call reads nothing before its nonce: the provider proves it from
//! the consumers and access tokens kept in memory, and the nonce's batch
//! reads the credentials generation and the record's version after the
//! request arrived. The proof stands only when that generation is the one
//! the kept records were read at; otherwise the request is proven again by
//! reading, as a cold call is, before anything else happens. So a
//! revocation committed before the batch ran refuses the call, as it did
//! when the generation was read first, and on PostgreSQL a warm call costs
//! one round trip.
//!
//! With SQLite all of it runs on the async worker that serves the call;
//! with PostgreSQL in one blocking section. An axum extractor would verify
//! before the handler runs, in a section of its own; the handler instead
//! receives the proof from this one function.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use oauth1_dance::{Authenticated, ProviderRequest};

use super::debug::refused;
use super::oauth::{read_request, unix_now, with_consumer};
use super::{AppError, AppState, Internal};
use crate::oauth_store::{Lookup, NonceSlot};
use crate::store::{NonceAnswer, NonceRow};

/// The nonce the provider left in `slot`. It checks the nonce last, after
/// the signature; a proof without one is refused rather than served
/// unchecked.
fn nonce_of(slot: &NonceSlot) -> Result<NonceRow, AppError> {
    slot.take()
        .ok_or(AppError::Internal(Internal::NonceUnchecked))
}

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
    /// any of the call's work (`None`: no such record, or a container
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

impl Scope {
    /// The record the call is about, if any.
    fn record(&self) -> Option<&str> {
        match self {
            Self::Record(id) => Some(id),
            Self::Container => None,
        }
    }
}

/// How a request was proven before its nonce was written.
#[derive(Debug)]
enum Proof {
    /// From the consumers and access tokens kept in memory, reading nothing:
    /// it stands only if the nonce's batch read the same credentials
    /// `generation` (nothing was changed or revoked since they were read).
    Kept {
        auth: Authenticated,
        generation: i64,
    },
    /// After reading the credentials generation and the record's version.
    Read {
        auth: Authenticated,
        record_version: Option<i64>,
    },
}

impl AppState {
    /// Runs a protected call: reads the body, proves the request, writes
    /// its nonce, checks its `scope` and runs `work` with the proof. The
    /// response is tagged with the consumer for the request log.
    ///
    /// With SQLite all of it runs on the async worker serving the call: its
    /// statements are local and short, and the wait for the nonce's batch
    /// holds no thread. With PostgreSQL, whose statements are round trips,
    /// it runs in one blocking section. A warm call costs one statement
    /// on PostgreSQL: its nonce's batch, which also reads what the proof
    /// is checked against.
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
        let store = &self.container().store;
        let (consumer, res) = if store.is_embedded() {
            let (proof, nonce) = self.prove(&req, &scope)?;
            let answer = store.insert_nonce_async(nonce, scope.record()).await?;
            let signed = self.confirm(req, proof, answer, &scope)?;
            self.admit(signed, answer.new, &scope, work)?
        } else {
            self.blocking(move |s| {
                let (proof, nonce) = s.prove(&req, &scope)?;
                let answer = s
                    .container()
                    .store
                    .insert_nonce_for(nonce, scope.record())?;
                let signed = s.confirm(req, proof, answer, &scope)?;
                s.admit(signed, answer.new, &scope, work)
            })
            .await?
        };
        Ok(with_consumer(res.into_response(), consumer))
    }

    /// Proves a request and returns the proof with the nonce still to be
    /// written.
    ///
    /// First from the consumers and access tokens kept in memory, reading
    /// nothing ([`Proof::Kept`]). When that fails for any reason (a record
    /// not kept, or a refusal that records kept at an older generation may
    /// have caused), the request is proven again by reading
    /// ([`Proof::Read`]), and that proof's refusal is the call's (401).
    fn prove(
        &self,
        req: &http::Request<Bytes>,
        scope: &Scope,
    ) -> Result<(Proof, NonceRow), AppError> {
        let pr = ProviderRequest::from_http(req, self.api_base()).map_err(AppError::OAuth)?;
        let slot = NonceSlot::default();
        let generation = self.kept_generation();
        let kept = self.provider_for_call(Lookup::KeptAt(generation), slot.clone());
        if let Ok(auth) = kept.authenticate(unix_now(), &pr) {
            return Ok((Proof::Kept { auth, generation }, nonce_of(&slot)?));
        }
        let (auth, record_version, nonce) = self.prove_by_reading(&pr, scope)?;
        Ok((
            Proof::Read {
                auth,
                record_version,
            },
            nonce,
        ))
    }

    /// Proves a request after reading, in one statement, the credentials
    /// generation (consumers and access tokens then come from memory when
    /// they were read at it, `crate::credentials`) and the record's
    /// version; 401 when the provider refuses it.
    fn prove_by_reading(
        &self,
        pr: &ProviderRequest<'_>,
        scope: &Scope,
    ) -> Result<(Authenticated, Option<i64>, NonceRow), AppError> {
        let (generation, record_version) = self.container().store.call_versions(scope.record())?;
        let slot = NonceSlot::default();
        let auth = self
            .provider_for_call(Lookup::ReadAt(generation), slot.clone())
            .authenticate(unix_now(), pr)
            .map_err(|e| refused(self, pr, e))?;
        Ok((auth, record_version, nonce_of(&slot)?))
    }

    /// The proof of a request whose nonce is now written. A proof from
    /// memory stands when the nonce's batch read the generation it was made
    /// at, and the record's version is the one the batch read; otherwise
    /// the request is proven again by reading (its nonce, written already,
    /// is not written again).
    fn confirm(
        &self,
        req: http::Request<Bytes>,
        proof: Proof,
        answer: NonceAnswer,
        scope: &Scope,
    ) -> Result<Signed, AppError> {
        let (auth, record_version) = match proof {
            Proof::Kept { auth, generation } if generation == answer.generation => {
                (auth, answer.record_version)
            }
            Proof::Kept { .. } => {
                let pr =
                    ProviderRequest::from_http(&req, self.api_base()).map_err(AppError::OAuth)?;
                let (auth, record_version, _written) = self.prove_by_reading(&pr, scope)?;
                (auth, record_version)
            }
            Proof::Read {
                auth,
                record_version,
            } => (auth, record_version),
        };
        let (parts, body) = req.into_parts();
        Ok(Signed {
            auth,
            uri: parts.uri,
            headers: parts.headers,
            body,
            record_version,
        })
    }

    /// Admits a proven request whose nonce is now written: a nonce seen
    /// before is a replay (401), a token bound to another record a 403;
    /// then runs `work`. Returns the consumer with `work`'s response.
    fn admit<R, F>(
        &self,
        signed: Signed,
        nonce_was_new: bool,
        scope: &Scope,
        work: F,
    ) -> Result<(String, R), AppError>
    where
        F: FnOnce(&AppState, Signed) -> Result<R, AppError>,
    {
        if !nonce_was_new {
            return Err(AppError::OAuth(oauth1_dance::Error::NonceReused));
        }
        if let Scope::Record(record_id) = scope {
            signed
                .auth
                .require_attribute("record_id", record_id)
                .map_err(|_| {
                    AppError::Api(
                        StatusCode::FORBIDDEN,
                        "this token is bound to another record".into(),
                    )
                })?;
        }
        let consumer = signed.auth.consumer_key.clone();
        Ok((consumer, work(self, signed)?))
    }
}
