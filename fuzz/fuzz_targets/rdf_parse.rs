//! Fuzz target `rdf_parse`: see `smart_rest_fuzz::rdf::rdf_parse` for the oracle.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smart_rest_fuzz::rdf::rdf_parse(data));
