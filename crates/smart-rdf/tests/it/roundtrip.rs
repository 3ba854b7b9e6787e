//! Property: for arbitrary records, write then parse then extract gives the same records.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use smart_rdf::*;

pub(crate) fn text() -> BoxedStrategy<String> {
    prop_oneof![
        "\\PC{0,24}",
        "[<>&\"' \\n\\r\\ta-z{}\\[\\]/]{0,12}",
        "[A-Za-z ]{1,30}"
    ]
    .boxed()
}

pub(crate) fn day() -> BoxedStrategy<NaiveDate> {
    (-20_000i32..60_000)
        .prop_map(|n| NaiveDate::from_num_days_from_ce_opt(700_000 + n).unwrap())
        .boxed()
}

fn instant() -> BoxedStrategy<DateTime<Utc>> {
    (
        -2_000_000_000i64..4_000_000_000,
        prop_oneof![Just(0u32), 0u32..1_000_000_000],
    )
        .prop_map(|(s, ns)| DateTime::from_timestamp(s, ns).unwrap())
        .boxed()
}

fn code() -> BoxedStrategy<Code> {
    let iri_code = (
        prop_oneof![
            Just("http://purl.bioontology.org/ontology/RXNORM/"),
            Just("http://purl.bioontology.org/ontology/SNOMEDCT/"),
            Just("http://purl.bioontology.org/ontology/LNC/"),
        ],
        "[0-9]{6,9}(-[0-9])?",
        of(text()),
    )
        .prop_map(|(system, id, title)| Code::in_system(system, &id, title.as_deref()));
    let blank_code = (text(), text(), of(text())).prop_map(|(system, identifier, title)| Code {
        uri: None,
        system,
        identifier,
        title,
    });
    prop_oneof![iri_code, blank_code].boxed()
}

pub(crate) fn coded() -> BoxedStrategy<CodedValue> {
    (text(), of(code()))
        .prop_map(|(title, code)| CodedValue { title, code })
        .boxed()
}

pub(crate) fn quantity() -> BoxedStrategy<ValueAndUnit> {
    (prop_oneof!["-?[0-9]{1,4}(\\.[0-9]{1,3})?", text()], text())
        .prop_map(|(v, u)| ValueAndUnit::new(v, u))
        .boxed()
}

fn sign() -> BoxedStrategy<VitalSign> {
    (coded(), text(), text())
        .prop_map(|(name, value, unit)| VitalSign { name, value, unit })
        .boxed()
}

pub(crate) fn id() -> BoxedStrategy<String> {
    "[A-Za-z0-9_.~-]{1,16}".boxed()
}

fn demographics() -> BoxedStrategy<Demographics> {
    let address = (of(text()), of(text()), of(text()), of(text()), of(text())).prop_map(
        |(street, locality, region, postal_code, country)| Address {
            street,
            locality,
            region,
            postal_code,
            country,
        },
    );
    (
        (text(), of(text()), text()),
        prop_oneof![Just(Gender::Male), Just(Gender::Female)],
        day(),
        of(address),
        of(text()),
        of(text()),
        vec(code(), 0..3),
    )
        .prop_map(
            |((given, additional, family), gender, birthday, address, phone, email, mut mrns)| {
                mrns.sort_by(|a, b| (&a.system, &a.identifier).cmp(&(&b.system, &b.identifier)));
                Demographics {
                    name: Name {
                        given,
                        additional,
                        family,
                    },
                    gender,
                    birthday,
                    address,
                    phone,
                    email,
                    medical_record_numbers: mrns,
                }
            },
        )
        .boxed()
}

fn medication() -> BoxedStrategy<Medication> {
    (
        id(),
        coded(),
        day(),
        of(day()),
        of(text()),
        of(quantity()),
        of(quantity()),
    )
        .prop_map(
            |(id, drug_name, start_date, end_date, instructions, quantity, frequency)| Medication {
                id,
                drug_name,
                start_date,
                end_date,
                instructions,
                quantity,
                frequency,
            },
        )
        .boxed()
}

fn problem() -> BoxedStrategy<Problem> {
    (id(), coded(), day(), of(day()), of(text()))
        .prop_map(|(id, name, start_date, end_date, notes)| Problem {
            id,
            name,
            start_date,
            end_date,
            notes,
        })
        .boxed()
}

fn allergy() -> BoxedStrategy<Allergy> {
    let kind = prop_oneof![
        Just(AllergenKind::Drug),
        Just(AllergenKind::DrugClass),
        Just(AllergenKind::Food),
        Just(AllergenKind::Other)
    ];
    (
        id(),
        coded(),
        kind,
        coded(),
        coded(),
        of(coded()),
        of(day()),
    )
        .prop_map(
            |(id, category, allergen_kind, allergen, reaction, severity, start_date)| Allergy {
                id,
                category,
                allergen_kind,
                allergen,
                reaction,
                severity,
                start_date,
            },
        )
        .boxed()
}

fn immunization() -> BoxedStrategy<Immunization> {
    (id(), instant(), coded(), coded(), of(coded()))
        .prop_map(
            |(id, date, product_name, administration_status, refusal_reason)| Immunization {
                id,
                date,
                product_name,
                administration_status,
                refusal_reason,
            },
        )
        .boxed()
}

fn lab_result() -> BoxedStrategy<LabResult> {
    let range = (of(quantity()), of(quantity()))
        .prop_map(|(minimum, maximum)| ValueRange { minimum, maximum });
    (
        (id(), coded(), instant(), of(quantity()), of(range)),
        (of(text()), of(coded()), of(text()), of(coded())),
    )
        .prop_map(
            |(
                (id, name, specimen_collected, value, normal_range),
                (narrative, interpretation, accession_number, status),
            )| {
                LabResult {
                    id,
                    name,
                    specimen_collected,
                    value,
                    normal_range,
                    narrative,
                    interpretation,
                    accession_number,
                    status,
                }
            },
        )
        .boxed()
}

fn vital_sign_set() -> BoxedStrategy<VitalSignSet> {
    let bp = (sign(), sign(), of(coded()), of(coded())).prop_map(
        |(systolic, diastolic, position, site)| BloodPressure {
            systolic,
            diastolic,
            position,
            site,
        },
    );
    (
        (id(), instant(), of(coded()), of(bp)),
        (
            of(sign()),
            of(sign()),
            of(sign()),
            of(sign()),
            of(sign()),
            of(sign()),
            of(sign()),
        ),
    )
        .prop_map(
            |(
                (id, date, encounter_type, blood_pressure),
                (height, weight, bmi, rr, hr, spo2, temp),
            )| VitalSignSet {
                id,
                date,
                encounter_type,
                height,
                weight,
                body_mass_index: bmi,
                respiratory_rate: rr,
                heart_rate: hr,
                oxygen_saturation: spo2,
                temperature: temp,
                blood_pressure,
            },
        )
        .boxed()
}

fn encounter() -> BoxedStrategy<Encounter> {
    (id(), instant(), of(instant()), coded(), of(text()))
        .prop_map(
            |(id, start_date, end_date, encounter_type, facility)| Encounter {
                id,
                start_date,
                end_date,
                encounter_type,
                facility,
            },
        )
        .boxed()
}

fn summary() -> BoxedStrategy<ResponseSummary> {
    (
        any::<u64>(),
        any::<u64>(),
        vec(text(), 0..3),
        of("http://[a-z]{1,8}(:[0-9]{2,4})?/records/[0-9]{1,6}/medications/\\?limit=[0-9]{1,2}&offset=[0-9]{1,3}"),
    )
        .prop_map(|(total_result_count, results_returned, result_order, next_page_url)| ResponseSummary {
            total_result_count,
            results_returned,
            result_order,
            next_page_url,
        })
    .boxed()
}

/// Makes ids unique (the writer would merge two records with one id) and sorts them as
/// extraction does.
pub(crate) fn unique<R: Record>(mut records: Vec<R>, set_id: impl Fn(&mut R, String)) -> Vec<R> {
    for (i, r) in records.iter_mut().enumerate() {
        let id = format!("{}-{i:03}", r.id());
        set_id(r, id);
    }
    records.sort_by(|a, b| a.id().cmp(b.id()));
    records
}

/// Writes the records in both syntaxes and checks that extraction gives them back.
pub(crate) fn check<R: Record>(
    records: &[R],
    summary: Option<&ResponseSummary>,
) -> Result<(), TestCaseError> {
    let xml = to_rdf_xml("http://localhost:7000/api", "rec-1", records, summary).map_err(fail)?;
    let mut writer = RecordWriter::new("http://localhost:7000/api", "rec-1").map_err(fail)?;
    writer.add_all(records).map_err(fail)?;
    if let Some(s) = summary {
        writer.add_summary(s).map_err(fail)?;
    }
    let turtle = writer.to_turtle().map_err(fail)?;
    for (doc, ct) in [(xml, "application/rdf+xml"), (turtle, "text/turtle")] {
        let g = Graph::parse(doc.as_bytes(), ct, None).map_err(|e| fail(format!("{e}\n{doc}")))?;
        prop_assert_eq!(&g.records::<R>().map_err(fail)?, records, "{}\n{}", ct, doc);
        let got = ResponseSummary::from_graph(&g).map_err(fail)?;
        prop_assert_eq!(got.as_ref(), summary, "{}", ct);
    }
    Ok(())
}

pub(crate) fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn demographics_round_trip(d in demographics()) {
        let xml = to_rdf_xml("http://localhost:7000", "1", std::slice::from_ref(&d), None).map_err(fail)?;
        let g = Graph::parse(xml.as_bytes(), "application/rdf+xml", None).map_err(fail)?;
        prop_assert_eq!(Demographics::from_graph(&g).map_err(fail)?, d);
        let rows = g.select(SEED_QUERY).map_err(fail)?;
        prop_assert_eq!(rows.len(), 1);
    }

    #[test]
    fn medications_round_trip(meds in vec(medication(), 0..5), s in of(summary())) {
        check(&unique(meds, |r, id| r.id = id), s.as_ref())?;
    }

    #[test]
    fn problems_round_trip(items in vec(problem(), 0..4)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn allergies_round_trip(items in vec(allergy(), 0..4)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn immunizations_round_trip(items in vec(immunization(), 0..4)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn lab_results_round_trip(items in vec(lab_result(), 0..4), s in of(summary())) {
        check(&unique(items, |r, id| r.id = id), s.as_ref())?;
    }

    #[test]
    fn vital_sign_sets_round_trip(items in vec(vital_sign_set(), 0..3)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }

    #[test]
    fn encounters_round_trip(items in vec(encounter(), 0..4)) {
        check(&unique(items, |r, id| r.id = id), None)?;
    }
}

/// Found by the `rdf_parse` fuzz target: Turtle blank node labels may start
/// with a digit (`_:1n`), which is no XML name, so the RDF/XML writer must
/// not copy them into `rdf:nodeID`. A blank node referenced twice is written
/// by `rdf:nodeID`, and the output parses back to the same graph size.
#[test]
fn blank_node_labels_that_are_no_xml_names_write_valid_rdf_xml() {
    let turtle = "@prefix sp: <http://smartplatforms.org/terms#> .\n\
        <http://localhost:7000/records/1/medications/7> sp:drugName _:777n1 .\n\
        <http://localhost:7000/records/1/medications/8> sp:drugName _:777n1 .\n\
        _:777n1 sp:code <http://purl.bioontology.org/ontology/RXNORM/856845> .\n\
        _:1-.x sp:title \"x\" .\n";
    let graph = Graph::parse_syntax(turtle.as_bytes(), Syntax::Turtle, None).unwrap();
    let xml = graph.serialize(Syntax::RdfXml).unwrap();
    assert!(!xml.contains("nodeID=\"777"), "{xml}");
    let again = Graph::parse_syntax(xml.as_bytes(), Syntax::RdfXml, None)
        .unwrap_or_else(|e| panic!("own RDF/XML does not parse ({e}):\n{xml}"));
    assert_eq!(again.len(), graph.len(), "{xml}");
}
