//! The API calls, built from the one table of calls (`smart_api::CALLS`):
//! a route for each row, its handler chosen by a `match` on the row's
//! `CallId` (a row without a handler does not compile), and the two
//! documents that describe the table, `/manifest`'s `capabilities` and
//! `/ontology`.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::routing::{MethodFilter, MethodRouter, on};
use serde_json::{Value, json};
use smart_api::{CALLS, Call, CallId, HttpMethod, Node};
use smart_rdf::{Literal, RecordWriter, Term};

use super::api::Read;
use super::{AppState, api, background, documents, notes, preferences, search};
use crate::Error;

/// A route for every row of the table.
pub(super) fn routes() -> Router<AppState> {
    CALLS.iter().fold(Router::new(), |router, call| {
        router.route(call.path, handler(call))
    })
}

/// The handler of one row.
fn handler(call: &'static Call) -> MethodRouter<AppState> {
    let method = match call.method {
        HttpMethod::Get => MethodFilter::GET,
        HttpMethod::Put => MethodFilter::PUT,
        HttpMethod::Post => MethodFilter::POST,
        HttpMethod::Delete => MethodFilter::DELETE,
    };
    // The record data calls: one handler, told what the row reads.
    let read = move |read: Read| {
        move |State(s): State<AppState>, Path(record): Path<String>, r: Request| {
            api::record_data(s, record, read.clone(), call, r)
        }
    };
    let list = read(Read::Page);
    let single = read(Read::Single);
    let item =
        move |State(s): State<AppState>,
              Path((record, item)): Path<(String, String)>,
              r: Request| { api::record_data(s, record, Read::Item(item), call, r) };
    match call.id {
        CallId::ContainerManifest => on(method, api::container_manifest),
        CallId::Ontology => on(method, api::ontology),
        CallId::AppManifests => on(method, api::app_manifests),
        CallId::AppManifest => on(method, api::app_manifest),
        CallId::FirstRecordToken => on(method, background::first),
        CallId::NextRecordToken => on(method, background::next),
        CallId::RecordToken => on(method, background::record),
        CallId::SearchRecords => on(method, search::records),
        CallId::Demographics => on(method, read(Read::Demographics)),
        CallId::Allergies
        | CallId::ClinicalNotes
        | CallId::Encounters
        | CallId::FamilyHistory
        | CallId::Fulfillments
        | CallId::Immunizations
        | CallId::LabResults
        | CallId::Medications
        | CallId::Problems
        | CallId::Procedures
        | CallId::VitalSignSets => on(method, list),
        CallId::Allergy
        | CallId::ClinicalNote
        | CallId::Encounter
        | CallId::FamilyHistoryItem
        | CallId::Fulfillment
        | CallId::Immunization
        | CallId::LabResult
        | CallId::Medication
        | CallId::Problem
        | CallId::Procedure
        | CallId::VitalSignSet => on(method, item),
        CallId::SocialHistory | CallId::Photograph => on(method, single),
        CallId::Documents | CallId::LabPanels => on(method, list),
        CallId::LabPanel => on(method, item),
        CallId::Document => on(method, documents::document),
        CallId::PhotographImage => on(method, documents::photograph_image),
        CallId::PostClinicalNote => on(method, notes::post),
        CallId::Scratchpad => on(method, api::scratchpad),
        CallId::PutScratchpad => on(method, api::put_scratchpad),
        CallId::DeleteScratchpad => on(method, api::delete_scratchpad),
        CallId::SearchUsers => on(method, search::users),
        CallId::User => on(method, api::user),
        CallId::Preferences => on(method, preferences::get),
        CallId::PutPreferences => on(method, preferences::put),
        CallId::DeletePreferences => on(method, preferences::delete),
    }
}

/// `/manifest`'s `capabilities`: each type a call answers, with the
/// methods of the calls that answer it.
pub(crate) fn capabilities() -> serde_json::Map<String, Value> {
    let mut methods: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for call in CALLS {
        let list = methods.entry(call.target).or_default();
        if !list.contains(&call.method.as_str()) {
            list.push(call.method.as_str());
        }
    }
    methods
        .into_iter()
        .map(|(target, methods)| (target.to_owned(), json!({ "methods": methods })))
        .collect()
}

/// `/ontology`: the table's triples (`smart_api::ontology`) as RDF/XML,
/// written by `smart-rdf`.
pub(crate) fn ontology_document(api_base: &str) -> Result<String, Error> {
    let rdf = Error::Rdf;
    // The ontology belongs to no patient record: a container document.
    let mut writer = RecordWriter::for_container(api_base).map_err(rdf)?;
    let term = |node: &Node| match node {
        Node::Iri(iri) => Term::Iri(iri.clone()),
        Node::Blank(label) => Term::BlankNode(label.clone()),
        Node::Literal(text) => Literal::string(text.clone()).into(),
    };
    for t in smart_api::ontology() {
        writer
            .add_triple(&term(&t.subject), &t.predicate, &term(&t.object))
            .map_err(rdf)?;
    }
    writer.to_rdf_xml().map_err(rdf)
}
