//! The record calls, the scratchpad and users, after a real dance.

use axum::http::StatusCode;
use smart_rdf::{Demographics, Graph, LabResult, Medication, Problem, ResponseSummary, SEED_QUERY};

use super::harness::{Harness, OTHER_APP_ID, PUBLIC, RECORD, Reply};

fn graph(r: &Reply) -> Graph {
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/rdf+xml");
    Graph::parse(r.body.as_bytes(), "application/rdf+xml", None).unwrap()
}

#[tokio::test]
async fn demographics_answer_the_seed_query() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let r = h
        .signed_get(&auth, &format!("/records/{RECORD}/demographics"))
        .await;
    assert_eq!(r.header("cache-control"), "no-store");
    let g = graph(&r);
    let d = Demographics::from_graph(&g).unwrap();
    let rows = g.select(SEED_QUERY).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows.first().unwrap().string("given").unwrap(), d.name.given);
    assert_eq!(
        rows.first().unwrap().string("family").unwrap(),
        d.name.family
    );
    assert_eq!(d.medical_record_numbers.len(), 1);
    assert!(r.body.contains(&format!("{PUBLIC}/records/{RECORD}")));
}

#[tokio::test]
async fn medications_page_newest_first_with_a_next_page() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let all = graph(
        &h.signed_get(&auth, &format!("/records/{RECORD}/medications/"))
            .await,
    );
    let everything = all.records::<Medication>().unwrap();
    let total = ResponseSummary::from_graph(&all).unwrap().unwrap();
    assert_eq!(total.total_result_count, everything.len() as u64);
    assert_eq!(total.next_page_url, None);
    assert!(everything.len() >= 4);

    // Pages come newest first: every date of a page is on or after every
    // date of the next page (within a page the graph has no order).
    let mut pages: Vec<Vec<chrono::NaiveDate>> = Vec::new();
    let mut path = format!("/records/{RECORD}/medications/?limit=3");
    loop {
        let g = graph(&h.signed_get(&auth, &path).await);
        let s = ResponseSummary::from_graph(&g).unwrap().unwrap();
        let page = g.records::<Medication>().unwrap();
        assert_eq!(s.results_returned, page.len() as u64);
        assert_eq!(s.total_result_count, everything.len() as u64);
        assert_eq!(s.result_order, ["-date"]);
        pages.push(page.into_iter().map(|m| m.start_date).collect());
        match s.next_page_url {
            Some(next) => path = next.strip_prefix(PUBLIC).unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(pages.iter().map(Vec::len).sum::<usize>(), everything.len());
    assert_eq!(pages.len(), everything.len().div_ceil(3));
    for pair in pages.windows(2) {
        let older_max = pair[1].iter().max().unwrap();
        assert!(
            pair[0].iter().all(|d| d >= older_max),
            "pages out of order: {pages:?}"
        );
    }
}

#[tokio::test]
async fn date_and_code_filters_narrow_the_collection() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let labs = graph(
        &h.signed_get(&auth, &format!("/records/{RECORD}/lab_results/"))
            .await,
    )
    .records::<LabResult>()
    .unwrap();
    let some = labs[0].specimen_collected.date_naive();
    let from = format!("{some}");
    let g = graph(
        &h.signed_get(
            &auth,
            &format!("/records/{RECORD}/lab_results/?date_from={from}&date_to={from}"),
        )
        .await,
    );
    let filtered = g.records::<LabResult>().unwrap();
    assert!(!filtered.is_empty());
    assert!(
        filtered
            .iter()
            .all(|l| l.specimen_collected.date_naive() == some)
    );
    // Two LOINC codes joined with `|`.
    let code_a = labs[0].name.code.as_ref().unwrap().identifier.clone();
    let g = graph(
        &h.signed_get(
            &auth,
            &format!("/records/{RECORD}/lab_results/?loinc={code_a}%7C0000-0"),
        )
        .await,
    );
    let by_code = g.records::<LabResult>().unwrap();
    assert!(!by_code.is_empty());
    assert!(
        by_code
            .iter()
            .all(|l| l.name.code.as_ref().unwrap().identifier == code_a)
    );
    assert_eq!(
        by_code.len(),
        labs.iter()
            .filter(|l| l.name.code.as_ref().unwrap().identifier == code_a)
            .count()
    );
    // rxnorm on medications, snomed on problems.
    let g = graph(
        &h.signed_get(&auth, &format!("/records/{RECORD}/medications/?rxnorm=0"))
            .await,
    );
    assert!(g.records::<Medication>().unwrap().is_empty());
    let problems = graph(
        &h.signed_get(&auth, &format!("/records/{RECORD}/problems/"))
            .await,
    )
    .records::<Problem>()
    .unwrap();
    let code = problems[0].name.code.as_ref().unwrap().identifier.clone();
    let g = graph(
        &h.signed_get(&auth, &format!("/records/{RECORD}/problems/?snomed={code}"))
            .await,
    );
    assert!(
        g.records::<Problem>()
            .unwrap()
            .iter()
            .all(|p| p.name.code.as_ref().unwrap().identifier == code)
    );
}

#[tokio::test]
async fn bad_paging_and_filter_values_are_400() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    for q in [
        "limit=0",
        "limit=x",
        "offset=-1",
        "date_from=2020-13-01",
        "date_to=yesterday",
        "limit=1&limit=2",
    ] {
        let r = h
            .signed_get(&auth, &format!("/records/{RECORD}/medications/?{q}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
    }
}

#[tokio::test]
async fn every_collection_and_item_is_served_as_rdf() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    for coll in crate::model::collections() {
        let path = if coll.single {
            format!("/records/{RECORD}/{}", coll.name)
        } else {
            format!("/records/{RECORD}/{}/", coll.name)
        };
        let g = graph(&h.signed_get(&auth, &path).await);
        let rows = g
            .select(&format!("SELECT ?s WHERE {{ ?s a <{}> }}", coll.type_uri))
            .unwrap();
        assert!(!rows.is_empty(), "{} is empty", coll.name);
        if coll.single {
            continue;
        }
        let summary = ResponseSummary::from_graph(&g).unwrap().unwrap();
        assert_eq!(
            summary.total_result_count,
            rows.len() as u64,
            "{}",
            coll.name
        );
        let uri = rows
            .first()
            .unwrap()
            .term("s")
            .unwrap()
            .as_iri()
            .unwrap()
            .to_owned();
        assert!(
            uri.starts_with(&format!("{PUBLIC}/records/{RECORD}/{}/", coll.name)),
            "{uri}"
        );
        let one = graph(&h.signed_get(&auth, uri.strip_prefix(PUBLIC).unwrap()).await);
        assert_eq!(
            one.select(&format!("SELECT ?s WHERE {{ ?s a <{}> }}", coll.type_uri))
                .unwrap()
                .len(),
            1
        );
        assert!(
            ResponseSummary::from_graph(&one).unwrap().is_none(),
            "an item carries no summary"
        );
    }
}

#[tokio::test]
async fn unknown_items_and_collections_are_404() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    for path in [
        "medications/nope",
        "nothing/",
        "nothing",
        "medications",
        "social_history/",
    ] {
        let r = h
            .signed_get(&auth, &format!("/records/{RECORD}/{path}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn scratchpad_put_get_delete_and_only_for_its_app() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let path = format!(
        "/records/{RECORD}/apps/{}/scratchpad",
        super::harness::APP_ID
    );
    let empty = graph(&h.signed(&auth, "GET", &path, None, b"").await);
    assert!(empty.is_empty());
    let doc = b"<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"urn:x\"><rdf:value>42</rdf:value></rdf:Description></rdf:RDF>";
    let put = h
        .signed(&auth, "PUT", &path, Some("application/rdf+xml"), doc)
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    // The body is covered by `oauth_body_hash`: a swapped body is refused.
    let url = format!("{PUBLIC}{path}");
    let hdr = auth
        .request(
            "PUT",
            &url,
            Some("application/rdf+xml"),
            doc,
            oauth1_dance::Stamp::now().unwrap(),
        )
        .map(|r| r.authorization)
        .unwrap();
    let swapped = axum::http::Request::put(url)
        .header("authorization", hdr)
        .header("content-type", "application/rdf+xml")
        .body(axum::body::Body::from("<rdf:RDF/>"))
        .unwrap();
    assert_eq!(h.send(swapped).await.status, StatusCode::UNAUTHORIZED);
    let back = h.signed(&auth, "GET", &path, None, b"").await;
    assert_eq!(back.body.as_bytes(), doc);
    assert_eq!(
        h.signed(&auth, "DELETE", &path, None, b"").await.status,
        StatusCode::OK
    );
    assert!(graph(&h.signed(&auth, "GET", &path, None, b"").await).is_empty());
    let other = format!("/records/{RECORD}/apps/{OTHER_APP_ID}/scratchpad");
    assert_eq!(
        h.signed(&auth, "GET", &other, None, b"").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn users_reads_any_user_as_the_original_did() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    for (user, given) in [("alice", "Alice"), ("bob", "Bob")] {
        let g = graph(&h.signed_get(&auth, &format!("/users/{user}")).await);
        let rows = g
            .select("SELECT ?g WHERE { ?p <http://xmlns.com/foaf/0.1/givenName> ?g }")
            .unwrap();
        assert_eq!(rows.first().unwrap().string("g").unwrap(), given);
    }
    assert_eq!(
        h.signed_get(&auth, "/users/nobody").await.status,
        StatusCode::NOT_FOUND
    );
}
