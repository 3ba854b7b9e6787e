//! The searches of the original API: records by demographics (for
//! background and `frame_ui` apps only) and users by name (for any
//! authenticated app). Never a raw SPARQL query: the original's `sparql`
//! parameter is a 400 with the reason.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::signed::{RdfXml, Scope};
use super::{AppError, AppState};
use crate::filters::{parse_date, parse_named};
use crate::manifest::{is_background_mode, mode_of};
use crate::model::Demographics;
use crate::rdf;

/// The parameters a search call accepts, from its row of the table of calls.
fn accepted(call: smart_api::CallId) -> Vec<&'static str> {
    smart_api::filters::names(smart_api::call(call).filters)
}

/// Why `sparql` is refused, as the 400 says it.
pub(crate) const SPARQL_REFUSED: &str = "the `sparql` parameter is refused: this container runs no query an app sends, since one arbitrary SPARQL query can exhaust the server or read any record; search with family_name, given_name, gender, medical_record_number, zipcode or birthday";

/// Whether `name` starts with `prefix`, ignoring case.
fn has_prefix(name: &str, prefix: &str) -> bool {
    name.to_lowercase().starts_with(&prefix.to_lowercase())
}

fn bad(message: String) -> AppError {
    AppError::Api(StatusCode::BAD_REQUEST, message)
}

/// GET `/records/search`: the demographics of every record matching all
/// the parameters given (names: case-insensitive prefixes; the others
/// exact), by record id.
pub(crate) async fn records(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AppError> {
    state
        .signed(req, Scope::Container, move |s, signed| {
            let query = signed.query();
            if url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "sparql") {
                return Err(bad(SPARQL_REFUSED.into()));
            }
            let params =
                parse_named(&accepted(smart_api::CallId::SearchRecords), query).map_err(bad)?;
            for (name, value) in &params {
                match *name {
                    "birthday" => {
                        parse_date(name, value).map_err(bad)?;
                    }
                    "gender" if value != "male" && value != "female" => {
                        return Err(bad("`gender` is `male` or `female`".into()));
                    }
                    _ => {}
                }
            }
            let store = &s.container().store;
            let mode = store
                .app(signed.consumer())?
                .map(|a| mode_of(&a.manifest))
                .unwrap_or_default();
            if !(is_background_mode(&mode) || mode == "frame_ui") {
                return Err(AppError::Api(
                    StatusCode::FORBIDDEN,
                    "only background and frame_ui apps may search records".into(),
                ));
            }
            let mut found = Vec::new();
            for r in store.records()? {
                let d: Demographics = serde_json::from_str(&r.body)?;
                let keep = params.iter().all(|(name, value)| match *name {
                    "family_name" => has_prefix(&d.family, value),
                    "given_name" => has_prefix(&d.given, value),
                    "gender" => d.gender == *value,
                    "medical_record_number" => d.mrn == *value,
                    "zipcode" => d.postal_code == *value,
                    "birthday" => d.birthday == *value,
                    _ => false,
                });
                if keep {
                    found.push((r.id, d));
                }
            }
            found.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(RdfXml::from(rdf::demographics_search_document(
                s.api_base(),
                &found,
            )?))
        })
        .await
}

/// GET `/users/search`: the users whose names start with the given ones
/// (case-insensitive), as `foaf:Person`s, to any authenticated app.
pub(crate) async fn users(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AppError> {
    state
        .signed(req, Scope::Container, move |s, signed| {
            let params = parse_named(&accepted(smart_api::CallId::SearchUsers), signed.query())
                .map_err(bad)?;
            let users = s.container().store.users()?;
            let found: Vec<(&str, &str, &str)> = users
                .iter()
                .filter(|u| {
                    params.iter().all(|(name, value)| match *name {
                        "given_name" => has_prefix(&u.given_name, value),
                        "family_name" => has_prefix(&u.family_name, value),
                        _ => false,
                    })
                })
                .map(|u| (u.id.as_str(), u.given_name.as_str(), u.family_name.as_str()))
                .collect();
            Ok(RdfXml::from(rdf::users_document(s.api_base(), &found)?))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::has_prefix;

    #[test]
    fn name_prefixes_ignore_case() {
        assert!(has_prefix("Ødegaard", "øDE"));
        assert!(has_prefix("Smith", "sm"));
        assert!(!has_prefix("Smith", "mith"));
    }
}
