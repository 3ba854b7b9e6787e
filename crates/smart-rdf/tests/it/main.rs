//! The crate's one integration-test binary.
// Tests unwrap freely: a panic is the failure report we want, with the value in the message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests report failures by panicking"
)]

mod malformed;
mod query;
mod records;
mod roundtrip;
mod roundtrip_kinds;

use smart_rdf::Graph;

/// Reads a fixture from `tests/data/`.
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses an RDF/XML fixture.
pub(crate) fn xml_fixture(name: &str) -> Graph {
    Graph::parse(&fixture(name), "application/rdf+xml", None)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}
