//! Our own RDF term type, so that no engine type leaks into the public API.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use oxigraph::model as ox;

use crate::Error;
use crate::ns::xsd;

/// An RDF term: an IRI, a blank node or a literal.
///
/// Plain literals and `xsd:string` literals are the same term: both have the
/// datatype [`xsd::STRING`] (RDF 1.1), so `"a"` and `"a"^^xsd:string` compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    /// An IRI such as `http://smartplatforms.org/terms#Medication`.
    Iri(String),
    /// A blank node, by its document-local identifier (without `_:`).
    BlankNode(String),
    /// A literal.
    Literal(Literal),
}

/// An RDF literal: a lexical value with a datatype IRI and an optional language tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Literal {
    value: String,
    datatype: Cow<'static, str>,
    language: Option<String>,
}

impl Literal {
    /// A simple literal, of datatype `xsd:string`.
    pub fn string(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            datatype: Cow::Borrowed(xsd::STRING),
            language: None,
        }
    }

    /// A literal with an explicit datatype IRI.
    pub fn typed(value: impl Into<String>, datatype: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            datatype: intern_datatype(&datatype.into()),
            language: None,
        }
    }

    /// The lexical value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The datatype IRI (`rdf:langString` for language-tagged strings).
    pub fn datatype(&self) -> &str {
        &self.datatype
    }

    /// The language tag, if any.
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// Whether this is a plain or `xsd:string` literal (the two are the same).
    pub fn is_string(&self) -> bool {
        self.language.is_none() && self.datatype == xsd::STRING
    }
}

impl Term {
    /// The text of the term: the IRI, the blank node identifier or the literal's lexical value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Iri(s) | Self::BlankNode(s) => s,
            Self::Literal(l) => &l.value,
        }
    }

    /// The IRI, if the term is one.
    pub fn as_iri(&self) -> Option<&str> {
        match self {
            Self::Iri(s) => Some(s),
            _ => None,
        }
    }

    /// The literal, if the term is one.
    pub fn as_literal(&self) -> Option<&Literal> {
        match self {
            Self::Literal(l) => Some(l),
            _ => None,
        }
    }

    /// Whether the term is a blank node.
    pub fn is_blank_node(&self) -> bool {
        matches!(self, Self::BlankNode(_))
    }

    /// The literal value as a `String`; an IRI gives its text; a blank node is an error.
    pub fn to_string_value(&self) -> Result<String, Error> {
        match self {
            Self::BlankNode(_) => Err(self.conversion("string")),
            _ => Ok(self.as_str().to_owned()),
        }
    }

    /// The literal value as an integer (any integer lexical form, e.g. `xsd:integer` or a plain `"42"`).
    pub fn to_i64(&self) -> Result<i64, Error> {
        self.literal_value("integer")?
            .trim()
            .trim_start_matches('+')
            .parse()
            .map_err(|_| self.conversion("integer"))
    }

    /// The literal value as an unsigned integer.
    pub fn to_u64(&self) -> Result<u64, Error> {
        self.literal_value("unsigned integer")?
            .trim()
            .trim_start_matches('+')
            .parse()
            .map_err(|_| self.conversion("unsigned integer"))
    }

    /// The literal value as a float (`xsd:decimal`, `xsd:double`, integers, or plain text holding a number).
    pub fn to_f64(&self) -> Result<f64, Error> {
        let v = self.literal_value("float")?.trim();
        match v {
            "INF" | "+INF" => Ok(f64::INFINITY),
            "-INF" => Ok(f64::NEG_INFINITY),
            "NaN" => Ok(f64::NAN),
            _ if v
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
                && !v.is_empty() =>
            {
                v.parse().map_err(|_| self.conversion("float"))
            }
            _ => Err(self.conversion("float")),
        }
    }

    /// The literal value as a calendar date: an `xsd:date` (`YYYY-MM-DD`, with an optional
    /// time zone that is ignored) or the date part of an `xsd:dateTime`.
    pub fn to_date(&self) -> Result<NaiveDate, Error> {
        parse_date(self.literal_value("date")?).ok_or_else(|| self.conversion("date"))
    }

    /// The literal value as an instant: an `xsd:dateTime` (a value without a zone is taken as UTC)
    /// or an `xsd:date` (midnight UTC).
    pub fn to_datetime(&self) -> Result<DateTime<FixedOffset>, Error> {
        parse_datetime(self.literal_value("date-time")?).ok_or_else(|| self.conversion("date-time"))
    }

    /// The literal value as a boolean (`true`, `false`, `1`, `0`).
    pub fn to_bool(&self) -> Result<bool, Error> {
        match self.literal_value("boolean")?.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(self.conversion("boolean")),
        }
    }

    fn literal_value(&self, target: &'static str) -> Result<&str, Error> {
        match self {
            Self::Literal(l) => Ok(&l.value),
            _ => Err(self.conversion(target)),
        }
    }

    fn conversion(&self, target: &'static str) -> Error {
        Error::Conversion {
            term: self.to_string(),
            target,
        }
    }

    /// Converts an engine term (borrowed from a query solution).
    pub(crate) fn from_ox(term: &ox::Term) -> Self {
        match term {
            ox::Term::NamedNode(n) => Self::Iri(n.as_str().to_owned()),
            ox::Term::BlankNode(b) => Self::BlankNode(b.as_str().to_owned()),
            ox::Term::Literal(l) => Self::Literal(Literal {
                value: l.value().to_owned(),
                datatype: intern_datatype(l.datatype().as_str()),
                language: l.language().map(str::to_owned),
            }),
            #[allow(
                unreachable_patterns,
                reason = "triple terms exist only with oxigraph's rdf-12 feature"
            )]
            _ => Self::BlankNode(String::new()),
        }
    }
}

impl fmt::Display for Term {
    /// Formats the term as N-Triples.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Iri(s) => write!(f, "<{s}>"),
            Self::BlankNode(s) => write!(f, "_:{s}"),
            Self::Literal(l) => fmt::Display::fmt(l, f),
        }
    }
}

impl fmt::Display for Literal {
    /// Formats the literal as N-Triples; `xsd:string` literals print without a datatype.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.value.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                _ => write!(f, "{c}")?,
            }
        }
        f.write_str("\"")?;
        if let Some(lang) = &self.language {
            write!(f, "@{lang}")
        } else if self.datatype != xsd::STRING {
            write!(f, "^^<{}>", self.datatype)
        } else {
            Ok(())
        }
    }
}

impl From<Literal> for Term {
    fn from(l: Literal) -> Self {
        Self::Literal(l)
    }
}

/// The datatype IRI, without allocating for the common XSD and RDF datatypes.
fn intern_datatype(iri: &str) -> Cow<'static, str> {
    const COMMON: [&str; 9] = [
        xsd::STRING,
        xsd::INTEGER,
        xsd::DATE,
        xsd::DATE_TIME,
        "http://www.w3.org/2001/XMLSchema#decimal",
        "http://www.w3.org/2001/XMLSchema#double",
        "http://www.w3.org/2001/XMLSchema#boolean",
        "http://www.w3.org/2001/XMLSchema#float",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    ];
    match COMMON.iter().find(|c| **c == iri) {
        Some(c) => Cow::Borrowed(c),
        None => Cow::Owned(iri.to_owned()),
    }
}

/// Parses `YYYY-MM-DD` optionally followed by a zone or by `T` and a time.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let head = text.get(..10)?;
    let rest = &text[10..];
    let date = NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()?;
    if rest.is_empty() || rest == "Z" || rest.starts_with(['+', '-']) {
        return Some(date);
    }
    parse_datetime(text).map(|_| date)
}

/// Parses an `xsd:dateTime` (zone optional, UTC assumed) or an `xsd:date`.
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt);
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(naive.and_utc().fixed_offset());
    }
    if text.len() == 10 {
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        return Some(date.and_time(NaiveTime::MIN).and_utc().fixed_offset());
    }
    None
}

#[cfg(test)]
mod tests;
