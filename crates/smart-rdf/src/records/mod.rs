//! Typed SMART records: the [`Record`] trait, the shared value types and the extraction entry points.
//!
//! Extraction: [`Graph::records::<R>()`](crate::Graph::records) returns every IRI node typed
//! [`R::TYPE`](Record::TYPE), sorted by id; [`Demographics::from_graph`] returns the one
//! demographics node; [`ResponseSummary::from_graph`](crate::ResponseSummary::from_graph)
//! returns a collection's summary, if any. Writing: [`RecordWriter`](crate::RecordWriter).

mod clinical;
mod demographics;
mod documents;
mod history;
pub(crate) mod node;
mod observations;

use std::fmt;

use chrono::NaiveDate;
use oxigraph::model as ox;
use oxigraph::model::{GraphNameRef, NamedNodeRef};

use crate::graph::engine;
use crate::ns::{self, codes, dcterms, rdf, sp};
use crate::{Error, Graph};
pub use clinical::{AllergenKind, Allergy, Immunization, Medication, Problem};
pub use demographics::{Address, Demographics, Gender, Name};
pub use documents::{BASE64_ENCODING, Document, LabPanel, Photograph, SHA_256, User};
pub use history::{ClinicalNote, FamilyHistory, Fulfillment, NoteFormat, Procedure, SocialHistory};
use node::{Node, Out};
pub use observations::{BloodPressure, Encounter, LabResult, ValueRange, VitalSign, VitalSignSet};

/// A kind of SMART record: what the container serves in a collection and the client extracts.
///
/// The trait is sealed: the crate implements it for each record type. Every record's
/// statement IRI is [`Record::uri`], by default `{api_base}/records/{record_id}/{COLLECTION}/{id}`.
#[allow(
    private_bounds,
    reason = "sealed trait: the codec is an implementation detail"
)]
pub trait Record: Codec + Clone + fmt::Debug + PartialEq {
    /// The collection's path segment under `/records/{record_id}/`, e.g. `medications`.
    const COLLECTION: &'static str;
    /// The `rdf:type` IRI of the record node, e.g. [`sp::MEDICATION`].
    const TYPE: &'static str;
    /// The record kind's name, used in error messages, e.g. `Medication`.
    const NAME: &'static str;
    /// Whether the record belongs to a patient record (`sp:belongsTo`); users do not.
    const IN_RECORD: bool = true;
    /// Whether the kind is the one item of its call with no id of its own (demographics).
    const SINGLE: bool = false;

    /// The record id: the last path segment of the statement IRI.
    fn id(&self) -> &str;

    /// The date used by `date_from`/`date_to` filters and newest-first ordering;
    /// each type documents which field it is. `None` when the record has no date.
    fn date(&self) -> Option<NaiveDate>;

    /// The statement IRI of this record in the given record.
    fn uri(&self, api_base: &str, record_id: &str) -> String {
        format!(
            "{}/records/{record_id}/{}/{}",
            api_base.trim_end_matches('/'),
            Self::COLLECTION,
            self.id()
        )
    }
}

/// How a record type reads itself from a node and writes itself as triples.
pub(crate) trait Codec: Sized {
    fn read(node: &Node<'_>) -> Result<Self, Error>;
    fn write(&self, out: &mut Out, subject: &ox::NamedOrBlankNode) -> Result<(), Error>;
}

/// A code from a code system (`sp:Code`), such as an RxNorm drug or a medical record number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Code {
    /// The code's IRI (e.g. `http://purl.bioontology.org/ontology/RXNORM/856845`);
    /// `None` when the code is a blank node, as medical record numbers are.
    pub uri: Option<String>,
    /// The code system (`sp:system`), e.g. [`codes::RXNORM`] or `My Hospital Record`.
    pub system: String,
    /// The code within its system (`dcterms:identifier`).
    pub identifier: String,
    /// A human-readable label (`dcterms:title`).
    pub title: Option<String>,
}

impl Code {
    /// A code of a system whose codes are IRIs (`system` + `identifier`), e.g. RxNorm.
    pub fn in_system(system: &str, identifier: &str, title: Option<&str>) -> Self {
        Self {
            uri: Some(format!("{system}{identifier}")),
            system: system.to_owned(),
            identifier: identifier.to_owned(),
            title: title.map(str::to_owned),
        }
    }

    /// An RxNorm code.
    pub fn rxnorm(identifier: &str, title: Option<&str>) -> Self {
        Self::in_system(codes::RXNORM, identifier, title)
    }

    /// A SNOMED CT code.
    pub fn snomed(identifier: &str, title: Option<&str>) -> Self {
        Self::in_system(codes::SNOMED, identifier, title)
    }

    /// A LOINC code.
    pub fn loinc(identifier: &str, title: Option<&str>) -> Self {
        Self::in_system(codes::LOINC, identifier, title)
    }

    pub(crate) fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            uri: node.iri().map(str::to_owned),
            system: node.str(sp::SYSTEM, "system")?,
            identifier: node.str(dcterms::IDENTIFIER, "identifier")?,
            title: node.opt_str(dcterms::TITLE, "title")?,
        })
    }

    pub(crate) fn write(&self, out: &mut Out) -> Result<ox::NamedOrBlankNode, Error> {
        let node = match &self.uri {
            Some(uri) => Out::iri(uri)?,
            None => out.blank(),
        };
        out.typed(&node, sp::CODE);
        out.opt_lit(&node, dcterms::TITLE, self.title.as_deref());
        out.lit(&node, sp::SYSTEM, &self.system);
        out.lit(&node, dcterms::IDENTIFIER, &self.identifier);
        Ok(node)
    }
}

/// A coded value (`sp:CodedValue`): a title and, usually, the code it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodedValue {
    /// The displayed text (`dcterms:title`), e.g. `AMITRIPTYLINE HCL 50 MG TAB`.
    pub title: String,
    /// The code (`sp:code`).
    pub code: Option<Code>,
}

impl CodedValue {
    /// A coded value with a code.
    pub fn new(title: &str, code: Code) -> Self {
        Self {
            title: title.to_owned(),
            code: Some(code),
        }
    }

    pub(crate) fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            title: node.str(dcterms::TITLE, "title")?,
            code: node
                .opt_child(sp::CODE_PROP, "code")?
                .map(|c| Code::read(&c))
                .transpose()?,
        })
    }

    pub(crate) fn write(&self, out: &mut Out) -> Result<ox::NamedOrBlankNode, Error> {
        let node = out.blank();
        out.typed(&node, sp::CODED_VALUE);
        out.lit(&node, dcterms::TITLE, &self.title);
        if let Some(code) = &self.code {
            let c = code.write(out)?;
            out.node(&node, sp::CODE_PROP, &c);
        }
        Ok(node)
    }
}

/// A quantity (`sp:ValueAndUnit`): a decimal value, kept as written, and a UCUM unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValueAndUnit {
    /// The value as written, e.g. `2` or `37.5` (see [`ValueAndUnit::as_f64`]).
    pub value: String,
    /// The UCUM unit, e.g. `{tablet}`, `/d`, `mg`.
    pub unit: String,
}

impl ValueAndUnit {
    /// A quantity from its value text and unit.
    pub fn new(value: impl Into<String>, unit: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            unit: unit.into(),
        }
    }

    /// The value as a number, `None` when the text is not one.
    pub fn as_f64(&self) -> Option<f64> {
        self.value.trim().parse().ok()
    }

    pub(crate) fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            value: node.str(sp::VALUE, "value")?,
            unit: node.str(sp::UNIT, "unit")?,
        })
    }

    pub(crate) fn write(&self, out: &mut Out) -> ox::NamedOrBlankNode {
        let node = out.blank();
        out.typed(&node, sp::VALUE_AND_UNIT);
        out.lit(&node, sp::VALUE, &self.value);
        out.lit(&node, sp::UNIT, &self.unit);
        node
    }
}

/// The namespace prefixes used when writing.
pub(crate) const PREFIXES: &[(&str, &str)] = &[
    ("sp", ns::sp::NS),
    ("v", ns::vcard::NS),
    ("foaf", ns::foaf::NS),
    ("dcterms", ns::dcterms::NS),
    ("api", ns::api::NS),
];

/// Reads an optional coded value child.
pub(crate) fn opt_coded(
    node: &Node<'_>,
    predicate: &str,
    field: &str,
) -> Result<Option<CodedValue>, Error> {
    node.opt_child(predicate, field)?
        .map(|c| CodedValue::read(&c))
        .transpose()
}

/// Reads a required coded value child.
pub(crate) fn coded(node: &Node<'_>, predicate: &str, field: &str) -> Result<CodedValue, Error> {
    CodedValue::read(&node.child(predicate, field)?)
}

/// Writes an optional coded value child.
pub(crate) fn write_opt_coded(
    out: &mut Out,
    s: &ox::NamedOrBlankNode,
    predicate: &str,
    value: Option<&CodedValue>,
) -> Result<(), Error> {
    if let Some(v) = value {
        let n = v.write(out)?;
        out.node(s, predicate, &n);
    }
    Ok(())
}

/// Every node typed `type_iri`.
pub(crate) fn typed_nodes(
    graph: &Graph,
    type_iri: &str,
) -> Result<Vec<ox::NamedOrBlankNode>, Error> {
    graph
        .store
        .quads_for_pattern(
            None,
            Some(NamedNodeRef::new_unchecked(rdf::TYPE)),
            Some(NamedNodeRef::new_unchecked(type_iri).into()),
            Some(GraphNameRef::DefaultGraph),
        )
        .map(|q| q.map(|q| q.subject).map_err(engine))
        .collect()
}

/// Reads the one node typed `R::TYPE`, an IRI or a blank node (a record an app sends, which
/// has no id yet: its id is then empty). None, or more than one, is an error.
pub(crate) fn extract_new<R: Record>(graph: &Graph) -> Result<R, Error> {
    let mut nodes = typed_nodes(graph, R::TYPE)?;
    if nodes.len() != 1 {
        return Err(Error::InvalidField {
            record: R::NAME,
            field: "rdf:type".into(),
            message: format!(
                "expected exactly one node typed <{}>, found {}",
                R::TYPE,
                nodes.len()
            ),
        });
    }
    let node = nodes.remove(0);
    R::read(&Node::new(graph, node, R::NAME).allowing_blank_id())
}

/// Extracts every record of kind `R`, sorted by id.
///
/// Only IRI nodes are records: a blank node of the same type is part of another record
/// (a vital sign set's `sp:encounter`, for instance).
pub(crate) fn extract_all<R: Record>(graph: &Graph) -> Result<Vec<R>, Error> {
    let mut records = typed_nodes(graph, R::TYPE)?
        .into_iter()
        .filter(|n| matches!(n, ox::NamedOrBlankNode::NamedNode(_)))
        .map(|n| R::read(&Node::new(graph, n, R::NAME)))
        .collect::<Result<Vec<R>, Error>>()?;
    records.sort_by(|a, b| a.id().cmp(b.id()));
    Ok(records)
}
