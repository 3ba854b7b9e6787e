//! The `/ontology` document as triples, in the original's `api:`
//! vocabulary: one `api:Call` node a row of [`crate::CALLS`] and an
//! `owl:Class` for each type a call answers. The container writes them as
//! RDF/XML through `smart-rdf`.

use crate::{API, CALLS, Call};

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const OWL_CLASS: &str = "http://www.w3.org/2002/07/owl#Class";

/// A subject or object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An IRI.
    Iri(String),
    /// A blank node, by label.
    Blank(String),
    /// A plain string literal.
    Literal(String),
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triple {
    /// The subject (an IRI or a blank node).
    pub subject: Node,
    /// The predicate IRI.
    pub predicate: String,
    /// The object.
    pub object: Node,
}

fn api(term: &str) -> String {
    format!("{API}{term}")
}

/// Every triple of the ontology: the types, then the calls in table order.
pub fn ontology() -> Vec<Triple> {
    let mut out = Vec::new();
    let mut push = |subject: &Node, predicate: &str, object: Node| {
        out.push(Triple {
            subject: subject.clone(),
            predicate: predicate.to_owned(),
            object,
        });
    };
    let mut types: Vec<&str> = Vec::new();
    for c in CALLS {
        if !types.contains(&c.target) {
            types.push(c.target);
            let class = Node::Iri(c.target.to_owned());
            push(&class, RDF_TYPE, Node::Iri(OWL_CLASS.to_owned()));
            let label = c.target.rsplit(['#', '/']).next().unwrap_or(c.target);
            push(&class, RDFS_LABEL, Node::Literal(label.to_owned()));
        }
    }
    for c in CALLS {
        let node = Node::Blank(format!("call_{}", c.client_method));
        let lit = |s: &str| Node::Literal(s.to_owned());
        push(&node, RDF_TYPE, Node::Iri(api("Call")));
        push(&node, &api("path"), lit(c.path));
        push(&node, &api("httpMethod"), lit(c.method.as_str()));
        push(&node, &api("clientMethodName"), lit(c.client_method));
        push(&node, &api("target"), Node::Iri(c.target.to_owned()));
        push(&node, &api("cardinality"), lit(c.cardinality.as_str()));
        push(&node, &api("category"), lit(c.category));
        for f in c.filters {
            push(&node, &api("hasFilter"), lit(f.name));
        }
        if let Some(sort) = c.default_sort {
            push(&node, &api("defaultSort"), lit(sort));
        }
    }
    out
}

/// The calls an ontology's triples describe, by client method name: what
/// a test compares with [`CALLS`].
pub fn described(triples: &[Triple]) -> Vec<(&str, &Call)> {
    let name = api("clientMethodName");
    triples
        .iter()
        .filter(|t| t.predicate == name)
        .filter_map(|t| match &t.object {
            Node::Literal(n) => crate::by_client_method(n).map(|c| (n.as_str(), c)),
            _ => None,
        })
        .collect()
}
