//! Reading fields off a record node, and writing them back as triples.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use oxigraph::model as ox;
use oxigraph::model::{GraphNameRef, NamedNodeRef};

use crate::graph::engine;
use crate::ns::{rdf, xsd};
use crate::term::{parse_date, parse_datetime};
use crate::{Error, Graph};

/// A node of the graph being read as (part of) a record of kind `record`.
pub(crate) struct Node<'g> {
    graph: &'g Graph,
    node: ox::NamedOrBlankNode,
    record: &'static str,
    path: String,
    /// Whether a blank node reads as a record with an empty id.
    blank_id: bool,
}

impl<'g> Node<'g> {
    pub(crate) fn new(graph: &'g Graph, node: ox::NamedOrBlankNode, record: &'static str) -> Self {
        Self {
            graph,
            node,
            record,
            path: String::new(),
            blank_id: false,
        }
    }

    /// The same node, read as a record that may have no IRI yet: [`Node::id`] is then empty.
    pub(crate) fn allowing_blank_id(mut self) -> Self {
        self.blank_id = true;
        self
    }

    /// The node's IRI, `None` for a blank node.
    pub(crate) fn iri(&self) -> Option<&str> {
        match &self.node {
            ox::NamedOrBlankNode::NamedNode(n) => Some(n.as_str()),
            _ => None,
        }
    }

    /// The last path segment of the node's IRI: the record id.
    pub(crate) fn id(&self) -> Result<String, Error> {
        if self.blank_id && self.iri().is_none() {
            return Ok(String::new());
        }
        let iri = self
            .iri()
            .ok_or_else(|| self.invalid("id", "record node is a blank node, not an iri"))?;
        let iri = iri.split(['?', '#']).next().unwrap_or_default();
        match iri.rsplit('/').next() {
            Some(seg) if !seg.is_empty() => Ok(seg.to_owned()),
            _ => Err(self.invalid("id", "record iri has no last path segment")),
        }
    }

    /// Whether the node has the given `rdf:type`.
    pub(crate) fn has_type(&self, type_iri: &str) -> Result<bool, Error> {
        let t = ox::TermRef::from(NamedNodeRef::new_unchecked(type_iri));
        Ok(self.objects(rdf::TYPE)?.iter().any(|o| o.as_ref() == t))
    }

    /// Every object of `predicate`.
    pub(crate) fn objects(&self, predicate: &str) -> Result<Vec<ox::Term>, Error> {
        self.graph
            .store
            .quads_for_pattern(
                Some(self.node.as_ref()),
                Some(NamedNodeRef::new_unchecked(predicate)),
                None,
                Some(GraphNameRef::DefaultGraph),
            )
            .map(|q| q.map(|q| q.object).map_err(engine))
            .collect()
    }

    /// The one object of `predicate`; several distinct objects are an error.
    fn one(&self, predicate: &str, field: &str) -> Result<Option<ox::Term>, Error> {
        let mut objects = self.objects(predicate)?;
        if objects.len() > 1 {
            return Err(self.invalid(field, "more than one value"));
        }
        Ok(objects.pop())
    }

    pub(crate) fn opt_str(&self, predicate: &str, field: &str) -> Result<Option<String>, Error> {
        match self.one(predicate, field)? {
            None => Ok(None),
            Some(ox::Term::Literal(l)) => Ok(Some(l.destruct().0)),
            Some(ox::Term::NamedNode(n)) => Ok(Some(n.into_string())),
            Some(_) => Err(self.invalid(field, "expected a literal, found a node")),
        }
    }

    pub(crate) fn str(&self, predicate: &str, field: &str) -> Result<String, Error> {
        self.opt_str(predicate, field)?
            .ok_or_else(|| self.missing(field))
    }

    pub(crate) fn opt_u64(&self, predicate: &str, field: &str) -> Result<Option<u64>, Error> {
        self.opt_str(predicate, field)?
            .map(|s| {
                s.trim()
                    .parse()
                    .map_err(|_| self.invalid(field, &format!("{s:?} is not a count")))
            })
            .transpose()
    }

    pub(crate) fn u64(&self, predicate: &str, field: &str) -> Result<u64, Error> {
        self.opt_u64(predicate, field)?
            .ok_or_else(|| self.missing(field))
    }

    pub(crate) fn opt_date(
        &self,
        predicate: &str,
        field: &str,
    ) -> Result<Option<NaiveDate>, Error> {
        self.opt_str(predicate, field)?
            .map(|s| {
                parse_date(&s).ok_or_else(|| self.invalid(field, &format!("{s:?} is not a date")))
            })
            .transpose()
    }

    pub(crate) fn date(&self, predicate: &str, field: &str) -> Result<NaiveDate, Error> {
        self.opt_date(predicate, field)?
            .ok_or_else(|| self.missing(field))
    }

    pub(crate) fn opt_datetime(
        &self,
        predicate: &str,
        field: &str,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        self.opt_str(predicate, field)?
            .map(|s| {
                parse_datetime(&s)
                    .map(|d| d.with_timezone(&Utc))
                    .ok_or_else(|| self.invalid(field, &format!("{s:?} is not a date-time")))
            })
            .transpose()
    }

    pub(crate) fn datetime(&self, predicate: &str, field: &str) -> Result<DateTime<Utc>, Error> {
        self.opt_datetime(predicate, field)?
            .ok_or_else(|| self.missing(field))
    }

    /// The node that `predicate` points to, read as the sub-structure `field`.
    pub(crate) fn opt_child(
        &self,
        predicate: &str,
        field: &str,
    ) -> Result<Option<Node<'g>>, Error> {
        match self.one(predicate, field)? {
            None => Ok(None),
            Some(o) => self.child_node(o, field).map(Some),
        }
    }

    pub(crate) fn child(&self, predicate: &str, field: &str) -> Result<Node<'g>, Error> {
        self.opt_child(predicate, field)?
            .ok_or_else(|| self.missing(field))
    }

    /// Every node `predicate` points to.
    pub(crate) fn children(&self, predicate: &str, field: &str) -> Result<Vec<Node<'g>>, Error> {
        self.objects(predicate)?
            .into_iter()
            .map(|o| self.child_node(o, field))
            .collect()
    }

    fn child_node(&self, object: ox::Term, field: &str) -> Result<Node<'g>, Error> {
        let node = match object {
            ox::Term::NamedNode(n) => ox::NamedOrBlankNode::NamedNode(n),
            ox::Term::BlankNode(b) => ox::NamedOrBlankNode::BlankNode(b),
            _ => return Err(self.invalid(field, "expected a node, found a literal")),
        };
        Ok(Node {
            graph: self.graph,
            node,
            record: self.record,
            path: self.field_path(field),
            blank_id: false,
        })
    }

    fn field_path(&self, field: &str) -> String {
        if self.path.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.path)
        }
    }

    pub(crate) fn missing(&self, field: &str) -> Error {
        Error::MissingField {
            record: self.record,
            field: self.field_path(field),
        }
    }

    pub(crate) fn invalid(&self, field: &str, message: &str) -> Error {
        Error::InvalidField {
            record: self.record,
            field: self.field_path(field),
            message: message.to_owned(),
        }
    }
}

/// Triples being written for one document.
pub(crate) struct Out {
    pub(crate) triples: Vec<ox::Triple>,
    next_blank: u64,
}

impl Out {
    pub(crate) fn new() -> Self {
        Self {
            triples: Vec::new(),
            next_blank: 0,
        }
    }

    /// A checked IRI node.
    pub(crate) fn iri(iri: &str) -> Result<ox::NamedOrBlankNode, Error> {
        ox::NamedNode::new(iri)
            .map(Into::into)
            .map_err(|e| Error::InvalidIri {
                iri: iri.to_owned(),
                message: e.to_string(),
            })
    }

    /// A checked IRI as a named node.
    pub(crate) fn iri_node(iri: &str) -> Result<ox::NamedNode, Error> {
        ox::NamedNode::new(iri).map_err(|e| Error::InvalidIri {
            iri: iri.to_owned(),
            message: e.to_string(),
        })
    }

    /// A fresh blank node.
    pub(crate) fn blank(&mut self) -> ox::NamedOrBlankNode {
        self.next_blank += 1;
        ox::BlankNode::new_unchecked(format!("n{}", self.next_blank)).into()
    }

    fn push(&mut self, s: &ox::NamedOrBlankNode, p: &str, o: ox::Term) {
        self.triples.push(ox::Triple::new(
            s.clone(),
            NamedNodeRef::new_unchecked(p).into_owned(),
            o,
        ));
    }

    /// `s rdf:type t`.
    pub(crate) fn typed(&mut self, s: &ox::NamedOrBlankNode, t: &str) {
        self.push(
            s,
            rdf::TYPE,
            NamedNodeRef::new_unchecked(t).into_owned().into(),
        );
    }

    /// `s p o` for a node object.
    pub(crate) fn node(&mut self, s: &ox::NamedOrBlankNode, p: &str, o: &ox::NamedOrBlankNode) {
        self.push(s, p, o.clone().into());
    }

    /// `s p <iri>`, checking the IRI.
    pub(crate) fn link(
        &mut self,
        s: &ox::NamedOrBlankNode,
        p: &str,
        iri: &str,
    ) -> Result<(), Error> {
        let o = Self::iri(iri)?;
        self.node(s, p, &o);
        Ok(())
    }

    /// `s p "value"` (a plain literal, as the original container wrote them).
    pub(crate) fn lit(&mut self, s: &ox::NamedOrBlankNode, p: &str, value: &str) {
        self.push(s, p, ox::Literal::new_simple_literal(value).into());
    }

    pub(crate) fn opt_lit(&mut self, s: &ox::NamedOrBlankNode, p: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.lit(s, p, v);
        }
    }

    pub(crate) fn date(&mut self, s: &ox::NamedOrBlankNode, p: &str, d: NaiveDate) {
        self.lit(s, p, &d.format("%Y-%m-%d").to_string());
    }

    pub(crate) fn opt_date(&mut self, s: &ox::NamedOrBlankNode, p: &str, d: Option<NaiveDate>) {
        if let Some(d) = d {
            self.date(s, p, d);
        }
    }

    pub(crate) fn datetime(&mut self, s: &ox::NamedOrBlankNode, p: &str, d: DateTime<Utc>) {
        self.lit(s, p, &d.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }

    pub(crate) fn opt_datetime(
        &mut self,
        s: &ox::NamedOrBlankNode,
        p: &str,
        d: Option<DateTime<Utc>>,
    ) {
        if let Some(d) = d {
            self.datetime(s, p, d);
        }
    }

    /// `s p n` for a typed count.
    pub(crate) fn integer(&mut self, s: &ox::NamedOrBlankNode, p: &str, n: u64) {
        self.push(
            s,
            p,
            ox::Literal::new_typed_literal(
                n.to_string(),
                NamedNodeRef::new_unchecked(xsd::INTEGER),
            )
            .into(),
        );
    }
}
