//! Fuzz target `dance_consumer`: see `smart_rest_fuzz::consumer::dance_consumer` for the oracle.
#![no_main]

use smart_rest_fuzz::consumer::ConsumerInput;

libfuzzer_sys::fuzz_target!(
    |input: ConsumerInput| smart_rest_fuzz::consumer::dance_consumer(&input)
);
