//! Any input, scanned as `main.tf.json` and rendered in every format (see `src/lib.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| guardrail_fuzz::scan_as("main.tf.json", data));
