//! The crate's one error type.

/// Everything that can go wrong while parsing, querying, extracting or writing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The content type names no RDF syntax this crate reads.
    #[error(
        "unsupported content type {0:?} (expected application/rdf+xml, text/turtle, application/n-triples or application/ld+json)"
    )]
    UnsupportedContentType(String),
    /// The document is not valid in its syntax.
    #[error("malformed {format} document{}: {message}", position.map(|(l, c)| format!(" at line {l}, column {c}")).unwrap_or_default())]
    Syntax {
        /// The syntax that was being parsed, e.g. `RDF/XML`.
        format: &'static str,
        /// The parser's description of the problem.
        message: String,
        /// The 1-based line and column of the problem, when the parser gives one.
        position: Option<(u64, u64)>,
    },
    /// A base IRI or a built IRI is not a valid IRI.
    #[error("invalid iri {iri:?}: {message}")]
    InvalidIri {
        /// The offending text.
        iri: String,
        /// Why it is not an IRI.
        message: String,
    },
    /// The SPARQL text does not parse.
    #[error("invalid sparql query: {0}")]
    QuerySyntax(String),
    /// The query failed while running.
    #[error("sparql evaluation failed: {0}")]
    QueryEvaluation(String),
    /// The query result is not of the kind the caller asked for.
    #[error("expected a {expected} query result, got {actual}")]
    WrongResultKind {
        /// What the caller asked for (`SELECT`, `ASK` or `CONSTRUCT`).
        expected: &'static str,
        /// What the query produced.
        actual: &'static str,
    },
    /// A solution has no binding for a variable the caller required.
    #[error("unbound variable ?{0}")]
    Unbound(String),
    /// A term cannot be converted to the asked type.
    #[error("cannot read {term} as {target}")]
    Conversion {
        /// The term, as N-Triples.
        term: String,
        /// The target type, e.g. `integer`.
        target: &'static str,
    },
    /// A record node lacks a required property.
    #[error("{record}: missing required field {field}")]
    MissingField {
        /// The record kind, e.g. `Medication`.
        record: &'static str,
        /// The field path, e.g. `drug_name.title`.
        field: String,
    },
    /// A record property has a value of the wrong shape or syntax.
    #[error("{record}: invalid field {field}: {message}")]
    InvalidField {
        /// The record kind, e.g. `Medication`.
        record: &'static str,
        /// The field path, e.g. `start_date`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The graph holds no node of the asked type, where exactly one is needed.
    #[error("no {0} node in the graph")]
    NotFound(&'static str),
    /// The graph holds several nodes of a type of which exactly one is needed.
    #[error("{count} {kind} nodes in the graph, expected one")]
    Ambiguous {
        /// The record kind.
        kind: &'static str,
        /// How many nodes were found.
        count: usize,
    },
    /// The store or the serializer failed.
    #[error("rdf engine failure: {0}")]
    Engine(String),
}
