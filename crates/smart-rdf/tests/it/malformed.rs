//! Bad input gives error values, never panics.

use smart_rdf::*;

use super::fixture;

const RDF_OPEN: &str = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:sp="http://smartplatforms.org/terms#" xmlns:dcterms="http://purl.org/dc/terms/"
    xmlns:v="http://www.w3.org/2006/vcard/ns#" xmlns:foaf="http://xmlns.com/foaf/0.1/">"#;

fn xml(body: &str) -> Graph {
    Graph::parse(
        format!("{RDF_OPEN}{body}</rdf:RDF>").as_bytes(),
        "application/rdf+xml",
        None,
    )
    .unwrap()
}

const MED: &str = r#"<sp:Medication rdf:about="http://h/records/1/medications/m1">
    <sp:drugName rdf:parseType="Resource"><dcterms:title>Aspirin</dcterms:title></sp:drugName>
    <sp:startDate>2001-01-01</sp:startDate></sp:Medication>"#;

#[test]
fn truncated_xml_is_a_syntax_error() {
    let doc = fixture("medications.xml");
    let end = doc.len() - "</rdf:RDF>\n".len();
    for cut in (0..end).chain([end - 1, end - 4]) {
        match Graph::parse(&doc[..cut], "application/rdf+xml", None) {
            Err(Error::Syntax {
                format: "RDF/XML", ..
            }) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn syntax_errors_carry_a_position() {
    let err = Graph::parse(
        b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> oops .",
        "text/turtle",
        None,
    )
    .unwrap_err();
    match &err {
        Error::Syntax {
            format: "Turtle",
            position: Some((2, _)),
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("at line 2"), "{err}");
    let err = Graph::parse(b"{\"@id\": ", "application/ld+json", None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Syntax {
                format: "JSON-LD",
                ..
            }
        ),
        "{err:?}"
    );
    let err = Graph::parse(b"<a> <b> <c>", "application/n-triples", None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Syntax {
                format: "N-Triples",
                ..
            }
        ),
        "{err:?}"
    );
    let err = Graph::parse(b"<rdf:RDF><oops></rdf:RDF>", "application/rdf+xml", None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Syntax {
                format: "RDF/XML",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn unsupported_content_types() {
    for ct in [
        "application/json",
        "text/html",
        "",
        "text/plain",
        "application/rdf+xml-ish",
    ] {
        assert_eq!(
            Graph::parse(b"{}", ct, None).unwrap_err(),
            Error::UnsupportedContentType(ct.into()),
            "{ct}"
        );
    }
}

#[test]
fn invalid_base_iri() {
    let err = Graph::parse(b"<a> <b> <c> .", "text/turtle", Some("not an iri")).unwrap_err();
    assert!(matches!(err, Error::InvalidIri { .. }), "{err:?}");
}

#[test]
fn not_rdf_at_all() {
    for (body, ct) in [
        (&b"\xff\xfe\x00garbage"[..], "application/rdf+xml"),
        (
            b"<html><body>502 Bad Gateway</body></html>",
            "application/rdf+xml",
        ),
        (b"\xff\xfe\x00garbage", "text/turtle"),
        (b"[1, 2", "application/ld+json"),
    ] {
        assert!(Graph::parse(body, ct, None).is_err(), "{ct}: {body:?}");
    }
}

#[test]
fn entity_expansion_does_not_blow_up() {
    let doc = br#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://x"><rdf:value>&c;</rdf:value></rdf:Description></rdf:RDF>"#;
    // Either refused or expanded to a bounded value: no panic, no runaway.
    if let Ok(g) = Graph::parse(doc, "application/rdf+xml", None) {
        let rows = g.select("SELECT ?v WHERE { ?s ?p ?v }").unwrap();
        assert!(rows[0].string("v").unwrap().len() <= 1000);
    }
}

#[test]
fn missing_required_fields_are_named() {
    let g = xml(
        r#"<sp:Medication rdf:about="http://h/records/1/medications/m1">
        <sp:drugName rdf:parseType="Resource"><dcterms:title>Aspirin</dcterms:title></sp:drugName>
        </sp:Medication>"#,
    );
    assert_eq!(
        g.records::<Medication>(),
        Err(Error::MissingField {
            record: "Medication",
            field: "start_date".into()
        })
    );
    let g = xml(
        r#"<sp:Medication rdf:about="http://h/records/1/medications/m1">
        <sp:drugName rdf:parseType="Resource"><sp:code rdf:parseType="Resource"><sp:system>s</sp:system></sp:code></sp:drugName>
        <sp:startDate>2001-01-01</sp:startDate></sp:Medication>"#,
    );
    let err = g.records::<Medication>().unwrap_err();
    assert_eq!(
        err,
        Error::MissingField {
            record: "Medication",
            field: "drug_name.title".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "Medication: missing required field drug_name.title"
    );
    let g = xml(
        r#"<sp:Demographics rdf:about="http://h/records/1/demographics">
        <v:n rdf:parseType="Resource"><v:given-name>G</v:given-name></v:n>
        <foaf:gender>male</foaf:gender><v:bday>1970-01-01</v:bday></sp:Demographics>"#,
    );
    assert_eq!(
        Demographics::from_graph(&g),
        Err(Error::MissingField {
            record: "Demographics",
            field: "name.family".into()
        })
    );
}

#[test]
fn wrong_shapes_are_errors() {
    let cases = [
        (
            r#"<sp:Medication rdf:about="http://h/records/1/medications/m1"><sp:drugName>Aspirin</sp:drugName>
               <sp:startDate>2001-01-01</sp:startDate></sp:Medication>"#,
            "drug_name",
        ),
        (
            r#"<sp:Medication rdf:about="http://h/records/1/medications/m1">
               <sp:drugName rdf:parseType="Resource"><dcterms:title>Aspirin</dcterms:title></sp:drugName>
               <sp:startDate>last tuesday</sp:startDate></sp:Medication>"#,
            "start_date",
        ),
        (
            r#"<sp:Medication rdf:about="http://h/records/1/medications/m1">
               <sp:drugName rdf:parseType="Resource"><dcterms:title>Aspirin</dcterms:title></sp:drugName>
               <sp:startDate>2001-01-01</sp:startDate><sp:startDate>2002-01-01</sp:startDate></sp:Medication>"#,
            "start_date",
        ),
        (
            r#"<sp:Medication rdf:about="http://h/records/1/medications/m1">
               <sp:drugName rdf:parseType="Resource"><dcterms:title>Aspirin</dcterms:title></sp:drugName>
               <sp:startDate>2001-02-30</sp:startDate></sp:Medication>"#,
            "start_date",
        ),
        (
            r#"<sp:Medication rdf:about="http://h/records/1/medications/m1">
               <sp:drugName rdf:parseType="Resource"><dcterms:title>Aspirin</dcterms:title></sp:drugName>
               <sp:startDate rdf:parseType="Resource"/></sp:Medication>"#,
            "start_date",
        ),
    ];
    for (body, field) in cases {
        match xml(body).records::<Medication>() {
            Err(Error::InvalidField {
                record: "Medication",
                field: f,
                ..
            }) if f == field => {}
            other => panic!("{body}: {other:?}"),
        }
    }
    let g = xml(
        r#"<sp:Demographics rdf:about="http://h/records/1/demographics">
        <v:n rdf:parseType="Resource"><v:given-name>G</v:given-name><v:family-name>F</v:family-name></v:n>
        <foaf:gender>unknown</foaf:gender><v:bday>1970-01-01</v:bday></sp:Demographics>"#,
    );
    assert!(
        matches!(Demographics::from_graph(&g), Err(Error::InvalidField { field, .. }) if field == "gender")
    );
    let g = xml(
        r#"<sp:Medication rdf:about="http://h/records/1/medications/"><sp:startDate>2001-01-01</sp:startDate></sp:Medication>"#,
    );
    assert!(
        matches!(g.records::<Medication>(), Err(Error::InvalidField { field, .. }) if field == "id")
    );
    let g = xml(
        r#"<api:ResponseSummary xmlns:api="http://smartplatforms.org/terms/api#"><api:totalResultCount>many</api:totalResultCount><api:resultsReturned>1</api:resultsReturned></api:ResponseSummary>"#,
    );
    assert!(
        matches!(ResponseSummary::from_graph(&g), Err(Error::InvalidField { field, .. }) if field == "total_result_count")
    );
}

#[test]
fn several_demographics_are_ambiguous() {
    let one = |rid: u32| {
        format!(
            r#"<sp:Demographics rdf:about="http://h/records/{rid}/demographics">
            <v:n rdf:parseType="Resource"><v:given-name>G</v:given-name><v:family-name>F</v:family-name></v:n>
            <foaf:gender>male</foaf:gender><v:bday>1970-01-01</v:bday></sp:Demographics>"#
        )
    };
    let g = xml(&format!("{}{}", one(1), one(2)));
    assert_eq!(
        Demographics::from_graph(&g),
        Err(Error::Ambiguous {
            kind: "Demographics",
            count: 2
        })
    );
    assert!(Demographics::from_graph(&xml(&one(1))).is_ok());
    assert!(xml(MED).records::<Medication>().is_ok());
}

#[test]
fn writer_rejects_bad_ids_and_bases() {
    assert!(RecordWriter::new("http://h", "a/b").is_err());
    assert!(RecordWriter::new("http://h", "").is_err());
    assert!(matches!(
        RecordWriter::new("not a base", "1"),
        Err(Error::InvalidIri { .. })
    ));
    let mut med = xml(MED).records::<Medication>().unwrap().remove(0);
    let mut w = RecordWriter::new("http://h", "1").unwrap();
    med.id = "x/y".into();
    assert!(w.add(&med).is_err());
    med.id = "has space".into();
    assert!(matches!(w.add(&med), Err(Error::InvalidIri { .. })));
    let bad_code = Code {
        uri: Some("not an iri".into()),
        ..Code::rxnorm("1", None)
    };
    med.id = "ok".into();
    med.drug_name.code = Some(bad_code);
    assert!(matches!(w.add(&med), Err(Error::InvalidIri { .. })));
}

#[test]
fn complete_documents_with_odd_ends_are_accepted() {
    let rdf = r#"xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#""#;
    for doc in [
        format!("<rdf:RDF {rdf}/>"),
        format!(
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- c -->\n<rdf:RDF {rdf}></rdf:RDF>\n<!-- trailing -->\n"
        ),
        format!("<!DOCTYPE rdf:RDF [<!ENTITY x \"y\">]><rdf:RDF {rdf}></rdf:RDF >"),
    ] {
        let g = Graph::parse(doc.as_bytes(), "application/rdf+xml", None)
            .unwrap_or_else(|e| panic!("{doc}: {e}"));
        assert!(g.is_empty());
    }
    for doc in [
        format!("<rdf:RDF {rdf}><rdf:Description/>"),
        format!("<rdf:RDF {rdf}></rdf:RDF><!-- unterminated"),
        "<?xml version=\"1.0\"?><!-- only a prolog -->".to_owned(),
        "   ".to_owned(),
    ] {
        assert!(
            Graph::parse(doc.as_bytes(), "application/rdf+xml", None).is_err(),
            "{doc}"
        );
    }
}

#[test]
fn text_xml_cannot_hold_is_a_writer_error() {
    let mut med = xml(MED).records::<Medication>().unwrap().remove(0);
    med.instructions = Some("bell \u{7} here".into());
    let err = to_rdf_xml("http://h", "1", &[med.clone()], None).unwrap_err();
    assert!(err.to_string().contains("U+0007"), "{err}");
    // Turtle can carry it.
    let mut w = RecordWriter::new("http://h", "1").unwrap();
    w.add(&med).unwrap();
    let g = Graph::parse(w.to_turtle().unwrap().as_bytes(), "text/turtle", None).unwrap();
    assert_eq!(g.records::<Medication>().unwrap(), vec![med]);
}

#[test]
fn writer_nests_records_as_the_original_did() {
    let med = xml(MED).records::<Medication>().unwrap();
    let xml = to_rdf_xml("http://h", "1", &med, None).unwrap();
    let expected = r#"  <sp:Medication rdf:about="http://h/records/1/medications/m1">
    <sp:belongsTo rdf:resource="http://h/records/1"/>
    <sp:drugName>
      <sp:CodedValue>
        <dcterms:title>Aspirin</dcterms:title>
      </sp:CodedValue>
    </sp:drugName>
    <sp:startDate>2001-01-01</sp:startDate>
  </sp:Medication>
</rdf:RDF>
"#;
    assert!(xml.ends_with(expected), "{xml}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Arbitrary bytes, and documents with one byte changed, never panic in any syntax.
    #[test]
    fn arbitrary_input_never_panics(
        noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
        at in 0usize..4096,
        byte in proptest::prelude::any::<u8>(),
    ) {
        let mut doc = fixture("medications.xml");
        let i = at % doc.len();
        doc[i] = byte;
        for ct in ["application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json"] {
            let _ = Graph::parse(&noise, ct, None);
            if let Ok(g) = Graph::parse(&doc, ct, None) {
                let _ = g.records::<Medication>();
                let _ = ResponseSummary::from_graph(&g);
            }
        }
    }
}

#[test]
fn a_writer_moves_on_to_another_record_and_keeps_blank_nodes_apart() {
    let mut w = RecordWriter::new("http://h", "1").unwrap();
    assert!(w.switch_record("a/b").is_err());
    assert!(w.switch_record("").is_err());
    let med = xml(MED).records::<Medication>().unwrap().remove(0);
    w.add(&med).unwrap();
    w.switch_record("2").unwrap();
    assert_eq!(w.record_uri().as_deref(), Some("http://h/records/2"));
    w.add(&med).unwrap();
    let g = Graph::parse(
        w.to_rdf_xml().unwrap().as_bytes(),
        "application/rdf+xml",
        None,
    )
    .unwrap();
    let rows = g
        .select(
            "PREFIX sp: <http://smartplatforms.org/terms#>
             SELECT ?m ?r ?c WHERE { ?m sp:belongsTo ?r ; sp:drugName ?c } ORDER BY ?r",
        )
        .unwrap();
    let pairs: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            (
                row.get("m").unwrap().as_str().to_owned(),
                row.get("r").unwrap().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            (
                "http://h/records/1/medications/m1".to_owned(),
                "http://h/records/1".to_owned()
            ),
            (
                "http://h/records/2/medications/m1".to_owned(),
                "http://h/records/2".to_owned()
            ),
        ]
    );
    // Each medication has its own coded-value node.
    assert_ne!(rows[0].get("c"), rows[1].get("c"));
}
