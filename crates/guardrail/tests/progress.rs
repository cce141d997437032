//! Progress reporting through the whole pipeline, with the fixtures under
//! `fixtures/progress/`: every stage is announced in order, advances once per item between
//! its start and its finish, and counts what the scan really went through.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use guardrail::Scanner;
use guardrail::progress::{ProgressEvent, Stage};
use guardrail::scan::{ScanOptions, build_graph};

const FIXTURES: &str = "../../fixtures/progress";

/// Options that record every event, and the record.
fn recording() -> (ScanOptions, Arc<Mutex<Vec<ProgressEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let options = ScanOptions::default().with_progress(move |event| {
        sink.lock().expect("not poisoned").push(event);
    });
    (options, events)
}

/// Per stage, in the order the stages started: the announced total, the number of
/// advances, and the finishing count. Checks on the way that every stage starts once,
/// finishes once after its advances, and that stages do not overlap.
fn stages(events: &[ProgressEvent]) -> Vec<(Stage, Option<u64>, u64, u64)> {
    let mut out: Vec<(Stage, Option<u64>, u64, u64)> = Vec::new();
    let mut open: Option<Stage> = None;
    for event in events {
        match *event {
            ProgressEvent::Start { stage, total } => {
                assert_eq!(open, None, "{stage:?} starts inside {open:?}");
                assert!(
                    out.iter().all(|(s, ..)| *s != stage),
                    "{stage:?} starts twice"
                );
                open = Some(stage);
                out.push((stage, total, 0, 0));
            }
            ProgressEvent::Advance { stage } => {
                assert_eq!(open, Some(stage), "{stage:?} advances outside its stage");
                if let Some(last) = out.last_mut() {
                    last.2 += 1;
                }
            }
            ProgressEvent::Finish { stage, count } => {
                assert_eq!(open, Some(stage), "{stage:?} finishes without starting");
                open = None;
                if let Some(last) = out.last_mut() {
                    last.3 = count;
                }
            }
            _ => panic!("an event this test does not know: {event:?}"),
        }
    }
    assert_eq!(open, None, "a stage never finished");
    out
}

#[test]
fn a_scan_reports_each_stage_with_its_counts() {
    let (options, events) = recording();
    let scanner = Scanner::builtin()
        .expect("built-in rules")
        .with_options(options);
    let outcome = scanner.scan(&[PathBuf::from(FIXTURES)]);
    assert!(
        !outcome.input.has_errors(),
        "{:?}",
        outcome.input.diagnostics
    );
    // The CloudFormation template's two resources, the manifest's two objects, the module's
    // two resources and its variable.
    let resources = outcome.input.graph.len() as u64;
    assert_eq!(resources, 7);
    let events = events.lock().expect("not poisoned");
    assert_eq!(
        stages(&events),
        [
            // The README is not a candidate; the other six files are found, read and parsed.
            (Stage::Discover, None, 0, 6),
            (Stage::Load, Some(6), 6, 6),
            (Stage::Parse, Some(6), 6, 6),
            // The template, the manifest and the one Terraform module; the workflow is not
            // ours and the var file is read by its module.
            (Stage::Adapt, Some(3), 3, 3),
            (Stage::Evaluate, Some(resources), resources, resources),
        ]
    );
}

#[test]
fn building_the_graph_alone_stops_before_evaluation() {
    let (options, events) = recording();
    let scan = build_graph(&[PathBuf::from(FIXTURES)], &options);
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    let events = events.lock().expect("not poisoned");
    let seen: Vec<Stage> = stages(&events).into_iter().map(|(s, ..)| s).collect();
    assert_eq!(
        seen,
        [Stage::Discover, Stage::Load, Stage::Parse, Stage::Adapt]
    );
}

#[test]
fn files_that_cannot_be_read_count_as_read_but_not_parsed() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("ok.yaml"),
        "apiVersion: v1\nkind: ConfigMap\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("binary.yaml"), b"kind: \0\0").expect("write");
    let (options, events) = recording();
    let scan = build_graph(&[dir.path().to_path_buf()], &options);
    assert!(scan.has_errors());
    let events = events.lock().expect("not poisoned");
    assert_eq!(
        stages(&events),
        [
            (Stage::Discover, None, 0, 2),
            (Stage::Load, Some(2), 2, 2),
            (Stage::Parse, Some(1), 1, 1),
            (Stage::Adapt, Some(1), 1, 1),
        ]
    );
}

#[test]
fn nothing_to_read_still_opens_and_closes_every_stage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (options, events) = recording();
    let scanner = Scanner::builtin()
        .expect("built-in rules")
        .with_options(options);
    scanner.scan(&[dir.path().to_path_buf()]);
    let events = events.lock().expect("not poisoned");
    assert_eq!(
        stages(&events),
        [
            (Stage::Discover, None, 0, 0),
            (Stage::Load, Some(0), 0, 0),
            (Stage::Parse, Some(0), 0, 0),
            (Stage::Adapt, Some(0), 0, 0),
            (Stage::Evaluate, Some(0), 0, 0),
        ]
    );
}

#[cfg(feature = "guard")]
#[test]
fn guard_rules_add_a_stage_counting_documents() {
    let guard = guardrail::guard::GuardRules::load(
        &[PathBuf::from(
            "../../fixtures/guard/architecture/rules.guard",
        )],
        &[],
    );
    assert!(!guard.has_errors(), "{:?}", guard.diagnostics);
    let (options, events) = recording();
    let scanner = Scanner::builtin()
        .expect("built-in rules")
        .with_guard(guard)
        .with_options(options);
    scanner.scan(&[PathBuf::from(FIXTURES)]);
    let events = events.lock().expect("not poisoned");
    let stages = stages(&events);
    // The template and the manifest's two documents; Guard does not advance item by item.
    assert_eq!(stages.last(), Some(&(Stage::Guard, Some(3), 0, 3)));
}
