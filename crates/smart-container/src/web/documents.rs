//! A record's documents and photograph: `GET
//! /records/{record_id}/documents/{document_id}?format=metadata|raw|combined`
//! and `GET /records/{record_id}/photograph/image` (the list calls,
//! `documents/` and `photograph`, are the generic collection calls).
//!
//! Metadata is RDF/XML (an `sp:Document` with its name, media type, size,
//! SHA-256 and where the raw content is); `combined` embeds the content as
//! base64, as the original container did. Raw content is served with its
//! own type, always as an attachment, with `nosniff` and a sandbox CSP, and
//! never with a type a browser would render on this origin (SECURITY.md 26).

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::api::renders_in_a_browser;
use super::signed::{RdfXml, Scope};
use super::{AppError, AppState, Internal};
use crate::filters::parse_named;
use crate::rdf;
use crate::store::ListQuery;

/// What `format` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Metadata,
    Raw,
    Combined,
}

impl Format {
    fn parse(query: &str) -> Result<Self, AppError> {
        let accepted =
            smart_api::filters::names(smart_api::call(smart_api::CallId::Document).filters);
        let params = parse_named(&accepted, query).map_err(bad_request)?;
        match params.first().map(|(_, v)| v.as_str()) {
            None | Some("metadata") => Ok(Self::Metadata),
            Some("raw") => Ok(Self::Raw),
            Some("combined") => Ok(Self::Combined),
            Some(_) => Err(bad_request(
                "`format` must be `metadata`, `raw` or `combined`".into(),
            )),
        }
    }
}

/// GET `/records/{record_id}/documents/{document_id}`.
pub(crate) async fn document(
    State(state): State<AppState>,
    Path((record_id, document_id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    state
        .signed(req, Scope::Record(record_id.clone()), move |s, signed| {
            let format = Format::parse(signed.query())?;
            let Some(row) = s
                .container()
                .store
                .item(&record_id, "documents", &document_id)?
            else {
                return Err(AppError::Api(
                    StatusCode::NOT_FOUND,
                    "no such document".into(),
                ));
            };
            Ok(match format {
                Format::Raw => raw(&rdf::stored_item(&row)?)?,
                Format::Metadata | Format::Combined => RdfXml::from(rdf::document_document(
                    s.api_base(),
                    &record_id,
                    "documents",
                    &row,
                    format == Format::Combined,
                )?)
                .into_response(),
            })
        })
        .await
}

/// GET `/records/{record_id}/photograph/image`: the photograph's PNG.
pub(crate) async fn photograph_image(
    State(state): State<AppState>,
    Path(record_id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    state
        .signed(req, Scope::Record(record_id.clone()), move |s, signed| {
            signed.no_parameters()?;
            let (_, rows) = s.container().store.items(
                &record_id,
                "photograph",
                &ListQuery {
                    limit: Some(1),
                    ..ListQuery::default()
                },
            )?;
            let Some(row) = rows.first() else {
                return Err(AppError::Api(
                    StatusCode::NOT_FOUND,
                    "this record has no photograph".into(),
                ));
            };
            raw(&rdf::stored_item(row)?)
        })
        .await
}

/// A stored document's bytes as an attachment.
fn raw(item: &crate::model::Item) -> Result<Response, AppError> {
    let Some(rdf::Content {
        bytes,
        media_type,
        file_name,
    }) = rdf::document_content(item)?
    else {
        return Err(AppError::Internal(Internal::NotADocument));
    };
    let content_type = if renders_in_a_browser(media_type) {
        "application/octet-stream"
    } else {
        media_type
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"{}\"",
            safe_file_name(file_name)
        ))
        .unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(res)
}

/// A file name fit for a quoted `Content-Disposition` parameter: ASCII
/// letters, digits, `.`, `-` and `_`, at most 100 characters.
fn safe_file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(100)
        .collect();
    if safe.is_empty() || safe.starts_with('.') {
        format!("document{safe}")
    } else {
        safe
    }
}

fn bad_request(message: String) -> AppError {
    AppError::Api(StatusCode::BAD_REQUEST, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_cut_to_safe_characters() {
        for (name, safe) in [
            ("visit-summary.txt", "visit-summary.txt"),
            ("a\"b\r\n.png", "ab.png"),
            ("../../etc", "document....etc"),
            ("", "document"),
        ] {
            assert_eq!(safe_file_name(name), safe, "{name:?}");
        }
    }

    #[test]
    fn format_is_one_of_three() {
        assert_eq!(Format::parse("").ok(), Some(Format::Metadata));
        assert_eq!(Format::parse("format=raw").ok(), Some(Format::Raw));
        assert_eq!(
            Format::parse("format=combined").ok(),
            Some(Format::Combined)
        );
        for bad in ["format=pdf", "format=raw&format=raw", "limit=1"] {
            assert!(Format::parse(bad).is_err(), "{bad}");
        }
    }
}
