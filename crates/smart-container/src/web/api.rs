//! The REST API: the container manifest, the ontology, app manifests, every
//! record call, the scratchpad and users. Record data is `application/rdf+xml`;
//! a token reads only its own record (403 otherwise).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth1_dance::Authenticated;
use serde_json::{Value, json};

use super::oauth::{authenticate, with_consumer};
use super::{AppError, AppState};
use crate::filters::Filter;
use crate::model::{Collection, Demographics, collection_of};
use crate::rdf::{self, Summary};
use crate::store::ListQuery;

const RDF_XML: &str = "application/rdf+xml";

/// GET `/manifest`: the container manifest (SMART.md).
pub(crate) async fn container_manifest(State(state): State<AppState>) -> Json<Value> {
    let base = state.api_base();
    let ui = state.ui_base();
    let capabilities = super::calls::capabilities();
    Json(json!({
        "smart_version": "1.0",
        "api_base": base,
        "name": "SMART reference container (smart-rest)",
        "description": "A reference SMART container with synthetic patients, for app development.",
        "admin": "admin@localhost",
        "launch_urls": {
            "app_launch": format!("{ui}/apps/{{{{app_id}}}}/launch"),
            "request_token": format!("{base}/oauth/request_token"),
            "authorize_token": format!("{ui}/oauth/authorize"),
            "exchange_token": format!("{base}/oauth/access_token"),
        },
        "capabilities": capabilities,
    }))
}

/// GET `/ontology`: the table of calls and the types they answer, as RDF/XML.
pub(crate) async fn ontology(State(state): State<AppState>) -> Result<Response, AppError> {
    Ok(rdf_response(super::calls::ontology_document(
        state.api_base(),
    )?))
}

/// GET `/healthz`: 200 when the database answers.
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Response, AppError> {
    state
        .blocking(|s| Ok(s.container().store.record_count()?))
        .await?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        "ok\n",
    )
        .into_response())
}

/// GET `/apps/manifests/`: every installed app's manifest.
pub(crate) async fn app_manifests(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let apps = state.blocking(|s| Ok(s.container().store.apps()?)).await?;
    let list = apps
        .iter()
        .map(|a| serde_json::from_str(&a.manifest).map_err(|e| AppError::Internal(e.to_string())))
        .collect::<Result<Vec<Value>, _>>()?;
    Ok(Json(Value::Array(list)))
}

/// GET `/apps/{app_id}/manifest`.
pub(crate) async fn app_manifest(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
) -> Result<Response, AppError> {
    let app = state
        .blocking(move |s| Ok(s.container().store.app(&app_id)?))
        .await?;
    let Some(app) = app else {
        return Err(AppError::Api(StatusCode::NOT_FOUND, "no such app".into()));
    };
    let value: Value =
        serde_json::from_str(&app.manifest).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(value).into_response())
}

/// GET `/records/{record_id}/demographics`.
pub(crate) async fn demographics(
    State(state): State<AppState>,
    Path(record_id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let (auth, _) = protected(&state, req, Some(&record_id)).await?;
    params?;
    let base = state.api_base().to_owned();
    let doc = state
        .blocking(move |s| {
            let Some(record) = s.container().store.record(&record_id)? else {
                return Err(AppError::Api(
                    StatusCode::NOT_FOUND,
                    "no such record".into(),
                ));
            };
            let d: Demographics = serde_json::from_str(&record.body)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(rdf::demographics_document(&base, &record_id, &d)?)
        })
        .await?;
    Ok(with_consumer(rdf_response(doc), auth.consumer_key))
}

/// The collection a table row reads (`calls.rs` routes only rows that read one here).
fn collection(call: &smart_api::Call) -> Result<Collection, AppError> {
    collection_of(call)
        .ok_or_else(|| AppError::Internal(format!("{} reads no collection", call.path)))
}

/// GET `/records/{record_id}/social_history`: the single-item calls.
pub(crate) async fn single(
    State(state): State<AppState>,
    Path(record_id): Path<String>,
    call: &'static smart_api::Call,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let (auth, _) = protected(&state, req, Some(&record_id)).await?;
    params?;
    let c = collection(call)?;
    let base = state.api_base().to_owned();
    let doc = state
        .blocking(move |s| {
            let (_, rows) = s.container().store.items(
                &record_id,
                c.name,
                &ListQuery {
                    limit: Some(1),
                    ..ListQuery::default()
                },
            )?;
            Ok(rdf::items_document(&base, &record_id, c.name, &rows, None)?)
        })
        .await?;
    Ok(with_consumer(rdf_response(doc), auth.consumer_key))
}

/// GET `/records/{record_id}/{collection}/` (each collection's row of the
/// table of calls): a page of a collection, newest
/// first, with `limit`/`offset`, `date_from`/`date_to` and the code filter
/// of the collection, and an `api:ResponseSummary`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Path(record_id): Path<String>,
    call: &'static smart_api::Call,
    req: Request,
) -> Result<Response, AppError> {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let (auth, _) = protected(&state, req, Some(&record_id)).await?;
    let c = collection(call)?;
    let q = parse_query(call.filters, &query)?;
    let base = state.api_base().to_owned();
    let doc = state
        .blocking(move |s| {
            let (total, rows) = s.container().store.items(&record_id, c.name, &q)?;
            let returned = rows.len() as u64;
            let next_offset = u64::from(q.offset) + returned;
            let next_page_url = (q.limit.is_some() && next_offset < total && returned > 0)
                .then(|| next_page(&base, &path, &query, next_offset));
            let summary = Summary {
                total,
                returned,
                next_page_url,
            };
            Ok(rdf::items_document(
                &base,
                &record_id,
                c.name,
                &rows,
                Some(&summary),
            )?)
        })
        .await?;
    Ok(with_consumer(rdf_response(doc), auth.consumer_key))
}

/// GET `/records/{record_id}/{collection}/{id}` (each collection's row).
pub(crate) async fn item(
    State(state): State<AppState>,
    Path((record_id, item_id)): Path<(String, String)>,
    call: &'static smart_api::Call,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let (auth, _) = protected(&state, req, Some(&record_id)).await?;
    params?;
    let c = collection(call)?;
    let base = state.api_base().to_owned();
    let doc = state
        .blocking(move |s| {
            let Some(row) = s.container().store.item(&record_id, c.name, &item_id)? else {
                return Err(AppError::Api(StatusCode::NOT_FOUND, "no such item".into()));
            };
            Ok(rdf::items_document(
                &base,
                &record_id,
                c.name,
                &[row],
                None,
            )?)
        })
        .await?;
    Ok(with_consumer(rdf_response(doc), auth.consumer_key))
}

/// GET `/records/{record_id}/apps/{app_id}/scratchpad`: the app's document
/// for the record (an empty RDF document when none was stored), always as
/// an attachment; a type a browser would render (stored before such types
/// were refused) is served as `application/octet-stream`.
pub(crate) async fn scratchpad(
    State(state): State<AppState>,
    Path((record_id, app_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let (auth, _) = protected(&state, req, Some(&record_id)).await?;
    params?;
    own_app(&auth, &app_id)?;
    let stored = state
        .blocking(move |s| Ok(s.container().store.scratchpad(&record_id, &app_id)?))
        .await?;
    let res = match stored {
        Some((content_type, body)) => stored_response(&content_type, body.into(), "scratchpad"),
        None => rdf_response(rdf::empty_document(state.api_base())?),
    };
    Ok(with_consumer(res, auth.consumer_key))
}

/// PUT `/records/{record_id}/apps/{app_id}/scratchpad`: replaces the app's
/// document (at most the body limit); echoes it back. A type a browser
/// renders (HTML, SVG, XML other than RDF, script) is refused with 415 and
/// the stored document is kept (SECURITY.md 26).
pub(crate) async fn put_scratchpad(
    State(state): State<AppState>,
    Path((record_id, app_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let content_type = request_content_type(&req)?;
    let params = no_parameters(&req);
    let (auth, body) = protected(&state, req, Some(&record_id)).await?;
    params?;
    own_app(&auth, &app_id)?;
    refuse_renderable(&content_type, "a scratchpad")?;
    let stored = body.clone();
    let ct = content_type.clone();
    state
        .blocking(move |s| {
            Ok(s.container()
                .store
                .put_scratchpad(&record_id, &app_id, &ct, &stored)?)
        })
        .await?;
    Ok(with_consumer(
        stored_response(&content_type, body, "scratchpad"),
        auth.consumer_key,
    ))
}

/// The `Content-Type` of a stored document's `PUT` (RDF/XML when absent).
pub(super) fn request_content_type(req: &Request) -> Result<String, AppError> {
    match req.headers().get(header::CONTENT_TYPE) {
        None => Ok(RDF_XML.to_owned()),
        Some(v) => Ok(v
            .to_str()
            .ok()
            .filter(|v| !v.trim().is_empty() && v.len() <= 200)
            .ok_or_else(|| {
                AppError::Api(
                    StatusCode::BAD_REQUEST,
                    "Content-Type must be visible ASCII, at most 200 bytes".into(),
                )
            })?
            .to_owned()),
    }
}

/// A stored document as an attachment, with its type unless a browser
/// would render that type.
pub(super) fn stored_response(content_type: &str, body: Bytes, filename: &'static str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let ct = if renders_in_a_browser(content_type) {
        "application/octet-stream"
    } else {
        content_type
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(ct).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    res
}

/// The lower-case `type/subtype` of a `Content-Type`.
pub(super) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Refuses to store, as `what` (a scratchpad, preferences), a body of a
/// type a browser would render (415, SECURITY.md item 26).
pub(super) fn refuse_renderable(content_type: &str, what: &str) -> Result<(), AppError> {
    if renders_in_a_browser(content_type) {
        return Err(AppError::Api(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "{what} may not hold `{}`: a browser would render it; store RDF, JSON, text or octets",
                essence(content_type)
            ),
        ));
    }
    Ok(())
}

/// Whether a browser would render or run a body of this type: HTML, XHTML,
/// SVG, XML other than RDF/XML (XSLT can make it a page), script, styles,
/// and anything it cannot parse as `type/subtype` (which it may sniff).
pub(crate) fn renders_in_a_browser(content_type: &str) -> bool {
    let e = essence(content_type);
    let Some((top, sub)) = e.split_once('/') else {
        return true;
    };
    if top.is_empty() || sub.is_empty() || e == RDF_XML {
        return e != RDF_XML;
    }
    top == "multipart"
        || sub == "xml"
        || sub.ends_with("+xml")
        || sub.contains("html")
        || sub.contains("javascript")
        || sub.contains("ecmascript")
        || sub == "xsl"
        || sub == "xslt+xml"
        || e == "text/css"
        || e == "text/xsl"
}

/// DELETE `/records/{record_id}/apps/{app_id}/scratchpad`.
pub(crate) async fn delete_scratchpad(
    State(state): State<AppState>,
    Path((record_id, app_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let (auth, _) = protected(&state, req, Some(&record_id)).await?;
    params?;
    own_app(&auth, &app_id)?;
    state
        .blocking(move |s| Ok(s.container().store.delete_scratchpad(&record_id, &app_id)?))
        .await?;
    Ok(with_consumer(
        rdf_response(rdf::empty_document(state.api_base())?),
        auth.consumer_key,
    ))
}

/// GET `/users/{user_id}`: any user of the container, to any authenticated
/// app, as in the original (their names only).
pub(crate) async fn user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let params = no_parameters(&req);
    let (auth, _) = protected(&state, req, None).await?;
    params?;
    let base = state.api_base().to_owned();
    let doc = state
        .blocking(move |s| {
            let Some(u) = s.container().store.user(&user_id)? else {
                return Err(AppError::Api(StatusCode::NOT_FOUND, "no such user".into()));
            };
            Ok(rdf::users_document(
                &base,
                &[(&u.id, &u.given_name, &u.family_name)],
            )?)
        })
        .await?;
    Ok(with_consumer(rdf_response(doc), auth.consumer_key))
}

/// Authenticates a protected call and, when `record_id` is given, checks
/// that the token is bound to it (403 otherwise).
pub(super) async fn protected(
    state: &AppState,
    req: Request,
    record_id: Option<&str>,
) -> Result<(Authenticated, Bytes), AppError> {
    let (auth, body) = authenticate(state, req).await?;
    if let Some(rid) = record_id {
        auth.require_attribute("record_id", rid).map_err(|_| {
            AppError::Api(
                StatusCode::FORBIDDEN,
                "this token is bound to another record".into(),
            )
        })?;
    }
    Ok((auth, body))
}

fn own_app(auth: &Authenticated, app_id: &str) -> Result<(), AppError> {
    if bool::from(subtle::ConstantTimeEq::ct_eq(
        auth.consumer_key.as_bytes(),
        app_id.as_bytes(),
    )) {
        Ok(())
    } else {
        Err(AppError::Api(
            StatusCode::FORBIDDEN,
            "an app reads only its own scratchpad".into(),
        ))
    }
}

pub(super) fn rdf_response(doc: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, RDF_XML)], doc).into_response()
}

/// Reads a call's query string against the parameters it accepts
/// (`filters.rs`); anything else is a 400 naming the parameter and the
/// accepted ones.
pub(crate) fn parse_query(filters: &[Filter], query: &str) -> Result<ListQuery, AppError> {
    crate::filters::parse(filters, query).map_err(|m| AppError::Api(StatusCode::BAD_REQUEST, m))
}

/// Refuses any query parameter on a call that takes none (checked after
/// authentication, so an unsigned caller learns nothing from it).
pub(super) fn no_parameters(req: &Request) -> Result<(), AppError> {
    parse_query(crate::filters::NONE, req.uri().query().unwrap_or("")).map(|_| ())
}

/// The URL of the next page: the same call with `offset` moved on.
fn next_page(base: &str, path: &str, query: &str, offset: u64) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if k != "offset" {
            ser.append_pair(&k, &v);
        }
    }
    ser.append_pair("offset", &offset.to_string());
    format!("{base}{path}?{}", ser.finish())
}
