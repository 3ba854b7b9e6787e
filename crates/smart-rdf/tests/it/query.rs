//! SPARQL over parsed graphs: the seed's query, result kinds, terms and conversions.

use chrono::NaiveDate;
use smart_rdf::*;

use super::{fixture, xml_fixture};

/// The seed's query, copied from `shared/SMART.md` unchanged.
const SEED: &str = "PREFIX vc: <http://www.w3.org/2006/vcard/ns#>
SELECT ?given ?family
WHERE { [] vc:n ?vcard .
        OPTIONAL { ?vcard vc:given-name ?given . }
        OPTIONAL { ?vcard vc:family-name ?family . } }";

const DRUG_NAMES: &str = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX sp: <http://smartplatforms.org/terms#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?drugname WHERE { ?med rdf:type sp:Medication . ?med sp:drugName ?c . ?c dcterms:title ?drugname . }";

#[test]
fn seed_query_gives_given_and_family() {
    assert_eq!(SEED, SEED_QUERY);
    let rows = xml_fixture("demographics.xml").select(SEED).unwrap();
    assert_eq!(rows.variables(), ["given", "family"]);
    assert_eq!(rows.len(), 1);
    let pair = (
        rows[0].string("given").unwrap(),
        rows[0].string("family").unwrap(),
    );
    assert_eq!(pair, ("Given".to_owned(), "Family".to_owned()));
}

#[test]
fn prepared_query_runs_over_several_graphs() {
    let q = Query::new(SEED).unwrap();
    for (file, ct) in [
        ("demographics.xml", "application/rdf+xml"),
        ("demographics.nt", "application/n-triples"),
        ("demographics.jsonld", "application/ld+json"),
    ] {
        let g = Graph::parse(&fixture(file), ct, None).unwrap();
        let rows = q.select(&g).unwrap();
        assert_eq!(rows.len(), 1, "{file}");
        assert_eq!(
            rows[0].get("given"),
            Some(&Term::Literal(Literal::string("Given"))),
            "{file}"
        );
    }
}

#[test]
fn optional_variables_may_be_unbound() {
    let g = Graph::parse(
        b"<http://x/d> <http://www.w3.org/2006/vcard/ns#n> _:n .
          _:n <http://www.w3.org/2006/vcard/ns#family-name> \"Solo\" .",
        "application/n-triples",
        None,
    )
    .unwrap();
    let rows = g.select(SEED).unwrap();
    assert_eq!(rows[0].get("given"), None);
    assert_eq!(rows[0].opt_string("given").unwrap(), None);
    assert_eq!(rows[0].string("given"), Err(Error::Unbound("given".into())));
    assert_eq!(rows[0].string("family").unwrap(), "Solo");
    assert_eq!(
        rows[0].iter().map(|(v, _)| v).collect::<Vec<_>>(),
        ["family"]
    );
}

#[test]
fn plain_and_xsd_string_literals_are_alike() {
    // demographics.ttl writes the family name as "Family"^^xsd:string, the given name plain.
    let g = Graph::parse(
        &fixture("demographics.ttl"),
        "text/turtle",
        Some("http://localhost:7000/records/2169591/demographics"),
    )
    .unwrap();
    let rows = g.select(SEED).unwrap();
    let given = rows[0].get("given").unwrap().as_literal().unwrap().clone();
    let family = rows[0].get("family").unwrap().as_literal().unwrap().clone();
    assert!(given.is_string() && family.is_string());
    assert_eq!(given.datatype(), family.datatype());
    assert_eq!(family, Literal::string("Family"));
    assert!(
        g.ask("ASK { ?n <http://www.w3.org/2006/vcard/ns#family-name> \"Family\" }")
            .unwrap()
    );
    assert_eq!(given.to_string(), "\"Given\"");
}

#[test]
fn medication_names() {
    let rows = xml_fixture("medications.xml").select(DRUG_NAMES).unwrap();
    let mut names: Vec<String> = rows.iter().map(|r| r.string("drugname").unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "AMITRIPTYLINE HCL 50 MG TAB",
            "Lisinopril 10 MG Oral Tablet"
        ]
    );
}

#[test]
fn ask_and_construct() {
    let g = xml_fixture("medications.xml");
    assert!(
        g.ask("ASK { ?m a <http://smartplatforms.org/terms#Medication> }")
            .unwrap()
    );
    assert!(
        !g.ask("ASK { ?m a <http://smartplatforms.org/terms#Problem> }")
            .unwrap()
    );
    let built = g
        .construct(
            "PREFIX sp: <http://smartplatforms.org/terms#>
             CONSTRUCT { ?m a sp:Medication ; sp:startDate ?d } WHERE { ?m a sp:Medication ; sp:startDate ?d }",
        )
        .unwrap();
    assert_eq!(built.len(), 4);
    match g.query("ASK { ?s ?p ?o }").unwrap() {
        QueryResult::Boolean(true) => {}
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn wrong_result_kind_is_an_error() {
    let g = xml_fixture("medications.xml");
    assert_eq!(
        g.select("ASK { ?s ?p ?o }"),
        Err(Error::WrongResultKind {
            expected: "SELECT",
            actual: "ASK"
        })
    );
    assert!(matches!(g.ask(SEED), Err(Error::WrongResultKind { .. })));
    assert!(matches!(
        g.construct(SEED),
        Err(Error::WrongResultKind { .. })
    ));
}

#[test]
fn bad_sparql_is_an_error() {
    let err = Query::new("SELEKT ?x WHERE { ?x ?y }").unwrap_err();
    assert!(matches!(err, Error::QuerySyntax(_)), "{err:?}");
    assert!(err.to_string().starts_with("invalid sparql query"));
}

#[test]
fn term_conversions() {
    let g = Graph::parse(
        br#"@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
            <http://x/s> <http://x/int> 42 ; <http://x/plainint> "-7" ; <http://x/dec> 37.5 ;
                <http://x/date> "2007-03-14"^^xsd:date ; <http://x/dt> "2010-05-12T04:00:00-04:00"^^xsd:dateTime ;
                <http://x/text> "hello"@en ; <http://x/node> [ <http://x/p> 1 ] ; <http://x/iri> <http://x/o> ."#,
        "text/turtle",
        None,
    )
    .unwrap();
    let rows = g
        .select(
            "PREFIX x: <http://x/>
             SELECT * WHERE { ?s x:int ?int ; x:plainint ?plainint ; x:dec ?dec ; x:date ?date ; x:dt ?dt ;
                              x:text ?text ; x:node ?node ; x:iri ?iri }",
        )
        .unwrap();
    let r = &rows[0];
    assert_eq!(r.i64("int").unwrap(), 42);
    assert_eq!(r.i64("plainint").unwrap(), -7);
    assert_eq!(r.f64("dec").unwrap(), 37.5);
    assert_eq!(r.f64("int").unwrap(), 42.0);
    assert_eq!(
        r.date("date").unwrap(),
        NaiveDate::from_ymd_opt(2007, 3, 14).unwrap()
    );
    assert_eq!(
        r.date("dt").unwrap(),
        NaiveDate::from_ymd_opt(2010, 5, 12).unwrap()
    );
    assert_eq!(
        r.datetime("dt").unwrap().to_rfc3339(),
        "2010-05-12T04:00:00-04:00"
    );
    assert_eq!(
        r.datetime("date").unwrap().to_rfc3339(),
        "2007-03-14T00:00:00+00:00"
    );
    assert_eq!(r.string("text").unwrap(), "hello");
    assert_eq!(
        r.term("text").unwrap().as_literal().unwrap().language(),
        Some("en")
    );
    assert_eq!(r.string("iri").unwrap(), "http://x/o");
    assert!(r.term("node").unwrap().is_blank_node());
    assert!(matches!(
        r.string("node"),
        Err(Error::Conversion {
            target: "string",
            ..
        })
    ));
    assert!(matches!(
        r.i64("text"),
        Err(Error::Conversion {
            target: "integer",
            ..
        })
    ));
    assert!(matches!(r.i64("dec"), Err(Error::Conversion { .. })));
    assert!(matches!(r.f64("text"), Err(Error::Conversion { .. })));
    assert!(matches!(r.date("text"), Err(Error::Conversion { .. })));
    assert!(matches!(r.date("iri"), Err(Error::Conversion { .. })));
    assert_eq!(
        r.term("int").unwrap().to_string(),
        "\"42\"^^<http://www.w3.org/2001/XMLSchema#integer>"
    );
    assert_eq!(r.get_index(0), r.get(&rows.variables()[0]));
}

#[test]
fn graphs_serialize_back_to_rdf_xml_and_turtle() {
    let g = xml_fixture("lab_results.xml");
    let mut before = g.triples().unwrap().len();
    assert_eq!(before, g.len());
    for (text, ct) in [
        (g.to_rdf_xml().unwrap(), "application/rdf+xml"),
        (g.to_turtle().unwrap(), "text/turtle"),
        (
            g.serialize(Syntax::NTriples).unwrap(),
            "application/n-triples",
        ),
    ] {
        let again = Graph::parse(text.as_bytes(), ct, None).unwrap();
        assert_eq!(again.len(), before, "{ct}");
        assert_eq!(
            again.records::<LabResult>().unwrap(),
            g.records::<LabResult>().unwrap(),
            "{ct}"
        );
        before = again.len();
    }
    assert!(g.serialize(Syntax::JsonLd).is_err());
}

#[test]
fn content_types() {
    for (ct, syntax) in [
        ("application/rdf+xml", Syntax::RdfXml),
        ("Application/RDF+XML; charset=utf-8", Syntax::RdfXml),
        ("text/turtle;charset=UTF-8", Syntax::Turtle),
        ("application/n-triples", Syntax::NTriples),
        ("application/ld+json", Syntax::JsonLd),
    ] {
        assert_eq!(Syntax::from_content_type(ct), Ok(syntax), "{ct}");
    }
    assert_eq!(Syntax::RdfXml.content_type(), "application/rdf+xml");
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Graph>();
    check::<Query>();
    check::<Rows>();
    check::<QueryResult>();
    check::<RecordWriter>();
    check::<Error>();
    check::<Medication>();
}

#[test]
fn add_triple_writes_untyped_kinds_next_to_records() {
    let meds = xml_fixture("medications.xml")
        .records::<Medication>()
        .unwrap();
    let mut w = RecordWriter::new("http://h", "1").unwrap();
    w.add(&meds[0]).unwrap();
    let note = Term::Iri("http://h/records/1/clinical_notes/c1".into());
    // The caller's `n1` must not merge with the writer's own first blank node.
    let author = Term::BlankNode("n1".into());
    w.add_triple(&note, "http://purl.org/dc/terms/creator", &author)
        .unwrap();
    w.add_triple(
        &author,
        "http://www.w3.org/2006/vcard/ns#fn",
        &Literal::string("Dr. A").into(),
    )
    .unwrap();
    let typed = Literal::typed("3", "http://www.w3.org/2001/XMLSchema#integer");
    w.add_triple(&note, "http://x/count", &typed.clone().into())
        .unwrap();
    assert!(
        w.add_triple(&Literal::string("s").into(), "http://x/p", &note)
            .is_err()
    );
    assert!(w.add_triple(&note, "not an iri", &note).is_err());
    for doc in [w.to_rdf_xml().unwrap(), w.to_turtle().unwrap()] {
        let ct = if doc.starts_with("<?xml") {
            "application/rdf+xml"
        } else {
            "text/turtle"
        };
        let g = Graph::parse(doc.as_bytes(), ct, None).unwrap();
        assert_eq!(g.records::<Medication>().unwrap(), meds[..1], "{doc}");
        let rows = g
            .select("SELECT ?name ?n WHERE { ?note <http://purl.org/dc/terms/creator> ?a . ?a <http://www.w3.org/2006/vcard/ns#fn> ?name . ?note <http://x/count> ?n }")
            .unwrap();
        assert_eq!(rows.len(), 1, "{doc}");
        assert_eq!(rows[0].string("name").unwrap(), "Dr. A");
        assert_eq!(rows[0].term("n").unwrap(), &Term::Literal(typed.clone()));
    }
}
