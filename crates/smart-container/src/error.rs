//! The crate's error type.

/// Everything that can go wrong in the container outside a single HTTP
/// exchange (those become HTTP error responses inside the server).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database failed or holds something unexpected.
    #[error("storage: {0}")]
    Storage(String),
    /// The data key is missing, malformed or does not open a stored secret.
    #[error("data key: {0}")]
    Key(String),
    /// An app manifest breaks the schema; each entry names its field.
    #[error("invalid manifest:\n{}", .0.iter().map(|v| format!("  - {v}")).collect::<Vec<_>>().join("\n"))]
    InvalidManifest(Vec<String>),
    /// A named app, user or record does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A value given by the operator is not acceptable (weak secret, bad
    /// user name, ...).
    #[error("{0}")]
    Invalid(String),
    /// Reading a file or a URL failed.
    #[error("io: {0}")]
    Io(String),
    /// The RDF writer refused a document (a bug in what the container
    /// gives it).
    #[error("rdf")]
    Rdf(#[source] smart_rdf::Error),
    /// A bug or an unexpected state.
    #[error("internal: {0}")]
    Internal(String),
}
