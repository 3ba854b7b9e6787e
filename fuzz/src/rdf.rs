//! The oracle for `smart-rdf`: arbitrary bodies through parsing, the
//! serialisers and the typed extraction.
//!
//! Properties: no panic; a parsed graph serialises to N-Triples, and to
//! Turtle and RDF/XML when those succeed, and each parses back to a graph of
//! the same size; records extracted from it, written with `RecordWriter`,
//! parse back to the same records (the writer's own round trip, fed with
//! whatever the extractor accepts); the seed query runs.

use smart_rdf::{
    Allergy, ClinicalNote, Demographics, Document, Encounter, FamilyHistory, Fulfillment, Graph,
    Immunization, LabPanel, LabResult, Medication, Problem, Procedure, Record, RecordWriter,
    ResponseSummary, SEED_QUERY, SocialHistory, Syntax, VitalSignSet,
};

const API_BASE: &str = "http://localhost:7000";

/// The first byte picks the syntax, the rest is the body.
pub fn rdf_parse(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let syntax = match selector % 4 {
        0 => Syntax::RdfXml,
        1 => Syntax::Turtle,
        2 => Syntax::NTriples,
        _ => Syntax::JsonLd,
    };
    let Ok(graph) = Graph::parse_syntax(body, syntax, Some("http://localhost:7000/records/1/"))
    else {
        return;
    };
    let size = graph.len();

    let nt = graph
        .serialize(Syntax::NTriples)
        .unwrap_or_else(|e| panic!("a parsed graph does not serialise to N-Triples: {e}"));
    reparse(&nt, Syntax::NTriples, size);
    for syntax in [Syntax::Turtle, Syntax::RdfXml] {
        if let Ok(text) = graph.serialize(syntax) {
            reparse(&text, syntax, size);
        }
    }

    round_trip::<Medication>(&graph);
    round_trip::<Problem>(&graph);
    round_trip::<Allergy>(&graph);
    round_trip::<Immunization>(&graph);
    round_trip::<LabResult>(&graph);
    round_trip::<VitalSignSet>(&graph);
    round_trip::<Encounter>(&graph);
    round_trip::<Fulfillment>(&graph);
    round_trip::<ClinicalNote>(&graph);
    round_trip::<Procedure>(&graph);
    round_trip::<SocialHistory>(&graph);
    round_trip::<FamilyHistory>(&graph);
    round_trip::<LabPanel>(&graph);
    round_trip::<Document>(&graph);
    if let Ok(demographics) = Demographics::from_graph(&graph) {
        write_and_read(&[demographics], None);
    }
    if let Ok(Some(summary)) = ResponseSummary::from_graph(&graph) {
        write_and_read::<Medication>(&[], Some(summary));
    }
    let _rows = graph.select(SEED_QUERY);
}

fn reparse(text: &str, syntax: Syntax, size: usize) {
    match Graph::parse_syntax(text.as_bytes(), syntax, None) {
        Ok(again) => assert_eq!(
            again.len(),
            size,
            "{syntax:?} round trip changed the size:\n{text}"
        ),
        Err(e) => panic!("own {syntax:?} output does not parse ({e}):\n{text}"),
    }
}

fn round_trip<R: Record>(graph: &Graph) {
    if let Ok(records) = graph.records::<R>()
        && !records.is_empty()
    {
        write_and_read(&records, None);
    }
}

/// Writes records (and a summary) as Turtle and, when XML can hold their
/// text, RDF/XML; reading them back gives the same records.
fn write_and_read<R: Record>(records: &[R], summary: Option<ResponseSummary>) {
    let Ok(mut writer) = RecordWriter::new(API_BASE, "1") else {
        panic!("the writer refuses a plain record id");
    };
    if writer.add_all(records).is_err() {
        return;
    }
    if let Some(summary) = &summary
        && writer.add_summary(summary).is_err()
    {
        return;
    }
    for (text, syntax) in [
        (writer.to_rdf_xml(), Syntax::RdfXml),
        (writer.to_turtle(), Syntax::Turtle),
    ] {
        let text = match text {
            Ok(text) => text,
            // XML 1.0 cannot hold most control characters, which Turtle
            // can escape: the writer refuses them with an error.
            Err(_) if syntax == Syntax::RdfXml => continue,
            Err(e) => panic!("the writer cannot serialise {syntax:?}: {e}"),
        };
        let graph = Graph::parse_syntax(text.as_bytes(), syntax, None)
            .unwrap_or_else(|e| panic!("the writer's {syntax:?} does not parse ({e}):\n{text}"));
        let back = graph
            .records::<R>()
            .unwrap_or_else(|e| panic!("written records do not extract ({e}):\n{text}"));
        assert_eq!(
            back, records,
            "records changed by a write and read:\n{text}"
        );
        if let Some(summary) = &summary {
            let again = ResponseSummary::from_graph(&graph).ok().flatten();
            assert_eq!(again.as_ref(), Some(summary), "summary changed:\n{text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_doc_example_passes() {
        let doc = br#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:v="http://www.w3.org/2006/vcard/ns#">
  <rdf:Description rdf:about="http://localhost:7000/records/1/demographics">
    <v:n><v:Name><v:given-name>Given</v:given-name><v:family-name>Family</v:family-name></v:Name></v:n>
  </rdf:Description>
</rdf:RDF>"#;
        let mut data = vec![0u8];
        data.extend_from_slice(doc);
        rdf_parse(&data);
        rdf_parse(b"\x01<a> <b> <c> .");
        rdf_parse(b"\x02not n-triples");
        rdf_parse(b"\x03{}");
        rdf_parse(b"");
    }
}
