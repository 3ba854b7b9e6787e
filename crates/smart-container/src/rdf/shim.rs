//! SHIM: a small RDF/XML writer for what `smart-rdf` does not type yet
//! (fulfillments, clinical notes, procedures, social and family history,
//! the user document). Remove once `smart-rdf` covers them.
//! The tests parse every document this module writes with `smart-rdf`.

use std::fmt::Write as _;

use super::{ORDER_KEY, Summary};
use crate::model::{Coded, Item};

const SP: &str = "http://smartplatforms.org/terms#";

/// The collections this module writes.
pub(crate) fn is_shim_collection(collection: &str) -> bool {
    matches!(
        collection,
        "fulfillments" | "clinical_notes" | "procedures" | "social_history" | "family_history"
    )
}

/// Items of one collection, with the summary of a list call.
pub(crate) fn items_document(
    api_base: &str,
    record_id: &str,
    collection: &str,
    items: &[(String, Item)],
    summary: Option<&Summary>,
) -> String {
    let record_uri = format!("{api_base}/records/{record_id}");
    let mut x = Doc::new();
    for (id, item) in items {
        let about = format!("{record_uri}/{collection}/{id}");
        let ty = match item {
            Item::Fulfillment { .. } => "Fulfillment",
            Item::ClinicalNote { .. } => "ClinicalNote",
            Item::Procedure { .. } => "Procedure",
            Item::SocialHistory { .. } => "SocialHistory",
            Item::FamilyHistory { .. } => "FamilyHistory",
            _ => continue,
        };
        x.open_about(&format!("sp:{ty}"), &about);
        x.resource("sp:belongsTo", &record_uri);
        match item {
            Item::Fulfillment {
                date,
                medication_id,
                quantity,
                days_supply,
                pharmacy,
            } => {
                x.lit("dcterms:date", date);
                x.resource(
                    "sp:medication",
                    &format!("{record_uri}/medications/{medication_id}"),
                );
                x.open("sp:quantityDispensed");
                x.open("sp:ValueAndUnit");
                x.lit("sp:value", &quantity.value);
                x.lit("sp:unit", &quantity.unit);
                x.close("sp:ValueAndUnit");
                x.close("sp:quantityDispensed");
                x.lit("sp:dispenseDaysSupply", &days_supply.to_string());
                x.open("sp:pharmacy");
                x.open("sp:Pharmacy");
                x.lit("dcterms:title", pharmacy);
                x.close("sp:Pharmacy");
                x.close("sp:pharmacy");
            }
            Item::ClinicalNote { date, title, text } => {
                x.lit("dcterms:date", date);
                x.lit("dcterms:title", title);
                x.lit("sp:format", "text/plain");
                x.lit("sp:value", text);
            }
            Item::Procedure { date, name, status } => {
                x.lit("dcterms:date", date);
                x.coded("sp:procedureName", name);
                x.lit("sp:procedureStatus", status);
            }
            Item::SocialHistory { smoking } => x.coded("sp:smokingStatus", smoking),
            Item::FamilyHistory { problem, relation } => {
                x.coded("sp:problemName", problem);
                x.coded("sp:relation", relation);
            }
            _ => {}
        }
        x.close(&format!("sp:{ty}"));
    }
    if let Some(s) = summary {
        x.open("api:ResponseSummary");
        x.typed_lit(
            "api:totalResultCount",
            &s.total.to_string(),
            "http://www.w3.org/2001/XMLSchema#integer",
        );
        x.typed_lit(
            "api:resultsReturned",
            &s.returned.to_string(),
            "http://www.w3.org/2001/XMLSchema#integer",
        );
        x.open("api:resultOrder");
        x.open("rdf:Seq");
        x.lit("rdf:_1", ORDER_KEY);
        x.close("rdf:Seq");
        x.close("api:resultOrder");
        if let Some(next) = &s.next_page_url {
            x.resource("api:nextPageURL", next);
        }
        x.close("api:ResponseSummary");
    }
    x.finish()
}

/// Container users, each a `foaf:Person`: `(user id, given name, family
/// name)`.
pub(crate) fn users_document(api_base: &str, users: &[(&str, &str, &str)]) -> String {
    let mut x = Doc::new();
    for (user_id, given, family) in users {
        x.open_about("foaf:Person", &format!("{api_base}/users/{user_id}"));
        x.lit("foaf:givenName", given);
        x.lit("foaf:familyName", family);
        x.lit("sp:userId", user_id);
        x.close("foaf:Person");
    }
    x.finish()
}

/// An empty document (an empty scratchpad).
pub(crate) fn empty_document() -> String {
    Doc::new().finish()
}

/// An RDF/XML document under construction.
struct Doc {
    out: String,
    depth: usize,
}

impl Doc {
    fn new() -> Self {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rdf:RDF");
        for (p, ns) in [
            ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
            ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
            ("owl", "http://www.w3.org/2002/07/owl#"),
            ("sp", SP),
            ("dcterms", "http://purl.org/dc/terms/"),
            ("foaf", "http://xmlns.com/foaf/0.1/"),
            ("api", "http://smartplatforms.org/terms/api#"),
        ] {
            let _ = write!(out, "\n    xmlns:{p}=\"{ns}\"");
        }
        out.push_str(">\n");
        Self { out, depth: 1 }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, tag: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>");
        self.depth += 1;
    }

    fn open_about(&mut self, tag: &str, about: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag} rdf:about=\"{}\">", esc(about));
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{tag}>");
    }

    fn lit(&mut self, tag: &str, value: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>{}</{tag}>", esc(value));
    }

    fn typed_lit(&mut self, tag: &str, value: &str, datatype: &str) {
        self.indent();
        let _ = writeln!(
            self.out,
            "<{tag} rdf:datatype=\"{datatype}\">{}</{tag}>",
            esc(value)
        );
    }

    fn resource(&mut self, tag: &str, uri: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag} rdf:resource=\"{}\"/>", esc(uri));
    }

    fn coded(&mut self, tag: &str, c: &Coded) {
        self.open(tag);
        self.open("sp:CodedValue");
        self.lit("dcterms:title", &c.title);
        self.open("sp:code");
        self.open_about("sp:Code", &format!("{}{}", c.system, c.code));
        self.lit("dcterms:title", &c.title);
        self.lit("sp:system", &c.system);
        self.lit("dcterms:identifier", &c.code);
        self.close("sp:Code");
        self.close("sp:code");
        self.close("sp:CodedValue");
        self.close(tag);
    }

    fn finish(mut self) -> String {
        self.out.push_str("</rdf:RDF>\n");
        self.out
    }
}

/// Escapes text and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}
