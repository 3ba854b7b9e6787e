//! The REST API: the container manifest, the ontology, app manifests, every
//! record call, the scratchpad and users. Record data is `application/rdf+xml`;
//! a token reads only its own record (403 otherwise).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::cache;
use super::signed::{RDF_XML, RdfXml, Scope, Signed};
use super::{AppError, AppState, Internal};
use crate::filters::Filter;
use crate::model::{Collection, Demographics, collection_of};
use crate::rdf::{self, Summary};
use crate::store::ListQuery;

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
    Ok(RdfXml::from(super::calls::ontology_document(state.api_base())?).into_response())
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
        .map(|a| serde_json::from_str(&a.manifest).map_err(AppError::from))
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
    let value: Value = serde_json::from_str(&app.manifest)?;
    Ok(Json(value).into_response())
}

/// What a record data call reads: the record's demographics, a
/// single-item collection (social history, the photograph), a page of a
/// collection, or one item of it.
#[derive(Debug, Clone)]
pub(crate) enum Read {
    /// `GET /records/{record_id}/demographics`.
    Demographics,
    /// `GET /records/{record_id}/social_history` and the other calls that
    /// answer one item.
    Single,
    /// `GET /records/{record_id}/{collection}/`: a page, newest first, with
    /// `limit`/`offset`, `date_from`/`date_to` and the collection's code
    /// filter, and an `api:ResponseSummary`.
    Page,
    /// `GET /records/{record_id}/{collection}/{item_id}`.
    Item(String),
}

/// Every record data call of the table (the four kinds of [`Read`]): one
/// blocking section proves the request (401), checks the token's record
/// (403), reads the call's parameters (400), then serves the document
/// rendered earlier for the same record, call and query if the record's
/// version is still the one it was rendered at, else reads the store,
/// renders the document and keeps it.
pub(crate) async fn record_data(
    state: AppState,
    record_id: String,
    read: Read,
    call: &'static smart_api::Call,
    req: Request,
) -> Result<Response, AppError> {
    state
        .signed(req, Scope::Record(record_id.clone()), move |s, signed| {
            let query = match read {
                Read::Page => parse_query(call.filters, signed.query())?,
                Read::Demographics | Read::Single | Read::Item(_) => {
                    signed.no_parameters()?;
                    ListQuery::default()
                }
            };
            let key = cache::Key {
                record_id: record_id.clone(),
                call: call.path,
                item_id: match &read {
                    Read::Item(id) => Some(id.clone()),
                    Read::Demographics | Read::Single | Read::Page => None,
                },
                query: signed.query().to_owned(),
            };
            // The record's version was read before anything else: a
            // document rendered after it was read is at least that new, so
            // keeping it under it is safe.
            let version = signed.record_version;
            if let Some(doc) = version.and_then(|v| s.rendered().get(&key, v)) {
                return Ok(RdfXml(doc));
            }
            let doc = Bytes::from(render(s, &record_id, &read, call, &query, &signed)?);
            if let Some(v) = version {
                s.rendered().put(key, v, doc.clone());
            }
            Ok(RdfXml(doc))
        })
        .await
}

/// Reads what `read` names from the store and writes it as RDF/XML.
fn render(
    s: &AppState,
    record_id: &str,
    read: &Read,
    call: &'static smart_api::Call,
    query: &ListQuery,
    signed: &Signed,
) -> Result<String, AppError> {
    let base = s.api_base();
    let store = &s.container().store;
    Ok(match read {
        Read::Demographics => {
            let Some(record) = store.record(record_id)? else {
                return Err(AppError::Api(
                    StatusCode::NOT_FOUND,
                    "no such record".into(),
                ));
            };
            let d: Demographics = serde_json::from_str(&record.body)?;
            rdf::demographics_document(base, record_id, &d)?
        }
        Read::Single => {
            let c = collection(call)?;
            let one = ListQuery {
                limit: Some(1),
                ..ListQuery::default()
            };
            let (_, rows) = store.items(record_id, c.name, &one)?;
            rdf::items_document(base, record_id, c.name, &rows, None)?
        }
        Read::Page => {
            let c = collection(call)?;
            let (total, rows) = store.items(record_id, c.name, query)?;
            let returned = rows.len() as u64;
            let next_offset = u64::from(query.offset) + returned;
            let next_page_url = (query.limit.is_some() && next_offset < total && returned > 0)
                .then(|| next_page(base, signed.uri.path(), signed.query(), next_offset));
            let summary = Summary {
                total,
                returned,
                next_page_url,
            };
            rdf::items_document(base, record_id, c.name, &rows, Some(&summary))?
        }
        Read::Item(item_id) => {
            let c = collection(call)?;
            let Some(row) = store.item(record_id, c.name, item_id)? else {
                return Err(AppError::Api(StatusCode::NOT_FOUND, "no such item".into()));
            };
            rdf::items_document(base, record_id, c.name, &[row], None)?
        }
    })
}

/// The collection a table row reads (`calls.rs` routes only rows that read one here).
fn collection(call: &'static smart_api::Call) -> Result<Collection, AppError> {
    collection_of(call).ok_or(AppError::Internal(Internal::NoCollection(call.path)))
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
    state
        .signed(req, Scope::Record(record_id.clone()), move |s, signed| {
            signed.no_parameters()?;
            own_app(&signed, &app_id)?;
            Ok(match s.container().store.scratchpad(&record_id, &app_id)? {
                Some((content_type, body)) => {
                    stored_response(&content_type, body.into(), "scratchpad")
                }
                None => RdfXml::from(rdf::empty_document(s.api_base())?).into_response(),
            })
        })
        .await
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
    state
        .signed(req, Scope::Record(record_id.clone()), move |s, signed| {
            signed.no_parameters()?;
            own_app(&signed, &app_id)?;
            refuse_renderable(&content_type, "a scratchpad")?;
            s.container()
                .store
                .put_scratchpad(&record_id, &app_id, &content_type, &signed.body)?;
            Ok(stored_response(&content_type, signed.body, "scratchpad"))
        })
        .await
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
    state
        .signed(req, Scope::Record(record_id.clone()), move |s, signed| {
            signed.no_parameters()?;
            own_app(&signed, &app_id)?;
            s.container().store.delete_scratchpad(&record_id, &app_id)?;
            Ok(RdfXml::from(rdf::empty_document(s.api_base())?))
        })
        .await
}

/// GET `/users/{user_id}`: any user of the container, to any authenticated
/// app, as in the original (their names only).
pub(crate) async fn user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    state
        .signed(req, Scope::Container, move |s, signed| {
            signed.no_parameters()?;
            let Some(u) = s.container().store.user(&user_id)? else {
                return Err(AppError::Api(StatusCode::NOT_FOUND, "no such user".into()));
            };
            Ok(RdfXml::from(rdf::users_document(
                s.api_base(),
                &[(&u.id, &u.given_name, &u.family_name)],
            )?))
        })
        .await
}

/// Refuses (403) a scratchpad call for another app than the signer.
fn own_app(signed: &Signed, app_id: &str) -> Result<(), AppError> {
    if bool::from(subtle::ConstantTimeEq::ct_eq(
        signed.consumer().as_bytes(),
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

/// Reads a call's query string against the parameters it accepts
/// (`filters.rs`); anything else is a 400 naming the parameter and the
/// accepted ones.
pub(crate) fn parse_query(filters: &[Filter], query: &str) -> Result<ListQuery, AppError> {
    crate::filters::parse(filters, query).map_err(|m| AppError::Api(StatusCode::BAD_REQUEST, m))
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
