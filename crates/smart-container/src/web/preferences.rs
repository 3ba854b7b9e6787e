//! A user's preferences for an app: `GET`, `PUT` and `DELETE
//! /users/{user_id}/apps/{app_id}/preferences`. Only the token's own user
//! and the calling app's own preferences (403 otherwise, so a background
//! token, which has no user, gets none); the stored content type is kept;
//! at most [`MAX_PREFERENCES`] bytes (413); a type a browser would render
//! is refused (415), as for the scratchpad (SECURITY.md 26), and what is
//! served is an attachment.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::api::{refuse_renderable, request_content_type, stored_response};
use super::signed::{RdfXml, Scope, Signed};
use super::{AppError, AppState};
use crate::rdf;

/// The largest preferences document, in bytes.
pub(crate) const MAX_PREFERENCES: usize = 64 * 1024;

/// Checks that the token's user and app are the path's.
fn own(signed: &Signed, user_id: &str, app_id: &str) -> Result<(), AppError> {
    let same =
        |a: &str, b: &str| bool::from(subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()));
    if !same(signed.user(), user_id) || signed.user().is_empty() {
        return Err(AppError::Api(
            StatusCode::FORBIDDEN,
            "preferences belong to the token's own user only".into(),
        ));
    }
    if !same(signed.consumer(), app_id) {
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
    state
        .signed(req, Scope::Container, move |s, signed| {
            signed.no_parameters()?;
            own(&signed, &user_id, &app_id)?;
            Ok(match s.container().store.preferences(&user_id, &app_id)? {
                Some((content_type, body)) => {
                    stored_response(&content_type, body.into(), "preferences")
                }
                None => RdfXml::from(rdf::empty_document(s.api_base())?).into_response(),
            })
        })
        .await
}

/// PUT: replaces the document; echoes it back.
pub(crate) async fn put(
    State(state): State<AppState>,
    Path((user_id, app_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let content_type = request_content_type(&req)?;
    state
        .signed(req, Scope::Container, move |s, signed| {
            signed.no_parameters()?;
            own(&signed, &user_id, &app_id)?;
            if signed.body.len() > MAX_PREFERENCES {
                return Err(AppError::Api(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("preferences hold at most {MAX_PREFERENCES} bytes"),
                ));
            }
            refuse_renderable(&content_type, "preferences")?;
            s.container()
                .store
                .put_preferences(&user_id, &app_id, &content_type, &signed.body)?;
            Ok(stored_response(&content_type, signed.body, "preferences"))
        })
        .await
}

/// DELETE: forgets the document.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((user_id, app_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    state
        .signed(req, Scope::Container, move |s, signed| {
            signed.no_parameters()?;
            own(&signed, &user_id, &app_id)?;
            s.container().store.delete_preferences(&user_id, &app_id)?;
            Ok(RdfXml::from(rdf::empty_document(s.api_base())?))
        })
        .await
}
