//! The progress bar of `guardrail scan`: never on a stderr that is not a terminal, cleared
//! before the findings when it is one, absent from scans shorter than its delay, and gone
//! with `--no-progress` or `TERM=dumb`. The terminal cases run under util-linux `script`,
//! which gives the command a pseudo-terminal; they are skipped where it is missing.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::process::Command;

/// What the bar writes: stage labels no finding uses, and the control sequences it draws
/// with (a lone carriage return, escape sequences). Line ends must be `\n` by then.
const BAR_MARKS: &[&str] = &[
    "finding files",
    "building the graph",
    "checking resources",
    "\r",
    "\x1b[",
];

fn drawn(text: &str) -> Vec<&'static str> {
    BAR_MARKS
        .iter()
        .copied()
        .filter(|m| text.contains(m))
        .collect()
}

#[test]
fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
    // Even with no delay and a terminal type that could take it.
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["scan", "fixtures/demo", "--format", "github"])
        .env(guardrail_delay(), "0")
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .output()
        .expect("run guardrail");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(drawn(&stderr), Vec::<&str>::new(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("::"));
}

fn guardrail_delay() -> &'static str {
    "GUARDRAIL_PROGRESS_DELAY_MS"
}

/// Runs `guardrail ARGS` on a pseudo-terminal (stdout and stderr both go to it) and returns
/// everything it showed, or `None` where util-linux `script` is not available.
fn on_a_terminal(args: &str, env: &[(&str, &str)]) -> Option<String> {
    let script = Command::new("script").arg("--version").output().ok()?;
    if !String::from_utf8_lossy(&script.stdout).contains("util-linux") {
        return None;
    }
    let command = format!("'{}' {args}", env!("CARGO_BIN_EXE_guardrail"));
    let mut run = Command::new("script");
    run.args([
        "--quiet",
        "--flush",
        "--return",
        "--command",
        &command,
        "/dev/null",
    ])
    .env("TERM", "xterm-256color")
    .env("NO_COLOR", "1")
    .env("COLUMNS", "100");
    for (key, value) in env {
        run.env(key, value);
    }
    let out = run.output().expect("run script");
    assert_eq!(out.status.code(), Some(1), "the demo has findings");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn on_a_terminal_the_bar_is_drawn_then_cleared_before_the_findings() {
    let Some(shown) = on_a_terminal(
        "scan fixtures/demo --format github",
        &[(guardrail_delay(), "0")],
    ) else {
        eprintln!("skipped: no util-linux script for a pseudo-terminal");
        return;
    };
    assert!(shown.contains("checking resources"), "{shown:?}");
    // The last thing the bar does is erase its line; the findings follow, untouched.
    let (bar, after) = shown.rsplit_once("\r\x1b[2K").expect("the bar is cleared");
    assert!(after.starts_with("::"), "{after:?}");
    assert_eq!(
        drawn(after.replace("\r\n", "\n").as_str()),
        Vec::<&str>::new()
    );
    // NO_COLOR: the bar has no colours to drop, and draws none.
    assert!(!bar.contains("\x1b[3"), "{bar:?}");
}

#[test]
fn a_scan_shorter_than_the_delay_draws_nothing() {
    let Some(shown) = on_a_terminal(
        "scan fixtures/demo --format github",
        &[(guardrail_delay(), "60000")],
    ) else {
        return;
    };
    assert!(shown.starts_with("::"), "{shown:?}");
    assert_eq!(drawn(&shown.replace("\r\n", "\n")), Vec::<&str>::new());
}

#[test]
fn no_progress_and_dumb_terminals_draw_nothing() {
    let Some(shown) = on_a_terminal(
        "scan fixtures/demo --format github --no-progress",
        &[(guardrail_delay(), "0")],
    ) else {
        return;
    };
    assert_eq!(drawn(&shown.replace("\r\n", "\n")), Vec::<&str>::new());
    let Some(shown) = on_a_terminal(
        "scan fixtures/demo --format github",
        &[(guardrail_delay(), "0"), ("TERM", "dumb")],
    ) else {
        return;
    };
    assert_eq!(drawn(&shown.replace("\r\n", "\n")), Vec::<&str>::new());
}
