//! The table of calls and what the container makes of it agree: a route
//! for every row and nothing routed besides them and the few endpoints
//! that are no call, a capability for every row, an `api:Call` for every
//! row in `/ontology`.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use oauth1_dance::{Authorized, Consumer, Secret, Stamp};
use smart_api::{Auth, CALLS, Call};

use super::harness::{APP_ID, Harness, PUBLIC, RECORD};

/// A row's path with real-looking values in its parameters.
fn example_path(call: &Call) -> String {
    let values: Vec<&str> = (call.parameters().iter())
        .map(|p| match *p {
            "record_id" => RECORD,
            "app_id" => APP_ID,
            "user_id" => "alice",
            _ => "1",
        })
        .collect();
    call.fill(&values).unwrap()
}

#[tokio::test]
async fn every_row_is_routed_to_its_handler() {
    let h = Harness::new();
    let nobody = Consumer::new(
        "nobody@apps.example",
        Secret::new("nobody-secret-0123456789"),
    );
    let token = Authorized::from_parts(
        nobody.clone(),
        "no-token",
        Secret::new("s"),
        Default::default(),
    );
    for call in CALLS {
        let path = example_path(call);
        let url = format!("{PUBLIC}{path}");
        let method = call.method.as_str();
        // Signed by a consumer the container does not know: the public calls
        // answer, every other one refuses the signature.
        let (req, expected) = match call.auth {
            Auth::Public => (
                Request::builder()
                    .method(method)
                    .uri(&url)
                    .body(Body::empty())
                    .unwrap(),
                StatusCode::OK,
            ),
            Auth::Token => (
                token
                    .request(method, &url, None, b"", Stamp::now().unwrap())
                    .unwrap()
                    .to_http()
                    .unwrap()
                    .map(Body::from),
                StatusCode::UNAUTHORIZED,
            ),
            Auth::Consumer => (
                nobody
                    .two_legged_request(method, &url, None, b"".to_vec(), Stamp::now().unwrap())
                    .unwrap()
                    .to_http()
                    .unwrap()
                    .map(Body::from),
                StatusCode::UNAUTHORIZED,
            ),
        };
        let r = h.send(req).await;
        assert_eq!(r.status, expected, "{method} {path}: {}", r.body);
    }
}

#[tokio::test]
async fn nothing_is_routed_besides_the_table_and_the_endpoints_that_are_no_call() {
    let h = Harness::new();
    let others = super::super::other_api_routes();
    for (method, path, _) in &others {
        assert!(
            !CALLS.iter().any(|c| c.path == *path),
            "{method} {path} is a call: it belongs in the table"
        );
    }
    // A path of the old catch-all routes that is no row is not served.
    for path in [
        format!("/records/{RECORD}/nothing/"),
        format!("/records/{RECORD}/nothing"),
        format!("/records/{RECORD}/nothing/1"),
        format!("/records/{RECORD}/demographics/"),
    ] {
        assert_eq!(
            h.get(&path, None).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // A method the row does not name is refused on a routed path.
    let r = h
        .send(
            Request::delete(format!("{PUBLIC}/records/{RECORD}/medications/"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_manifest_has_a_capability_for_every_row_and_no_other() {
    let h = Harness::new();
    let m: serde_json::Value = serde_json::from_str(&h.get("/manifest", None).await.body).unwrap();
    let caps = m["capabilities"].as_object().unwrap();
    let mut offered = BTreeSet::new();
    for (target, cap) in caps {
        for method in cap["methods"].as_array().unwrap() {
            offered.insert((target.clone(), method.as_str().unwrap().to_owned()));
        }
    }
    let table: BTreeSet<(String, String)> = CALLS
        .iter()
        .map(|c| (c.target.to_owned(), c.method.as_str().to_owned()))
        .collect();
    assert_eq!(offered, table);
}

#[tokio::test]
async fn the_ontology_has_an_api_call_for_every_row_and_no_other() {
    let h = Harness::new();
    let r = h.get("/ontology", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let g = smart_rdf::Graph::parse(r.body.as_bytes(), "application/rdf+xml", None).unwrap();
    let rows = g
        .select(
            "PREFIX api: <http://smartplatforms.org/terms/api#>
             SELECT ?name ?path ?method ?target ?cardinality WHERE {
               ?c a api:Call ; api:clientMethodName ?name ; api:path ?path ;
                  api:httpMethod ?method ; api:target ?target ; api:cardinality ?cardinality }",
        )
        .unwrap();
    let described: BTreeSet<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row: Vec<String> = ["name", "path", "method", "cardinality"]
                .iter()
                .map(|k| r.string(k).unwrap())
                .collect();
            row.push(r.term("target").unwrap().as_iri().unwrap().to_owned());
            row
        })
        .collect();
    let table: BTreeSet<Vec<String>> = CALLS
        .iter()
        .map(|c| {
            vec![
                c.client_method.to_owned(),
                c.path.to_owned(),
                c.method.as_str().to_owned(),
                c.cardinality.as_str().to_owned(),
                c.target.to_owned(),
            ]
        })
        .collect();
    assert_eq!(described, table);
    // The filters of the medications list, as `api:hasFilter`.
    let filters = g
        .select(
            "PREFIX api: <http://smartplatforms.org/terms/api#>
             SELECT ?f WHERE { ?c api:clientMethodName \"medications\" ; api:hasFilter ?f ;
                               api:defaultSort \"-date\" }",
        )
        .unwrap();
    let names: BTreeSet<String> = filters.iter().map(|r| r.string("f").unwrap()).collect();
    let expected: BTreeSet<String> = smart_api::call(smart_api::CallId::Medications)
        .filters
        .iter()
        .map(|f| f.name.to_owned())
        .collect();
    assert_eq!(names, expected);
}
