//! Their client, our container: requests-oauthlib does the SMART dance
//! against `smart-container` (`interop/smart_client_peer.py`), and what
//! rdflib read from the replies is compared with what `smart-rdf` reads
//! from the same bytes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use smart_rdf::{Demographics, Graph, Medication, ResponseSummary, SEED_QUERY};

use crate::signatures::run_json;
use crate::support::{Service, binary, free_port, scratch_dir};
use crate::{interop_dir, python};

/// The peer app's id (its consumer key) and callback.
const APP_ID: &str = "interop-peer@apps.example.org";
const CALLBACK: &str = "http://127.0.0.1:9/authorized";
const USER: &str = "peer";

/// The whole dance and the data calls by requests-oauthlib, then the
/// rdflib/smart-rdf comparison.
pub(crate) fn their_client_our_container() {
    let dir = scratch_dir("interop", "their-client-our-container");
    let data = dir.join("data");
    let container = binary("smart-container");
    let secret = credential();
    let password = credential();

    let manifest = dir.join("peer-manifest.json");
    std::fs::write(
        &manifest,
        serde_json::json!({
            "name": "Interop Peer",
            "description": "The requests-oauthlib peer client of the interop suite",
            "id": APP_ID, "mode": "ui", "scope": "record",
            "index": "http://127.0.0.1:9/", "oauth_callback": CALLBACK,
            "icon": "http://127.0.0.1:9/icon.png", "smart_version": "1.0", "version": "1",
        })
        .to_string(),
    )
    .expect("write the peer's manifest");
    run_ok(
        Command::new(&container).arg("--data-dir").arg(&data).args([
            "add-user",
            USER,
            "--password",
            &password,
        ]),
        "smart-container add-user",
    );
    run_ok(
        Command::new(&container)
            .arg("--data-dir")
            .arg(&data)
            .arg("load-app")
            .arg(&manifest)
            .args(["--secret", &secret]),
        "smart-container load-app",
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

    let out = dir.join("replies");
    let report = run_json(
        Command::new(python())
            .arg(interop_dir().join("smart_client_peer.py"))
            .args(["--api-base", &api_base, "--app-id", APP_ID])
            .args(["--consumer-secret", &secret, "--callback", CALLBACK])
            .args(["--username", USER, "--password", &password])
            .arg("--out")
            .arg(&out)
            // The container offers HMAC-SHA1 only (SMART.md); it takes the
            // request token's parameters from any of the RFC 5849 §3.5
            // places, but a data call's from the Authorization header only
            // (SECURITY.md 27).
            .args(["--expect-sha256", "reject", "--expect-query", "accept"])
            .args(["--expect-data-query", "reject"]),
        "smart_client_peer.py",
    );
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c["ok"] != Value::Bool(true))
        .map(|c| format!("{}: {}", text(&c["check"]), text(&c["detail"])))
        .collect();
    eprintln!(
        "{} against smart-container: {} checks, {} failed",
        report["peer"],
        checks.len(),
        failed.len()
    );
    assert!(
        failed.is_empty() && checks.len() >= 40,
        "requests-oauthlib against smart-container ({} checks):\n{}\n{}",
        checks.len(),
        failed.join("\n"),
        server.log_tail()
    );
    compare_with_smart_rdf(&report["data"], &out);
}

/// rdflib's reading (from the peer's report) against smart-rdf's reading of the same bytes.
fn compare_with_smart_rdf(data: &Value, out: &Path) {
    let graph = parse(&out.join("demographics.rdf"));
    let ours = graph
        .records::<Demographics>()
        .expect("smart-rdf reads the demographics");
    assert_eq!(ours.len(), 1, "one Demographics node");
    let ours = &ours[0];
    let theirs = &data["demographics"];
    let name = &theirs["names"][0];
    let fields = &theirs["fields"][0];
    assert_eq!(
        text(&name["given"]),
        ours.name.given,
        "given name, rdflib vs smart-rdf"
    );
    assert_eq!(
        text(&name["family"]),
        ours.name.family,
        "family name, rdflib vs smart-rdf"
    );
    assert_eq!(
        text(&fields["gender"]),
        ours.gender.as_str(),
        "gender, rdflib vs smart-rdf"
    );
    assert_eq!(
        text(&fields["bday"]),
        ours.birthday.to_string(),
        "birthday, rdflib vs smart-rdf"
    );
    assert_eq!(
        text(&fields["email"]),
        ours.email.clone().unwrap_or_default(),
        "email, rdflib vs smart-rdf"
    );
    // The seed's SPARQL query, run by both engines on the same document.
    let rows = graph
        .select(SEED_QUERY)
        .expect("smart-rdf runs the seed query");
    let ours_rows: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.string("given").unwrap_or_default(),
                r.string("family").unwrap_or_default(),
            )
        })
        .collect();
    let theirs_rows: Vec<(String, String)> = theirs["names"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| (text(&r["given"]), text(&r["family"])))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        ours_rows, theirs_rows,
        "the seed query's rows, rdflib vs oxigraph"
    );

    for (file, key) in [
        ("medications-page1.rdf", "medications_page1"),
        ("medications-page2.rdf", "medications_page2"),
        ("medications-all.rdf", "medications_all"),
        ("medications-filtered.rdf", "medications_filtered"),
    ] {
        let graph = parse(&out.join(file));
        let meds = graph
            .records::<Medication>()
            .unwrap_or_else(|e| panic!("{file}: smart-rdf reads the medications: {e}"));
        let mut ours: Vec<(String, String)> = meds
            .iter()
            .map(|m| (m.drug_name.title.clone(), m.start_date.to_string()))
            .collect();
        ours.sort();
        let theirs: Vec<(String, String)> = data[key]["medications"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|m| (text(&m["drug_name"]), text(&m["start_date"])))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(ours, theirs, "{file}: medications, rdflib vs smart-rdf");

        let summary = ResponseSummary::from_graph(&graph)
            .unwrap_or_else(|e| panic!("{file}: smart-rdf reads the summary: {e}"))
            .unwrap_or_else(|| panic!("{file}: no api:ResponseSummary"));
        let theirs = &data[key]["summary"];
        assert_eq!(
            text(&theirs["total"]),
            summary.total_result_count.to_string(),
            "{file}: total"
        );
        assert_eq!(
            text(&theirs["returned"]),
            summary.results_returned.to_string(),
            "{file}: returned"
        );
        assert_eq!(
            text(&theirs["next"]),
            summary.next_page_url.clone().unwrap_or_default(),
            "{file}: next page"
        );
        let order: Vec<String> = theirs["order"]
            .as_array()
            .map(|a| a.iter().map(text).collect())
            .unwrap_or_default();
        assert_eq!(order, summary.result_order, "{file}: result order");
        assert_eq!(
            summary.results_returned as usize,
            meds.len(),
            "{file}: resultsReturned counts the medications"
        );
    }
}

/// Parses one saved reply with smart-rdf.
fn parse(path: &Path) -> Graph {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Graph::parse(&bytes, "application/rdf+xml", None)
        .unwrap_or_else(|e| panic!("smart-rdf cannot parse {}: {e}", path.display()))
}

/// A JSON value as text (`""` for null).
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A fresh random credential: 20 to 30 alphanumerics from the OS CSPRNG.
fn credential() -> String {
    oauth1_sign::generate_nonce().expect("the OS random generator")
}

/// Runs a command to completion, panicking with its output when it fails.
fn run_ok(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not start: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
