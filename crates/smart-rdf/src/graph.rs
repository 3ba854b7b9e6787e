//! [`Graph`]: a parsed RDF document held in an in-memory store.

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer, RdfSyntaxError};
use oxigraph::model as ox;
use oxigraph::store::Store;

use crate::query::{Query, QueryResult, Rows};
use crate::records::Record;
use crate::{Error, Term};

/// The RDF syntaxes this crate reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Syntax {
    /// RDF/XML, `application/rdf+xml`: what SMART containers serve.
    RdfXml,
    /// Turtle, `text/turtle`.
    Turtle,
    /// N-Triples, `application/n-triples`.
    NTriples,
    /// JSON-LD, `application/ld+json` (read only).
    JsonLd,
}

impl Syntax {
    /// The syntax named by a content type (parameters such as `charset` are ignored).
    ///
    /// Accepts `application/rdf+xml` (and `application/xml`, `text/xml`), `text/turtle`
    /// (and `application/x-turtle`), `application/n-triples` and `application/ld+json`.
    pub fn from_content_type(content_type: &str) -> Result<Self, Error> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/rdf+xml" | "application/xml" | "text/xml" => Ok(Self::RdfXml),
            "text/turtle" | "application/x-turtle" => Ok(Self::Turtle),
            "application/n-triples" => Ok(Self::NTriples),
            "application/ld+json" => Ok(Self::JsonLd),
            _ => Err(Error::UnsupportedContentType(content_type.to_owned())),
        }
    }

    /// The canonical content type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::RdfXml => "application/rdf+xml",
            Self::Turtle => "text/turtle",
            Self::NTriples => "application/n-triples",
            Self::JsonLd => "application/ld+json",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::RdfXml => "RDF/XML",
            Self::Turtle => "Turtle",
            Self::NTriples => "N-Triples",
            Self::JsonLd => "JSON-LD",
        }
    }

    fn format(self) -> RdfFormat {
        match self {
            Self::RdfXml => RdfFormat::RdfXml,
            Self::Turtle => RdfFormat::Turtle,
            Self::NTriples => RdfFormat::NTriples,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
        }
    }
}

/// An RDF graph parsed from a SMART response, ready for SPARQL and record extraction.
///
/// ```
/// use smart_rdf::Graph;
///
/// let doc = br#"<?xml version="1.0"?>
/// <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
///          xmlns:v="http://www.w3.org/2006/vcard/ns#">
///   <rdf:Description rdf:about="http://localhost:7000/records/1/demographics">
///     <v:n><v:Name><v:given-name>Given</v:given-name><v:family-name>Family</v:family-name></v:Name></v:n>
///   </rdf:Description>
/// </rdf:RDF>"#;
/// let graph = Graph::parse(doc, "application/rdf+xml", None)?;
/// let rows = graph.select(
///     "PREFIX vc: <http://www.w3.org/2006/vcard/ns#>
///      SELECT ?given ?family
///      WHERE { [] vc:n ?vcard .
///              OPTIONAL { ?vcard vc:given-name ?given . }
///              OPTIONAL { ?vcard vc:family-name ?family . } }",
/// )?;
/// assert_eq!(rows.len(), 1);
/// assert_eq!(rows[0].string("given")?, "Given");
/// assert_eq!(rows[0].string("family")?, "Family");
/// # Ok::<(), smart_rdf::Error>(())
/// ```
pub struct Graph {
    pub(crate) store: Store,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("triples", &self.len())
            .finish()
    }
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Result<Self, Error> {
        Ok(Self {
            store: Store::new().map_err(engine)?,
        })
    }

    /// Parses a document of the given content type.
    ///
    /// `base_iri` resolves relative IRIs (use the request URL). Errors: an unsupported content
    /// type, an invalid base IRI, or a malformed document (with its line and column when the
    /// parser knows them).
    pub fn parse(body: &[u8], content_type: &str, base_iri: Option<&str>) -> Result<Self, Error> {
        Self::parse_syntax(body, Syntax::from_content_type(content_type)?, base_iri)
    }

    /// Parses a document in a known syntax.
    pub fn parse_syntax(
        body: &[u8],
        syntax: Syntax,
        base_iri: Option<&str>,
    ) -> Result<Self, Error> {
        let mut parser = RdfParser::from_format(syntax.format()).without_named_graphs();
        if let Some(base) = base_iri {
            parser = parser.with_base_iri(base).map_err(|e| Error::InvalidIri {
                iri: base.to_owned(),
                message: e.to_string(),
            })?;
        }
        if syntax == Syntax::RdfXml {
            check_xml_bounds(body)?;
        }
        // One document per store: its blank node labels cannot clash with another document's,
        // so we skip the renaming `Store::load_from_slice` does (about 9% of a load).
        let graph = Self::new()?;
        let mut transaction = graph.store.start_transaction().map_err(engine)?;
        for quad in parser.for_slice(body) {
            let quad = quad.map_err(|e| syntax_error(&e, syntax))?;
            transaction.insert(quad.as_ref());
        }
        transaction.commit().map_err(engine)?;
        Ok(graph)
    }

    /// The number of triples.
    pub fn len(&self) -> usize {
        self.store.len().unwrap_or(0)
    }

    /// Whether the graph has no triples.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty().unwrap_or(true)
    }

    /// Every triple, as `(subject, predicate, object)` terms, in no particular order.
    pub fn triples(&self) -> Result<Vec<(Term, Term, Term)>, Error> {
        self.store
            .iter()
            .map(|q| {
                let q = q.map_err(engine)?;
                Ok((
                    Term::from_ox(&q.subject.into()),
                    Term::Iri(q.predicate.into_string()),
                    Term::from_ox(&q.object),
                ))
            })
            .collect()
    }

    /// Runs a SPARQL query (SELECT, ASK or CONSTRUCT/DESCRIBE). To run one query over many
    /// graphs, prepare it once with [`Query::new`].
    pub fn query(&self, sparql: &str) -> Result<QueryResult, Error> {
        Query::new(sparql)?.run(self)
    }

    /// Runs a SPARQL SELECT query and returns its rows.
    pub fn select(&self, sparql: &str) -> Result<Rows, Error> {
        Query::new(sparql)?.select(self)
    }

    /// Runs a SPARQL ASK query.
    pub fn ask(&self, sparql: &str) -> Result<bool, Error> {
        Query::new(sparql)?.ask(self)
    }

    /// Runs a SPARQL CONSTRUCT (or DESCRIBE) query and returns the built graph.
    pub fn construct(&self, sparql: &str) -> Result<Graph, Error> {
        Query::new(sparql)?.construct(self)
    }

    /// Extracts every record of kind `R` (every node typed `R::TYPE`), sorted by id.
    ///
    /// A node lacking a required field makes the whole call fail with an error naming the field.
    pub fn records<R: Record>(&self) -> Result<Vec<R>, Error> {
        crate::records::extract_all(self)
    }

    /// Reads the one record of kind `R` a client sends to be stored (a clinical note an app
    /// posts): exactly one node typed `R::TYPE`, an IRI or a blank node (its id is then
    /// empty), with every required field. Anything else is an error naming what is wrong.
    ///
    /// ```
    /// use smart_rdf::{ClinicalNote, Graph};
    ///
    /// let body = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    ///     xmlns:sp="http://smartplatforms.org/terms#" xmlns:dcterms="http://purl.org/dc/terms/">
    ///   <sp:ClinicalNote>
    ///     <dcterms:date>2012-05-17</dcterms:date>
    ///     <dcterms:title>Follow-up</dcterms:title>
    ///     <sp:value>Doing well.</sp:value>
    ///   </sp:ClinicalNote>
    /// </rdf:RDF>"#;
    /// let graph = Graph::parse(body.as_bytes(), "application/rdf+xml", None)?;
    /// let note: ClinicalNote = graph.new_record()?;
    /// assert_eq!((note.id.as_str(), note.title.as_str()), ("", "Follow-up"));
    ///
    /// let no_title = body.replace("<dcterms:title>Follow-up</dcterms:title>", "");
    /// let graph = Graph::parse(no_title.as_bytes(), "application/rdf+xml", None)?;
    /// let err = graph.new_record::<ClinicalNote>().unwrap_err();
    /// assert_eq!(err.to_string(), "ClinicalNote: missing required field title");
    /// # Ok::<(), smart_rdf::Error>(())
    /// ```
    pub fn new_record<R: Record>(&self) -> Result<R, Error> {
        crate::records::extract_new(self)
    }

    /// Serializes the graph in the given syntax (RDF/XML, Turtle or N-Triples).
    pub fn serialize(&self, syntax: Syntax) -> Result<String, Error> {
        match syntax {
            Syntax::JsonLd => return Err(Error::Engine("json-ld output is not supported".into())),
            Syntax::RdfXml => return self.to_rdf_xml(),
            _ => {}
        }
        let mut ser = prefixed(RdfSerializer::from_format(syntax.format())).for_writer(Vec::new());
        for quad in self.store.iter() {
            let quad = quad.map_err(engine)?;
            ser.serialize_triple(quad.as_ref()).map_err(engine)?;
        }
        let bytes = ser.finish().map_err(engine)?;
        String::from_utf8(bytes).map_err(engine)
    }

    /// Serializes the graph as RDF/XML, nesting nodes as [`RecordWriter`](crate::RecordWriter)
    /// does. Text XML cannot hold (most control characters) is an error.
    pub fn to_rdf_xml(&self) -> Result<String, Error> {
        let triples = self
            .store
            .iter()
            .map(|q| q.map(ox::Triple::from).map_err(engine))
            .collect::<Result<Vec<_>, Error>>()?;
        crate::rdfxml::write(&triples)
    }

    /// Serializes the graph as Turtle.
    pub fn to_turtle(&self) -> Result<String, Error> {
        self.serialize(Syntax::Turtle)
    }

    pub(crate) fn from_triples(triples: &[ox::Triple]) -> Result<Self, Error> {
        let graph = Self::new()?;
        graph
            .store
            .extend(
                triples
                    .iter()
                    .map(|t| t.as_ref().in_graph(ox::GraphNameRef::DefaultGraph)),
            )
            .map_err(engine)?;
        Ok(graph)
    }
}

/// Adds the SMART prefixes to a serializer.
pub(crate) fn prefixed(mut ser: RdfSerializer) -> RdfSerializer {
    for (prefix, ns) in crate::records::PREFIXES {
        ser = match ser.clone().with_prefix(*prefix, *ns) {
            Ok(s) => s,
            Err(_) => ser,
        };
    }
    ser
}

pub(crate) fn engine(e: impl std::fmt::Display) -> Error {
    Error::Engine(e.to_string())
}

/// Refuses the truncated documents the RDF/XML parser lets through: it accepts a document
/// that ends with elements still open, so we check that the document ends by closing its root.
fn check_xml_bounds(body: &[u8]) -> Result<(), Error> {
    let message = match root_element(body) {
        None => "no root element",
        Some(root) if !closes_root(root) => {
            "document does not end with the root element's end tag (truncated?)"
        }
        Some(_) => return Ok(()),
    };
    Err(Error::Syntax {
        format: Syntax::RdfXml.name(),
        message: message.into(),
        position: None,
    })
}

/// The part of an XML document from its root element's `<` on, after the prolog
/// (declaration, comments, doctype).
fn root_element(mut body: &[u8]) -> Option<&[u8]> {
    if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF") {
        body = rest;
    }
    loop {
        body = body.trim_ascii_start();
        let next = if body.starts_with(b"<?") {
            find(body, b"?>")
        } else if body.starts_with(b"<!--") {
            find(body, b"-->")
        } else if body.starts_with(b"<!") {
            // A doctype, possibly with an internal subset in brackets.
            let close = body.iter().position(|&b| b == b'>')?;
            match body.iter().position(|&b| b == b'[') {
                Some(open) if open < close => {
                    let i = find(body, b"]")?;
                    body[i..].iter().position(|&b| b == b'>').map(|j| i + j + 1)
                }
                _ => Some(close + 1),
            }
        } else {
            return (body.first() == Some(&b'<')).then_some(body);
        };
        body = &body[next?..];
    }
}

/// Whether `root` (starting at the root element's `<`) ends with the root's end tag, or is a
/// lone empty-element tag, followed by nothing but comments, processing instructions and space.
fn closes_root(root: &[u8]) -> bool {
    let name_len = root[1..]
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .unwrap_or(root.len() - 1);
    let name = &root[1..1 + name_len];
    let mut end = root.trim_ascii_end();
    loop {
        if end.ends_with(b"-->") {
            match rfind(end, b"<!--") {
                Some(i) => end = end[..i].trim_ascii_end(),
                None => return false,
            }
        } else if end.ends_with(b"?>") {
            match rfind(end, b"<?") {
                Some(i) => end = end[..i].trim_ascii_end(),
                None => return false,
            }
        } else {
            break;
        }
    }
    let Some(without_gt) = end.strip_suffix(b">") else {
        return false;
    };
    match rfind(without_gt, b"</") {
        Some(i) => without_gt[i + 2..].trim_ascii_end() == name,
        // No end tag at all: only a lone `<root .../>` is complete.
        None => without_gt.ends_with(b"/") && !without_gt[1..].contains(&b'<'),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + needle.len())
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn syntax_error(e: &RdfSyntaxError, syntax: Syntax) -> Error {
    Error::Syntax {
        format: syntax.name(),
        position: e.location().map(|r| (r.start.line + 1, r.start.column + 1)),
        message: e.to_string(),
    }
}
