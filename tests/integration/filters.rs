//! The collection filters against the real container binary: every date
//! filter at its boundary on every dated collection, every code filter on
//! every call that has one, and the 400s for what a call does not know.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use reqwest::StatusCode;
use smart_client::{Collection, DateFilter, Error, Query, RecordClient, SmartResponse};
use smart_rdf::Record;
use smart_rest_tests::{ContainerProcess, app_manifest, authorize, record_ids};
use url::Url;

async fn container() -> ContainerProcess {
    // The app's own pages are never visited here: any URL will do.
    let app_url = Url::parse("http://127.0.0.1:9/").unwrap();
    ContainerProcess::start(&app_manifest(&app_url).unwrap())
        .await
        .unwrap()
}

/// `(id, value)` of every typed record in a reply.
fn typed<R: Record>(reply: &SmartResponse, value: impl Fn(&R) -> String) -> Vec<(String, String)> {
    reply
        .records::<R>()
        .unwrap()
        .iter()
        .map(|r| (r.id().to_owned(), value(r)))
        .collect()
}

/// `(id, literal)` of every node of `sp:{type_name}` through `path`, for
/// the kinds `smart-rdf` does not type yet.
fn by_sparql(reply: &SmartResponse, type_name: &str, path: &str) -> Vec<(String, String)> {
    let rows = reply
        .require_graph()
        .unwrap()
        .select(&format!(
            "PREFIX sp: <http://smartplatforms.org/terms#>
             PREFIX dcterms: <http://purl.org/dc/terms/>
             SELECT ?s ?v WHERE {{ ?s a sp:{type_name} ; {path} ?v . }}"
        ))
        .unwrap();
    rows.iter()
        .map(|row| {
            let s = row.get("s").unwrap().as_iri().unwrap();
            let id = s.rsplit('/').next().unwrap().to_owned();
            (id, row.get("v").unwrap().as_str().to_owned())
        })
        .collect()
}

fn day<R: Record>(r: &R) -> String {
    r.date().unwrap().to_string()
}

/// Each item's date, by id, read from the reply as an app would.
fn dates(collection: Collection, reply: &SmartResponse) -> Vec<(String, String)> {
    match collection {
        Collection::Medications => typed(reply, day::<smart_rdf::Medication>),
        Collection::Problems => typed(reply, day::<smart_rdf::Problem>),
        Collection::LabResults => typed(reply, day::<smart_rdf::LabResult>),
        Collection::VitalSignSets => typed(reply, day::<smart_rdf::VitalSignSet>),
        Collection::Encounters => typed(reply, day::<smart_rdf::Encounter>),
        Collection::Immunizations => typed(reply, day::<smart_rdf::Immunization>),
        Collection::Procedures => typed(reply, day::<smart_rdf::Procedure>),
        Collection::ClinicalNotes => typed(reply, day::<smart_rdf::ClinicalNote>),
        Collection::Fulfillments => typed(reply, day::<smart_rdf::Fulfillment>),
        Collection::Documents => typed(reply, day::<smart_rdf::Document>),
        Collection::LabPanels => typed(reply, day::<smart_rdf::LabPanel>),
        other => panic!("{other:?} has no dates"),
    }
}

/// Each item's code under the collection's code filter, by id.
fn codes(collection: Collection, reply: &SmartResponse) -> Vec<(String, String)> {
    let id = |c: &smart_rdf::CodedValue| c.code.as_ref().unwrap().identifier.clone();
    match collection {
        Collection::Medications => typed(reply, |m: &smart_rdf::Medication| id(&m.drug_name)),
        Collection::Problems => typed(reply, |p: &smart_rdf::Problem| id(&p.name)),
        Collection::LabResults => typed(reply, |l: &smart_rdf::LabResult| id(&l.name)),
        Collection::VitalSignSets => typed(reply, |v: &smart_rdf::VitalSignSet| {
            id(v.encounter_type.as_ref().unwrap())
        }),
        Collection::Procedures => by_sparql(
            reply,
            "Procedure",
            "sp:procedureName/sp:code/dcterms:identifier",
        ),
        other => panic!("{other:?} has no code filter"),
    }
}

/// Every item the query keeps, with the summary checked: the container
/// counts what the filters kept.
async fn fetch(
    record: &RecordClient<'_>,
    collection: Collection,
    query: Query,
    read: fn(Collection, &SmartResponse) -> Vec<(String, String)>,
) -> BTreeMap<String, String> {
    let reply = record
        .collection(collection, &query.clone().limit(1000))
        .await
        .unwrap();
    let items: BTreeMap<String, String> = read(collection, &reply).into_iter().collect();
    let summary = smart_client::paging::page_summary(&reply).unwrap().unwrap();
    assert_eq!(
        (summary.total_result_count, summary.results_returned),
        (items.len() as u64, items.len() as u64),
        "{collection:?} {query:?}"
    );
    items
}

fn keeps(filter: DateFilter, date: &str, bound: &str) -> bool {
    match (filter.is_lower(), filter.is_inclusive()) {
        (true, true) => date >= bound,
        (true, false) => date > bound,
        (false, true) => date <= bound,
        (false, false) => date < bound,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_date_filter_at_its_boundary() {
    let container = container().await;
    let client = container.client().unwrap();
    let mut remaining: Vec<Collection> =
        Collection::ALL.into_iter().filter(|c| c.dated()).collect();
    assert_eq!(remaining.len(), 11);
    // Not every patient has procedures: walk the records until every
    // dated collection has been tried.
    for record_id in record_ids(&container).await.unwrap() {
        if remaining.is_empty() {
            break;
        }
        let token = authorize(&client, &record_id).await.unwrap();
        let record = client.record(&token).unwrap();
        for collection in remaining.clone() {
            let all = fetch(&record, collection, Query::new(), dates).await;
            if all.is_empty() {
                continue;
            }
            // The bound is the date of an item in the middle: items fall on
            // it and, mostly, before and after it.
            let mut days: Vec<&String> = all.values().collect();
            days.sort();
            let bound = days[days.len() / 2].clone();
            let pivot = NaiveDate::parse_from_str(&bound, "%Y-%m-%d").unwrap();
            for filter in DateFilter::ALL {
                let kept =
                    fetch(&record, collection, Query::new().date(filter, pivot), dates).await;
                let expected: BTreeSet<&String> = all
                    .iter()
                    .filter(|(_, d)| keeps(filter, d, &bound))
                    .map(|(id, _)| id)
                    .collect();
                assert_eq!(
                    kept.keys().collect::<BTreeSet<_>>(),
                    expected,
                    "{collection:?} {} {bound}",
                    filter.parameter()
                );
                assert_eq!(
                    kept.values().any(|d| *d == bound),
                    filter.is_inclusive(),
                    "{collection:?} {}: the item dated {bound}",
                    filter.parameter()
                );
            }
            remaining.retain(|c| *c != collection);
        }
    }
    assert!(remaining.is_empty(), "never tried: {remaining:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_code_filter_keeps_exactly_its_codes() {
    let container = container().await;
    let client = container.client().unwrap();
    let mut remaining = vec![
        Collection::Medications,
        Collection::Problems,
        Collection::Procedures,
        Collection::LabResults,
        Collection::VitalSignSets,
    ];
    // Not every patient has procedures: walk the records until every
    // filter has been tried on a collection with at least two codes.
    for record_id in record_ids(&container).await.unwrap() {
        if remaining.is_empty() {
            break;
        }
        let token = authorize(&client, &record_id).await.unwrap();
        let record = client.record(&token).unwrap();
        for collection in remaining.clone() {
            let all = fetch(&record, collection, Query::new(), codes).await;
            let distinct: BTreeSet<&String> = all.values().collect();
            if distinct.len() < 2 {
                continue;
            }
            let mut it = distinct.into_iter();
            let (one, two) = (it.next().unwrap().clone(), it.next().unwrap().clone());
            for chosen in [vec![one.clone()], vec![one.clone(), two.clone()]] {
                let system = collection.code_system().unwrap();
                let query = match system {
                    smart_client::CodeSystem::RxNorm => Query::new().rxnorm(chosen.clone()),
                    smart_client::CodeSystem::Snomed => Query::new().snomed(chosen.clone()),
                    smart_client::CodeSystem::Loinc => Query::new().loinc(chosen.clone()),
                    smart_client::CodeSystem::EncounterType => {
                        Query::new().encounter_type(chosen.clone())
                    }
                };
                let kept = fetch(&record, collection, query, codes).await;
                let expected: BTreeSet<&String> = all
                    .iter()
                    .filter(|(_, c)| chosen.contains(c))
                    .map(|(id, _)| id)
                    .collect();
                assert!(!expected.is_empty());
                assert_eq!(
                    kept.keys().collect::<BTreeSet<_>>(),
                    expected,
                    "{collection:?} {}={}",
                    system.parameter(),
                    chosen.join("|")
                );
            }
            remaining.retain(|c| *c != collection);
        }
    }
    assert!(remaining.is_empty(), "never tried: {remaining:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_malformed_parameters_are_400_naming_them() {
    let container = container().await;
    let client = container.client().unwrap();
    let record_id = record_ids(&container).await.unwrap().remove(0);
    let token = authorize(&client, &record_id).await.unwrap();
    let record = client.record(&token).unwrap();
    let base = container.api_base.clone();
    let url = |path: &str| Url::parse(&format!("{base}/records/{record_id}/{path}")).unwrap();
    for (path, needles) in [
        (
            "medications/?color=blue",
            &["`color`", "rxnorm", "date_to_excluding"][..],
        ),
        (
            "medications/?snomed=1",
            &["`snomed`", "this call accepts"][..],
        ),
        ("procedures/?rxnorm=1", &["`rxnorm`", "snomed"][..]),
        (
            "allergies/?date_from=2012-01-01",
            &["`date_from`", "limit, offset"][..],
        ),
        (
            "medications/?date_from=2012-13-01",
            &["`date_from`", "YYYY-MM-DD"][..],
        ),
        (
            "lab_results/?date_to_excluding=yesterday",
            &["`date_to_excluding`"][..],
        ),
        ("problems/?limit=0", &["`limit`"][..]),
        ("problems/?offset=x", &["`offset`"][..]),
        (
            "vital_sign_sets/?encounter_type=",
            &["`encounter_type`"][..],
        ),
        ("demographics?x=1", &["`x`", "no parameters"][..]),
        ("social_history?limit=1", &["`limit`", "no parameters"][..]),
    ] {
        match record.get(url(path)).await {
            Err(Error::Status { status, body }) => {
                assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
                for needle in needles {
                    assert!(body.contains(needle), "{path}: {body}");
                }
            }
            other => panic!("{path}: {other:?}"),
        }
    }
}
