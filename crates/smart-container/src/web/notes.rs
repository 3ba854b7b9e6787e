//! `POST /records/{record_id}/clinical_notes/`: an app adds a clinical
//! note. The body is RDF/XML holding one `sp:ClinicalNote` (an IRI or a
//! blank node; the container gives it its own id), read with `smart-rdf`
//! against the note's shape: a date, a title, and the text (`sp:value`) or
//! at least one `dcterms:hasFormat`. A body that is not that is a 400 that
//! says what is wrong, and nothing is stored. The call is signed like any
//! other (the RDF/XML body is no form, so it is not in the base string) and
//! only for the token's own record (403). The stored note is then served by
//! `GET clinical_notes/` and `clinical_notes/{id}`; the reply is 201 with
//! its URL in `Location` and the note as the container now serves it.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::RngCore as _;
use smart_rdf::{ClinicalNote, Graph};

use super::api::essence;
use super::signed::{RDF_XML, RdfXml, Scope};
use super::{AppError, AppState};
use crate::model::{Item, NoteFormat};
use crate::rdf;
use crate::store::ItemRow;

/// The largest note body, in bytes.
pub(crate) const MAX_NOTE: usize = 64 * 1024;

/// POST `/records/{record_id}/clinical_notes/` (the only collection that
/// takes a POST: the router answers 405 for the others).
pub(crate) async fn post(
    State(state): State<AppState>,
    Path(record_id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    state
        .signed(req, Scope::Record(record_id.clone()), move |s, signed| {
            signed.no_parameters()?;
            if signed.body.len() > MAX_NOTE {
                return Err(AppError::Api(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("a clinical note holds at most {MAX_NOTE} bytes"),
                ));
            }
            if signed.content_type().map(essence).as_deref() != Some(RDF_XML) {
                return Err(AppError::Api(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!("a clinical note is posted as {RDF_XML}"),
                ));
            }
            let note = read_note(&signed.body)?;
            let item_id = new_id();
            let date = note.date.format("%Y-%m-%d").to_string();
            let row = ItemRow {
                kind: "clinical_notes".into(),
                item_id: item_id.clone(),
                date: Some(date.clone()),
                code: None,
                body: serde_json::to_string(&Item::ClinicalNote {
                    date,
                    title: note.title,
                    text: note.text,
                    formats: note
                        .formats
                        .into_iter()
                        .map(|f| NoteFormat {
                            uri: f.uri,
                            media_type: f.media_type,
                        })
                        .collect(),
                })?,
            };
            let base = s.api_base();
            s.container().store.insert_item(&record_id, &row)?;
            let doc = rdf::items_document(base, &record_id, "clinical_notes", &[row], None)?;
            let location = format!("{base}/records/{record_id}/clinical_notes/{item_id}");
            let mut res = (StatusCode::CREATED, RdfXml::from(doc)).into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            Ok(res)
        })
        .await
}

/// Reads the one clinical note of an RDF/XML body; the error is a 400 that
/// says what is wrong.
fn read_note(body: &[u8]) -> Result<ClinicalNote, AppError> {
    let bad = |what: String| AppError::Api(StatusCode::BAD_REQUEST, what);
    let graph = Graph::parse(body, RDF_XML, None)
        .map_err(|e| bad(format!("the body is not RDF/XML: {e}")))?;
    graph
        .new_record::<ClinicalNote>()
        .map_err(|e| bad(format!("the body is not a clinical note: {e}")))
}

/// A fresh item id: 12 random hex digits, as the generated items have.
fn new_id() -> String {
    format!("{:012x}", rand::rngs::OsRng.next_u64() >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str) -> String {
        match read_note(body.as_bytes()) {
            Err(AppError::Api(status, m)) => {
                assert_eq!(status, StatusCode::BAD_REQUEST);
                m
            }
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn malformed_notes_say_what_is_wrong() {
        assert!(message("<not rdf").starts_with("the body is not RDF/XML"));
        let rdf = |inner: &str| {
            format!(
                "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" \
                 xmlns:sp=\"http://smartplatforms.org/terms#\" \
                 xmlns:dcterms=\"http://purl.org/dc/terms/\">{inner}</rdf:RDF>"
            )
        };
        assert!(message(&rdf("")).contains("exactly one node typed"));
        let m = message(&rdf(
            "<sp:ClinicalNote><dcterms:date>2012-01-01</dcterms:date><sp:value>x</sp:value></sp:ClinicalNote>",
        ));
        assert!(m.contains("missing required field title"), "{m}");
    }
}
