//! The searches against the real container binary: records by
//! demographics (background and `frame_ui` apps only, never raw SPARQL),
//! users by name and by id, and the record picker's name search.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use smart_client::{Error, RecordSearch};
use smart_rdf::{Demographics, Gender};
use smart_rest_tests::{
    APP_ID, ContainerProcess, PASSWORD, USER, app_manifest, authorize, record_ids,
};
use url::Url;

fn ui_manifest(mode: &str) -> String {
    let mut manifest: serde_json::Value =
        serde_json::from_str(&app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap())
            .unwrap();
    manifest["mode"] = mode.into();
    manifest.to_string()
}

/// Who a demographics node is, for comparing result sets.
fn who(d: &Demographics) -> (String, String, String) {
    (
        d.name.family.clone(),
        d.name.given.clone(),
        d.birthday.to_string(),
    )
}

fn found(reply: &smart_client::SmartResponse) -> BTreeSet<(String, String, String)> {
    reply
        .records::<Demographics>()
        .unwrap()
        .iter()
        .map(who)
        .collect()
}

fn status_of<T: std::fmt::Debug>(result: Result<T, Error>) -> (StatusCode, String) {
    match result {
        Err(Error::Status { status, body }) => (status, body),
        other => panic!("expected an error status: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_app_searches_records_by_each_parameter() {
    let container = ContainerProcess::start(&format!(
        r#"{{"name": "Search", "description": "Searches", "id": "{APP_ID}", "mode": "background"}}"#
    ))
    .await
    .unwrap();
    let client = container.client().unwrap();
    let token = client
        .loop_over_records()
        .next_record()
        .await
        .unwrap()
        .unwrap();
    let record = client.record(&token).unwrap();
    let everyone: Vec<Demographics> = record
        .search_records(&RecordSearch::new())
        .await
        .unwrap()
        .records()
        .unwrap();
    assert_eq!(everyone.len(), 50);
    let sample = &everyone[17];
    let expect = |keep: &dyn Fn(&Demographics) -> bool| -> BTreeSet<_> {
        everyone.iter().filter(|d| keep(d)).map(who).collect()
    };
    let prefix: String = sample
        .name
        .family
        .chars()
        .take(2)
        .collect::<String>()
        .to_uppercase();
    let given: String = sample
        .name
        .given
        .chars()
        .take(1)
        .collect::<String>()
        .to_lowercase();
    let zip = sample
        .address
        .as_ref()
        .unwrap()
        .postal_code
        .clone()
        .unwrap();
    let mrn = sample.medical_record_numbers[0].identifier.clone();
    let cases: Vec<(RecordSearch, BTreeSet<_>)> = vec![
        (
            RecordSearch::new().family_name(prefix.clone()),
            expect(&|d| {
                d.name
                    .family
                    .to_lowercase()
                    .starts_with(&prefix.to_lowercase())
            }),
        ),
        (
            RecordSearch::new().given_name(given.clone()),
            expect(&|d| d.name.given.to_lowercase().starts_with(&given)),
        ),
        (
            RecordSearch::new().gender(sample.gender),
            expect(&|d| d.gender == sample.gender),
        ),
        (
            RecordSearch::new().birthday(sample.birthday),
            expect(&|d| d.birthday == sample.birthday),
        ),
        (
            RecordSearch::new().zipcode(zip.clone()),
            expect(&|d| d.address.as_ref().and_then(|a| a.postal_code.as_ref()) == Some(&zip)),
        ),
        (
            RecordSearch::new().medical_record_number(mrn.clone()),
            expect(&|d| d.medical_record_numbers.iter().any(|c| c.identifier == mrn)),
        ),
        (
            RecordSearch::new()
                .family_name(prefix.clone())
                .gender(sample.gender),
            expect(&|d| {
                d.name
                    .family
                    .to_lowercase()
                    .starts_with(&prefix.to_lowercase())
                    && d.gender == sample.gender
            }),
        ),
    ];
    for (search, expected) in cases {
        assert!(expected.contains(&who(sample)), "{search:?}");
        let reply = record.search_records(&search).await.unwrap();
        assert_eq!(found(&reply), expected, "{search:?}");
    }
    let none = record
        .search_records(&RecordSearch::new().family_name("Zzzzzz"))
        .await
        .unwrap();
    assert!(found(&none).is_empty());

    // Raw SPARQL, unknown or malformed parameters: 400 with the reason.
    let base = &container.api_base;
    for (query, needle) in [
        (
            "sparql=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D",
            "`sparql` parameter is refused",
        ),
        ("family_name=A&sparql=x", "`sparql` parameter is refused"),
        ("surname=Smith", "unknown parameter `surname`"),
        ("birthday=1970-02-30", "`birthday` must be a date"),
        ("gender=other", "`gender` is `male` or `female`"),
        ("family_name=A&family_name=B", "given twice"),
    ] {
        let url = Url::parse(&format!("{base}/records/search?{query}")).unwrap();
        let (status, body) = status_of(record.get(url).await);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains(needle), "{query}: {body}");
    }

    // Users: by name and by id, for any app with a token.
    let users = record.search_users(Some("DE"), None).await.unwrap();
    let ids: Vec<String> = users
        .require_graph()
        .unwrap()
        .select("SELECT ?id WHERE { ?p <http://smartplatforms.org/terms#userId> ?id }")
        .unwrap()
        .iter()
        .map(|row| row.get("id").unwrap().as_str().to_owned())
        .collect();
    assert_eq!(ids, [USER]);
    let nobody = record
        .search_users(None, Some("no-such-family"))
        .await
        .unwrap();
    assert!(nobody.require_graph().map_or(true, |g| g.is_empty()));
    assert!(record.user(USER).await.is_ok());
    assert_eq!(
        status_of(record.user("nobody").await).0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_ui_app_may_search_and_a_ui_app_may_not() {
    for (mode, allowed) in [("frame_ui", true), ("ui", false)] {
        let container = ContainerProcess::start(&ui_manifest(mode)).await.unwrap();
        let client = container.client().unwrap();
        let record_id = record_ids(&container).await.unwrap().remove(0);
        let token = authorize(&client, &record_id).await.unwrap();
        let record = client.record(&token).unwrap();
        let reply = record
            .search_records(&RecordSearch::new().gender(Gender::Male))
            .await;
        if allowed {
            assert!(!found(&reply.unwrap()).is_empty(), "{mode}");
        } else {
            let (status, body) = status_of(reply);
            assert_eq!(status, StatusCode::FORBIDDEN, "{mode}: {body}");
        }
        // Any app with a token searches users.
        assert!(record.search_users(Some("demo"), None).await.is_ok());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_picker_searches_by_name_and_escapes_what_it_echoes() {
    let container = ContainerProcess::start(&ui_manifest("ui")).await.unwrap();
    let all = record_ids(&container).await.unwrap();
    assert_eq!(all.len(), 50);
    let launch = format!("{}/apps/{APP_ID}/launch", container.api_base);
    let mut browser = smart_browser::Browser::new().unwrap();
    let mut page = browser.get(Url::parse(&launch).unwrap()).await.unwrap();
    if let Some(form) = page.form_with("password") {
        let pairs = form.submission(&[("username", USER), ("password", PASSWORD)], None);
        page = browser.submit(&page, &form, &pairs).await.unwrap();
    }
    assert!(
        page.form_with("name").is_some(),
        "no name search on the picker"
    );
    let everyone = smart_browser::flow::choices(&page);
    let label = everyone[5].label.clone().unwrap();
    let family: String = label.chars().take(3).collect();
    let url = Url::parse_with_params(&launch, [("name", family.to_lowercase())]).unwrap();
    let page = browser.get(url).await.unwrap();
    let shown = smart_browser::flow::choices(&page);
    let expected = everyone
        .iter()
        .filter(|c| {
            let l = c.label.clone().unwrap().to_lowercase();
            let (f, g) = l.split_once(", ").unwrap();
            f.starts_with(&family.to_lowercase()) || g.starts_with(&family.to_lowercase())
        })
        .count();
    assert!(shown.iter().any(|c| c.record_id == everyone[5].record_id));
    assert_eq!(shown.len(), expected);

    let hostile = "<script>alert(1)</script>\"'";
    let url = Url::parse_with_params(&launch, [("name", hostile)]).unwrap();
    let page = browser.get(url).await.unwrap();
    assert_eq!(page.status, StatusCode::OK);
    assert!(smart_browser::flow::choices(&page).is_empty());
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(page.body.contains("&lt;script&gt;"));
    assert!(
        page.headers
            .get("content-security-policy")
            .is_some_and(|v| v.to_str().unwrap().contains("default-src 'none'"))
    );
}
