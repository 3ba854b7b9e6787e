//! The client's every call against the real container binary, with
//! filters and paging.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use smart_client::{Collection, Error, Query, Registry, SmartClient, SmartResponse};
use smart_rdf::Record;
use smart_rest_tests::{APP_ID, ContainerProcess, app_manifest, authorize, record_ids};
use url::Url;

async fn container() -> ContainerProcess {
    // The app's own pages are never visited here: any URL will do.
    let app_url = Url::parse("http://127.0.0.1:9/").unwrap();
    ContainerProcess::start(&app_manifest(&app_url).unwrap())
        .await
        .unwrap()
}

fn ids<R: Record>(records: &[R]) -> Vec<String> {
    records.iter().map(|r| r.id().to_owned()).collect()
}

/// Every page of a collection: each page's records, and the total of the
/// first summary.
async fn walk<R: Record>(
    record: &smart_client::RecordClient<'_>,
    collection: Collection,
    query: Query,
) -> (Vec<Vec<R>>, u64) {
    let pages = record.pages(collection, query).collect_all().await.unwrap();
    let mut out = Vec::new();
    let mut total = None;
    for page in &pages {
        let summary = smart_client::paging::page_summary(page).unwrap().unwrap();
        total.get_or_insert(summary.total_result_count);
        let batch: Vec<R> = page.records().unwrap();
        assert_eq!(batch.len() as u64, summary.results_returned);
        out.push(batch);
    }
    (out, total.unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_of_the_rest_table() {
    let container = container().await;
    let client = container.client().unwrap();
    let record_id = record_ids(&container).await.unwrap().remove(0);
    let token = authorize(&client, &record_id).await.unwrap();
    assert_eq!(token.record_id, record_id);
    assert_eq!(token.user_id.as_deref(), Some("demo"));
    let record = client.record(&token).unwrap();

    let demographics: Vec<smart_rdf::Demographics> =
        record.demographics().await.unwrap().records().unwrap();
    assert_eq!(demographics.len(), 1);

    let all = Query::new().limit(1000);
    macro_rules! list_and_item {
        ($list:ident, $item:ident, $ty:ty) => {{
            let response = record.$list(&all).await.unwrap();
            let records: Vec<$ty> = response.records().unwrap();
            assert!(!records.is_empty(), "{} is empty", stringify!($list));
            let summary = smart_client::paging::page_summary(&response)
                .unwrap()
                .unwrap();
            assert_eq!(summary.total_result_count, records.len() as u64);
            let first = records[0].id().to_owned();
            let one: Vec<$ty> = record.$item(&first).await.unwrap().records().unwrap();
            assert_eq!(ids(&one), [first], "{}", stringify!($item));
        }};
    }
    list_and_item!(medications, medication, smart_rdf::Medication);
    list_and_item!(problems, problem, smart_rdf::Problem);
    list_and_item!(allergies, allergy, smart_rdf::Allergy);
    list_and_item!(immunizations, immunization, smart_rdf::Immunization);
    list_and_item!(lab_results, lab_result, smart_rdf::LabResult);
    list_and_item!(vital_sign_sets, vital_sign_set, smart_rdf::VitalSignSet);
    list_and_item!(encounters, encounter, smart_rdf::Encounter);

    // Collections without a typed record here: a well-formed reply.
    for (name, response) in [
        ("clinical_notes", record.clinical_notes(&all).await),
        ("fulfillments", record.fulfillments(&all).await),
        ("procedures", record.procedures(&all).await),
        ("family_history", record.family_history(&all).await),
        ("social_history", record.social_history().await),
    ] {
        let response = response.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(response.status, StatusCode::OK, "{name}");
        assert!(response.graph().is_some(), "{name}: not rdf");
    }

    // The scratchpad: put, read back, delete.
    let document = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcterms="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="urn:note:1"><dcterms:title>scratch</dcterms:title></rdf:Description>
</rdf:RDF>"#;
    record.put_scratchpad(document.as_bytes()).await.unwrap();
    let read = record.scratchpad().await.unwrap();
    let rows = read
        .require_graph()
        .unwrap()
        .select("SELECT ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t }")
        .unwrap();
    assert_eq!(rows.first().unwrap().string("t").unwrap(), "scratch");
    record.delete_scratchpad().await.unwrap();
    match record.scratchpad().await {
        Err(e) => assert_eq!(e.status(), Some(StatusCode::NOT_FOUND), "{e}"),
        Ok(r) => assert!(r.graph().is_none_or(|g| g.is_empty()), "{r:?}"),
    }

    let user = record.user("demo").await.unwrap();
    assert_eq!(user.status, StatusCode::OK);

    let manifest: serde_json::Value = client.container_manifest().await.unwrap().json().unwrap();
    assert_eq!(manifest["api_base"], container.api_base.as_str());
    assert!(client.ontology().await.unwrap().graph().is_some());
    let apps: serde_json::Value = client.app_manifests().await.unwrap().json().unwrap();
    assert!(apps.to_string().contains(APP_ID), "{apps}");
    let app: serde_json::Value = client.app_manifest(APP_ID).await.unwrap().json().unwrap();
    assert_eq!(app["id"], APP_ID);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collections_walk_page_by_page() {
    let container = container().await;
    let client = container.client().unwrap();
    let record_id = record_ids(&container).await.unwrap().remove(0);
    let token = authorize(&client, &record_id).await.unwrap();
    let record = client.record(&token).unwrap();

    let (everything, total) =
        walk::<smart_rdf::Medication>(&record, Collection::Medications, Query::new().limit(1000))
            .await;
    assert_eq!(everything.len(), 1, "one page holds them all");
    let everything = everything.concat();
    assert!(total >= 3, "{total} medications: too few to page");
    assert_eq!(everything.len() as u64, total);
    let (pages, paged_total) =
        walk::<smart_rdf::Medication>(&record, Collection::Medications, Query::new().limit(2))
            .await;
    assert_eq!(paged_total, total);
    assert_eq!(pages.len() as u64, total.div_ceil(2));
    assert!(pages.iter().all(|p| p.len() <= 2));
    // Every record once (a graph keeps no order inside a page).
    let paged: Vec<smart_rdf::Medication> = pages.concat();
    let unique: BTreeSet<String> = ids(&paged).into_iter().collect();
    assert_eq!(unique.len(), paged.len());
    assert_eq!(
        unique,
        ids(&everything).into_iter().collect::<BTreeSet<_>>()
    );
    // Newest first: no record of a page is newer than one of the page before.
    for pair in pages.windows(2) {
        let oldest_before = pair[0].iter().filter_map(Record::date).min();
        let newest_after = pair[1].iter().filter_map(Record::date).max();
        assert!(
            oldest_before >= newest_after,
            "{oldest_before:?} < {newest_after:?}"
        );
    }
    // An offset skips: offset 1 with limit 1 is the second page of limit 1.
    let (single_pages, _) =
        walk::<smart_rdf::Medication>(&record, Collection::Medications, Query::new().limit(1))
            .await;
    let skipped: Vec<smart_rdf::Medication> = record
        .medications(&Query::new().limit(1).offset(1))
        .await
        .unwrap()
        .records()
        .unwrap();
    assert_eq!(ids(&skipped), ids(&single_pages[1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_by_date_and_code() {
    let container = container().await;
    let client = container.client().unwrap();
    let record_id = record_ids(&container).await.unwrap().remove(0);
    let token = authorize(&client, &record_id).await.unwrap();
    let record = client.record(&token).unwrap();
    let all = Query::new().limit(1000);

    // Dates: the middle medication's start date splits the list.
    let meds: Vec<smart_rdf::Medication> =
        record.medications(&all).await.unwrap().records().unwrap();
    let pivot = meds[meds.len() / 2].start_date;
    let newer: Vec<smart_rdf::Medication> = record
        .medications(&all.clone().date_from(pivot))
        .await
        .unwrap()
        .records()
        .unwrap();
    let older: Vec<smart_rdf::Medication> = record
        .medications(&all.clone().date_to(pivot))
        .await
        .unwrap()
        .records()
        .unwrap();
    assert!(newer.iter().all(|m| m.start_date >= pivot));
    assert!(older.iter().all(|m| m.start_date <= pivot));
    let expected_newer = meds.iter().filter(|m| m.start_date >= pivot).count();
    let expected_older = meds.iter().filter(|m| m.start_date <= pivot).count();
    assert_eq!((newer.len(), older.len()), (expected_newer, expected_older));
    let window: Vec<smart_rdf::Medication> = record
        .medications(&all.clone().date_from(pivot).date_to(pivot))
        .await
        .unwrap()
        .records()
        .unwrap();
    assert!(!window.is_empty() && window.iter().all(|m| m.start_date == pivot));

    // Codes: each filter keeps exactly the records with that code.
    let code = |c: &smart_rdf::CodedValue| c.code.as_ref().map(|c| c.identifier.clone());
    let rx = code(&meds[0].drug_name).unwrap();
    let by_rx: Vec<smart_rdf::Medication> = record
        .medications(&all.clone().rxnorm([rx.clone()]))
        .await
        .unwrap()
        .records()
        .unwrap();
    assert!(
        !by_rx.is_empty()
            && by_rx
                .iter()
                .all(|m| code(&m.drug_name).as_ref() == Some(&rx))
    );
    assert_eq!(
        by_rx.len(),
        meds.iter()
            .filter(|m| code(&m.drug_name).as_ref() == Some(&rx))
            .count()
    );
    // Several codes joined with `|`.
    let other_rx = meds
        .iter()
        .filter_map(|m| code(&m.drug_name))
        .find(|c| *c != rx);
    if let Some(other_rx) = other_rx {
        let both: Vec<smart_rdf::Medication> = record
            .medications(&all.clone().rxnorm([rx.clone(), other_rx.clone()]))
            .await
            .unwrap()
            .records()
            .unwrap();
        let expected = meds
            .iter()
            .filter(|m| code(&m.drug_name).is_some_and(|c| c == rx || c == other_rx))
            .count();
        assert_eq!(both.len(), expected);
    }

    let problems: Vec<smart_rdf::Problem> = record.problems(&all).await.unwrap().records().unwrap();
    let snomed = code(&problems[0].name).unwrap();
    let by_snomed: Vec<smart_rdf::Problem> = record
        .problems(&all.clone().snomed([snomed.clone()]))
        .await
        .unwrap()
        .records()
        .unwrap();
    assert!(
        !by_snomed.is_empty()
            && by_snomed
                .iter()
                .all(|p| code(&p.name).as_ref() == Some(&snomed))
    );

    let labs: Vec<smart_rdf::LabResult> =
        record.lab_results(&all).await.unwrap().records().unwrap();
    let loinc = code(&labs[0].name).unwrap();
    let by_loinc: Vec<smart_rdf::LabResult> = record
        .lab_results(&all.clone().loinc([loinc.clone()]))
        .await
        .unwrap()
        .records()
        .unwrap();
    assert!(
        !by_loinc.is_empty()
            && by_loinc
                .iter()
                .all(|l| code(&l.name).as_ref() == Some(&loinc))
    );
    assert!(
        by_loinc.len() < labs.len() || labs.iter().all(|l| code(&l.name).as_ref() == Some(&loinc))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_are_kept_another_record_is_403_a_revoked_token_401() {
    let container = container().await;
    let client = container.client().unwrap();
    let ids = record_ids(&container).await.unwrap();
    let token = authorize(&client, &ids[0]).await.unwrap();
    let record = client.record(&token).unwrap();

    let other = client
        .url(&format!("records/{}/demographics", ids[1]))
        .unwrap();
    let error = record.get(other).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FORBIDDEN), "{error}");
    assert!(!error.needs_reauthorization());

    record.demographics().await.unwrap();
    container.cli(&["revoke-tokens", APP_ID]).unwrap();
    let error = record.demographics().await.unwrap_err();
    assert!(error.needs_reauthorization(), "{error}");
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));

    // A wrong secret never gets a request token.
    let wrong = SmartClient::new(
        &container.api_base,
        smart_client::Credentials::new(APP_ID, "not-the-secret-at-all"),
    )
    .unwrap();
    let error = wrong.request_token(&ids[0]).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_24_an_unknown_api_base_is_refused_and_the_launch_url_comes_from_the_manifest() {
    let container = container().await;
    let mut registry = Registry::new();
    registry.insert(container.client().unwrap());
    assert!(matches!(
        registry.get("http://127.0.0.1:1"),
        Err(Error::UnknownApiBase(_))
    ));
    let client = registry.get(&format!("{}/", container.api_base)).unwrap();
    let launch = client.launch_url().await.unwrap();
    assert_eq!(
        launch.as_str(),
        format!("{}/apps/{APP_ID}/launch", container.api_base)
    );
    let _: &SmartResponse = &client.container_manifest().await.unwrap();
}
