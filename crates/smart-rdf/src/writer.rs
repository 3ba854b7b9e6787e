//! Writing records as RDF: what a container serves.

use oxigraph::io::RdfSerializer;

use crate::graph::{Syntax, engine, prefixed};
use crate::ns::sp;
use crate::records::Record;
use crate::records::node::Out;
use oxigraph::model as ox;

use crate::{Error, Graph, ResponseSummary, Term};

/// Builds the RDF document for records of one patient record.
///
/// Each record becomes a node `<{api_base}/records/{record_id}/{collection}/{id}>` typed with
/// its kind and linked to the record by `sp:belongsTo <{api_base}/records/{record_id}>`.
///
/// ```
/// use chrono::NaiveDate;
/// use smart_rdf::{Code, CodedValue, Graph, Medication, RecordWriter, ResponseSummary};
///
/// let med = Medication {
///     id: "7".into(),
///     drug_name: CodedValue::new("AMITRIPTYLINE HCL 50 MG TAB", Code::rxnorm("856845", None)),
///     start_date: NaiveDate::from_ymd_opt(2007, 3, 14).unwrap(),
///     end_date: None,
///     instructions: Some("Take one tablet at bedtime".into()),
///     quantity: None,
///     frequency: None,
/// };
/// let mut writer = RecordWriter::new("http://localhost:7000", "1540505")?;
/// writer.add(&med)?;
/// writer.add_summary(&ResponseSummary { total_result_count: 1, results_returned: 1, ..Default::default() })?;
/// let xml = writer.to_rdf_xml()?;
///
/// let graph = Graph::parse(xml.as_bytes(), "application/rdf+xml", None)?;
/// assert_eq!(graph.records::<Medication>()?, vec![med]);
/// # Ok::<(), smart_rdf::Error>(())
/// ```
pub struct RecordWriter {
    api_base: String,
    /// The patient record the records added belong to; `None` for a document of the
    /// container (users, the ontology, an empty document).
    record_id: Option<String>,
    out: Out,
}

impl std::fmt::Debug for RecordWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordWriter")
            .field("api_base", &self.api_base)
            .field("record_id", &self.record_id)
            .field("triples", &self.out.triples.len())
            .finish()
    }
}

impl RecordWriter {
    /// A writer for the record `record_id` of the container at `api_base`.
    ///
    /// The record id must be a non-empty path segment (no `/`, `?` or `#`).
    pub fn new(api_base: &str, record_id: &str) -> Result<Self, Error> {
        check_segment("record_id", record_id)?;
        let api_base = api_base.trim_end_matches('/').to_owned();
        Out::iri(&format!("{api_base}/records/{record_id}"))?;
        Ok(Self {
            api_base,
            record_id: Some(record_id.to_owned()),
            out: Out::new(),
        })
    }

    /// A writer for a document of the container at `api_base` that belongs to no patient
    /// record: users ([`User`](crate::User)), or triples added one by one (an ontology). Adding
    /// a record that belongs to a record is an error until [`RecordWriter::switch_record`].
    /// Written with nothing added, it is an empty RDF/XML document.
    ///
    /// ```
    /// use smart_rdf::{Graph, RecordWriter, User};
    ///
    /// let mut w = RecordWriter::for_container("http://localhost:7000")?;
    /// let user = User { id: "joshua".into(), given_name: "Joshua".into(), family_name: "Mandel".into() };
    /// w.add(&user)?;
    /// let g = Graph::parse(w.to_rdf_xml()?.as_bytes(), "application/rdf+xml", None)?;
    /// assert_eq!(g.records::<User>()?, vec![user]);
    /// # Ok::<(), smart_rdf::Error>(())
    /// ```
    pub fn for_container(api_base: &str) -> Result<Self, Error> {
        let api_base = api_base.trim_end_matches('/').to_owned();
        Out::iri(&api_base)?;
        Ok(Self {
            api_base,
            record_id: None,
            out: Out::new(),
        })
    }

    /// Moves the writer on to another record of the same container: the
    /// records added next belong to it, those added before keep theirs. A
    /// search reply holds the demographics of several records this way.
    ///
    /// The record id must be a non-empty path segment (no `/`, `?` or `#`).
    pub fn switch_record(&mut self, record_id: &str) -> Result<&mut Self, Error> {
        check_segment("record_id", record_id)?;
        Out::iri(&format!("{}/records/{record_id}", self.api_base))?;
        self.record_id = Some(record_id.to_owned());
        Ok(self)
    }

    /// The record's IRI, `{api_base}/records/{record_id}`; `None` for a container writer.
    pub fn record_uri(&self) -> Option<String> {
        self.record_id
            .as_ref()
            .map(|id| format!("{}/records/{id}", self.api_base))
    }

    /// Adds one record. Its id must be a non-empty path segment (demographics have none).
    /// On error nothing of the record is kept.
    pub fn add<R: Record>(&mut self, record: &R) -> Result<&mut Self, Error> {
        if !R::SINGLE {
            check_segment("id", record.id())?;
        }
        let record_uri = self.record_uri();
        let record_id = self.record_id.as_deref().unwrap_or_default();
        if R::IN_RECORD && record_uri.is_none() {
            return Err(Error::InvalidField {
                record: R::NAME,
                field: "record_id".into(),
                message: "a container writer has no patient record to add this to".into(),
            });
        }
        let subject = Out::iri(&record.uri(&self.api_base, record_id))?;
        let before = self.out.triples.len();
        self.out.typed(&subject, R::TYPE);
        let written = match record_uri.filter(|_| R::IN_RECORD) {
            Some(uri) => self.out.link(&subject, sp::BELONGS_TO, &uri),
            None => Ok(()),
        }
        .and_then(|()| record.write(&mut self.out, &subject));
        if let Err(e) = written {
            self.out.triples.truncate(before);
            return Err(e);
        }
        Ok(self)
    }

    /// Adds several records.
    pub fn add_all<'r, R: Record + 'r>(
        &mut self,
        records: impl IntoIterator<Item = &'r R>,
    ) -> Result<&mut Self, Error> {
        for r in records {
            self.add(r)?;
        }
        Ok(self)
    }

    /// Adds the `api:ResponseSummary` node of a collection reply.
    pub fn add_summary(&mut self, summary: &ResponseSummary) -> Result<&mut Self, Error> {
        let before = self.out.triples.len();
        if let Err(e) = summary.write(&mut self.out) {
            self.out.triples.truncate(before);
            return Err(e);
        }
        Ok(self)
    }

    /// Adds one triple: for documents that are not records (an ontology) or properties this
    /// crate does not type. The subject is an IRI or a blank node; blank node
    /// labels are the caller's own and never clash with the writer's.
    ///
    /// ```
    /// use smart_rdf::{Graph, Literal, RecordWriter, Term};
    ///
    /// let mut w = RecordWriter::new("http://localhost:7000", "1")?;
    /// let note = Term::Iri("http://localhost:7000/records/1/clinical_notes/c1".into());
    /// w.add_triple(&note, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    ///              &Term::Iri("http://smartplatforms.org/terms#ClinicalNote".into()))?;
    /// w.add_triple(&note, "http://purl.org/dc/terms/title", &Literal::string("Follow-up").into())?;
    /// let g = Graph::parse(w.to_rdf_xml()?.as_bytes(), "application/rdf+xml", None)?;
    /// assert_eq!(g.len(), 2);
    /// # Ok::<(), smart_rdf::Error>(())
    /// ```
    pub fn add_triple(
        &mut self,
        subject: &Term,
        predicate: &str,
        object: &Term,
    ) -> Result<&mut Self, Error> {
        let s = match subject {
            Term::Literal(_) => {
                return Err(Error::InvalidIri {
                    iri: subject.to_string(),
                    message: "a literal cannot be a subject".into(),
                });
            }
            other => node(other)?,
        };
        let p = ox::NamedNode::new(predicate).map_err(|e| Error::InvalidIri {
            iri: predicate.to_owned(),
            message: e.to_string(),
        })?;
        let o: ox::Term = match object {
            Term::Literal(l) => match l.language() {
                Some(lang) => ox::Literal::new_language_tagged_literal(l.value(), lang)
                    .map_err(|e| Error::InvalidIri {
                        iri: lang.to_owned(),
                        message: e.to_string(),
                    })?
                    .into(),
                None => {
                    ox::Literal::new_typed_literal(l.value(), Out::iri_node(l.datatype())?).into()
                }
            },
            other => node(other)?.into(),
        };
        self.out.triples.push(ox::Triple::new(s, p, o));
        Ok(self)
    }

    /// The number of triples written so far.
    pub fn len(&self) -> usize {
        self.out.triples.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.out.triples.is_empty()
    }

    /// The document as RDF/XML (`application/rdf+xml`), nested as the original container wrote
    /// it: each record a typed node element, its blank nodes and codes inside it.
    ///
    /// Text that XML cannot hold (most control characters) is an error.
    pub fn to_rdf_xml(&self) -> Result<String, Error> {
        crate::rdfxml::write(&self.out.triples)
    }

    /// The document as Turtle.
    pub fn to_turtle(&self) -> Result<String, Error> {
        self.serialize(Syntax::Turtle)
    }

    /// The document in RDF/XML, Turtle or N-Triples.
    pub fn serialize(&self, syntax: Syntax) -> Result<String, Error> {
        let format = match syntax {
            Syntax::RdfXml => return self.to_rdf_xml(),
            Syntax::Turtle => oxigraph::io::RdfFormat::Turtle,
            Syntax::NTriples => oxigraph::io::RdfFormat::NTriples,
            Syntax::JsonLd => return Err(Error::Engine("json-ld output is not supported".into())),
        };
        let mut ser = prefixed(RdfSerializer::from_format(format)).for_writer(Vec::new());
        for t in &self.out.triples {
            ser.serialize_triple(t).map_err(engine)?;
        }
        String::from_utf8(ser.finish().map_err(engine)?).map_err(engine)
    }

    /// The document as a [`Graph`], without serializing.
    pub fn to_graph(&self) -> Result<Graph, Error> {
        Graph::from_triples(&self.out.triples)
    }
}

/// RDF/XML for a set of records of one patient record, with an optional collection summary.
pub fn to_rdf_xml<R: Record>(
    api_base: &str,
    record_id: &str,
    records: &[R],
    summary: Option<&ResponseSummary>,
) -> Result<String, Error> {
    let mut writer = RecordWriter::new(api_base, record_id)?;
    writer.add_all(records)?;
    if let Some(s) = summary {
        writer.add_summary(s)?;
    }
    writer.to_rdf_xml()
}

/// An IRI or blank node term as an engine node; caller blank labels get a `u` prefix, the
/// writer's own are `n1`, `n2`...
fn node(term: &Term) -> Result<ox::NamedOrBlankNode, Error> {
    match term {
        Term::BlankNode(label) => ox::BlankNode::new(format!("u{label}"))
            .map(Into::into)
            .map_err(|e| Error::InvalidIri {
                iri: format!("_:{label}"),
                message: e.to_string(),
            }),
        other => Out::iri(other.as_str()),
    }
}

fn check_segment(what: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() || value.contains(['/', '?', '#']) {
        return Err(Error::InvalidField {
            record: "RecordWriter",
            field: what.to_owned(),
            message: format!("{value:?} is not a non-empty path segment"),
        });
    }
    Ok(())
}
