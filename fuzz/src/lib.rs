//! What every fuzz target does with its input: scan it as one file of the given name (an
//! in-memory buffer, nothing written to disk), then render the report in every format and
//! the threat model and NIST view. The properties: no panic, and the JSON outputs parse.

use guardrail::Project;
use guardrail::compliance::ComplianceView;
use guardrail::render::{self, RenderOptions};
use guardrail::threat::{ThreatCatalog, ThreatModel};

/// Scans `data` as the file `name` (under a directory that does not exist, so only the buffer
/// is read) and renders everything.
pub fn scan_as(name: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = std::path::Path::new("/nonexistent-guardrail-fuzz");
    let path = dir.join(name);
    let Ok(scan) = Project::new([path.clone()]).with_buffer(&path, text).scan() else {
        return;
    };
    let options = RenderOptions::with_gate(scan.gate.gate);
    let (report, files) = (&scan.report, &scan.input.files);
    for render in [
        render::text::render,
        render::concise::render,
        render::sarif::render,
        render::junit::render,
        render::github::render,
        render::markdown::render,
    ] {
        let _ = render(report, files, &options);
    }
    let json = render::json::render(report, files, &options);
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "JSON report parses");
    if let Ok(catalog) = ThreatCatalog::builtin() {
        let model = ThreatModel::build(&scan.input, report, catalog);
        let controls = ComplianceView::build(report, files, None);
        let _ = render::threats::markdown(&model);
        let _ = render::threats::otm(&model, "fuzz");
        let _ = render::html::render(&render::html::Page::new(
            report, files, &options, &model, &controls,
        ));
    }
}
