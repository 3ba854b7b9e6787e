//! Fuzz target `form_body`: see `smart_rest_fuzz::encode::form_body` for the oracle.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smart_rest_fuzz::encode::form_body(data));
