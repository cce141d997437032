//! Any input as a baseline file, with a small infrastructure scanned and rendered in every
//! format (see `src/lib.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| guardrail_fuzz::scan_with(
    guardrail_fuzz::OwnInput::Baseline,
    data
));
