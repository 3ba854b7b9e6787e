#![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

use super::*;

fn manifest(app_launch: &str, version: &str) -> ContainerManifest {
    let json = serde_json::json!({
        "smart_version": version, "api_base": "http://c.test", "name": "c",
        "description": "", "admin": "a@c.test",
        "launch_urls": {
            "app_launch": app_launch,
            "request_token": "http://c.test/oauth/request_token",
            "authorize_token": "http://c.test/oauth/authorize",
            "exchange_token": "http://c.test/oauth/access_token"
        },
        "capabilities": {"http://smartplatforms.org/terms#Medication": {"methods": ["GET"]}}
    });
    ContainerManifest::from_json(json.to_string().as_bytes()).unwrap()
}

#[test]
fn launch_url_fills_placeholders_with_or_without_spaces() {
    for (template, expected) in [
        (
            "http://c.test/apps/{{app_id}}/launch",
            "http://c.test/apps/a@b.org/launch",
        ),
        (
            "http://c.test/apps/{{ app_id }}/launch",
            "http://c.test/apps/a@b.org/launch",
        ),
        (
            "http://c.test/apps/{{   app_id}}/launch",
            "http://c.test/apps/a@b.org/launch",
        ),
        (
            "http://c.test/l?x={{other}}&app={{app_id}}",
            "http://c.test/l?x={{other}}&app=a@b.org",
        ),
    ] {
        let url = manifest(template, "1.0").launch_url("a@b.org").unwrap();
        assert_eq!(url.as_str(), expected, "template {template}");
    }
}

#[test]
fn launch_url_encodes_the_app_id() {
    let url = manifest("http://c.test/apps/{{app_id}}/launch", "1.0")
        .launch_url("a b/c?d")
        .unwrap();
    assert_eq!(url.as_str(), "http://c.test/apps/a%20b%2Fc%3Fd/launch");
}

#[test]
fn launch_url_without_placeholder_is_an_error() {
    let error = manifest("http://c.test/apps/launch", "1.0")
        .launch_url("a@b.org")
        .unwrap_err();
    assert!(matches!(error, Error::Manifest(_)), "{error}");
}

#[test]
fn callback_confirmation_follows_the_declared_version() {
    for (version, required) in [
        ("0.6.1", false),
        ("0.6", false),
        ("1.0", true),
        ("2", true),
        ("x", true),
    ] {
        let m = manifest("http://c.test/apps/{{app_id}}/launch", version);
        assert_eq!(
            m.requires_callback_confirmation(),
            required,
            "version {version}"
        );
    }
}

#[test]
fn endpoints_must_be_http_urls() {
    let json = br#"{"smart_version": "1.0", "api_base": "http://c.test",
      "launch_urls": {"app_launch": "http://c.test/apps/{{app_id}}/launch",
        "request_token": "ftp://c.test/oauth/request_token",
        "authorize_token": "http://c.test/oauth/authorize",
        "exchange_token": "http://c.test/oauth/access_token"}}"#;
    assert!(matches!(
        ContainerManifest::from_json(json),
        Err(Error::Manifest(_))
    ));
    assert!(matches!(
        ContainerManifest::from_json(b"{"),
        Err(Error::Manifest(_))
    ));
}
