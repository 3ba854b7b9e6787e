//! The consumer side of the dance, driven over a [`Transport`]: this module
//! only moves values between `oauth1-dance` and HTTP; every protocol and
//! signing rule lives in that crate.

use http::{HeaderMap, HeaderValue, Method, header};
use oauth1_dance::{
    Authorized, AwaitAuthorization, Callback, Consumer, Endpoints, OutgoingRequest, Stamp,
    TemporaryCredentialsRequest,
};
use url::Url;

pub(crate) use oauth1_sign::Secret;

use crate::client::Credentials;
use crate::error::{Error, Result};
use crate::transport::{HttpRequest, HttpResponse, Transport};

/// A request token waiting for approval (serialisable).
pub(crate) type PendingState = AwaitAuthorization;

/// Token credentials (serialisable).
pub(crate) type AuthorizedState = Authorized;

/// Gets a request token bound to a record (SMART.md step 1).
pub(crate) async fn request_token(
    transport: &dyn Transport,
    credentials: &Credentials,
    endpoints: Endpoints,
    record_id: &str,
    require_confirmation: bool,
) -> Result<PendingState> {
    let consumer = consumer(credentials);
    let mut start = TemporaryCredentialsRequest::new(endpoints, Callback::Oob)
        .param("smart_record_id", record_id);
    if !require_confirmation {
        start = start.allow_unconfirmed_callback();
    }
    let (request, state) = start.sign(&consumer, stamp()?).map_err(dance_error)?;
    let reply = send(transport, request).await?;
    let pending = state
        .handle_response(reply.status.as_u16(), &reply.body)
        .map_err(|e| reply_error(e, &reply))?;
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
    credentials: &Credentials,
    pending: PendingState,
    callback_token: &str,
    verifier: &str,
) -> Result<(AuthorizedState, Option<String>, Option<String>)> {
    let consumer = consumer(credentials);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("oauth_token", callback_token)
        .append_pair("oauth_verifier", verifier)
        .finish();
    let (request, state) = pending
        .handle_callback(&consumer, &query, stamp()?)
        .map_err(dance_error)?;
    let reply = send(transport, request).await?;
    let authorized = state
        .handle_response(reply.status.as_u16(), &reply.body)
        .map_err(|e| reply_error(e, &reply))?;
    let record_id = authorized.attribute("record_id").map(str::to_owned);
    let user_id = authorized.attribute("user_id").map(str::to_owned);
    Ok((authorized, record_id, user_id))
}

/// The `Authorization` header of a data call signed with token credentials.
pub(crate) fn authorize(
    credentials: &Credentials,
    state: &AuthorizedState,
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HeaderValue> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let value = state
        .sign_request(
            &consumer(credentials),
            method.as_str(),
            url.as_str(),
            content_type,
            body,
            stamp()?,
        )
        .map_err(dance_error)?;
    HeaderValue::from_str(&value)
        .map_err(|_| Error::Protocol("unrepresentable authorization header".into()))
}

/// The endpoints of the dance from the manifest.
pub(crate) fn endpoints(request_token: &Url, authorize: &Url, access_token: &Url) -> Endpoints {
    Endpoints {
        request_token: request_token.as_str().to_owned(),
        authorize: authorize.as_str().to_owned(),
        access_token: access_token.as_str().to_owned(),
    }
}

fn consumer(credentials: &Credentials) -> Consumer {
    Consumer::new(
        credentials.consumer_key.clone(),
        credentials.consumer_secret.clone(),
    )
}

fn stamp() -> Result<Stamp> {
    Stamp::now().map_err(|e| Error::Protocol(format!("cannot stamp the request: {e}")))
}

async fn send(transport: &dyn Transport, request: OutgoingRequest) -> Result<HttpResponse> {
    let url = crate::manifest::parse_http_url(&request.url)?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&request.authorization)
            .map_err(|_| Error::Protocol("unrepresentable authorization header".into()))?,
    );
    if let Some(content_type) = request.content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
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

/// Maps an error of a dance step that sent nothing.
fn dance_error(error: oauth1_dance::Error) -> Error {
    match error {
        oauth1_dance::Error::CallbackMismatch => Error::TokenMismatch,
        other => Error::Protocol(other.to_string()),
    }
}

/// Maps an error about a container's reply, keeping its status.
fn reply_error(error: oauth1_dance::Error, reply: &HttpResponse) -> Error {
    match error {
        oauth1_dance::Error::UnexpectedStatus { .. } => {
            Error::from_status(reply.status, &reply.body)
        }
        other => Error::Protocol(other.to_string()),
    }
}
