//! An RDF/XML writer that nests nodes as the original SMART container did: each record is a
//! typed node element, and the blank nodes and codes it points to are written inside the
//! property elements that point to them.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use oxigraph::model as ox;
use oxigraph::model::{NamedOrBlankNodeRef, TermRef};

use crate::Error;
use crate::ns::{rdf, xsd};
use crate::records::PREFIXES;

/// Writes triples as RDF/XML. Subjects no triple points to are written at the top level, in
/// order of first appearance; a node pointed to once (a blank node) or first (an IRI node) is
/// nested inside the property element that points to it.
pub(crate) fn write(triples: &[ox::Triple]) -> Result<String, Error> {
    let mut by_subject: HashMap<NamedOrBlankNodeRef<'_>, Vec<usize>> = HashMap::new();
    let mut order = Vec::new();
    let mut references: HashMap<TermRef<'_>, usize> = HashMap::new();
    for (i, t) in triples.iter().enumerate() {
        let s = t.subject.as_ref();
        by_subject
            .entry(s)
            .or_insert_with(|| {
                order.push(s);
                Vec::new()
            })
            .push(i);
        *references.entry(t.object.as_ref()).or_default() += 1;
    }
    let mut namespaces: Vec<(String, String)> = PREFIXES
        .iter()
        .map(|(p, n)| ((*p).to_owned(), (*n).to_owned()))
        .collect();
    namespaces.insert(0, ("rdf".to_owned(), rdf::NS.to_owned()));
    for t in triples {
        declare(&mut namespaces, t.predicate.as_str());
    }
    let mut w = Writer {
        triples,
        by_subject,
        references,
        namespaces,
        done: HashSet::new(),
        node_ids: HashMap::new(),
        out: String::with_capacity(triples.len() * 64),
    };
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rdf:RDF");
    for (prefix, ns) in &w.namespaces {
        let _ = write!(w.out, "\n    xmlns:{prefix}=\"");
        attr_escape(&mut w.out, ns)?;
        w.out.push('"');
    }
    w.out.push_str(">\n");
    for pass in [true, false] {
        for s in &order {
            // Roots first, then whatever a cycle or a shared blank node left over.
            let is_root = !w.references.contains_key(&TermRef::from(*s));
            if pass == is_root && !w.done.contains(s) {
                w.node(*s, 1, true)?;
            }
        }
    }
    w.out.push_str("</rdf:RDF>\n");
    Ok(w.out)
}

struct Writer<'t> {
    triples: &'t [ox::Triple],
    by_subject: HashMap<NamedOrBlankNodeRef<'t>, Vec<usize>>,
    references: HashMap<TermRef<'t>, usize>,
    namespaces: Vec<(String, String)>,
    done: HashSet<NamedOrBlankNodeRef<'t>>,
    /// The `rdf:nodeID` given to each blank node written by reference.
    node_ids: HashMap<&'t str, String>,
    out: String,
}

impl<'t> Writer<'t> {
    /// The `rdf:nodeID` of a blank node: `b0`, `b1`, ... in order of first use. The
    /// labels a parser gave may not be XML names (Turtle allows `_:1n`, while
    /// [`rdf:nodeID`](https://www.w3.org/TR/rdf-syntax-grammar/#nodeIdAttr) must be an
    /// `NCName`), and they mean nothing outside their document.
    fn node_id(&mut self, label: &'t str) -> String {
        let next = self.node_ids.len();
        self.node_ids
            .entry(label)
            .or_insert_with(|| format!("b{next}"))
            .clone()
    }

    fn node(&mut self, s: NamedOrBlankNodeRef<'t>, depth: usize, top: bool) -> Result<(), Error> {
        self.done.insert(s);
        let indices = self.by_subject.get(&s).cloned().unwrap_or_default();
        // The first rdf:type with a writable name becomes the element name.
        let type_index = indices.iter().copied().find(|&i| {
            let t = &self.triples[i];
            t.predicate.as_str() == rdf::TYPE
                && matches!(&t.object, ox::Term::NamedNode(n) if self.qname(n.as_str()).is_some())
        });
        let element = match type_index.map(|i| &self.triples[i].object) {
            Some(ox::Term::NamedNode(n)) => self
                .qname(n.as_str())
                .unwrap_or_else(|| "rdf:Description".into()),
            _ => "rdf:Description".into(),
        };
        indent(&mut self.out, depth);
        let _ = write!(self.out, "<{element}");
        match s {
            NamedOrBlankNodeRef::NamedNode(n) => {
                self.out.push_str(" rdf:about=\"");
                attr_escape(&mut self.out, n.as_str())?;
                self.out.push('"');
            }
            NamedOrBlankNodeRef::BlankNode(b) => {
                let referenced = self.references.get(&TermRef::from(s)).copied().unwrap_or(0);
                if referenced > 1 || (top && referenced > 0) {
                    let id = self.node_id(b.as_str());
                    let _ = write!(self.out, " rdf:nodeID=\"{id}\"");
                }
            }
        }
        let properties: Vec<usize> = indices
            .into_iter()
            .filter(|i| Some(*i) != type_index)
            .collect();
        if properties.is_empty() {
            self.out.push_str("/>\n");
            return Ok(());
        }
        self.out.push_str(">\n");
        for i in properties {
            self.property(i, depth + 1)?;
        }
        indent(&mut self.out, depth);
        let _ = writeln!(self.out, "</{element}>");
        Ok(())
    }

    fn property(&mut self, i: usize, depth: usize) -> Result<(), Error> {
        let triples = self.triples;
        let t = &triples[i];
        let name = self
            .qname(t.predicate.as_str())
            .ok_or_else(|| unwritable(t.predicate.as_str()))?;
        indent(&mut self.out, depth);
        let _ = write!(self.out, "<{name}");
        match &t.object {
            ox::Term::Literal(l) => {
                if let Some(lang) = l.language() {
                    self.out.push_str(" xml:lang=\"");
                    attr_escape(&mut self.out, lang)?;
                    self.out.push('"');
                } else if l.datatype().as_str() != xsd::STRING {
                    self.out.push_str(" rdf:datatype=\"");
                    attr_escape(&mut self.out, l.datatype().as_str())?;
                    self.out.push('"');
                }
                self.out.push('>');
                text_escape(&mut self.out, l.value())?;
                let _ = writeln!(self.out, "</{name}>");
            }
            ox::Term::NamedNode(n) => {
                let o = NamedOrBlankNodeRef::from(n.as_ref());
                if self.by_subject.contains_key(&o) && !self.done.contains(&o) {
                    self.nested(o, &name, depth)?;
                } else {
                    self.out.push_str(" rdf:resource=\"");
                    attr_escape(&mut self.out, n.as_str())?;
                    self.out.push_str("\"/>\n");
                }
            }
            ox::Term::BlankNode(b) => {
                let o = NamedOrBlankNodeRef::from(b.as_ref());
                let once = self.references.get(&TermRef::from(o)).copied() == Some(1);
                if once && self.by_subject.contains_key(&o) && !self.done.contains(&o) {
                    self.nested(o, &name, depth)?;
                } else {
                    let id = self.node_id(b.as_str());
                    let _ = writeln!(self.out, " rdf:nodeID=\"{id}\"/>");
                }
            }
            #[allow(
                unreachable_patterns,
                reason = "triple terms exist only with oxigraph's rdf-12 feature"
            )]
            _ => return Err(unwritable("a triple term")),
        }
        Ok(())
    }

    fn nested(
        &mut self,
        o: NamedOrBlankNodeRef<'t>,
        name: &str,
        depth: usize,
    ) -> Result<(), Error> {
        self.out.push_str(">\n");
        self.node(o, depth + 1, false)?;
        indent(&mut self.out, depth);
        let _ = writeln!(self.out, "</{name}>");
        Ok(())
    }

    fn qname(&self, iri: &str) -> Option<String> {
        let (ns, local) = split(iri)?;
        let (prefix, _) = self.namespaces.iter().find(|(_, n)| n == ns)?;
        Some(format!("{prefix}:{local}"))
    }
}

/// Adds a generated prefix for the namespace of `iri` if it has none yet.
fn declare(namespaces: &mut Vec<(String, String)>, iri: &str) {
    if let Some((ns, _)) = split(iri)
        && !namespaces.iter().any(|(_, n)| n == ns)
    {
        let prefix = format!("ns{}", namespaces.len());
        namespaces.push((prefix, ns.to_owned()));
    }
}

/// Splits an IRI into a namespace and a local name that is a valid XML name.
fn split(iri: &str) -> Option<(&str, &str)> {
    let cut = iri.rfind(['#', '/'])? + 1;
    let local = &iri[cut..];
    let mut chars = local.chars();
    let first = chars.next()?;
    let name_start = |c: char| c.is_alphabetic() || c == '_';
    (name_start(first) && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .then_some((&iri[..cut], local))
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn text_escape(out: &mut String, text: &str) -> Result<(), Error> {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => push_xml_char(out, c)?,
        }
    }
    Ok(())
}

fn attr_escape(out: &mut String, text: &str) -> Result<(), Error> {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => push_xml_char(out, c)?,
        }
    }
    Ok(())
}

/// Pushes a character XML 1.0 can hold; the others (most control characters, U+FFFE, U+FFFF)
/// cannot be written at all, not even as character references.
fn push_xml_char(out: &mut String, c: char) -> Result<(), Error> {
    if matches!(c, '\t' | '\n') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}') {
        out.push(c);
        Ok(())
    } else {
        Err(Error::InvalidField {
            record: "RecordWriter",
            field: "text".into(),
            message: format!("U+{:04X} cannot be written in XML", u32::from(c)),
        })
    }
}

fn unwritable(what: &str) -> Error {
    Error::Engine(format!("{what} cannot be written as RDF/XML"))
}
