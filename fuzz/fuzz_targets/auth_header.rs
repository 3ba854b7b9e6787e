//! Fuzz target `auth_header`: see `smart_rest_fuzz::header::auth_header` for the oracle.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smart_rest_fuzz::header::auth_header(data));
