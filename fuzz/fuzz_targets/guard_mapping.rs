//! Any input as a Guard mapping file (severity, STRIDE and NIST for the rules of a fixed Guard
//! rule file), with a small infrastructure scanned and rendered in every format (see
//! `src/lib.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| guardrail_fuzz::scan_with(
    guardrail_fuzz::OwnInput::GuardMapping,
    data
));
