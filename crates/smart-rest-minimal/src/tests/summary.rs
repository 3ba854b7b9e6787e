//! The summary over the fake container: every page of a section read, a
//! failed section shown with its error beside the others, a `nextPageURL`
//! off the api_base refused, a 401 in any section leading back to the dance.

use axum::http::StatusCode;
use smart_rdf::{CodedValue, Medication, ResponseSummary, to_rdf_xml};

use super::{API, Data, FakeContainer, dance, get, location, state};

const PAGE: &str = "/?record_id=7&api_base=http://c.test";
const RDF: &str = "application/rdf+xml";

fn medication(id: &str, name: &str) -> Medication {
    Medication {
        id: id.into(),
        drug_name: CodedValue {
            title: name.into(),
            code: Some(smart_rdf::Code::rxnorm("197361", Some(name))),
        },
        start_date: "2020-02-03".parse().unwrap(),
        end_date: None,
        instructions: Some("1 tablet daily".into()),
        quantity: None,
        frequency: None,
    }
}

/// One page of medications with its summary node.
fn medications_page(records: &[Medication], total: u64, next: Option<&str>) -> String {
    let summary = ResponseSummary {
        total_result_count: total,
        results_returned: records.len() as u64,
        result_order: Vec::new(),
        next_page_url: next.map(str::to_owned),
    };
    to_rdf_xml(API, "7", records, Some(&summary)).unwrap()
}

/// An empty, well-formed page for the sections a test does not look at.
fn empty_sections(fake: &FakeContainer, except: &[&str]) {
    for path in [
        "medications",
        "problems",
        "allergies",
        "immunizations",
        "vital_sign_sets",
        "lab_results",
        "encounters",
    ] {
        if !except.contains(&path) {
            let body = medications_page(&[], 0, None);
            fake.route(&format!("/records/7/{path}/"), 200, RDF, body);
        }
    }
}

#[tokio::test]
async fn every_page_is_read_and_a_failed_section_keeps_the_rest() {
    let fake = FakeContainer::new(Data::Name);
    empty_sections(&fake, &["medications", "problems"]);
    let next = format!("{API}/records/7/medications/?offset=1&limit=1");
    fake.route(
        "/records/7/medications/",
        200,
        RDF,
        medications_page(&[medication("m1", "Aspirin <81 mg>")], 2, Some(&next)),
    );
    fake.route(
        "/records/7/medications/?offset=1&limit=1",
        200,
        RDF,
        medications_page(&[medication("m2", "Metformin")], 2, None),
    );
    fake.route("/records/7/problems/", 500, "text/plain", "boom".into());
    let state = state(&fake, false);
    let cookie = dance(&state).await;
    let (status, _, body) = get(&state, PAGE, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"patient-name\""), "{body}");
    assert!(
        body.contains("<span id=\"medications-count\">2</span>"),
        "{body}"
    );
    assert!(body.contains("Aspirin &lt;81 mg&gt;") && body.contains("Metformin"));
    assert!(body.contains("197361"), "the RxNorm code is shown");
    assert!(body.contains("id=\"problems-error\""), "{body}");
    assert!(
        body.contains("<span id=\"allergies-count\">0</span>"),
        "{body}"
    );
    assert!(
        fake.urls()
            .iter()
            .any(|u| u.contains("medications/?offset=1")),
        "the second page was read"
    );
}

#[tokio::test]
async fn a_next_page_off_the_api_base_fails_that_section_and_nothing_is_sent_there() {
    let fake = FakeContainer::new(Data::Name);
    empty_sections(&fake, &["medications"]);
    fake.route(
        "/records/7/medications/",
        200,
        RDF,
        medications_page(
            &[medication("m1", "Aspirin")],
            2,
            Some("http://elsewhere.test/records/7/medications/?offset=1"),
        ),
    );
    let state = state(&fake, false);
    let cookie = dance(&state).await;
    let (status, _, body) = get(&state, PAGE, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"medications-error\""), "{body}");
    assert!(
        body.contains("<span id=\"encounters-count\">0</span>"),
        "{body}"
    );
    assert!(
        fake.urls().iter().all(|u| u.starts_with(API)),
        "{:?}",
        fake.urls()
    );
}

#[tokio::test]
async fn a_401_in_one_section_leads_back_through_the_dance() {
    let fake = FakeContainer::new(Data::Name);
    empty_sections(&fake, &["lab_results"]);
    fake.route(
        "/records/7/lab_results/",
        401,
        "text/plain",
        "expired".into(),
    );
    let state = state(&fake, false);
    let cookie = dance(&state).await;
    let (status, headers, _) = get(&state, PAGE, Some(&cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&headers).contains("/oauth/authorize"));
}
