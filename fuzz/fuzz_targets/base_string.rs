//! Fuzz target `base_string`: see `smart_rest_fuzz::base::base_string` for the oracle.
#![no_main]

use smart_rest_fuzz::base::BaseStringInput;

libfuzzer_sys::fuzz_target!(|input: BaseStringInput| smart_rest_fuzz::base::base_string(&input));
