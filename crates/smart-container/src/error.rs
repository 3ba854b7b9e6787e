//! The crate's error types. Each variant keeps the error it comes from as its
//! [`source`](std::error::Error::source), so a caller can tell kinds apart
//! (downcast the source) and a log line can show the whole chain
//! ([`Error::report`]); the `Display` of each level says only what that
//! level adds.

use std::fmt;
use std::path::PathBuf;

use crate::crypto::KEY_ENV;

/// Everything that can go wrong in the container outside a single HTTP
/// exchange (those become HTTP error responses inside the server).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database failed or holds something unexpected.
    #[error("storage")]
    Storage(#[from] StorageError),
    /// The data key is missing, malformed or does not open a stored secret.
    #[error("data key")]
    Key(#[from] KeyError),
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
    /// A URL given by the operator does not parse.
    #[error("{what} `{url}` is not a URL")]
    InvalidUrl {
        /// Which setting holds it (a flag or variable name).
        what: String,
        /// The value given.
        url: String,
        /// Why it does not parse.
        #[source]
        source: url::ParseError,
    },
    /// The PostgreSQL connection string does not parse. The string itself
    /// is not repeated: it may hold a password.
    #[error("the database URL is not valid")]
    DatabaseUrl(#[source] tokio_postgres::Error),
    /// A file, socket or terminal operation failed.
    #[error("cannot {what}")]
    Io {
        /// What was attempted, with the path or address it concerned
        /// ("read /etc/app.json").
        what: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Fetching a document (an app manifest) over HTTP failed.
    #[error("cannot fetch {url}")]
    Fetch {
        /// The address fetched.
        url: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// A fetched document came back with an error status.
    #[error("cannot fetch {url}: status {status}")]
    FetchStatus {
        /// The address fetched.
        url: String,
        /// The status the server answered with.
        status: u16,
    },
    /// The RDF writer refused a document (a bug in what the container
    /// gives it).
    #[error("rdf")]
    Rdf(#[source] smart_rdf::Error),
    /// A value the container writes as JSON did not serialise.
    #[error("cannot write {what} as JSON")]
    ToJson {
        /// What was being written ("an app manifest").
        what: &'static str,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
    /// Hashing a password failed.
    #[error("password hashing failed")]
    PasswordHash(#[source] argon2::password_hash::Error),
    /// A task on the blocking pool panicked or was cancelled.
    #[error("a blocking task failed")]
    Task(#[from] tokio::task::JoinError),
}

impl Error {
    /// A constructor for `map_err` on an I/O result: `what` says what was
    /// attempted, with its path ("create /var/lib/smart").
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }

    /// The error followed by each of its sources, separated by `: `, for a
    /// log line or a message to the operator.
    #[must_use]
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(StorageError::Sqlite(e))
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Storage(StorageError::Postgres(e))
    }
}

impl From<UnexpectedValue> for Error {
    fn from(e: UnexpectedValue) -> Self {
        Self::Storage(StorageError::Unexpected(e))
    }
}

/// An error and its sources, one after the other (see [`Error::report`]).
pub struct Report<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What is wrong with the data key, or with a secret sealed with it. No
/// variant holds key material or a secret's bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// `SMART_CONTAINER_KEY` is set but is not 64 hex digits.
    #[error("{KEY_ENV} must be 64 hex digits")]
    MalformedVariable,
    /// The key file does not hold 64 hex digits.
    #[error("{} must hold 64 hex digits", path.display())]
    MalformedFile {
        /// The key file.
        path: PathBuf,
    },
    /// The database exists but its key file does not.
    #[error("{} is missing for an existing database: set {KEY_ENV} or restore the file", path.display())]
    Missing {
        /// Where the key file should be.
        path: PathBuf,
    },
    /// The key file can be read by other users.
    #[error("{} is readable by others (mode {mode:o}); run `chmod 600` on it", path.display())]
    Exposed {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The cipher refused to seal a secret.
    #[error("sealing a secret failed")]
    Seal,
    /// A sealed secret is shorter than its nonce.
    #[error("a sealed secret is too short")]
    TooShort,
    /// A sealed secret does not open with this key for its row: another
    /// data key, or a value moved or altered in the database.
    #[error("cannot decrypt a stored secret: wrong data key?")]
    Open,
    /// An opened secret is not UTF-8 (its bytes are not kept).
    #[error("a stored secret is not UTF-8")]
    NotUtf8,
}

/// What failed in the database layer; the driver's or pool's own error is
/// the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The embedded SQLite database failed.
    #[error("SQLite")]
    Sqlite(#[source] rusqlite::Error),
    /// The PostgreSQL server or the connection to it failed. Its message may
    /// carry the server's DETAIL line (a row's key, never a cleartext
    /// secret: the store keeps secrets sealed and passwords hashed).
    #[error("PostgreSQL")]
    Postgres(#[source] tokio_postgres::Error),
    /// No pooled PostgreSQL connection could be had (timeout, closed pool).
    #[error("the PostgreSQL connection pool")]
    Pool(#[source] deadpool_postgres::PoolError),
    /// The PostgreSQL connection pool could not be built.
    #[error("cannot build the PostgreSQL connection pool")]
    PoolBuild(#[source] deadpool_postgres::BuildError),
    /// The database holds something the container did not write there or
    /// cannot read back.
    #[error("the database holds an unexpected value")]
    Unexpected(#[source] UnexpectedValue),
    /// The call writing a batch of nonces stopped without answering (it
    /// panicked): whether this call's nonce was stored is unknown.
    #[error("the nonce batch holding this call's nonce was not written")]
    NonceBatchLost,
}

/// A value read from the database that is not what the schema or the
/// container's own encoding promises.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnexpectedValue {
    /// A column holds another kind of value than the one asked for.
    #[error("column `{column}` holds {found}, expected {expected}")]
    ColumnType {
        /// The column's name in the query.
        column: String,
        /// The kind asked for ("text", "integer", "bytes").
        expected: &'static str,
        /// The kind found ("NULL", "text", "a real number", ...).
        found: &'static str,
    },
    /// A row is shorter than the column asked for.
    #[error("the row has no column {index}")]
    MissingColumn {
        /// The index asked for.
        index: usize,
    },
    /// A text column holds bytes that are not UTF-8.
    #[error("column `{column}` holds text that is not UTF-8")]
    NotUtf8 {
        /// The column's name in the query.
        column: String,
        /// Where the bytes stop being UTF-8.
        #[source]
        source: std::str::Utf8Error,
    },
    /// A PostgreSQL column has a type the store does not read.
    #[error("column `{column}` has the unsupported type {sql_type}")]
    UnsupportedType {
        /// The column's name in the query.
        column: String,
        /// The PostgreSQL type's name.
        sql_type: String,
    },
    /// A query that always yields a row (`SELECT COUNT(*)`) yielded none.
    #[error("the query returned no row")]
    NoRow,
    /// A stored JSON value does not read back.
    #[error("a stored {what} does not parse")]
    Json {
        /// What the value is ("record item").
        what: &'static str,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A stored document's content is not base64.
    #[error("a stored document's content is not base64")]
    Base64(#[source] base64::DecodeError),
    /// A stored date is not `YYYY-MM-DD`.
    #[error("the stored date `{value}` is not a date")]
    Date {
        /// The stored text.
        value: String,
        /// The parser's error, when it was the parser that refused it.
        #[source]
        source: Option<chrono::ParseError>,
    },
    /// A stored verifier digest is not 64 hex digits.
    #[error("a stored verifier digest is not 64 hex digits")]
    Digest,
}

#[cfg(test)]
mod tests;
