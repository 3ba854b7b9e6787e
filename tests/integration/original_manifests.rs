//! Manifests written for the original container, loaded by the real binary:
//! the original's keys accepted and shown on the authorize page, an unknown
//! key a warning, and a native app's custom-scheme callback reached exactly.

use smart_client::{Credentials, SmartClient};
use smart_rest_tests::{ContainerProcess, PASSWORD, USER, app_manifest, record_ids};
use url::Url;

const ORIGINAL_ID: &str = "cardio@apps.smartplatforms.org";
const ORIGINAL_SECRET: &str = "cardio-secret-5b1e77c0a9d24f3e";

const ORIGINAL: &str = r#"{
    "name": "Cardiac Risk",
    "description": "Computes the cardiac risk of a patient",
    "author": "A. Developer, Example Hospital",
    "id": "cardio@apps.smartplatforms.org",
    "version": "1.2",
    "mode": "ui",
    "scope": "record",
    "smart_version": "0.6",
    "index": "http://127.0.0.1:9/index.html",
    "icon": "http://127.0.0.1:9/icon.png",
    "oauth_callback": "smart-app:///after-auth",
    "optimalBrowserEnvironments": ["desktop"],
    "supportedBrowserEnvironments": ["desktop", "tablet", "mobile"],
    "requires": {
        "http://smartplatforms.org/terms#LabResult": {
            "methods": ["GET"],
            "codes": ["http://purl.bioontology.org/ontology/LNC/2093-3",
                      "http://purl.bioontology.org/ontology/LNC/2085-9"]
        },
        "http://smartplatforms.org/terms#Demographics": {"methods": ["GET"]}
    },
    "launch_hint": "a key the container does not know"
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_original_manifest_loads_shows_its_keys_and_reaches_its_native_callback() {
    let reference = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    let container = ContainerProcess::start(&reference).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("original.json");
    std::fs::write(&path, ORIGINAL).unwrap();
    let out = container
        .cli(&[
            "load-app",
            &path.to_string_lossy(),
            "--secret",
            ORIGINAL_SECRET,
        ])
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: launch_hint: unknown key, ignored"),
        "{stderr}"
    );
    // Served back as loaded, the original's keys included.
    let served: serde_json::Value = reqwest::get(format!(
        "{}/apps/{ORIGINAL_ID}/manifest",
        container.api_base
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(served["supportedBrowserEnvironments"][2], "mobile");
    assert_eq!(
        served["requires"]["http://smartplatforms.org/terms#LabResult"]["codes"][1],
        "http://purl.bioontology.org/ontology/LNC/2085-9"
    );

    // The dance, as a native app would do it.
    let client = SmartClient::new(
        &container.api_base,
        Credentials::new(ORIGINAL_ID, ORIGINAL_SECRET),
    )
    .unwrap();
    let record_id = record_ids(&container).await.unwrap().remove(0);
    let pending = client.request_token(&record_id).await.unwrap();
    let authorize = client.authorize_url(&pending).unwrap();
    let mut browser = smart_browser::Browser::new().unwrap();
    let mut page = browser.get(authorize).await.unwrap();
    if let Some(form) = page.form_with("password") {
        let pairs = form.submission(&[("username", USER), ("password", PASSWORD)], None);
        page = browser.submit(&page, &form, &pairs).await.unwrap();
    }
    for shown in [
        "By A. Developer, Example Hospital.",
        "Version 1.2.",
        "LabResult (GET), 2 codes",
        "Demographics (GET)",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    let csp = page
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("form-action 'self' http: https: smart-app:"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");

    let form = page.form_with("csrf_token").unwrap();
    let pairs = form.submission(&[], Some(("decision", "approve")));
    let action = page.url.join(&form.action).unwrap();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let reply = browser
        .fetch(reqwest::Method::POST, action, Some(body))
        .await
        .unwrap();
    let location = reply
        .headers
        .get(reqwest::header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.starts_with("smart-app:///after-auth?oauth_token="),
        "{location}"
    );
    let callback = Url::parse(&location).unwrap();
    let get = |name: &str| {
        callback
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let token = client
        .exchange(pending, &get("oauth_token"), &get("oauth_verifier"))
        .await
        .unwrap();
    let record = client.record(&token).unwrap();
    assert!(record.demographics().await.is_ok());
}

#[test]
fn the_reference_manifest_has_no_warning() {
    // The reference app's manifest loads without a warning line.
    let reference = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    let parsed = smart_container::AppManifest::parse(&reference).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}
