//! Fuzz target `dance_provider`: see `smart_rest_fuzz::provider::dance_provider` for the oracle.
#![no_main]

use smart_rest_fuzz::provider::ProviderInput;

libfuzzer_sys::fuzz_target!(
    |input: ProviderInput| smart_rest_fuzz::provider::dance_provider(&input)
);
