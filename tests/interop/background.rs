//! A background app written with requests-oauthlib against our container
//! (`interop/background_peer.py`): the two-legged token loop over every
//! record, filtered calls checked with rdflib, and the refusals.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::signatures::run_json;
use crate::support::{Service, binary, free_port, scratch_dir};
use crate::{interop_dir, python};

pub(crate) const APP_ID: &str = "interop-background@apps.example.org";

pub(crate) fn their_background_app_our_container() {
    let (server, api_base, secret) = background_container("their-background-app-our-container");
    let report = run_json(
        Command::new(python())
            .arg(interop_dir().join("background_peer.py"))
            .args(["--api-base", &api_base, "--app-id", APP_ID])
            .args(["--consumer-secret", &secret, "--expect-records", "50"]),
        "background_peer.py",
    );
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c["ok"] != Value::Bool(true))
        .map(|c| format!("{}: {}", c["check"], c["detail"]))
        .collect();
    eprintln!(
        "{} background app against smart-container: {} checks, {} failed",
        report["peer"],
        checks.len(),
        failed.len()
    );
    assert!(
        failed.is_empty() && checks.len() >= 100,
        "requests-oauthlib background app against smart-container ({} checks):\n{}\n{}",
        checks.len(),
        failed.join("\n"),
        server.log_tail()
    );
}

/// The real container with the background app [`APP_ID`] installed under a
/// fresh secret, serving on a free port: (server, api_base, consumer secret).
pub(crate) fn background_container(name: &str) -> (Service, String, String) {
    let dir = scratch_dir("interop", name);
    let data = dir.join("data");
    let container = binary("smart-container");
    let secret = oauth1_sign::generate_nonce().expect("the OS random generator");
    let manifest = dir.join("background-manifest.json");
    std::fs::write(
        &manifest,
        serde_json::json!({
            "name": "Interop Background Peer",
            "description": "The requests-oauthlib background app of the interop suite",
            "id": APP_ID, "mode": "background", "scope": "container",
        })
        .to_string(),
    )
    .expect("write the peer's manifest");
    let load = Command::new(&container)
        .arg("--data-dir")
        .arg(&data)
        .arg("load-app")
        .arg(&manifest)
        .args(["--secret", &secret])
        .output()
        .expect("run smart-container load-app");
    assert!(
        load.status.success(),
        "load-app: {}",
        String::from_utf8_lossy(&load.stderr)
    );
    let port = free_port();
    let api_base = format!("http://127.0.0.1:{port}");
    let mut server = Service::start(
        "smart-container",
        Command::new(&container)
            .arg("--data-dir")
            .arg(&data)
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--public-url", &api_base]),
        &dir,
    );
    server.wait_for_port(port, Duration::from_secs(60));
    (server, api_base, secret)
}
