//! The `guardrail` command line.
fn main() {}
