//! A user's preferences for an app against the real container binary:
//! the round trip with the content type kept, the refusals (another user,
//! another app, a token without a user, a type a browser renders, too
//! large).

use reqwest::StatusCode;
use smart_client::Error;
use smart_rest_tests::{APP_ID, ContainerProcess, USER, app_manifest, authorize, record_ids};
use url::Url;

fn status_of<T: std::fmt::Debug>(result: Result<T, Error>) -> StatusCode {
    match result {
        Err(e) => e.status().unwrap_or_else(|| panic!("no status: {e:?}")),
        Ok(v) => panic!("expected an error status: {v:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_round_trip_for_the_tokens_own_user_and_app_only() {
    let manifest = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    let container = ContainerProcess::start(&manifest).await.unwrap();
    let client = container.client().unwrap();
    let record_id = record_ids(&container).await.unwrap().remove(0);
    let token = authorize(&client, &record_id).await.unwrap();
    let record = client.record(&token).unwrap();

    // Nothing stored yet: an empty RDF document.
    let empty = record.preferences().await.unwrap();
    assert_eq!(empty.content_type().as_deref(), Some("application/rdf+xml"));
    assert!(empty.graph().is_none_or(|g| g.is_empty()));

    for (content_type, body) in [
        (
            "application/json",
            &br#"{"theme": "dark", "units": "metric"}"#[..],
        ),
        ("text/plain; charset=utf-8", &b"units=imperial"[..]),
    ] {
        record.put_preferences(content_type, body).await.unwrap();
        let got = record.preferences().await.unwrap();
        assert_eq!(got.body, body);
        assert_eq!(
            got.headers.get("content-type").unwrap().to_str().unwrap(),
            content_type
        );
        assert!(
            got.headers
                .get("content-disposition")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
    }

    // A type a browser renders is refused and the stored document kept.
    assert_eq!(
        status_of(
            record
                .put_preferences("text/html", b"<script>alert(1)</script>")
                .await
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        status_of(record.put_preferences("image/svg+xml", b"<svg/>").await),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    // Too large.
    assert_eq!(
        status_of(
            record
                .put_preferences("text/plain", &vec![b'x'; 64 * 1024 + 1])
                .await
        ),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(record.preferences().await.unwrap().body, b"units=imperial");

    // Another user's, another app's: 403.
    let base = &container.api_base;
    for path in [
        format!("/users/someone-else/apps/{APP_ID}/preferences"),
        format!("/users/{USER}/apps/other@apps.example.org/preferences"),
    ] {
        let url = Url::parse(&format!("{base}{path}")).unwrap();
        assert_eq!(
            status_of(record.get(url).await),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    record.delete_preferences().await.unwrap();
    let gone = record.preferences().await.unwrap();
    assert_eq!(gone.content_type().as_deref(), Some("application/rdf+xml"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_a_user_has_no_preferences() {
    let container = ContainerProcess::start(&format!(
        r#"{{"name": "Census", "description": "Counts", "id": "{APP_ID}", "mode": "background"}}"#
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
    // The client knows the token has no user.
    assert!(matches!(
        record.preferences().await,
        Err(Error::InvalidQuery(_))
    ));
    // And the container refuses the path of a user anyway.
    let url = Url::parse(&format!(
        "{}/users/{USER}/apps/{APP_ID}/preferences",
        container.api_base
    ))
    .unwrap();
    assert_eq!(status_of(record.get(url).await), StatusCode::FORBIDDEN);
}
