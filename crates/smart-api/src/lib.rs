//! The one table of the SMART REST calls: each call's method, path
//! template, target type, cardinality, query parameters, client method name
//! and default sort, as data.
//!
//! `smart-container` builds its API routes, `/manifest`'s `capabilities` and
//! `/ontology` from [`CALLS`]; `smart-client` takes each method's path and
//! parameters from its row, and the tests of both prove that nothing is
//! routed, offered or described that the table does not hold. The crate has
//! no dependencies.
//!
//! ```
//! use smart_api::{CallId, call};
//! let medications = call(CallId::Medications);
//! assert_eq!(medications.path, "/records/{record_id}/medications/");
//! assert_eq!(medications.client_method, "medications");
//! assert_eq!(medications.fill(&["1540505"]).as_deref(), Some("/records/1540505/medications/"));
//! assert!(medications.filters.iter().any(|f| f.name == "rxnorm"));
//! ```

pub mod filters;
mod ontology;

pub use filters::{Effect, Filter};
pub use ontology::{Node, Triple, described, ontology};

/// The `sp:` namespace.
pub const SP: &str = "http://smartplatforms.org/terms#";
/// The `api:` namespace of the original's ontology.
pub const API: &str = "http://smartplatforms.org/terms/api#";

/// An HTTP method of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
}

impl HttpMethod {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// How many things of its target a call answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cardinality {
    /// One (`single`).
    Single,
    /// A list (`multiple`).
    Multiple,
}

impl Cardinality {
    /// The `api:cardinality` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Cardinality::Single => "single",
            Cardinality::Multiple => "multiple",
        }
    }
}

/// Who may make a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// Anyone, unsigned.
    Public,
    /// An app, signed with an access token.
    Token,
    /// A background app, signed with its consumer key and secret alone.
    Consumer,
}

macro_rules! call_ids {
    ($($(#[$doc:meta])* $id:ident,)*) => {
        /// Names one row of [`CALLS`]; a `match` on it is how code picks
        /// what serves or sends each call, so a new row without one does
        /// not compile.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CallId { $($(#[$doc])* $id,)* }

        impl CallId {
            /// Every call, in the order of [`CALLS`].
            pub const ALL: &'static [CallId] = &[$(CallId::$id,)*];
        }
    };
}

call_ids! {
    /// `GET /manifest`.
    ContainerManifest,
    /// `GET /ontology`.
    Ontology,
    /// `GET /apps/manifests/`.
    AppManifests,
    /// `GET /apps/{app_id}/manifest`.
    AppManifest,
    /// `POST /apps/{app_id}/tokens/records/first`.
    FirstRecordToken,
    /// `POST /apps/{app_id}/tokens/records/{record_id}/next`.
    NextRecordToken,
    /// `POST /apps/{app_id}/tokens/records/{record_id}`.
    RecordToken,
    /// `GET /records/search`.
    SearchRecords,
    /// `GET /records/{record_id}/demographics`.
    Demographics,
    /// `GET /records/{record_id}/allergies/`.
    Allergies,
    /// `GET /records/{record_id}/allergies/{id}`.
    Allergy,
    /// `GET /records/{record_id}/clinical_notes/`.
    ClinicalNotes,
    /// `GET /records/{record_id}/clinical_notes/{id}`.
    ClinicalNote,
    /// `GET /records/{record_id}/encounters/`.
    Encounters,
    /// `GET /records/{record_id}/encounters/{id}`.
    Encounter,
    /// `GET /records/{record_id}/family_history/`.
    FamilyHistory,
    /// `GET /records/{record_id}/family_history/{id}`.
    FamilyHistoryItem,
    /// `GET /records/{record_id}/fulfillments/`.
    Fulfillments,
    /// `GET /records/{record_id}/fulfillments/{id}`.
    Fulfillment,
    /// `GET /records/{record_id}/immunizations/`.
    Immunizations,
    /// `GET /records/{record_id}/immunizations/{id}`.
    Immunization,
    /// `GET /records/{record_id}/lab_results/`.
    LabResults,
    /// `GET /records/{record_id}/lab_results/{id}`.
    LabResult,
    /// `GET /records/{record_id}/medications/`.
    Medications,
    /// `GET /records/{record_id}/medications/{id}`.
    Medication,
    /// `GET /records/{record_id}/problems/`.
    Problems,
    /// `GET /records/{record_id}/problems/{id}`.
    Problem,
    /// `GET /records/{record_id}/procedures/`.
    Procedures,
    /// `GET /records/{record_id}/procedures/{id}`.
    Procedure,
    /// `GET /records/{record_id}/social_history`.
    SocialHistory,
    /// `GET /records/{record_id}/vital_sign_sets/`.
    VitalSignSets,
    /// `GET /records/{record_id}/vital_sign_sets/{id}`.
    VitalSignSet,
    /// `GET /records/{record_id}/photograph`.
    Photograph,
    /// `GET /records/{record_id}/photograph/image`.
    PhotographImage,
    /// `GET /records/{record_id}/documents/`.
    Documents,
    /// `GET /records/{record_id}/documents/{id}`.
    Document,
    /// `GET /records/{record_id}/lab_panels/`.
    LabPanels,
    /// `GET /records/{record_id}/lab_panels/{id}`.
    LabPanel,
    /// `POST /records/{record_id}/clinical_notes/`.
    PostClinicalNote,
    /// `GET /records/{record_id}/apps/{app_id}/scratchpad`.
    Scratchpad,
    /// `PUT /records/{record_id}/apps/{app_id}/scratchpad`.
    PutScratchpad,
    /// `DELETE /records/{record_id}/apps/{app_id}/scratchpad`.
    DeleteScratchpad,
    /// `GET /users/search`.
    SearchUsers,
    /// `GET /users/{user_id}`.
    User,
    /// `GET /users/{user_id}/apps/{app_id}/preferences`.
    Preferences,
    /// `PUT /users/{user_id}/apps/{app_id}/preferences`.
    PutPreferences,
    /// `DELETE /users/{user_id}/apps/{app_id}/preferences`.
    DeletePreferences,
}

/// One call of the REST API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// Which call.
    pub id: CallId,
    /// Its HTTP method.
    pub method: HttpMethod,
    /// Its path under the api_base, parameters in braces (`{record_id}`).
    pub path: &'static str,
    /// The type of what it answers (`api:target`).
    pub target: &'static str,
    /// One or a list (`api:cardinality`).
    pub cardinality: Cardinality,
    /// The original's call category (`api:category`).
    pub category: &'static str,
    /// The query parameters it accepts (`api:hasFilter`); anything else is a 400.
    pub filters: &'static [Filter],
    /// The `smart-client` method that makes it (`api:clientMethodName`).
    pub client_method: &'static str,
    /// The order of a list (`api:defaultSort`, `-date`: newest first).
    pub default_sort: Option<&'static str>,
    /// Who may make it.
    pub auth: Auth,
}

impl Call {
    /// The path with each `{parameter}` replaced, in order, by `values`
    /// (path segments the caller has already percent-encoded); `None` when
    /// their number differs from the template's.
    pub fn fill(&self, values: &[&str]) -> Option<String> {
        let mut out = String::with_capacity(self.path.len() + 16);
        let mut values = values.iter();
        let mut rest = self.path;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}')?;
            out.push_str(&rest[..open]);
            out.push_str(values.next()?);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        values.next().is_none().then_some(out)
    }

    /// The `{parameter}` names of the path, in order.
    pub fn parameters(&self) -> Vec<&'static str> {
        self.path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name))
            .collect()
    }
}

/// The row of `id`.
pub fn call(id: CallId) -> &'static Call {
    // Every id has its row: `rows_and_ids_agree` checks it.
    CALLS.iter().find(|c| c.id == id).unwrap_or(&CALLS[0])
}

/// The row whose client method is `name`.
pub fn by_client_method(name: &str) -> Option<&'static Call> {
    CALLS.iter().find(|c| c.client_method == name)
}

#[allow(
    clippy::too_many_arguments,
    reason = "one argument a column of the table, so that each row reads as one line"
)]
const fn row(
    id: CallId,
    method: HttpMethod,
    path: &'static str,
    target: &'static str,
    cardinality: Cardinality,
    category: &'static str,
    filters: &'static [Filter],
    client_method: &'static str,
    auth: Auth,
) -> Call {
    Call {
        id,
        method,
        path,
        target,
        cardinality,
        category,
        filters,
        client_method,
        default_sort: None,
        auth,
    }
}

/// A record collection: its list call (newest first) and its item call.
macro_rules! collection {
    ($list:ident, $item:ident, $seg:literal, $ty:literal, $filters:expr, $lm:literal, $im:literal) => {
        [
            Call {
                default_sort: Some("-date"),
                ..row(
                    CallId::$list,
                    HttpMethod::Get,
                    concat!("/records/{record_id}/", $seg, "/"),
                    concat!("http://smartplatforms.org/terms#", $ty),
                    Cardinality::Multiple,
                    "record_items",
                    $filters,
                    $lm,
                    Auth::Token,
                )
            },
            row(
                CallId::$item,
                HttpMethod::Get,
                concat!("/records/{record_id}/", $seg, "/{id}"),
                concat!("http://smartplatforms.org/terms#", $ty),
                Cardinality::Single,
                "record_item",
                filters::NONE,
                $im,
                Auth::Token,
            ),
        ]
    };
}

use Auth::{Consumer, Public, Token};
use Cardinality::{Multiple, Single};
use HttpMethod::{Delete, Get, Post, Put};

#[rustfmt::skip]
const ALLERGIES: [Call; 2] = collection!(Allergies, Allergy, "allergies", "Allergy", filters::PAGED, "allergies", "allergy");
#[rustfmt::skip]
const CLINICAL_NOTES: [Call; 2] = collection!(ClinicalNotes, ClinicalNote, "clinical_notes", "ClinicalNote", filters::DATED, "clinical_notes", "clinical_note");
#[rustfmt::skip]
const ENCOUNTERS: [Call; 2] = collection!(Encounters, Encounter, "encounters", "Encounter", filters::DATED, "encounters", "encounter");
#[rustfmt::skip]
const FAMILY_HISTORY: [Call; 2] = collection!(FamilyHistory, FamilyHistoryItem, "family_history", "FamilyHistory", filters::PAGED, "family_history", "family_history_item");
#[rustfmt::skip]
const FULFILLMENTS: [Call; 2] = collection!(Fulfillments, Fulfillment, "fulfillments", "Fulfillment", filters::DATED, "fulfillments", "fulfillment");
#[rustfmt::skip]
const IMMUNIZATIONS: [Call; 2] = collection!(Immunizations, Immunization, "immunizations", "Immunization", filters::DATED, "immunizations", "immunization");
#[rustfmt::skip]
const LAB_RESULTS: [Call; 2] = collection!(LabResults, LabResult, "lab_results", "LabResult", filters::LAB_RESULTS, "lab_results", "lab_result");
#[rustfmt::skip]
const MEDICATIONS: [Call; 2] = collection!(Medications, Medication, "medications", "Medication", filters::MEDICATIONS, "medications", "medication");
#[rustfmt::skip]
const PROBLEMS: [Call; 2] = collection!(Problems, Problem, "problems", "Problem", filters::SNOMED_DATED, "problems", "problem");
#[rustfmt::skip]
const PROCEDURES: [Call; 2] = collection!(Procedures, Procedure, "procedures", "Procedure", filters::SNOMED_DATED, "procedures", "procedure");
#[rustfmt::skip]
const VITAL_SIGN_SETS: [Call; 2] = collection!(VitalSignSets, VitalSignSet, "vital_sign_sets", "VitalSignSet", filters::VITAL_SIGN_SETS, "vital_sign_sets", "vital_sign_set");

#[rustfmt::skip]
const DOCUMENTS: [Call; 2] = collection!(Documents, Document, "documents", "Document", filters::DATED, "documents", "document");
/// `documents/{id}` takes `format`, unlike the other item calls.
const DOCUMENT: Call = Call {
    filters: filters::DOCUMENT,
    ..DOCUMENTS[1]
};
#[rustfmt::skip]
const LAB_PANELS: [Call; 2] = collection!(LabPanels, LabPanel, "lab_panels", "LabPanel", filters::DATED, "lab_panels", "lab_panel");
const PHOTOGRAPH: &str = "http://smartplatforms.org/terms#Photograph";

const SCRATCHPAD: &str = "/records/{record_id}/apps/{app_id}/scratchpad";
const PREFERENCES: &str = "/users/{user_id}/apps/{app_id}/preferences";
const SCRATCHPAD_TYPE: &str = "http://smartplatforms.org/terms#Scratchpad";
const PREFERENCES_TYPE: &str = "http://smartplatforms.org/terms#UserPreferences";
const PERSON: &str = "http://xmlns.com/foaf/0.1/Person";
const TOKENS: &str = "http://smartplatforms.org/terms/api#TokenCredentials";
const APP_MANIFEST: &str = "http://smartplatforms.org/terms#AppManifest";

/// Every call of the API, in the order of `docs/smart-protocol.md`'s table.
#[rustfmt::skip]
pub const CALLS: &[Call] = &[
    row(CallId::ContainerManifest, Get, "/manifest", "http://smartplatforms.org/terms#Container", Single, "container", filters::NONE, "container_manifest", Public),
    row(CallId::Ontology, Get, "/ontology", "http://www.w3.org/2002/07/owl#Ontology", Single, "container", filters::NONE, "ontology", Public),
    row(CallId::AppManifests, Get, "/apps/manifests/", APP_MANIFEST, Multiple, "container", filters::NONE, "app_manifests", Public),
    row(CallId::AppManifest, Get, "/apps/{app_id}/manifest", APP_MANIFEST, Single, "container", filters::NONE, "app_manifest", Public),
    row(CallId::FirstRecordToken, Post, "/apps/{app_id}/tokens/records/first", TOKENS, Single, "background_tokens", filters::NONE, "first_record_token", Consumer),
    row(CallId::NextRecordToken, Post, "/apps/{app_id}/tokens/records/{record_id}/next", TOKENS, Single, "background_tokens", filters::NONE, "next_record_token", Consumer),
    row(CallId::RecordToken, Post, "/apps/{app_id}/tokens/records/{record_id}", TOKENS, Single, "background_tokens", filters::NONE, "background_token", Consumer),
    row(CallId::SearchRecords, Get, "/records/search", "http://smartplatforms.org/terms#Demographics", Multiple, "search", filters::RECORD_SEARCH, "search_records", Token),
    row(CallId::Demographics, Get, "/records/{record_id}/demographics", "http://smartplatforms.org/terms#Demographics", Single, "record_items", filters::NONE, "demographics", Token),
    ALLERGIES[0], ALLERGIES[1],
    CLINICAL_NOTES[0], CLINICAL_NOTES[1],
    ENCOUNTERS[0], ENCOUNTERS[1],
    FAMILY_HISTORY[0], FAMILY_HISTORY[1],
    FULFILLMENTS[0], FULFILLMENTS[1],
    IMMUNIZATIONS[0], IMMUNIZATIONS[1],
    LAB_RESULTS[0], LAB_RESULTS[1],
    MEDICATIONS[0], MEDICATIONS[1],
    PROBLEMS[0], PROBLEMS[1],
    PROCEDURES[0], PROCEDURES[1],
    row(CallId::SocialHistory, Get, "/records/{record_id}/social_history", "http://smartplatforms.org/terms#SocialHistory", Single, "record_items", filters::NONE, "social_history", Token),
    VITAL_SIGN_SETS[0], VITAL_SIGN_SETS[1],
    row(CallId::Photograph, Get, "/records/{record_id}/photograph", PHOTOGRAPH, Single, "record_items", filters::NONE, "photograph", Token),
    row(CallId::PhotographImage, Get, "/records/{record_id}/photograph/image", PHOTOGRAPH, Single, "record_file", filters::NONE, "photograph_image", Token),
    DOCUMENTS[0], DOCUMENT,
    LAB_PANELS[0], LAB_PANELS[1],
    row(CallId::PostClinicalNote, Post, "/records/{record_id}/clinical_notes/", "http://smartplatforms.org/terms#ClinicalNote", Single, "record_write", filters::NONE, "post_clinical_note", Token),
    row(CallId::Scratchpad, Get, SCRATCHPAD, SCRATCHPAD_TYPE, Single, "record_app_storage", filters::NONE, "scratchpad", Token),
    row(CallId::PutScratchpad, Put, SCRATCHPAD, SCRATCHPAD_TYPE, Single, "record_app_storage", filters::NONE, "put_scratchpad", Token),
    row(CallId::DeleteScratchpad, Delete, SCRATCHPAD, SCRATCHPAD_TYPE, Single, "record_app_storage", filters::NONE, "delete_scratchpad", Token),
    row(CallId::SearchUsers, Get, "/users/search", PERSON, Multiple, "search", filters::USER_SEARCH, "search_users", Token),
    row(CallId::User, Get, "/users/{user_id}", PERSON, Single, "user", filters::NONE, "user", Token),
    row(CallId::Preferences, Get, PREFERENCES, PREFERENCES_TYPE, Single, "user_app_storage", filters::NONE, "preferences", Token),
    row(CallId::PutPreferences, Put, PREFERENCES, PREFERENCES_TYPE, Single, "user_app_storage", filters::NONE, "put_preferences", Token),
    row(CallId::DeletePreferences, Delete, PREFERENCES, PREFERENCES_TYPE, Single, "user_app_storage", filters::NONE, "delete_preferences", Token),
];

#[cfg(test)]
mod tests;
