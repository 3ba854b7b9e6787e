//! Fuzz target `percent_decode`: see `smart_rest_fuzz::encode::percent_decode` for the oracle.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| smart_rest_fuzz::encode::percent_decode(data));
