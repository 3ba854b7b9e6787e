//! Background apps against the real container binary: the token loop over
//! every record, the 404 at its end, the refusals (a UI app, another
//! record, a revoked token), and the census example run as a user would.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use smart_client::{Error, Query};
use smart_rest_tests::{APP_ID, ContainerProcess, app_manifest, example_binary};
use url::Url;

fn background_manifest(mode: &str) -> String {
    format!(
        r#"{{"name": "Census", "description": "Counts medications across records",
            "id": "{APP_ID}", "mode": "{mode}", "scope": "container",
            "smart_version": "1.0"}}"#
    )
}

async fn background_container(mode: &str) -> ContainerProcess {
    ContainerProcess::start(&background_manifest(mode))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_walks_every_record_with_one_token_each_and_ends_at_the_404() {
    let container = background_container("background").await;
    let client = container.client().unwrap();
    let tokens = client.loop_over_records().collect_all().await.unwrap();
    assert_eq!(tokens.len(), 50);
    let records: BTreeSet<&str> = tokens.iter().map(|t| t.record_id.as_str()).collect();
    assert_eq!(records.len(), 50, "one token per record");
    for token in &tokens {
        assert_eq!(token.user_id, None);
        let record = client.record(token).unwrap();
        let demographics: Vec<smart_rdf::Demographics> =
            record.demographics().await.unwrap().records().unwrap();
        assert_eq!(demographics.len(), 1);
    }
    // The token for one named record, and none for a record that does not exist.
    let one = client.background_token(&tokens[7].record_id).await.unwrap();
    assert_eq!(one.record_id, tokens[7].record_id);
    match client.background_token("no-such-record").await {
        Err(e) => assert_eq!(e.status(), Some(StatusCode::NOT_FOUND), "{e:?}"),
        Ok(t) => panic!("a token for {}", t.record_id),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_token_reads_its_record_only_and_dies_when_revoked() {
    let container = background_container("helper").await;
    let client = container.client().unwrap();
    let mut walk = client.loop_over_records();
    let a = walk.next_record().await.unwrap().unwrap();
    let b = walk.next_record().await.unwrap().unwrap();
    assert_ne!(a.record_id, b.record_id);
    let record_a = client.record(&a).unwrap();
    assert!(record_a.medications(&Query::new()).await.is_ok());
    let b_url = Url::parse(&format!(
        "{}/records/{}/medications/",
        container.api_base, b.record_id
    ))
    .unwrap();
    match record_a.get(b_url).await {
        Err(Error::Status { status, .. }) => assert_eq!(status, StatusCode::FORBIDDEN),
        other => panic!("record A's token on record B: {other:?}"),
    }
    // Users are open to any authenticated app, as in the original.
    assert!(record_a.user("demo").await.is_ok());
    container.cli(&["revoke-tokens", APP_ID]).unwrap();
    match record_a.medications(&Query::new()).await {
        Err(Error::Unauthorized { .. }) => {}
        other => panic!("a revoked token still reads: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ui_app_gets_no_background_token() {
    let manifest = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    let container = ContainerProcess::start(&manifest).await.unwrap();
    let client = container.client().unwrap();
    match client.loop_over_records().next_record().await {
        Some(Err(e)) => assert_eq!(e.status(), Some(StatusCode::FORBIDDEN), "{e:?}"),
        other => panic!("a UI app's loop: {other:?}"),
    }
    // A wrong secret is the provider's 401, before any question of mode.
    let wrong = smart_client::SmartClient::new(
        &container.api_base,
        smart_client::Credentials::new(APP_ID, "not-the-secret-0123456789"),
    )
    .unwrap();
    match wrong.loop_over_records().next_record().await {
        Some(Err(Error::Unauthorized { .. })) => {}
        other => panic!("a wrong secret: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_census_example_counts_medications_across_every_record() {
    let container = background_container("background").await;
    let binary = example_binary("smart-client", "medication_census", "").unwrap();
    let output = Command::new(&binary)
        .env("SMART_API_BASE", &container.api_base)
        .env("SMART_CONSUMER_KEY", APP_ID)
        .env("SMART_CONSUMER_SECRET", &container.app_secret)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.last(), Some(&"records: 50"), "{stdout}");
    let (code, count) = {
        let mut fields = lines[0].split('\t');
        let code = fields.next().unwrap().to_owned();
        let count: usize = fields.next().unwrap().parse().unwrap();
        (code, count)
    };
    assert!(count > 0 && count <= 50, "{stdout}");
    // The same count, by the container's own rxnorm filter on each record.
    let client = container.client().unwrap();
    let mut holders = 0;
    for token in client.loop_over_records().collect_all().await.unwrap() {
        let record = client.record(&token).unwrap();
        let meds: Vec<smart_rdf::Medication> = record
            .medications(&Query::new().rxnorm([code.clone()]))
            .await
            .unwrap()
            .records()
            .unwrap();
        if !meds.is_empty() {
            holders += 1;
        }
    }
    assert_eq!(holders, count, "{code}: {stdout}");
}
