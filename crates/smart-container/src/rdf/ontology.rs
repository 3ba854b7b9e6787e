//! The `/ontology` document: every type the container serves, as an
//! `owl:Class`, and each call that serves it, as an `api:Call` (its path,
//! method, category, target type and the parameters it takes), written
//! through `smart-rdf`'s writer like every other document.

use smart_rdf::{Literal, RecordWriter, Term};

use super::rdf_err;
use crate::Error;
use crate::filters;
use crate::model::{COLLECTIONS, DEMOGRAPHICS_TYPE};

const SP: &str = "http://smartplatforms.org/terms#";
const API: &str = "http://smartplatforms.org/terms/api#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const OWL_CLASS: &str = "http://www.w3.org/2002/07/owl#Class";
const FOAF_PERSON: &str = "http://xmlns.com/foaf/0.1/Person";

/// The ontology as RDF/XML.
pub(crate) fn ontology_document(api_base: &str) -> Result<String, Error> {
    let mut o = Ontology {
        w: RecordWriter::for_container(api_base).map_err(rdf_err)?,
        calls: 0,
    };
    o.class(DEMOGRAPHICS_TYPE)?;
    o.call(
        DEMOGRAPHICS_TYPE,
        "/records/{record_id}/demographics",
        "GET",
        "record_items",
        &[],
    )?;
    for c in COLLECTIONS {
        let names: Vec<&str> = c.filters.iter().map(|f| f.name).collect();
        o.class(c.type_uri)?;
        if c.single {
            o.call(
                c.type_uri,
                &format!("/records/{{record_id}}/{}", c.name),
                "GET",
                "record_items",
                &[],
            )?;
            continue;
        }
        let list = format!("/records/{{record_id}}/{}/", c.name);
        o.call(c.type_uri, &list, "GET", "record_items", &names)?;
        if c.name == "clinical_notes" {
            o.call(c.type_uri, &list, "POST", "record_items", &[])?;
        }
        let one = format!("/records/{{record_id}}/{}/{{id}}", c.name);
        let one_filters: &[&str] = if c.name == "documents" {
            filters::DOCUMENT
        } else {
            &[]
        };
        o.call(c.type_uri, &one, "GET", "record_item", one_filters)?;
    }
    let scratchpad = "/records/{record_id}/apps/{app_id}/scratchpad";
    for method in ["GET", "PUT", "DELETE"] {
        o.call(
            &format!("{SP}Scratchpad"),
            scratchpad,
            method,
            "record_app_storage",
            &[],
        )?;
    }
    o.call(FOAF_PERSON, "/users/{user_id}", "GET", "user", &[])?;
    o.w.to_rdf_xml().map_err(rdf_err)
}

struct Ontology {
    w: RecordWriter,
    calls: usize,
}

impl Ontology {
    fn triple(&mut self, s: &Term, p: &str, o: Term) -> Result<(), Error> {
        self.w.add_triple(s, p, &o).map_err(rdf_err)?;
        Ok(())
    }

    /// An `owl:Class` labelled with its local name.
    fn class(&mut self, type_uri: &str) -> Result<(), Error> {
        let s = Term::Iri(type_uri.to_owned());
        let label = type_uri.rsplit(['#', '/']).next().unwrap_or(type_uri);
        self.triple(&s, RDF_TYPE, Term::Iri(OWL_CLASS.into()))?;
        self.triple(&s, RDFS_LABEL, Literal::string(label).into())
    }

    /// One `api:Call`, with an `api:hasFilter` for each parameter it accepts.
    fn call(
        &mut self,
        target: &str,
        path: &str,
        method: &str,
        category: &str,
        filters: &[&str],
    ) -> Result<(), Error> {
        self.calls += 1;
        let s = Term::BlankNode(format!("call{}", self.calls));
        self.triple(&s, RDF_TYPE, Term::Iri(format!("{API}Call")))?;
        self.triple(&s, &format!("{API}path"), Literal::string(path).into())?;
        self.triple(&s, &format!("{API}method"), Literal::string(method).into())?;
        self.triple(
            &s,
            &format!("{API}category"),
            Literal::string(category).into(),
        )?;
        self.triple(&s, &format!("{API}target"), Term::Iri(target.to_owned()))?;
        for f in filters {
            self.triple(&s, &format!("{API}hasFilter"), Literal::string(*f).into())?;
        }
        Ok(())
    }
}
