//! The error types keep what went wrong underneath as a typed source: the
//! SQLite driver's error, the operating system's, the JSON parser's, and a
//! structured description of an unexpected stored value.

// Tests unwrap freely: a failed step is a failed test, and the message says which.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on any error"
)]

use super::{Error, StorageError, UnexpectedValue};
use crate::store::{ItemRow, Store};

/// The first source in the chain of `e` that is a `T`.
fn find_source<'e, T: std::error::Error + 'static>(
    e: &'e (dyn std::error::Error + 'static),
) -> Option<&'e T> {
    let mut next = e.source();
    while let Some(s) = next {
        if let Some(t) = s.downcast_ref::<T>() {
            return Some(t);
        }
        next = s.source();
    }
    None
}

#[test]
fn a_database_path_that_is_a_directory_keeps_the_sqlite_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(e, Error::Storage(StorageError::Sqlite(_))),
        "{e:?}"
    );
    let sqlite = find_source::<rusqlite::Error>(&e).expect("a rusqlite source");
    assert_eq!(
        sqlite.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen),
        "{sqlite}"
    );
    assert!(e.report().to_string().starts_with("storage: SQLite: "));
}

#[test]
fn a_corrupt_database_file_keeps_the_sqlite_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let e = Store::open(&path).unwrap_err();
    let sqlite = find_source::<rusqlite::Error>(&e).expect("a rusqlite source");
    assert_eq!(
        sqlite.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase),
        "{sqlite}"
    );
}

/// A fresh SQLite store with an app row whose values are given as SQL.
fn store_with_app(manifest: &str, secret: &str, installed_at: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    store
        .execute(
            &format!(
                "INSERT INTO apps (id, manifest, secret_sealed, installed_at) \
                 VALUES ('a@x', {manifest}, {secret}, {installed_at})"
            ),
            &[],
        )
        .unwrap();
    (dir, store)
}

#[test]
fn a_wrong_typed_column_is_named_in_a_typed_error() {
    let (_dir, store) = store_with_app("'{}'", "42", "0");
    let e = store.app("a@x").unwrap_err();
    let Error::Storage(StorageError::Unexpected(UnexpectedValue::ColumnType {
        column,
        expected,
        found,
    })) = &e
    else {
        panic!("not a typed column mismatch: {e:?}");
    };
    assert_eq!(column, "secret_sealed");
    assert_eq!((*expected, *found), ("bytes", "an integer"));
    assert_eq!(
        e.report().to_string(),
        "storage: the database holds an unexpected value: \
         column `secret_sealed` holds an integer, expected bytes"
    );
}

#[test]
fn a_real_number_and_bad_utf8_are_named_too() {
    let (_dir, store) = store_with_app("'{}'", "x'00'", "1.5");
    let e = store
        .run(|c| c.query_int("SELECT installed_at FROM apps", &[]))
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Storage(StorageError::Unexpected(UnexpectedValue::ColumnType { column, found: "a real number", .. }))
                if column == "installed_at"
        ),
        "{e:?}"
    );

    let (_dir, store) = store_with_app("CAST(x'ff' AS TEXT)", "x'00'", "0");
    let e = store.app("a@x").unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Storage(StorageError::Unexpected(UnexpectedValue::NotUtf8 { column, .. }))
                if column == "manifest"
        ),
        "{e:?}"
    );
    assert!(find_source::<std::str::Utf8Error>(&e).is_some());
}

#[test]
fn a_stored_item_that_is_not_json_keeps_the_parser_error() {
    let row = ItemRow {
        kind: "medications".into(),
        item_id: "1".into(),
        date: None,
        code: None,
        body: "{\"Medication\":".into(),
    };
    let e = crate::rdf::stored_item(&row).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Storage(StorageError::Unexpected(UnexpectedValue::Json {
                what: "record item",
                ..
            }))
        ),
        "{e:?}"
    );
    assert!(find_source::<serde_json::Error>(&e).unwrap().is_eof());
}

#[test]
fn an_io_failure_names_its_path_and_keeps_the_os_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let data_dir = file.join("data");
    let e = crate::Container::open(&data_dir).unwrap_err();
    let Error::Io { what, source } = &e else {
        panic!("not an io error: {e:?}");
    };
    assert!(what.contains(&data_dir.display().to_string()), "{what}");
    assert!(
        e.to_string().starts_with("cannot create "),
        "{}",
        e.report()
    );
    assert!(std::ptr::eq(
        find_source::<std::io::Error>(&e).unwrap(),
        source
    ));
}

#[tokio::test]
async fn a_panicked_blocking_task_is_a_task_error_with_its_join_error() {
    let task = tokio::task::spawn_blocking(|| -> Result<(), Error> { panic!("on purpose") });
    let run = async { task.await? };
    let e = run.await.unwrap_err();
    assert!(matches!(e, Error::Task(_)), "{e:?}");
    assert!(
        find_source::<tokio::task::JoinError>(&e)
            .unwrap()
            .is_panic()
    );
}

#[test]
fn the_report_lists_every_source() {
    let json = serde_json::from_str::<serde_json::Value>("[").unwrap_err();
    let e = Error::from(UnexpectedValue::Json {
        what: "app manifest",
        source: json,
    });
    assert_eq!(e.to_string(), "storage");
    let report = e.report().to_string();
    assert!(
        report.starts_with(
            "storage: the database holds an unexpected value: \
             a stored app manifest does not parse: EOF"
        ),
        "{report}"
    );
}

#[test]
fn a_bad_database_url_keeps_the_driver_error_and_not_the_url() {
    let e = Store::open_postgres("host=/nowhere port=seventy password=hunter2", None).unwrap_err();
    assert!(matches!(e, Error::DatabaseUrl(_)), "{e:?}");
    assert!(find_source::<tokio_postgres::Error>(&e).is_some());
    let report = e.report().to_string();
    assert!(!report.contains("hunter2"), "{report}");
}

/// On PostgreSQL (with `SMART_TEST_POSTGRES_URL`): the server's error is the
/// source, with its SQLSTATE, and a column of a type the store does not
/// read is named.
#[test]
fn postgres_errors_keep_the_server_error_and_name_the_column() {
    let Some(url) = std::env::var(crate::container::TEST_POSTGRES_ENV)
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return;
    };
    let schema = format!("t_errors_{}", std::process::id());
    let (store, _) = Store::open_postgres(&url, Some(&schema)).unwrap();

    let e = store
        .run(|c| c.query("SELECT id FROM no_such_table", &[]))
        .unwrap_err();
    assert!(
        matches!(e, Error::Storage(StorageError::Postgres(_))),
        "{e:?}"
    );
    let pg = find_source::<tokio_postgres::Error>(&e).unwrap();
    assert_eq!(
        pg.code(),
        Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE)
    );

    let e = store
        .run(|c| c.query("SELECT 1.5::float8 AS ratio", &[]))
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Storage(StorageError::Unexpected(UnexpectedValue::UnsupportedType { column, sql_type }))
                if column == "ratio" && sql_type == "float8"
        ),
        "{e:?}"
    );
}

#[test]
fn a_store_failure_reaches_the_provider_with_its_source() {
    let store_error = crate::oauth_store::se(Error::from(UnexpectedValue::Digest));
    let e = oauth1_dance::Error::Store(store_error);
    let ours = find_source::<Error>(&e).expect("the container's error in the chain");
    assert!(
        matches!(
            ours,
            Error::Storage(StorageError::Unexpected(UnexpectedValue::Digest))
        ),
        "{ours:?}"
    );
    assert_eq!(
        super::Report(&e).to_string(),
        "internal error: store error: the container's store failed: storage: \
         the database holds an unexpected value: a stored verifier digest is not 64 hex digits"
    );
}

#[test]
fn key_errors_are_typed_and_hold_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let key = crate::crypto::DataKey::load_or_create(dir.path()).unwrap();
    let sealed = key.seal("app:a", "s3cret-value").unwrap();
    let e = key.open("app:b", &sealed).unwrap_err();
    assert!(matches!(e, Error::Key(super::KeyError::Open)), "{e:?}");
    assert!(!format!("{e:?} {}", e.report()).contains("s3cret"));
    assert!(matches!(
        key.open("app:a", &sealed[..5]),
        Err(Error::Key(super::KeyError::TooShort))
    ));

    // A key file others can read is refused, naming the file and its mode
    // (unless the key comes from the environment, which wins).
    #[cfg(unix)]
    if std::env::var(crate::KEY_ENV).is_err() {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.path().join(crate::KEY_FILE);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = crate::crypto::DataKey::load(dir.path(), false).unwrap_err();
        assert!(
            matches!(&e, Error::Key(super::KeyError::Exposed { path: p, mode: 0o644 }) if *p == path),
            "{e:?}"
        );
        assert_eq!(
            e.report().to_string(),
            format!(
                "data key: {} is readable by others (mode 644); run `chmod 600` on it",
                path.display()
            )
        );
    }
}
