//! The record calls of the REST table, one method each; each takes its
//! path and method from its row of the table of calls (`smart_api::CALLS`).

use http::Method;
use smart_api::CallId;
use smart_rdf::{ClinicalNote, Record as _, RecordWriter};
use url::Url;

use crate::client::{AccessToken, SmartClient};
use crate::error::Result;
use crate::paging::Pages;
use crate::query::{Collection, Query};
use crate::response::SmartResponse;

/// What `GET documents/{id}` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DocumentFormat {
    /// The metadata as RDF (`format=metadata`, the default).
    #[default]
    Metadata,
    /// The content itself, with its own media type (`format=raw`).
    Raw,
    /// The metadata with the content embedded as base64 (`format=combined`).
    Combined,
}

impl DocumentFormat {
    /// The `format` parameter's value.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentFormat::Metadata => "metadata",
            DocumentFormat::Raw => "raw",
            DocumentFormat::Combined => "combined",
        }
    }
}

/// Calls on the record an [`AccessToken`] was issued for, every one signed
/// with it. Made by [`SmartClient::record`].
#[derive(Debug, Clone, Copy)]
pub struct RecordClient<'a> {
    client: &'a SmartClient,
    token: &'a AccessToken,
}

macro_rules! collection_calls {
    ($($(#[$doc:meta])* $list:ident, $(#[$one_doc:meta])* $one:ident => $collection:expr;)*) => {
        $(
            $(#[$doc])*
            pub async fn $list(&self, query: &Query) -> Result<SmartResponse> {
                self.collection($collection, query).await
            }

            $(#[$one_doc])*
            pub async fn $one(&self, id: &str) -> Result<SmartResponse> {
                self.item($collection, id).await
            }
        )*
    };
}

impl<'a> RecordClient<'a> {
    pub(crate) fn new(client: &'a SmartClient, token: &'a AccessToken) -> Self {
        RecordClient { client, token }
    }

    /// The record id.
    pub fn record_id(&self) -> &str {
        &self.token.record_id
    }

    /// `GET /records/{record_id}/demographics`.
    pub async fn demographics(&self) -> Result<SmartResponse> {
        self.get(self.record_url(CallId::Demographics, &[])?).await
    }

    collection_calls! {
        /// `GET /records/{record_id}/allergies/`.
        allergies,
        /// `GET /records/{record_id}/allergies/{id}`.
        allergy => Collection::Allergies;
        /// `GET /records/{record_id}/clinical_notes/`.
        clinical_notes,
        /// `GET /records/{record_id}/clinical_notes/{id}`.
        clinical_note => Collection::ClinicalNotes;
        /// `GET /records/{record_id}/encounters/`.
        encounters,
        /// `GET /records/{record_id}/encounters/{id}`.
        encounter => Collection::Encounters;
        /// `GET /records/{record_id}/fulfillments/`.
        fulfillments,
        /// `GET /records/{record_id}/fulfillments/{id}`.
        fulfillment => Collection::Fulfillments;
        /// `GET /records/{record_id}/immunizations/`.
        immunizations,
        /// `GET /records/{record_id}/immunizations/{id}`.
        immunization => Collection::Immunizations;
        /// `GET /records/{record_id}/lab_results/` (filter: [`Query::loinc`]).
        lab_results,
        /// `GET /records/{record_id}/lab_results/{id}`.
        lab_result => Collection::LabResults;
        /// `GET /records/{record_id}/medications/` (filter: [`Query::rxnorm`]).
        medications,
        /// `GET /records/{record_id}/medications/{id}`.
        medication => Collection::Medications;
        /// `GET /records/{record_id}/problems/` (filter: [`Query::snomed`]).
        problems,
        /// `GET /records/{record_id}/problems/{id}`.
        problem => Collection::Problems;
        /// `GET /records/{record_id}/procedures/` (filter: [`Query::snomed`]).
        procedures,
        /// `GET /records/{record_id}/procedures/{id}`.
        procedure => Collection::Procedures;
        /// `GET /records/{record_id}/vital_sign_sets/` (filter:
        /// [`Query::encounter_type`]).
        vital_sign_sets,
        /// `GET /records/{record_id}/vital_sign_sets/{id}`.
        vital_sign_set => Collection::VitalSignSets;
        /// `GET /records/{record_id}/lab_panels/`: lab results reported
        /// together (`smart_rdf::LabPanel`).
        lab_panels,
        /// `GET /records/{record_id}/lab_panels/{id}`.
        lab_panel => Collection::LabPanels;
    }

    /// `GET /records/{record_id}/documents/`: the documents' metadata
    /// (`smart_rdf::Document`, without content).
    pub async fn documents(&self, query: &Query) -> Result<SmartResponse> {
        self.collection(Collection::Documents, query).await
    }

    /// `GET /records/{record_id}/documents/{id}?format=...`: the metadata
    /// (RDF, `smart_rdf::Document`), the raw content (its own media type, in
    /// [`SmartResponse::body`]) or both (RDF, with the content in
    /// `Document::content`).
    pub async fn document(&self, id: &str, format: DocumentFormat) -> Result<SmartResponse> {
        let mut url = self.record_url(CallId::Document, &[id])?;
        url.query_pairs_mut().append_pair("format", format.as_str());
        self.get(url).await
    }

    /// `GET /records/{record_id}/photograph`: the patient's photograph
    /// (`smart_rdf::Photograph`); its `location` is the image, which
    /// [`RecordClient::get`] fetches signed.
    pub async fn photograph(&self) -> Result<SmartResponse> {
        self.get(self.record_url(CallId::Photograph, &[])?).await
    }

    /// `GET /records/{record_id}/photograph/image`: the photograph's image
    /// itself (`image/png`, in [`SmartResponse::body`]).
    pub async fn photograph_image(&self) -> Result<SmartResponse> {
        self.get(self.record_url(CallId::PhotographImage, &[])?)
            .await
    }

    /// `POST /records/{record_id}/clinical_notes/`: adds a clinical note,
    /// written as RDF/XML through `smart-rdf`. The container gives it its
    /// own id (an empty `note.id` is fine): the reply is `201 Created`, the
    /// new note's URL in `Location` and the note as stored in its body.
    pub async fn post_clinical_note(&self, note: &ClinicalNote) -> Result<SmartResponse> {
        let mut note = note.clone();
        if note.id.is_empty() {
            "new".clone_into(&mut note.id);
        }
        let mut writer = RecordWriter::new(self.client.api_base(), &self.token.record_id)
            .map_err(|e| crate::Error::Rdf(e.to_string()))?;
        writer
            .add(&note)
            .map_err(|e| crate::Error::Rdf(format!("{}: {e}", ClinicalNote::NAME)))?;
        let body = writer
            .to_rdf_xml()
            .map_err(|e| crate::Error::Rdf(e.to_string()))?;
        let url = self.record_url(CallId::PostClinicalNote, &[])?;
        self.post(url, "application/rdf+xml", body.into_bytes())
            .await
    }

    /// `GET /records/{record_id}/social_history`.
    pub async fn social_history(&self) -> Result<SmartResponse> {
        self.get(self.record_url(CallId::SocialHistory, &[])?).await
    }

    /// `GET /records/{record_id}/family_history/`.
    pub async fn family_history(&self, query: &Query) -> Result<SmartResponse> {
        self.collection(Collection::FamilyHistory, query).await
    }

    /// `GET /records/{record_id}/family_history/{id}`.
    pub async fn family_history_item(&self, id: &str) -> Result<SmartResponse> {
        self.item(Collection::FamilyHistory, id).await
    }

    /// `GET /records/{record_id}/apps/{app_id}/scratchpad`, this app's scratchpad.
    pub async fn scratchpad(&self) -> Result<SmartResponse> {
        self.get(self.own_app_url(CallId::Scratchpad)?).await
    }

    /// `PUT /records/{record_id}/apps/{app_id}/scratchpad` with an RDF/XML body.
    pub async fn put_scratchpad(&self, rdf_xml: &[u8]) -> Result<SmartResponse> {
        let url = self.own_app_url(CallId::PutScratchpad)?;
        self.client
            .send_signed(
                self.token,
                Method::PUT,
                url,
                Some(("application/rdf+xml", rdf_xml.to_vec())),
            )
            .await
    }

    /// `DELETE /records/{record_id}/apps/{app_id}/scratchpad`.
    pub async fn delete_scratchpad(&self) -> Result<SmartResponse> {
        let url = self.own_app_url(CallId::DeleteScratchpad)?;
        self.client
            .send_signed(self.token, Method::DELETE, url, None)
            .await
    }

    /// `GET /users/{user_id}/apps/{app_id}/preferences`: this app's
    /// preferences for the token's user.
    pub async fn preferences(&self) -> Result<SmartResponse> {
        self.get(self.preferences_url(CallId::Preferences)?).await
    }

    /// `PUT /users/{user_id}/apps/{app_id}/preferences` with a body of this
    /// type (the container keeps the type; it refuses types a browser
    /// renders, and more than 64 KiB).
    pub async fn put_preferences(&self, content_type: &str, body: &[u8]) -> Result<SmartResponse> {
        let url = self.preferences_url(CallId::PutPreferences)?;
        self.client
            .send_signed(
                self.token,
                Method::PUT,
                url,
                Some((content_type, body.to_vec())),
            )
            .await
    }

    /// `DELETE /users/{user_id}/apps/{app_id}/preferences`.
    pub async fn delete_preferences(&self) -> Result<SmartResponse> {
        let url = self.preferences_url(CallId::DeletePreferences)?;
        self.client
            .send_signed(self.token, Method::DELETE, url, None)
            .await
    }

    /// `GET /users/{user_id}`.
    pub async fn user(&self, user_id: &str) -> Result<SmartResponse> {
        self.get(self.client.call_url(CallId::User, &[user_id])?)
            .await
    }

    /// One page of any collection.
    pub async fn collection(&self, collection: Collection, query: &Query) -> Result<SmartResponse> {
        let mut url = self.record_url(collection.list_call(), &[])?;
        let pairs = query.to_pairs(collection)?;
        if !pairs.is_empty() {
            let mut serializer = url.query_pairs_mut();
            for (name, value) in &pairs {
                serializer.append_pair(name, value);
            }
        }
        self.get(url).await
    }

    /// One item of any collection.
    pub async fn item(&self, collection: Collection, id: &str) -> Result<SmartResponse> {
        self.get(self.record_url(collection.item_call(), &[id])?)
            .await
    }

    /// Walks a collection page by page, starting with `query`'s page.
    pub fn pages(&self, collection: Collection, query: Query) -> Pages<'a> {
        Pages::new(*self, collection, query)
    }

    /// A signed `GET` of a URL under the api_base (e.g. a `nextPageURL`).
    pub async fn get(&self, url: Url) -> Result<SmartResponse> {
        self.client
            .send_signed(self.token, Method::GET, url, None)
            .await
    }

    /// A signed `POST` of a body to a URL under the api_base (a form body's
    /// parameters are signed, any other body is not, as RFC 5849 says).
    pub async fn post(&self, url: Url, content_type: &str, body: Vec<u8>) -> Result<SmartResponse> {
        self.client
            .send_signed(self.token, Method::POST, url, Some((content_type, body)))
            .await
    }

    pub(crate) fn client(&self) -> &'a SmartClient {
        self.client
    }

    /// The URL of a call on this record: its row's path with the record id
    /// and then `rest` (unencoded) in its parameters.
    fn record_url(&self, call: CallId, rest: &[&str]) -> Result<Url> {
        let mut values = vec![self.token.record_id.as_str()];
        values.extend_from_slice(rest);
        self.client.call_url(call, &values)
    }

    fn preferences_url(&self, call: CallId) -> Result<Url> {
        let user = self.token.user_id.as_deref().ok_or_else(|| {
            crate::Error::InvalidQuery("this token has no user, so no preferences".into())
        })?;
        self.client.call_url(call, &[user, self.client.app_id()])
    }

    /// A call on this record about this app (the scratchpad's).
    fn own_app_url(&self, call: CallId) -> Result<Url> {
        self.record_url(call, &[self.client.app_id()])
    }
}
