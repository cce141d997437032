//! Any input as the repository's `guardrail.toml`, with a small infrastructure scanned and
//! rendered in every format (see `src/lib.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| guardrail_fuzz::scan_with(
    guardrail_fuzz::OwnInput::Config,
    data
));
