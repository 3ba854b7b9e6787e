//! The handlers' error type: what a client sees for each container error.

use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::Error;
use crate::web::{AppError, Internal};

async fn answer(e: AppError) -> (StatusCode, String) {
    let res = e.into_response();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_missing_thing_is_a_404_naming_it() {
    let (status, body) = answer(Error::NotFound("no app `x@apps`".into()).into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, "no app `x@apps`");
}

#[tokio::test]
async fn internal_errors_keep_their_source_and_show_none_of_it() {
    let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
    let e = AppError::from(json);
    let AppError::Internal(internal) = &e else {
        panic!("not internal: {e:?}");
    };
    assert!(matches!(internal, Internal::StoredJson(_)));
    assert!(std::error::Error::source(internal).is_some());
    let (status, body) = answer(e).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.contains("EOF"), "{body}");
}

#[tokio::test]
async fn a_storage_error_is_a_500_that_shows_nothing_of_it() {
    // A real driver error: SQLite refusing a file that is not a database.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let e = crate::store::Store::open(&path).unwrap_err();
    let detail = e.report().to_string();
    assert!(detail.contains("not a database"), "{detail}");
    let e = AppError::from(e);
    let AppError::Internal(internal) = &e else {
        panic!("not internal: {e:?}");
    };
    // The log line gets the whole chain, down to the driver's message.
    assert_eq!(crate::Report(internal).to_string(), detail);
    let (status, body) = answer(e).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    for leak in ["not a database", "SQLite", "storage", "corrupt.db"] {
        assert!(!body.contains(leak), "{leak} in {body}");
    }
    assert!(body.contains("Something went wrong on our side."), "{body}");
}

#[tokio::test]
async fn a_refused_value_is_a_400_saying_why() {
    let (status, body) =
        answer(Error::Invalid("the password must not be empty".into()).into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, "the password must not be empty");
}
