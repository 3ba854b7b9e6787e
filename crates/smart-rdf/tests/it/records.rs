//! Extraction of every record kind from the hand-written fixtures.

use chrono::{DateTime, NaiveDate, Utc};
use smart_rdf::*;

use super::xml_fixture;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn titled(title: &str) -> CodedValue {
    CodedValue {
        title: title.into(),
        code: None,
    }
}

#[test]
fn demographics() {
    let d = Demographics::from_graph(&xml_fixture("demographics.xml")).unwrap();
    let expected = Demographics {
        name: Name {
            given: "Given".into(),
            additional: Some("Middle".into()),
            family: "Family".into(),
        },
        gender: Gender::Female,
        birthday: day(1951, 6, 2),
        address: Some(Address {
            street: Some("14 Quince Orchard Lane".into()),
            locality: Some("Fernvale".into()),
            region: Some("MA".into()),
            postal_code: Some("01999".into()),
            country: Some("USA".into()),
        }),
        phone: Some("800-555-0142".into()),
        email: Some("given.family@example.invalid".into()),
        medical_record_numbers: vec![
            Code {
                uri: None,
                system: "Community Clinic".into(),
                identifier: "88-41".into(),
                title: Some("Clinic ID 88-41".into()),
            },
            Code {
                uri: None,
                system: "My Hospital Record".into(),
                identifier: "123".into(),
                title: Some("My Hospital Record 123".into()),
            },
        ],
    };
    assert_eq!(d, expected);
    assert_eq!(d.date(), Some(day(1951, 6, 2)));
    assert_eq!(d.uri("http://h/", "9"), "http://h/records/9/demographics");
}

#[test]
fn demographics_in_every_syntax() {
    for (file, content_type, base) in [
        (
            "demographics.ttl",
            "text/turtle",
            Some("http://localhost:7000/records/2169591/demographics"),
        ),
        ("demographics.nt", "application/n-triples", None),
        ("demographics.jsonld", "application/ld+json", None),
    ] {
        let g = Graph::parse(&super::fixture(file), content_type, base)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let d = Demographics::from_graph(&g).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            (d.name.given.as_str(), d.name.family.as_str()),
            ("Given", "Family"),
            "{file}"
        );
        assert_eq!(d.birthday, day(1951, 6, 2), "{file}");
        assert_eq!(d.address, None, "{file}");
        assert!(d.medical_record_numbers.is_empty(), "{file}");
    }
}

#[test]
fn medications_and_summary() {
    let g = xml_fixture("medications.xml");
    let meds = g.records::<Medication>().unwrap();
    assert_eq!(
        meds,
        vec![
            Medication {
                id: "a1b2".into(),
                drug_name: CodedValue::new(
                    "AMITRIPTYLINE HCL 50 MG TAB",
                    Code::rxnorm(
                        "856845",
                        Some("Amitriptyline Hydrochloride 50 MG Oral Tablet")
                    ),
                ),
                start_date: day(2007, 3, 14),
                end_date: Some(day(2008, 1, 2)),
                instructions: Some("Take one tablet by mouth at bedtime & with water".into()),
                quantity: Some(ValueAndUnit::new("1", "{tablet}")),
                frequency: Some(ValueAndUnit::new("1", "/d")),
            },
            Medication {
                id: "c3d4".into(),
                drug_name: CodedValue::new(
                    "Lisinopril 10 MG Oral Tablet",
                    Code::rxnorm("314076", None)
                ),
                start_date: day(2010, 11, 30),
                end_date: None,
                instructions: None,
                quantity: None,
                frequency: None,
            },
        ]
    );
    assert_eq!(meds[1].date(), Some(day(2010, 11, 30)));
    assert_eq!(Medication::COLLECTION, "medications");
    assert_eq!(
        ResponseSummary::from_graph(&g).unwrap(),
        Some(ResponseSummary {
            total_result_count: 5,
            results_returned: 2,
            result_order: vec!["http://smartplatforms.org/terms#Medication/startDate".into()],
            next_page_url: Some(
                "http://localhost:7000/records/2169591/medications/?limit=2&offset=2".into()
            ),
        })
    );
    // A document without a summary has none.
    assert_eq!(
        ResponseSummary::from_graph(&xml_fixture("problems.xml")).unwrap(),
        None
    );
}

#[test]
fn problems() {
    let problems = xml_fixture("problems.xml").records::<Problem>().unwrap();
    assert_eq!(
        problems,
        vec![
            Problem {
                id: "p0".into(),
                name: CodedValue::new("Acute bronchitis", Code::snomed("10509002", None)),
                start_date: day(2009, 10, 1),
                end_date: Some(day(2009, 10, 20)),
                notes: Some("Resolved after a course of rest and fluids.".into()),
            },
            Problem {
                id: "p1".into(),
                name: CodedValue::new(
                    "Essential hypertension",
                    Code::snomed("59621000", Some("Essential hypertension")),
                ),
                start_date: day(2006, 2, 11),
                end_date: None,
                notes: None,
            },
        ]
    );
}

#[test]
fn allergies() {
    let allergies = xml_fixture("allergies.xml").records::<Allergy>().unwrap();
    assert_eq!(
        allergies,
        vec![
            Allergy {
                id: "al1".into(),
                category: CodedValue::new("Drug allergy", Code::snomed("416098002", None)),
                allergen_kind: AllergenKind::DrugClass,
                allergen: CodedValue::new(
                    "Sulfonamide Antibacterial",
                    Code::in_system(
                        "http://purl.bioontology.org/ontology/NDFRT/",
                        "N0000175503",
                        None
                    ),
                ),
                reaction: CodedValue::new("Skin rash", Code::snomed("271807003", None)),
                severity: Some(CodedValue::new("Mild", Code::snomed("255604002", None))),
                start_date: None,
            },
            Allergy {
                id: "al2".into(),
                category: titled("Food allergy"),
                allergen_kind: AllergenKind::Food,
                allergen: titled("Peanut"),
                reaction: titled("Anaphylaxis"),
                severity: None,
                start_date: Some(day(1999, 7, 4)),
            },
        ]
    );
    assert_eq!(allergies[0].date(), None);
}

#[test]
fn immunizations() {
    let imms = xml_fixture("immunizations.xml")
        .records::<Immunization>()
        .unwrap();
    let cvx = "http://www2a.cdc.gov/nip/IIS/IISStandards/vaccines.asp?rpt=cvx#";
    let status = "http://smartplatforms.org/terms/codes/ImmunizationAdministrationStatus#";
    assert_eq!(
        imms,
        vec![
            Immunization {
                id: "i1".into(),
                date: instant("2010-05-12T04:00:00Z"),
                product_name: CodedValue::new(
                    "Influenza virus vaccine, split virus",
                    Code::in_system(cvx, "15", None)
                ),
                administration_status: CodedValue::new(
                    "Dose given",
                    Code::in_system(status, "doseGiven", None)
                ),
                refusal_reason: None,
            },
            Immunization {
                id: "i2".into(),
                date: instant("2011-10-03T13:30:00Z"),
                product_name: titled("Tetanus and diphtheria toxoids"),
                administration_status: titled("Not administered"),
                refusal_reason: Some(titled("Patient objection")),
            },
        ]
    );
    assert_eq!(imms[1].date(), Some(day(2011, 10, 3)));
}

#[test]
fn lab_results() {
    let labs = xml_fixture("lab_results.xml")
        .records::<LabResult>()
        .unwrap();
    let mmol = |v: &str| ValueAndUnit::new(v, "mmol/L");
    assert_eq!(
        labs,
        vec![
            LabResult {
                id: "l1".into(),
                name: CodedValue::new("Serum sodium", Code::loinc("2951-2", None)),
                specimen_collected: instant("2007-04-21T12:00:00Z"),
                value: Some(mmol("140")),
                normal_range: Some(ValueRange {
                    minimum: Some(mmol("135")),
                    maximum: Some(mmol("145")),
                }),
                narrative: None,
                interpretation: None,
                accession_number: Some("AC-0042".into()),
                status: Some(CodedValue::new(
                    "Final",
                    Code::in_system(
                        "http://smartplatforms.org/terms/codes/LabResultStatus#",
                        "final",
                        None
                    )
                )),
            },
            LabResult {
                id: "l2".into(),
                name: titled("Throat culture"),
                specimen_collected: instant("2008-01-09T00:00:00Z"),
                value: None,
                normal_range: None,
                narrative: Some("No group A streptococcus isolated.".into()),
                interpretation: Some(titled("Normal")),
                accession_number: None,
                status: None,
            },
        ]
    );
    assert_eq!(
        labs[0].value.as_ref().and_then(ValueAndUnit::as_f64),
        Some(140.0)
    );
}

#[test]
fn vital_sign_sets() {
    let g = xml_fixture("vital_sign_sets.xml");
    let sets = g.records::<VitalSignSet>().unwrap();
    let sign = |title: &str, loinc: &str, value: &str, unit: &str| VitalSign {
        name: CodedValue::new(title, Code::loinc(loinc, None)),
        value: value.into(),
        unit: unit.into(),
    };
    assert_eq!(
        sets,
        vec![VitalSignSet {
            id: "vs1".into(),
            date: instant("2010-06-22T14:45:00Z"),
            encounter_type: Some(CodedValue::new(
                "Ambulatory encounter",
                Code::in_system(
                    "http://smartplatforms.org/terms/codes/EncounterType#",
                    "ambulatory",
                    None
                )
            )),
            height: Some(sign("Body height", "8302-2", "1.73", "m")),
            weight: Some(sign("Body weight", "3141-9", "70.8", "kg")),
            body_mass_index: None,
            respiratory_rate: None,
            heart_rate: Some(sign("Heart rate", "8867-4", "72", "{beats}/min")),
            oxygen_saturation: None,
            temperature: Some(sign("Body temperature", "8310-5", "37.1", "Cel")),
            blood_pressure: Some(BloodPressure {
                systolic: sign("Systolic blood pressure", "8480-6", "132", "mm[Hg]"),
                diastolic: sign("Diastolic blood pressure", "8462-4", "82", "mm[Hg]"),
                position: Some(titled("Sitting")),
                site: None,
            }),
        }]
    );
    // The vital sign set's blank sp:Encounter node is part of it, not an encounter record.
    assert_eq!(g.records::<Encounter>().unwrap(), vec![]);
}

#[test]
fn encounters() {
    let encounters = xml_fixture("encounters.xml")
        .records::<Encounter>()
        .unwrap();
    let types = "http://smartplatforms.org/terms/codes/EncounterType#";
    assert_eq!(
        encounters,
        vec![
            Encounter {
                id: "e1".into(),
                start_date: instant("2009-02-03T08:00:00Z"),
                end_date: Some(instant("2009-02-06T17:15:00Z")),
                encounter_type: CodedValue::new(
                    "Inpatient encounter",
                    Code::in_system(types, "inpatient", None)
                ),
                facility: Some("Fernvale General Hospital".into()),
            },
            Encounter {
                id: "e2".into(),
                start_date: instant("2011-09-14T08:20:00Z"),
                end_date: None,
                encounter_type: titled("Ambulatory encounter"),
                facility: None,
            },
        ]
    );
}

#[test]
fn a_document_of_one_kind_has_no_records_of_another() {
    let g = xml_fixture("problems.xml");
    assert!(g.records::<Medication>().unwrap().is_empty());
    assert_eq!(
        Demographics::from_graph(&g),
        Err(Error::NotFound("Demographics"))
    );
}
