//! Unit tests of the pieces below the HTTP layer: manifests, the synthetic
//! patients, the data key, secrets and reopening a data directory.

// Tests unwrap freely: a failed step is a failed test, and the message says which.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on any error"
)]

use std::collections::BTreeSet;

use crate::container::weak_secret;
use crate::crypto::{DataKey, Secret};
use crate::manifest::AppManifest;
use crate::{Container, Error, PasswordCost, synth};

const GOOD: &str = r#"{ "name": "SMART REST Minimal", "description": "The minimal SMART REST example app",
  "id": "rest-minimal@apps.smartplatforms.org", "mode": "ui", "scope": "record",
  "index": "http://localhost:8000/", "oauth_callback": "http://localhost:8000/authorized",
  "icon": "http://localhost:8000/static/icon.png", "smart_version": "1.0", "version": ".1" }"#;

fn violations(text: &str) -> Vec<String> {
    match AppManifest::parse(text) {
        Err(Error::InvalidManifest(v)) => v,
        other => panic!("expected violations, got {other:?}"),
    }
}

#[test]
fn the_reference_manifest_is_valid() {
    let m = AppManifest::parse(GOOD).unwrap();
    assert_eq!(m.id, "rest-minimal@apps.smartplatforms.org");
    assert_eq!(
        m.oauth_callback.as_deref(),
        Some("http://localhost:8000/authorized")
    );
}

#[test]
fn manifest_violations_name_their_fields() {
    let cases: &[(&str, &[&str])] = &[
        ("[]", &["(document)"]),
        ("{", &["(document)"]),
        (
            r#"{"name": "", "description": "d", "id": "a@b", "mode": "background"}"#,
            &["name: must not be empty"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "web"}"#,
            &["mode:"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a b@c", "mode": "background"}"#,
            &["id:"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "smart_version": "1.0.0.0"}"#,
            &["smart_version:"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "scope": "world"}"#,
            &["scope:"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "standalone": "yes"}"#,
            &["standalone:"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "index": "http://x/"}"#,
            &["index: `background`"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "oauth_callback": "http://x/"}"#,
            &["oauth_callback: `background`"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "ui", "index": "ftp://x/", "icon": "/icon.png"}"#,
            &["index:", "icon:"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "frame_ui"}"#,
            &["index: required", "icon: required"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "requires": {"http://smartplatforms.org/terms#Medication": {"methods": ["FETCH"]}}}"#,
            &["requires."],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "colour": "red\u0007"}"#,
            &["colour: holds the character U+0007"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "supportedBrowserEnvironments": ["desktop", "toaster"]}"#,
            &["supportedBrowserEnvironments:"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "requires": {"http://smartplatforms.org/terms#LabResult": {"methods": ["GET"], "codes": [1]}}}"#,
            &["requires.http://smartplatforms.org/terms#LabResult.codes"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "ui", "index": "http://x/", "icon": "http://x/i.png", "oauth_callback": "javascript:alert(1)"}"#,
            &["oauth_callback: the `javascript` scheme"],
        ),
        (
            r#"{"name": "n", "description": "d", "id": "a@b", "mode": "ui", "index": "http://x/", "icon": "http://x/i.png", "oauth_callback": "smart-app://u:p@x/done"}"#,
            &["oauth_callback: must not carry"],
        ),
        (
            r#"{"mode": "background"}"#,
            &["name: required", "description: required", "id: required"],
        ),
    ];
    for (text, expected) in cases {
        let v = violations(text);
        for e in *expected {
            assert!(
                v.iter().any(|x| x.starts_with(e)),
                "{text}: expected `{e}` in {v:?}"
            );
        }
        assert_eq!(v.len(), expected.len(), "{text}: {v:?}");
    }
    let ok = r#"{"name": "n", "description": "d", "id": "a@b", "mode": "background", "requires": {"http://smartplatforms.org/terms#Medication": {"methods": ["GET"]}}}"#;
    assert!(AppManifest::parse(ok).is_ok());
}

#[test]
fn original_manifests_load_and_unknown_keys_are_warnings() {
    let original = r#"{
        "name": "Cardiac Risk", "description": "Cardiac risk of a patient",
        "author": "A. Developer", "id": "cardio@apps.smartplatforms.org",
        "version": "1.2", "mode": "ui", "scope": "record",
        "index": "http://localhost:8001/index.html",
        "icon": "http://localhost:8001/icon.png",
        "oauth_callback": "smart-app:///after-auth",
        "optimalBrowserEnvironments": ["desktop"],
        "supportedBrowserEnvironments": ["desktop", "tablet", "mobile"],
        "requires": {
            "http://smartplatforms.org/terms#LabResult": {"methods": ["GET"],
                "codes": ["http://purl.bioontology.org/ontology/LNC/2093-3"]},
            "http://smartplatforms.org/terms#Demographics": {"methods": ["GET"]}
        },
        "smart_version": "0.6",
        "launch_hint": "opens in a tab"
    }"#;
    let m = AppManifest::parse(original).unwrap();
    assert_eq!(m.oauth_callback.as_deref(), Some("smart-app:///after-auth"));
    assert_eq!(m.warnings, ["launch_hint: unknown key, ignored"]);
    let helper =
        AppManifest::parse(r#"{"name": "n", "description": "d", "id": "a@b", "mode": "helper"}"#)
            .unwrap();
    assert!(crate::manifest::is_background_mode(&helper.mode));
    assert!(AppManifest::parse(GOOD).unwrap().warnings.is_empty());
}

#[test]
fn synthetic_patients_are_deterministic_and_complete() {
    let a = synth::generate(synth::DEFAULT_SEED, synth::DEFAULT_PATIENTS);
    assert_eq!(
        a,
        synth::generate(synth::DEFAULT_SEED, synth::DEFAULT_PATIENTS)
    );
    assert_ne!(
        a,
        synth::generate(synth::DEFAULT_SEED + 1, synth::DEFAULT_PATIENTS)
    );
    assert_eq!(a.len(), 50);
    let ids: BTreeSet<_> = a.iter().map(|p| p.id.clone()).collect();
    assert_eq!(ids.len(), a.len(), "record ids are unique");
    let mut years = BTreeSet::new();
    for p in &a {
        let kinds: BTreeSet<&str> = p.items.iter().map(|i| i.0.as_str()).collect();
        for c in crate::model::collections() {
            if c.name != "procedures" {
                assert!(kinds.contains(c.name), "{} lacks {}", p.id, c.name);
            }
        }
        assert!(p.items.iter().filter(|i| i.0 == "medications").count() >= 4);
        let item_ids: BTreeSet<_> = p.items.iter().map(|i| (i.0.clone(), i.1.clone())).collect();
        assert_eq!(
            item_ids.len(),
            p.items.len(),
            "item ids are unique in {}",
            p.id
        );
        years.extend(
            p.items
                .iter()
                .filter_map(|i| i.2.as_ref())
                .map(|d| d[..4].to_owned()),
        );
        assert!(chrono::NaiveDate::parse_from_str(&p.demographics.birthday, "%Y-%m-%d").is_ok());
    }
    assert!(
        a.iter()
            .any(|p| p.items.iter().any(|i| i.0 == "procedures"))
    );
    assert!(years.len() >= 15, "items spread over the years: {years:?}");
}

#[test]
fn sealed_secrets_open_only_with_their_key_and_context() {
    let dir = tempfile::tempdir().unwrap();
    let key = DataKey::load_or_create(dir.path()).unwrap();
    let sealed = key.seal("app:a", "s3cret").unwrap();
    assert_eq!(key.open("app:a", &sealed).unwrap().expose(), "s3cret");
    assert!(key.open("app:b", &sealed).is_err(), "bound to its row");
    let other = DataKey::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
    assert!(
        other.open("app:a", &sealed).is_err(),
        "another key cannot open it"
    );
    let again = DataKey::load_or_create(dir.path()).unwrap();
    assert_eq!(
        again.open("app:a", &sealed).unwrap().expose(),
        "s3cret",
        "the key file is reused"
    );
    assert!(!format!("{key:?}").contains("s3cret"));
}

#[test]
fn weak_secrets_are_named() {
    for (secret, weak) in [
        ("", true),
        ("smartapp-secret", true),
        ("fifteen-chars-x", true),
        ("sixteen-chars-xx", false),
    ] {
        assert_eq!(
            weak_secret(&Secret::new(secret)).is_some(),
            weak,
            "{secret:?}"
        );
    }
}

#[test]
fn reopening_a_data_dir_keeps_apps_users_and_patients() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Container::open(dir.path()).unwrap();
    c.set_password_cost(PasswordCost::Test);
    let (key, secret) = c
        .install_app(GOOD, Some("a-strong-secret-of-32-characters"))
        .unwrap();
    c.add_user("alice", "pw").unwrap();
    drop(c);
    let c = Container::open(dir.path()).unwrap();
    let apps = c.list_apps().unwrap();
    assert_eq!((apps.len(), apps[0].id.as_str()), (1, key.as_str()));
    assert_eq!(c.app(&key).unwrap().unwrap().1.expose(), secret.expose());
    let user = c.store.user("alice").unwrap().unwrap();
    assert!(crate::crypto::verify_password("pw", &user.password_hash));
    assert!(!crate::crypto::verify_password(
        "wrong",
        &user.password_hash
    ));
    assert_eq!(
        c.store.record_count().unwrap(),
        50,
        "patients are stored once"
    );
    assert!(c.install_app(GOOD, Some("bad\nsecret")).is_err());
    assert!(c.add_user("", "pw").is_err());
    assert!(c.add_user("bob", "").is_err());
    assert!(matches!(c.remove_app("nobody@x"), Err(Error::NotFound(_))));
}

/// Issue 16 item 6: every synthetic lab value of the 50 patients is a
/// positive number within a physiological band around its reference range
/// (8 of 646 were negative, a TSH of -0.1, before the fix).
#[test]
fn synthetic_lab_values_are_physiological() {
    let patients = synth::generate(synth::DEFAULT_SEED, synth::DEFAULT_PATIENTS);
    let mut seen = 0;
    for p in &patients {
        for (kind, _, _, _, item) in &p.items {
            if kind != "lab_results" {
                continue;
            }
            let crate::model::Item::LabResult {
                name,
                value,
                low,
                high,
                ..
            } = item
            else {
                panic!("a lab_results item that is no LabResult in {}", p.id);
            };
            let (v, lo, hi): (f64, f64, f64) = (
                value.parse().unwrap(),
                low.parse().unwrap(),
                high.parse().unwrap(),
            );
            let width = hi - lo;
            assert!(
                v > 0.0 && v >= lo / 2.0 - 0.05 && v <= hi + width * 0.3 + 0.05,
                "{}: {name:?} = {v} outside the physiological band of {lo}..{hi}",
                p.id
            );
            seen += 1;
        }
    }
    assert!(seen > 600, "only {seen} lab values");
    // The band's edges themselves.
    assert!((synth::lab_value(0.4, 4.0, 0) - 0.2).abs() < 1e-9);
    assert!(synth::lab_value(0.4, 4.0, 1000) <= 4.0 + 3.6 * 0.3 + 1e-9);
}
