//! The consumer side of the dance, driven over a [`Transport`]: this module
//! only moves values between `oauth1-dance` and HTTP; every protocol and
//! signing rule lives in that crate.

use http::{HeaderMap, HeaderValue, Method, header};
use oauth1_dance::{
    Authorized, AwaitAuthorization, Consumer, Endpoints, OutOfBand, OutgoingRequest, Stamp,
    TemporaryCredentialsRequest,
};
use url::Url;

pub(crate) use oauth1_sign::Secret;

use crate::client::Credentials;
use crate::error::{Error, Result};
use crate::manifest::ContainerManifest;
use crate::transport::{HttpRequest, HttpResponse, Transport};

/// A request token waiting for approval. It holds the temporary secret:
/// keep it server-side.
pub(crate) type PendingState = AwaitAuthorization<OutOfBand>;

/// Token credentials. They hold the access token secret: keep them server-side.
pub(crate) type AuthorizedState = Authorized;

/// Gets a request token bound to a record (SMART.md step 1).
pub(crate) async fn request_token(
    transport: &dyn Transport,
    credentials: &Credentials,
    endpoints: Endpoints,
    record_id: &str,
    require_confirmation: bool,
) -> Result<PendingState> {
    let mut start =
        TemporaryCredentialsRequest::out_of_band(endpoints).param("smart_record_id", record_id);
    if !require_confirmation {
        start = start.allow_unconfirmed_callback();
    }
    let (request, state) = start
        .sign(&consumer(credentials), stamp()?)
        .map_err(dance_error)?;
    let reply = send(transport, request).await?;
    let pending = state
        .handle_response(reply.status.as_u16(), &reply.body)
        .map_err(dance_error)?;
    if !pending.callback_confirmed() {
        tracing::warn!(
            "the container (smart_version below 1.0) did not confirm the callback; accepted"
        );
    }
    Ok(pending)
}

/// Checks the callback's token against the pending one (constant time, in
/// `oauth1-dance`) and exchanges the verifier for token credentials (SMART.md
/// step 3). Returns the credentials with the reply's `record_id` and `user_id`.
pub(crate) async fn exchange(
    transport: &dyn Transport,
    pending: PendingState,
    callback_token: &str,
    verifier: &str,
) -> Result<(AuthorizedState, Option<String>, Option<String>)> {
    let (request, state) = pending
        .handle_callback(callback_token, verifier, stamp()?)
        .map_err(dance_error)?;
    let reply = send(transport, request).await?;
    let authorized = state
        .handle_response(reply.status.as_u16(), &reply.body)
        .map_err(dance_error)?;
    let record_id = authorized.attribute("record_id").map(str::to_owned);
    let user_id = authorized.attribute("user_id").map(str::to_owned);
    Ok((authorized, record_id, user_id))
}

/// A data call signed with token credentials, as the dance signs its own steps.
pub(crate) fn signed_request(
    state: &AuthorizedState,
    method: &Method,
    url: &Url,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<OutgoingRequest> {
    state
        .request(method.as_str(), url.as_str(), content_type, body, stamp()?)
        .map_err(dance_error)
}

/// A two-legged request: signed with the consumer key and secret alone
/// (a background app asking for a token per record).
pub(crate) fn two_legged_request(
    credentials: &Credentials,
    method: &Method,
    url: &Url,
) -> Result<OutgoingRequest> {
    consumer(credentials)
        .two_legged_request(method.as_str(), url.as_str(), None, Vec::new(), stamp()?)
        .map_err(dance_error)
}

/// Token credentials obtained elsewhere, ready to sign.
pub(crate) fn installed(credentials: &Credentials, token: &str, secret: Secret) -> AuthorizedState {
    Authorized::from_parts(consumer(credentials), token, secret, Default::default())
}

/// The endpoints of the dance from the manifest's `launch_urls`.
pub(crate) fn endpoints(manifest: &ContainerManifest) -> Result<Endpoints> {
    let urls = &manifest.launch_urls;
    Endpoints::new(
        &urls.request_token,
        &urls.authorize_token,
        &urls.exchange_token,
    )
    .map_err(|e| Error::Manifest(e.to_string()))
}

pub(crate) fn consumer(credentials: &Credentials) -> Consumer {
    Consumer::new(
        credentials.consumer_key.clone(),
        credentials.consumer_secret.clone(),
    )
}

fn stamp() -> Result<Stamp> {
    Stamp::now().map_err(|e| Error::Protocol(format!("cannot stamp the request: {e}")))
}

/// Sends a request the dance signed (a step of the dance or a data call) and
/// returns the reply, whatever its status: the caller hands it on.
pub(crate) async fn send(
    transport: &dyn Transport,
    request: OutgoingRequest,
) -> Result<HttpResponse> {
    let url = crate::manifest::parse_http_url(&request.url)?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&request.authorization)
            .map_err(|_| Error::Protocol("unrepresentable authorization header".into()))?,
    );
    if let Some(content_type) = &request.content_type {
        let value = HeaderValue::from_str(content_type)
            .map_err(|_| Error::InvalidQuery("bad content type".into()))?;
        headers.insert(header::CONTENT_TYPE, value);
    }
    transport
        .send(HttpRequest {
            method: request.method,
            url,
            headers,
            body: request.body,
        })
        .await
}

/// Maps an error of the dance: a container's non-2xx reply keeps its status
/// and reason (a 401 means re-authorise), a callback for another token is
/// [`Error::TokenMismatch`], anything else is a protocol error with the
/// dance's message (which carries the reply's reason).
fn dance_error(error: oauth1_dance::Error) -> Error {
    match error {
        oauth1_dance::Error::CallbackMismatch => Error::TokenMismatch,
        oauth1_dance::Error::UnexpectedStatus { status, body } => Error::from_status(
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY),
            body.as_str().as_bytes(),
        ),
        other => Error::Protocol(other.to_string()),
    }
}
