//! SECURITY.md 31 with the real `smart-container load-app`: manifests that
//! could spoof the authorize page or replace another app are refused with a
//! message naming the field, and nothing installed is touched.

use std::process::Command;

const GOOD: &str = r#"{"name": "Good app", "description": "Reads names",
  "id": "good@apps.example.org", "mode": "background"}"#;

fn load_app(data: &std::path::Path, manifest: &str) -> (bool, String) {
    let file = data.with_extension("manifest.json");
    std::fs::write(&file, manifest).unwrap();
    let out = Command::new(smart_rest_tests::container_binary().unwrap())
        .arg("--data-dir")
        .arg(data)
        .arg("load-app")
        .arg(&file)
        .args(["--secret", "a-strong-secret-0123456789"])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn list_apps(data: &std::path::Path) -> String {
    let out = Command::new(smart_rest_tests::container_binary().unwrap())
        .arg("--data-dir")
        .arg(data)
        .arg("list-apps")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn sec_31_load_app_refuses_spoofing_and_confusing_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(load_app(&data, GOOD).0);
    let long_name = "n".repeat(300);
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "right-to-left override in the name",
            r#"{"name": "Good app\u202Eppa livE", "description": "d", "id": "a@apps.example.org", "mode": "background"}"#.into(),
            "name: holds the character U+202E",
        ),
        (
            "NUL in the description",
            r#"{"name": "A", "description": "x\u0000y", "id": "a@apps.example.org", "mode": "background"}"#.into(),
            "description: holds the character U+0000",
        ),
        (
            "a first-strong isolate in the author",
            r#"{"name": "A", "description": "d", "author": "\u2068x", "id": "a@apps.example.org", "mode": "background"}"#.into(),
            "author: holds the character U+2068",
        ),
        (
            "two id keys (the last would replace the good app)",
            r#"{"name": "Evil", "description": "d", "id": "a@apps.example.org", "mode": "background", "id": "good@apps.example.org"}"#.into(),
            "id: given more than once",
        ),
        (
            "an over-long name",
            format!(r#"{{"name": "{long_name}", "description": "d", "id": "a@apps.example.org", "mode": "background"}}"#),
            "name: 300 characters, more than the 100 allowed",
        ),
        (
            "user info in the callback",
            r#"{"name": "A", "description": "d", "id": "a@apps.example.org", "mode": "ui", "index": "http://app.example/", "icon": "http://app.example/i.png", "oauth_callback": "http://good.example.org@evil.example/cb"}"#.into(),
            "oauth_callback: must not carry a user name or password",
        ),
    ];
    for (what, manifest, expected) in cases {
        let (ok, stderr) = load_app(&data, &manifest);
        assert!(!ok, "{what}: installed");
        assert!(stderr.contains(expected), "{what}: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    }
    let apps = list_apps(&data);
    assert!(apps.contains("good@apps.example.org\tGood app"), "{apps}");
    assert_eq!(apps.lines().count(), 1, "{apps}");
}
