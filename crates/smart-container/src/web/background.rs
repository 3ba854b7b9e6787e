//! Background (helper) apps: a token per record without a user. The app
//! signs a two-legged request (its consumer key and secret, no token),
//! checked by the `oauth1-dance` provider like every other request; the
//! provider issues the token, bound to one record, expiring and revocable
//! like the dance's. Only apps whose manifest `mode` is `background` (or
//! `helper`) may ask (403 otherwise); past the last record the answer is 404.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use oauth1_dance::ProviderRequest;
use oauth1_dance::store::Attributes;

use super::oauth::{os_random, read_request, unix_now, with_consumer};
use super::{AppError, AppState};
use crate::manifest::{is_background_mode, mode_of};

/// Which record a token request names.
enum Which {
    /// The first record, in id order.
    First,
    /// The record after this one.
    After(String),
    /// This record.
    This(String),
}

/// POST `/apps/{app_id}/tokens/records/first`.
pub(crate) async fn first(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    token(state, app_id, Which::First, req).await
}

/// POST `/apps/{app_id}/tokens/records/{record_id}/next`.
pub(crate) async fn next(
    State(state): State<AppState>,
    Path((app_id, record_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    token(state, app_id, Which::After(record_id), req).await
}

/// POST `/apps/{app_id}/tokens/records/{record_id}`.
pub(crate) async fn record(
    State(state): State<AppState>,
    Path((app_id, record_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    token(state, app_id, Which::This(record_id), req).await
}

async fn token(
    state: AppState,
    app_id: String,
    which: Which,
    req: Request,
) -> Result<Response, AppError> {
    super::api::parse_query(crate::filters::NONE, req.uri().query().unwrap_or(""))?;
    let req = read_request(req).await?;
    let issued = state
        .blocking(move |s| {
            let provider = s.provider();
            let pr = ProviderRequest::from_http(&req, s.api_base()).map_err(AppError::OAuth)?;
            let consumer = provider
                .authenticate_consumer(unix_now(), &pr)
                .map_err(|e| super::debug::refused(s, &pr, e))?;
            if !bool::from(subtle::ConstantTimeEq::ct_eq(
                consumer.consumer_key.as_bytes(),
                app_id.as_bytes(),
            )) {
                return Err(AppError::Api(
                    StatusCode::FORBIDDEN,
                    "an app asks for its own tokens only".into(),
                ));
            }
            let store = &s.container().store;
            let mode = store
                .app(&app_id)?
                .map(|a| mode_of(&a.manifest))
                .unwrap_or_default();
            if !is_background_mode(&mode) {
                return Err(AppError::Api(
                    StatusCode::FORBIDDEN,
                    "only background apps get tokens without a user; this app is not one".into(),
                ));
            }
            let record_id = match which {
                Which::First => store.record_after(None)?,
                Which::After(id) => store.record_after(Some(&id))?,
                Which::This(id) => store.record(&id)?.map(|r| r.id),
            };
            let Some(record_id) = record_id else {
                return Err(AppError::Api(
                    StatusCode::NOT_FOUND,
                    "no more records".into(),
                ));
            };
            let mut attributes = Attributes::new();
            attributes.insert("record_id".into(), record_id.clone());
            attributes.insert("smart_record_id".into(), record_id);
            provider
                .issue_consumer_token(unix_now(), consumer, "", attributes, &mut os_random)
                .map_err(AppError::OAuth)
        })
        .await?;
    let consumer = issued.consumer_key.clone();
    Ok(with_consumer(
        issued.into_http_response().map(Body::from).into_response(),
        consumer,
    ))
}
