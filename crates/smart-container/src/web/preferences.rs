//! A user's preferences for an app: `GET`, `PUT` and `DELETE
//! /users/{user_id}/apps/{app_id}/preferences`. Only the token's own user
//! and the calling app's own preferences (403 otherwise, so a background
//! token, which has no user, gets none); the stored content type is kept;
//! at most [`MAX_PREFERENCES`] bytes (413); a type a browser would render
//! is refused (415), as for the scratchpad (SECURITY.md 26), and what is
//! served is an attachment.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use oauth1_dance::Authenticated;

use super::api::{
    no_parameters, protected, rdf_response, refuse_renderable, request_content_type,
    stored_response,
};
use super::oauth::with_consumer;
use super::{AppError, AppState};
use crate::rdf;

/// The largest preferences document, in bytes.
pub(crate) const MAX_PREFERENCES: usize = 64 * 1024;

/// Checks that the token's user and app are the path's.
fn own(auth: &Authenticated, user_id: &str, app_id: &str) -> Result<(), AppError> {
    let same =
        |a: &str, b: &str| bool::from(subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()));
    if !same(&auth.user_id, user_id) || auth.user_id.is_empty() {
        return Err(AppError::Api(
            StatusCode::FORBIDDEN,
            "preferences belong to the token's own user only".into(),
        ));
    }
    if !same(&auth.consumer_key, app_id) {
        return Err(AppError::Api(
            StatusCode::FORBIDDEN,
            "an app reads only its own preferences".into(),
        ));
    }
    Ok(())
}

/// GET: the stored document, or an empty RDF document when none was stored.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path((user_id, app_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let (auth, _) = protected(&state, req, None).await?;
    params?;
    own(&auth, &user_id, &app_id)?;
    let stored = state
        .blocking(move |s| Ok(s.container().store.preferences(&user_id, &app_id)?))
        .await?;
    let res = match stored {
        Some((content_type, body)) => stored_response(&content_type, body.into(), "preferences"),
        None => rdf_response(rdf::empty_document(state.api_base())?),
    };
    Ok(with_consumer(res, auth.consumer_key))
}

/// PUT: replaces the document; echoes it back.
pub(crate) async fn put(
    State(state): State<AppState>,
    Path((user_id, app_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let content_type = request_content_type(&req)?;
    let (auth, body) = protected(&state, req, None).await?;
    params?;
    own(&auth, &user_id, &app_id)?;
    if body.len() > MAX_PREFERENCES {
        return Err(AppError::Api(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("preferences hold at most {MAX_PREFERENCES} bytes"),
        ));
    }
    refuse_renderable(&content_type, "preferences")?;
    let stored = body.clone();
    let ct = content_type.clone();
    state
        .blocking(move |s| {
            Ok(s.container()
                .store
                .put_preferences(&user_id, &app_id, &ct, &stored)?)
        })
        .await?;
    Ok(with_consumer(
        stored_response(&content_type, body, "preferences"),
        auth.consumer_key,
    ))
}

/// DELETE: forgets the document.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((user_id, app_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let (auth, _) = protected(&state, req, None).await?;
    params?;
    own(&auth, &user_id, &app_id)?;
    state
        .blocking(move |s| Ok(s.container().store.delete_preferences(&user_id, &app_id)?))
        .await?;
    Ok(with_consumer(
        rdf_response(rdf::empty_document(state.api_base())?),
        auth.consumer_key,
    ))
}
