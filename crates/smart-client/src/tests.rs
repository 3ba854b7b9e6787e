//! Unit tests of the client over an in-memory transport.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing unwrap is a failing test"
)]

use std::sync::{Arc, Mutex};

use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::transport::BoxFuture;
use crate::*;

mod data;

const API: &str = "http://c.test/api";

type Handler = dyn Fn(&HttpRequest) -> HttpResponse + Send + Sync;

/// A transport that answers from a closure and records every request.
struct Fake {
    handler: Box<Handler>,
    seen: Mutex<Vec<HttpRequest>>,
}

impl Fake {
    fn new(handler: impl Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Fake {
            handler: Box::new(handler),
            seen: Mutex::new(Vec::new()),
        })
    }

    fn seen(&self) -> Vec<HttpRequest> {
        self.seen.lock().unwrap().clone()
    }
}

impl Transport for Fake {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse>> {
        let reply = (self.handler)(&request);
        self.seen.lock().unwrap().push(request);
        Box::pin(async move { Ok(reply) })
    }
}

fn reply(status: u16, content_type: &str, body: &str) -> HttpResponse {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap(),
    );
    HttpResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers,
        body: body.as_bytes().to_vec(),
    }
}

fn manifest_json(version: &str) -> String {
    serde_json::json!({
        "smart_version": version, "api_base": API, "name": "fake", "description": "",
        "admin": "a@c.test",
        "launch_urls": {
            "app_launch": "http://ui.test/apps/{{ app_id }}/launch",
            "request_token": format!("{API}/oauth/request_token"),
            "authorize_token": "http://ui.test/oauth/authorize",
            "exchange_token": format!("{API}/oauth/access_token"),
        },
        "capabilities": {}
    })
    .to_string()
}

const DEMOGRAPHICS: &str = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:sp="http://smartplatforms.org/terms#"
         xmlns:v="http://www.w3.org/2006/vcard/ns#">
  <sp:Demographics rdf:about="http://c.test/api/records/123/demographics">
    <sp:belongsTo rdf:resource="http://c.test/api/records/123"/>
    <v:n><v:Name><v:given-name>Ada</v:given-name><v:family-name>Quill</v:family-name></v:Name></v:n>
  </sp:Demographics>
</rdf:RDF>"#;

/// A collection page with a response summary.
fn page(total: u64, returned: u64, next: Option<&str>) -> String {
    let next = next
        .map(|n| format!("<api:nextPageURL rdf:resource=\"{n}\"/>"))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:api="http://smartplatforms.org/terms/api#">
  <api:ResponseSummary rdf:about="http://c.test/api/summary">
    <api:totalResultCount rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">{total}</api:totalResultCount>
    <api:resultsReturned rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">{returned}</api:resultsReturned>
    {next}
  </api:ResponseSummary>
</rdf:RDF>"#
    )
}

/// A fake container: manifest, both token endpoints, and `data` for the rest.
fn container(
    version: &'static str,
    confirmed: bool,
    data: impl Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static,
) -> Arc<Fake> {
    Fake::new(move |request| {
        let path = request.url.path();
        match path {
            "/api/manifest" => reply(200, "application/json", &manifest_json(version)),
            "/api/oauth/request_token" => {
                let body = if confirmed {
                    "oauth_token=reqtok&oauth_token_secret=reqsecret&oauth_callback_confirmed=true"
                } else {
                    "oauth_token=reqtok&oauth_token_secret=reqsecret"
                };
                reply(200, "application/x-www-form-urlencoded", body)
            }
            "/api/oauth/access_token" => reply(
                200,
                "application/x-www-form-urlencoded",
                "oauth_token=acctok&oauth_token_secret=accsecret&record_id=123&user_id=demo",
            ),
            _ => data(request),
        }
    })
}

fn client(fake: &Arc<Fake>) -> SmartClient {
    let transport: Arc<dyn Transport> = fake.clone();
    SmartClient::with_transport(
        &format!("{API}/"),
        Credentials::new("app@apps.test", "consumer-secret-value"),
        transport,
    )
    .unwrap()
}

async fn authorized(client: &SmartClient) -> AccessToken {
    let pending = client.request_token("123").await.unwrap();
    client
        .exchange(pending, "reqtok", "verifier")
        .await
        .unwrap()
}

fn authorization(request: &HttpRequest) -> String {
    request
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn manifest_is_fetched_once_and_launch_url_filled() {
    let fake = container("1.0", true, |_| reply(404, "text/plain", ""));
    let client = client(&fake);
    let first = client.launch_url().await.unwrap();
    let second = client.launch_url().await.unwrap();
    assert_eq!(first.as_str(), "http://ui.test/apps/app@apps.test/launch");
    assert_eq!(first, second);
    assert_eq!(fake.seen().len(), 1, "the manifest is cached");
    client.forget_manifest();
    client.manifest().await.unwrap();
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn the_dance_sends_what_smart_md_says() {
    let fake = container("1.0", true, |_| {
        reply(200, "application/rdf+xml", DEMOGRAPHICS)
    });
    let client = client(&fake);
    let pending = client.request_token("123").await.unwrap();
    assert_eq!(pending.request_token(), "reqtok");
    assert_eq!(pending.record_id, "123");
    let authorize = client.authorize_url(&pending).unwrap();
    assert_eq!(
        authorize.as_str(),
        "http://ui.test/oauth/authorize?oauth_token=reqtok"
    );

    // The pending state never shows its secret in Debug (and is not serialisable).
    assert!(!format!("{pending:?}").contains("reqsecret"));

    let token = client
        .exchange(pending, "reqtok", "verifier")
        .await
        .unwrap();
    assert_eq!(token.record_id, "123");
    assert_eq!(token.user_id.as_deref(), Some("demo"));
    assert!(!format!("{token:?}").contains("acc"), "{token:?}");

    let seen = fake.seen();
    let request_token = &seen[1];
    assert_eq!(request_token.method, Method::POST);
    assert_eq!(
        request_token.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/x-www-form-urlencoded"
    );
    let body = String::from_utf8(request_token.body.clone()).unwrap();
    assert!(body.contains("smart_record_id=123"), "{body}");
    let auth = authorization(request_token);
    assert!(auth.starts_with("OAuth "), "{auth}");
    assert!(
        auth.contains("oauth_consumer_key=\"app%40apps.test\""),
        "{auth}"
    );
    assert!(!auth.contains("consumer-secret-value"));
    let exchange = &seen[2];
    assert_eq!(exchange.method, Method::POST);
    let auth = authorization(exchange);
    assert!(auth.contains("oauth_token=\"reqtok\""), "{auth}");
    assert!(auth.contains("oauth_verifier=\"verifier\""), "{auth}");

    let record = client.record(&token).unwrap();
    let response = record.demographics().await.unwrap();
    let data = fake.seen().pop().unwrap();
    assert_eq!(
        data.url.as_str(),
        "http://c.test/api/records/123/demographics"
    );
    assert!(authorization(&data).contains("oauth_token=\"acctok\""));
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.graph().unwrap().len() >= 4);
}

#[tokio::test]
async fn sec_24_callback_confirmation_is_required_from_smart_1() {
    let fake = container("1.0", false, |_| reply(404, "text/plain", ""));
    let error = client(&fake).request_token("123").await.unwrap_err();
    assert!(matches!(error, Error::Protocol(_)), "{error}");
    let fake = container("0.6.1", false, |_| reply(404, "text/plain", ""));
    assert!(client(&fake).request_token("123").await.is_ok());
}

#[tokio::test]
async fn sec_23_a_foreign_callback_token_is_refused_before_anything_is_sent() {
    let fake = container("1.0", true, |_| reply(404, "text/plain", ""));
    let client = client(&fake);
    let pending = client.request_token("123").await.unwrap();
    let before = fake.seen().len();
    let error = client
        .exchange(pending, "other", "verifier")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::TokenMismatch), "{error}");
    assert_eq!(fake.seen().len(), before);
}

#[tokio::test]
async fn installed_token_credentials_sign_like_fresh_ones() {
    let fake = container("1.0", true, |_| {
        reply(200, "application/rdf+xml", DEMOGRAPHICS)
    });
    let client = client(&fake);
    let token = client
        .install_token("123", Some("demo"), "kepttoken", Secret::new("keptsecret"))
        .await
        .unwrap();
    assert_eq!(token.record_id, "123");
    client.record(&token).unwrap().demographics().await.unwrap();
    let request = fake.seen().pop().unwrap();
    assert_eq!(request.url.path(), "/api/records/123/demographics");
    assert!(authorization(&request).contains("oauth_token=\"kepttoken\""));
    assert!(
        client
            .install_token("123", None, "", Secret::new("s"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn statuses_are_kept_and_401_means_reauthorise() {
    let fake = container("1.0", true, |request| match request.url.path() {
        "/api/records/123/demographics" => reply(401, "text/plain", "token revoked"),
        _ => reply(403, "text/plain", "no"),
    });
    let client = client(&fake);
    let token = authorized(&client).await;
    let record = client.record(&token).unwrap();
    let error = record.demographics().await.unwrap_err();
    assert!(error.needs_reauthorization());
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    let error = record.medications(&Query::new()).await.unwrap_err();
    assert!(!error.needs_reauthorization());
    assert_eq!(error.status(), Some(StatusCode::FORBIDDEN));
}

#[tokio::test]
async fn every_call_goes_to_its_path() {
    let fake = container("1.0", true, |_| reply(200, "text/plain", "ok"));
    let client = client(&fake);
    let token = authorized(&client).await;
    let r = client.record(&token).unwrap();
    let q = Query::new();
    let base = "http://c.test/api/records/123";
    let calls: Vec<(&str, Result<SmartResponse>)> = vec![
        ("/demographics", r.demographics().await),
        ("/allergies/", r.allergies(&q).await),
        ("/allergies/a1", r.allergy("a1").await),
        ("/clinical_notes/", r.clinical_notes(&q).await),
        ("/clinical_notes/n1", r.clinical_note("n1").await),
        ("/encounters/", r.encounters(&q).await),
        ("/encounters/e1", r.encounter("e1").await),
        ("/fulfillments/", r.fulfillments(&q).await),
        ("/fulfillments/f1", r.fulfillment("f1").await),
        ("/immunizations/", r.immunizations(&q).await),
        ("/immunizations/i1", r.immunization("i1").await),
        ("/lab_results/", r.lab_results(&q).await),
        ("/lab_results/l1", r.lab_result("l1").await),
        ("/medications/", r.medications(&q).await),
        ("/medications/m1", r.medication("m1").await),
        ("/problems/", r.problems(&q).await),
        ("/problems/p1", r.problem("p1").await),
        ("/procedures/", r.procedures(&q).await),
        ("/procedures/p1", r.procedure("p1").await),
        ("/vital_sign_sets/", r.vital_sign_sets(&q).await),
        ("/vital_sign_sets/v1", r.vital_sign_set("v1").await),
        ("/social_history", r.social_history().await),
        ("/family_history/", r.family_history(&q).await),
        ("/apps/app@apps.test/scratchpad", r.scratchpad().await),
        (
            "/apps/app@apps.test/scratchpad",
            r.put_scratchpad(b"<rdf:RDF/>").await,
        ),
        (
            "/apps/app@apps.test/scratchpad",
            r.delete_scratchpad().await,
        ),
    ];
    let seen = fake.seen();
    let data = &seen[seen.len() - calls.len()..];
    for ((suffix, result), request) in calls.iter().zip(data) {
        assert!(result.is_ok(), "{suffix}: {:?}", result.as_ref().err());
        assert_eq!(request.url.as_str(), format!("{base}{suffix}"));
        assert!(
            authorization(request).contains("oauth_token=\"acctok\""),
            "{suffix}"
        );
    }
    assert_eq!(data[data.len() - 2].method, Method::PUT);
    assert_eq!(data[data.len() - 1].method, Method::DELETE);
    r.user("demo").await.unwrap();
    assert_eq!(
        fake.seen().pop().unwrap().url.as_str(),
        "http://c.test/api/users/demo"
    );
    let results = [
        (client.container_manifest().await, "/api/manifest"),
        (client.ontology().await, "/api/ontology"),
        (client.app_manifests().await, "/api/apps/manifests/"),
        (client.app_manifest("x@y").await, "/api/apps/x@y/manifest"),
    ];
    let seen = fake.seen();
    for ((result, path), request) in results.iter().zip(&seen[seen.len() - 4..]) {
        assert!(result.is_ok(), "{path}");
        assert_eq!(request.url.path(), *path);
        assert!(
            request.headers.get(header::AUTHORIZATION).is_none(),
            "{path} is unsigned"
        );
    }
}

#[tokio::test]
async fn filters_become_query_parameters() {
    let fake = container("1.0", true, |_| reply(200, "text/plain", "ok"));
    let client = client(&fake);
    let token = authorized(&client).await;
    let r = client.record(&token).unwrap();
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let query = Query::new()
        .limit(5)
        .offset(10)
        .date_from(day(2010, 1, 2))
        .date_to(day(2011, 3, 4))
        .rxnorm(["111", "222"]);
    r.medications(&query).await.unwrap();
    let url = fake.seen().pop().unwrap().url;
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let expected = [
        ("limit", "5"),
        ("offset", "10"),
        ("date_from", "2010-01-02"),
        ("date_to", "2011-03-04"),
        ("rxnorm", "111|222"),
    ];
    assert_eq!(pairs.len(), expected.len());
    for ((k, v), (ek, ev)) in pairs.iter().zip(expected) {
        assert_eq!((k.as_str(), v.as_str()), (ek, ev));
    }
    let before = fake.seen().len();
    let error = r.problems(&Query::new().loinc(["1"])).await.unwrap_err();
    assert!(matches!(error, Error::InvalidQuery(_)));
    assert_eq!(fake.seen().len(), before, "a bad query sends nothing");
}

#[tokio::test]
async fn pages_follow_next_page_url() {
    let fake = container("1.0", true, |request| {
        let offset: u64 = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "offset")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0);
        let next = (offset + 2 < 5).then(|| {
            format!(
                "{API}/records/123/medications/?limit=2&amp;offset={}",
                offset + 2
            )
        });
        reply(
            200,
            "application/rdf+xml",
            &page(5, 2.min(5 - offset), next.as_deref()),
        )
    });
    let client = client(&fake);
    let token = authorized(&client).await;
    let r = client.record(&token).unwrap();
    let pages = r
        .pages(Collection::Medications, Query::new().limit(2))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    let offsets: Vec<String> = fake.seen()[3..]
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(offsets, ["limit=2", "limit=2&offset=2", "limit=2&offset=4"]);
    let summary = paging::page_summary(&pages[2]).unwrap();
    let summary = summary.unwrap();
    assert_eq!(summary.total_result_count, 5);
    assert_eq!(summary.results_returned, 1);
}

#[tokio::test]
async fn pages_move_the_offset_without_next_page_url() {
    let fake = container("1.0", true, |request| {
        let offset: u64 = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "offset")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0);
        reply(
            200,
            "application/rdf+xml",
            &page(7, 3.min(7 - offset), None),
        )
    });
    let client = client(&fake);
    let token = authorized(&client).await;
    let r = client.record(&token).unwrap();
    let mut pages = r.pages(Collection::Problems, Query::new().limit(3).snomed(["9"]));
    let mut count = 0;
    while let Some(page) = pages.next_page().await {
        page.unwrap();
        count += 1;
    }
    assert_eq!(count, 3);
    let last = fake.seen().pop().unwrap().url;
    assert_eq!(last.query(), Some("limit=3&offset=6&snomed=9"));
}

#[tokio::test]
async fn a_next_page_outside_the_api_base_is_not_followed() {
    let fake = container("1.0", true, |_| {
        reply(
            200,
            "application/rdf+xml",
            &page(9, 3, Some("http://evil.test/api/records/123/medications/")),
        )
    });
    let client = client(&fake);
    let token = authorized(&client).await;
    let r = client.record(&token).unwrap();
    let mut pages = r.pages(Collection::Medications, Query::new());
    let first = pages.next_page().await.unwrap();
    assert!(matches!(first, Err(Error::Paging(_))), "{first:?}");
    assert!(pages.next_page().await.is_none());
    assert!(
        fake.seen()
            .iter()
            .all(|r| r.url.host_str() == Some("c.test"))
    );
}

#[test]
fn sec_24_api_bases_compare_by_their_normal_form() {
    let mut registry = Registry::new();
    let fake = Fake::new(|_| reply(404, "text/plain", ""));
    registry.insert(client(&fake));
    for same in [
        "http://c.test/api",
        "HTTP://C.TEST:80/api/",
        " http://c.test/api// ",
    ] {
        assert!(registry.get(same).is_ok(), "{same}");
    }
    for other in [
        "http://c.test/api2",
        "https://c.test/api",
        "http://c.test:81/api",
        "http://c.test",
    ] {
        assert!(
            matches!(registry.get(other), Err(Error::UnknownApiBase(_))),
            "{other}"
        );
    }
    let client = registry.get(API).unwrap();
    for (url, inside) in [
        ("http://c.test/api/records/1", true),
        ("http://c.test/api", true),
        ("http://c.test/apix/records/1", false),
        ("http://c.test/records/1", false),
        ("http://evil.test/api/records/1", false),
    ] {
        assert_eq!(
            client.is_under_api_base(&url.parse().unwrap()),
            inside,
            "{url}"
        );
    }
}

#[tokio::test]
async fn sec_24_a_token_from_another_container_is_refused() {
    let fake = container("1.0", true, |_| reply(200, "text/plain", "ok"));
    let one = client(&fake);
    let token = authorized(&one).await;
    let other = SmartClient::with_transport(
        "http://other.test",
        Credentials::new("app@apps.test", "s"),
        fake.clone(),
    )
    .unwrap();
    assert!(matches!(
        other.record(&token),
        Err(Error::UnknownApiBase(_))
    ));
}

#[tokio::test]
async fn the_reqwest_transport_bounds_the_body() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 1024];
            let _ = socket.read(&mut buffer).await;
            // No content-length: the limit must hold while streaming.
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n";
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&vec![b'x'; 64 * 1024]).await;
        }
    });
    let limits = Limits {
        max_body: 1000,
        ..Limits::default()
    };
    let transport = ReqwestTransport::new(limits).unwrap();
    let request = HttpRequest {
        method: Method::GET,
        url: format!("http://{address}/").parse().unwrap(),
        headers: HeaderMap::new(),
        body: Vec::new(),
    };
    let error = transport.send(request).await.unwrap_err();
    assert!(matches!(error, Error::TooLarge { limit: 1000 }), "{error}");
}

#[tokio::test]
async fn the_reqwest_transport_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            // Accept and never answer.
            held.push(socket);
        }
    });
    let limits = Limits {
        timeout: std::time::Duration::from_millis(200),
        ..Limits::default()
    };
    let transport = ReqwestTransport::new(limits).unwrap();
    let request = HttpRequest {
        method: Method::GET,
        url: format!("http://{address}/").parse().unwrap(),
        headers: HeaderMap::new(),
        body: Vec::new(),
    };
    let error = transport.send(request).await.unwrap_err();
    assert!(matches!(error, Error::Timeout), "{error}");
}

#[test]
fn sec_21_client_secrets_stay_out_of_debug() {
    let credentials = Credentials::new("app@apps.test", "consumer-secret-value");
    assert!(!format!("{credentials:?}").contains("consumer-secret-value"));
    let client = SmartClient::new(API, credentials).unwrap();
    assert!(!format!("{client:?}").contains("consumer-secret-value"));
}

/// The dance's reply errors carry what the client needs: the status and the
/// container's reason (no second look at the reply), and a bad endpoint in
/// the manifest names its `launch_urls` key.
#[tokio::test]
async fn refused_dance_steps_keep_the_status_and_the_reason() {
    let fake = Fake::new(|request| match request.url.path() {
        "/api/manifest" => reply(200, "application/json", &manifest_json("1.0")),
        "/api/oauth/request_token" => reply(400, "text/plain", "unknown smart_record_id"),
        _ => reply(401, "text/plain", "invalid consumer, token or signature"),
    });
    let error = client(&fake).request_token("999").await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    let Error::Status { body, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(body, "unknown smart_record_id");

    let bad = serde_json::json!({
        "smart_version": "1.0", "api_base": API, "name": "fake", "description": "",
        "admin": "a@c.test",
        "launch_urls": {
            "app_launch": "http://ui.test/apps/{{ app_id }}/launch",
            "request_token": format!("{API}/oauth/request_token"),
            "authorize_token": "/oauth/authorize",
            "exchange_token": format!("{API}/oauth/access_token"),
        },
        "capabilities": {}
    })
    .to_string();
    let fake = Fake::new(move |_| reply(200, "application/json", &bad));
    let error = client(&fake).request_token("123").await.unwrap_err();
    assert!(error.to_string().contains("authorize_token"), "{error}");
}

mod table;
