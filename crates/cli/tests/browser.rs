//! The HTML report in a real browser: headless Chromium renders the page of an insecure
//! system, the diagram and the STRIDE matrix are in the DOM, and the page tries to load
//! nothing (its Content-Security-Policy blocks every fetch, and Chromium logs no attempt).
//! Skipped, with a message, where no Chromium is installed (`.ci/run` installs Debian's).
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Chromium's path: `$CHROMIUM`, else the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium on `page` with `args`; its stdout and its log (stderr).
fn run(browser: &Path, profile: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What the page logged to the console (CSP violations, script errors).
fn console(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn the_html_report_renders_in_chromium_and_loads_nothing() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no Chromium found (set CHROMIUM or install Debian's chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args([
            "scan",
            "fixtures/threats/static-site/insecure",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page)
        .output()
        .expect("run guardrail");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (dom, log) = run(&browser, &dir.path().join("p1"), &page, &["--dump-dom"]);
    for part in [
        "<svg id=\"diagram\"",
        "<g class=\"element exposed\">",
        "<table id=\"stride\">",
        "<td class=\"exposed\"",
        "<table id=\"nist\">",
        "AWS-S3-001",
    ] {
        assert!(dom.contains(part), "{part} not in the rendered DOM");
    }
    assert_eq!(
        console(&log),
        Vec::<&str>::new(),
        "the page logged something"
    );

    // The check can fail: the same page with one external image logs the blocked load.
    let html = std::fs::read_to_string(&page).expect("read page");
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        html.replace("<body>", "<body><img src=\"https://example.com/x.png\">"),
    )
    .expect("write");
    let (_, log) = run(&browser, &dir.path().join("p2"), &bad, &["--dump-dom"]);
    assert!(
        console(&log)
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "a blocked load is logged: {log}"
    );

    let shot = dir.path().join("shot.png");
    let (_, log) = run(
        &browser,
        &dir.path().join("p3"),
        &page,
        &[
            "--window-size=1300,1400",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 20_000,
        "a screenshot with content ({size} bytes): {log}"
    );
}
