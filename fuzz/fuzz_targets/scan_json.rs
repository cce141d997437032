//! Any input, scanned as `template.json` and rendered in every format (see `src/lib.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| guardrail_fuzz::scan_as("template.json", data));
