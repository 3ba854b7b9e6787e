//! The data types beyond the seed's read by rdflib (`interop/data_types_peer.py`):
//! the photograph and its image, documents in their three formats, lab
//! panels, the kinds now written through smart-rdf, and a clinical note
//! posted as rdflib's RDF/XML, signed by requests-oauthlib.

use std::process::Command;

use serde_json::Value;

use crate::background::{APP_ID, background_container};
use crate::signatures::run_json;
use crate::{interop_dir, python};

pub(crate) fn rdflib_reads_every_data_type() {
    let (server, api_base, secret) = background_container("rdflib-reads-every-data-type");
    let report = run_json(
        Command::new(python())
            .arg(interop_dir().join("data_types_peer.py"))
            .args(["--api-base", &api_base, "--app-id", APP_ID])
            .args(["--consumer-secret", &secret]),
        "data_types_peer.py",
    );
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c["ok"] != Value::Bool(true))
        .map(|c| format!("{}: {}", c["check"], c["detail"]))
        .collect();
    eprintln!(
        "{} reading smart-container's data types: {} checks, {} failed",
        report["peer"],
        checks.len(),
        failed.len()
    );
    assert!(
        failed.is_empty() && checks.len() >= 40,
        "rdflib and requests-oauthlib against smart-container's data types ({} checks):\n{}\n{}",
        checks.len(),
        failed.join("\n"),
        server.log_tail()
    );
}
