//! Fuzz target `verify_request`: see `smart_rest_fuzz::verify::verify_request` for the oracle.
#![no_main]

use smart_rest_fuzz::verify::VerifyInput;

libfuzzer_sys::fuzz_target!(|input: VerifyInput| smart_rest_fuzz::verify::verify_request(&input));
