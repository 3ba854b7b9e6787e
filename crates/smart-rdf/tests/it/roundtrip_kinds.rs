//! Property: write, parse and read back gives the same records, for the kinds beyond the
//! seed's (fulfillments, clinical notes, procedures, social and family history, documents,
//! the photograph, lab panels, users).

use proptest::collection::{btree_set, vec};
use proptest::option::of;
use proptest::prelude::*;
use smart_rdf::*;

use crate::roundtrip::{check, coded, day, fail, id, quantity, text, unique};

const BASE: &str = "http://localhost:7000/api";

fn iri(collection: &'static str) -> BoxedStrategy<String> {
    id().prop_map(move |id| format!("{BASE}/records/rec-1/{collection}/{id}"))
        .boxed()
}

fn media_type() -> BoxedStrategy<String> {
    prop_oneof![
        Just("text/plain".to_owned()),
        Just("image/png".to_owned()),
        Just("application/pdf".to_owned()),
        "[a-z]{1,8}/[a-z0-9.+-]{1,12}",
    ]
    .boxed()
}

fn fulfillment() -> BoxedStrategy<Fulfillment> {
    (
        day(),
        of(iri("medications")),
        of(quantity()),
        of(0u64..400),
        of(text()),
    )
        .prop_map(
            |(date, medication, quantity_dispensed, days_supply, pharmacy)| Fulfillment {
                id: String::new(),
                date,
                medication,
                quantity_dispensed,
                days_supply,
                pharmacy,
            },
        )
        .boxed()
}

fn clinical_note() -> BoxedStrategy<ClinicalNote> {
    let formats = btree_set((iri("notes"), media_type()), 0..3).prop_map(|set| {
        let mut formats: Vec<NoteFormat> = set
            .into_iter()
            .map(|(uri, media_type)| NoteFormat { uri, media_type })
            .collect();
        formats.sort();
        formats.dedup_by(|a, b| a.uri == b.uri);
        formats
    });
    (day(), text(), of(text()), formats)
        .prop_map(|(date, title, text, formats)| ClinicalNote {
            id: String::new(),
            date,
            title,
            // A note has its text or a format.
            text: if formats.is_empty() {
                Some(text.unwrap_or_default())
            } else {
                text
            },
            formats,
        })
        .boxed()
}

fn procedure() -> BoxedStrategy<Procedure> {
    (day(), coded(), of(coded()))
        .prop_map(|(date, name, status)| Procedure {
            id: String::new(),
            date,
            name,
            status,
        })
        .boxed()
}

fn document() -> BoxedStrategy<Document> {
    (
        (of(day()), of(text()), text(), media_type()),
        (
            of(iri("documents")),
            of("[0-9a-f]{64}"),
            of(vec(any::<u8>(), 0..64)),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((date, title, file_name, media_type), (location, sha256, content, sized))| Document {
                id: String::new(),
                date,
                title,
                file_name,
                media_type,
                size: sized.then(|| content.as_ref().map_or(7, |c| c.len() as u64)),
                location,
                sha256,
                content,
            },
        )
        .boxed()
}

fn lab_panel() -> BoxedStrategy<LabPanel> {
    (of(day()), of(coded()), btree_set(iri("lab_results"), 1..4))
        .prop_map(|(date, name, results)| LabPanel {
            id: String::new(),
            date,
            name,
            results: results.into_iter().collect(),
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn fulfillments_round_trip(items in vec(fulfillment(), 0..4)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn clinical_notes_round_trip(items in vec(clinical_note(), 0..4)) {
        // A format is a document of its own, with one media type: two notes
        // never share one, so each note's format URIs are under its id.
        let items = unique(items, |r, id| {
            for f in &mut r.formats {
                f.uri = f.uri.replacen("/notes/", &format!("/notes/{id}/"), 1);
            }
            r.id = id;
        });
        check(&items, None)?;
    }

    #[test]
    fn procedures_round_trip(items in vec(procedure(), 0..4)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn social_history_round_trips(status in of(coded()), id in id()) {
        check(&[SocialHistory { id, smoking_status: status }], None)?;
    }

    #[test]
    fn family_history_round_trip(items in vec((coded(), coded()), 0..4)) {
        let items = items
            .into_iter()
            .map(|(problem, relation)| FamilyHistory { id: String::new(), problem, relation })
            .collect();
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn documents_round_trip(items in vec(document(), 0..4)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn the_photograph_round_trips(mut d in document()) {
        d.id = "photograph".into();
        let photo = Photograph(d);
        check(std::slice::from_ref(&photo), None)?;
        let xml = to_rdf_xml(BASE, "rec-1", std::slice::from_ref(&photo), None).map_err(fail)?;
        prop_assert!(xml.contains(&format!("rdf:about=\"{BASE}/records/rec-1/photograph\"")), "{}", xml);
    }

    #[test]
    fn lab_panels_round_trip(items in vec(lab_panel(), 0..4)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn users_round_trip(items in vec((text(), text()), 0..4)) {
        let users = unique(
            items
                .into_iter()
                .map(|(given_name, family_name)| User { id: String::new(), given_name, family_name })
                .collect(),
            |r, id| r.id = id,
        );
        let mut w = RecordWriter::for_container(BASE).map_err(fail)?;
        w.add_all(&users).map_err(fail)?;
        let xml = w.to_rdf_xml().map_err(fail)?;
        let g = Graph::parse(xml.as_bytes(), "application/rdf+xml", None).map_err(fail)?;
        prop_assert_eq!(g.records::<User>().map_err(fail)?, users, "{}", xml);
        prop_assert!(!xml.contains("belongsTo"), "{}", xml);
    }
}

/// An app's note is a blank node; it reads with an empty id, and what is wrong with a note
/// that is not one is named.
#[test]
fn a_posted_note_reads_from_a_blank_node_and_names_what_is_missing() {
    let note = |body: &str| {
        format!(
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                xmlns:sp="http://smartplatforms.org/terms#" xmlns:dcterms="http://purl.org/dc/terms/">{body}</rdf:RDF>"#
        )
    };
    let read = |body: &str| {
        Graph::parse(note(body).as_bytes(), "application/rdf+xml", None)
            .unwrap()
            .new_record::<ClinicalNote>()
    };
    let ok = read(
        "<sp:ClinicalNote><dcterms:date>2012-05-17</dcterms:date><dcterms:title>T</dcterms:title>\
         <dcterms:hasFormat><sp:DocumentWithFormat rdf:about=\"http://app/n/1\">\
         <dcterms:format rdf:resource=\"http://purl.org/NET/mediatypes/text/html\"/>\
         </sp:DocumentWithFormat></dcterms:hasFormat></sp:ClinicalNote>",
    )
    .unwrap();
    assert_eq!(ok.id, "");
    assert_eq!(
        ok.formats,
        [NoteFormat {
            uri: "http://app/n/1".into(),
            media_type: "text/html".into()
        }]
    );
    for (body, message) in [
        ("", "expected exactly one node typed"),
        (
            "<sp:ClinicalNote><dcterms:title>T</dcterms:title><sp:value>x</sp:value></sp:ClinicalNote>",
            "missing required field date",
        ),
        (
            "<sp:ClinicalNote><dcterms:date>2012-05-17</dcterms:date><dcterms:title>T</dcterms:title></sp:ClinicalNote>",
            "missing required field text or formats",
        ),
        (
            "<sp:ClinicalNote><dcterms:date>May</dcterms:date><dcterms:title>T</dcterms:title><sp:value>x</sp:value></sp:ClinicalNote>",
            "\"May\" is not a date",
        ),
        (
            "<sp:ClinicalNote><dcterms:date>2012-05-17</dcterms:date><dcterms:title>T</dcterms:title><sp:value>x</sp:value></sp:ClinicalNote>\
             <sp:ClinicalNote><dcterms:date>2012-05-17</dcterms:date><dcterms:title>U</dcterms:title><sp:value>y</sp:value></sp:ClinicalNote>",
            "found 2",
        ),
    ] {
        let err = read(body).unwrap_err().to_string();
        assert!(err.contains(message), "{body}: {err}");
    }
}

/// Embedded content must agree with the declared size and be base64.
#[test]
fn embedded_content_is_checked() {
    let doc = |size: &str, value: &str| {
        format!(
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                xmlns:sp="http://smartplatforms.org/terms#" xmlns:dcterms="http://purl.org/dc/terms/">
              <sp:Document rdf:about="http://h/records/1/documents/d1">
                <sp:fileName>a.txt</sp:fileName><sp:fileSize>{size}</sp:fileSize>
                <dcterms:format rdf:resource="http://purl.org/NET/mediatypes/text/plain"/>
                <sp:resource><sp:Resource><sp:content><sp:Content>
                  <sp:encoding>Base64</sp:encoding><sp:value>{value}</sp:value>
                </sp:Content></sp:content></sp:Resource></sp:resource>
              </sp:Document></rdf:RDF>"#
        )
    };
    let read = |xml: String| {
        Graph::parse(xml.as_bytes(), "application/rdf+xml", None)
            .unwrap()
            .records::<Document>()
    };
    let ok = read(doc("2", "aGk=")).unwrap();
    assert_eq!(ok[0].content.as_deref(), Some(&b"hi"[..]));
    let err = read(doc("3", "aGk=")).unwrap_err().to_string();
    assert!(err.contains("says 3 bytes, the content has 2"), "{err}");
    let err = read(doc("2", "!!")).unwrap_err().to_string();
    assert!(err.contains("not base64"), "{err}");
}
