//! Any input, scanned as `terraform.tfvars` and rendered in every format (see `src/lib.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| guardrail_fuzz::scan_as("terraform.tfvars", data));
