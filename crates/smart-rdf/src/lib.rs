//! `smart-rdf`: the RDF/SPARQL side of SMART REST, over [oxigraph]'s in-memory store.
//!
//! - [`Graph::parse`] reads a response body (RDF/XML, Turtle, N-Triples or JSON-LD) into a graph;
//!   [`Graph::to_rdf_xml`] and [`Graph::to_turtle`] write it back.
//! - [`Graph::query`] (or a [`Query`] prepared once and run over many graphs) runs SPARQL 1.1
//!   SELECT, ASK and CONSTRUCT; SELECT rows hold our own [`Term`]s, with access by variable name
//!   and conversions to strings, numbers and dates. Plain and `xsd:string` literals are the same.
//! - Typed records, one for every kind a SMART container serves ([`Demographics`],
//!   [`Medication`], [`Fulfillment`], [`Problem`], [`Allergy`], [`Immunization`], [`LabResult`],
//!   [`LabPanel`], [`VitalSignSet`], [`Encounter`], [`ClinicalNote`], [`Procedure`],
//!   [`SocialHistory`], [`FamilyHistory`], [`Document`], [`Photograph`], [`User`]) come out of a
//!   graph with [`Graph::records`] (or [`Demographics::from_graph`]; [`Graph::new_record`] reads
//!   one a client sends), and a collection's [`ResponseSummary`] with
//!   [`ResponseSummary::from_graph`]. Missing optional fields are `None`; a missing required
//!   field is an [`Error::MissingField`] naming it.
//! - [`RecordWriter`] (or [`to_rdf_xml`]) writes records back as RDF/XML, the one writer of
//!   every document a container serves: write, parse and extract gives the same records.
//!
//! No oxigraph type appears in the public API, so the engine can change.
//!
//! [oxigraph]: https://crates.io/crates/oxigraph

mod error;
mod graph;
pub mod ns;
mod query;
mod rdfxml;
mod records;
mod summary;
mod term;
mod writer;

pub use error::Error;
pub use graph::{Graph, Syntax};
pub use query::{Query, QueryResult, Row, Rows};
pub use records::{
    Address, AllergenKind, Allergy, BASE64_ENCODING, BloodPressure, ClinicalNote, Code, CodedValue,
    Demographics, Document, Encounter, FamilyHistory, Fulfillment, Gender, Immunization, LabPanel,
    LabResult, Medication, Name, NoteFormat, Photograph, Problem, Procedure, Record, SHA_256,
    SocialHistory, User, ValueAndUnit, ValueRange, VitalSign, VitalSignSet,
};
pub use summary::ResponseSummary;
pub use term::{Literal, Term};
pub use writer::{RecordWriter, to_rdf_xml};

/// The seed's demographics query, as the reference app runs it.
pub const SEED_QUERY: &str = "PREFIX vc: <http://www.w3.org/2006/vcard/ns#>
SELECT ?given ?family
WHERE { [] vc:n ?vcard .
        OPTIONAL { ?vcard vc:given-name ?given . }
        OPTIONAL { ?vcard vc:family-name ?family . } }";
