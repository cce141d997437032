//! The progress bar of `guardrail scan`, drawn on stderr.
//!
//! Only a person watching a terminal wants one: it is never drawn when stderr is not a
//! terminal (CI logs, pre-commit, tests), on `TERM=dumb`, or with `--no-progress`. Short scans
//! (pre-commit's usual case) end before [`DEFAULT_DELAY`] and draw nothing at all; and the bar
//! is cleared before anything else is printed. It has no colours, so `NO_COLOR` has nothing
//! to turn off.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use guardrail::progress::{ProgressEvent, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a scan runs before its bar appears.
pub const DEFAULT_DELAY: Duration = Duration::from_millis(300);

/// Overrides [`DEFAULT_DELAY`], in milliseconds (tests use it to draw at once, or never).
pub const DELAY_VAR: &str = "GUARDRAIL_PROGRESS_DELAY_MS";

/// Whether a bar may be drawn: asked for, on a terminal that can move its cursor.
pub fn wanted(no_progress: bool, stderr_is_terminal: bool, term: Option<&str>) -> bool {
    !no_progress && stderr_is_terminal && term != Some("dumb")
}

/// The delay [`DELAY_VAR`] asks for, or the default when it is unset or not a number.
pub fn delay(var: Option<&str>) -> Duration {
    var.and_then(|v| v.trim().parse().ok())
        .map_or(DEFAULT_DELAY, Duration::from_millis)
}

/// A bar that stays hidden until the delay has passed, and is cleared when dropped.
pub struct Bar {
    bar: ProgressBar,
    /// Tells the thread waiting out the delay that the scan is over, and that thread.
    waiter: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Bar {
    /// Starts the clock: the bar appears on stderr after `delay` unless dropped before.
    pub fn start(delay: Duration) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(spinner_style());
        bar.set_message("starting");
        let (done, wait) = mpsc::channel::<()>();
        let shown = bar.clone();
        let waiter = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(delay) {
                    shown.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
                    // Keeps the spinner and the clock moving while one big file is read.
                    shown.enable_steady_tick(Duration::from_millis(100));
                }
            })
            .ok();
        // Without the thread the bar just never shows.
        Bar {
            bar,
            waiter: waiter.map(|handle| (done, handle)),
        }
    }

    /// A listener for [`guardrail::Project::on_progress`] that moves this bar.
    pub fn listener(&self) -> impl Fn(ProgressEvent) + Send + Sync + 'static {
        let bar = self.bar.clone();
        move |event| show(&bar, event)
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some((done, handle)) = self.waiter.take() {
            // The thread may have ended already (the delay passed): nobody to tell.
            let _ = done.send(());
            let _ = handle.join();
        }
        self.bar.finish_and_clear();
    }
}

fn show(bar: &ProgressBar, event: ProgressEvent) {
    match event {
        ProgressEvent::Start {
            stage,
            total: Some(total),
        } => {
            // Each call may draw: this order never shows a count past its total.
            bar.set_style(bar_style());
            bar.set_position(0);
            bar.set_length(total);
            bar.set_message(stage.label());
        }
        ProgressEvent::Start { stage, total: None } => {
            bar.set_style(spinner_style());
            bar.set_position(0);
            bar.set_message(stage.label());
        }
        ProgressEvent::Advance { .. } => bar.inc(1),
        ProgressEvent::Finish {
            stage: Stage::Discover,
            count,
        } => bar.set_message(format!("found {count} files")),
        ProgressEvent::Finish { count, .. } => bar.set_position(count),
        // Events added to the library later are not drawn.
        _ => {}
    }
}

const BAR: &str = "{spinner} {msg:<20} [{bar:30}] {pos}/{len} ({elapsed})";
const SPINNER: &str = "{spinner} {msg} ({elapsed})";

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template(BAR)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template(SPINNER).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_only_on_a_terminal_that_can_take_it_and_when_not_refused() {
        assert!(wanted(false, true, Some("xterm-256color")));
        assert!(wanted(false, true, None));
        assert!(!wanted(false, false, Some("xterm")));
        assert!(!wanted(false, true, Some("dumb")));
        assert!(!wanted(true, true, Some("xterm")));
    }

    #[test]
    fn the_delay_can_be_set_in_milliseconds() {
        assert_eq!(delay(None), DEFAULT_DELAY);
        assert_eq!(delay(Some("0")), Duration::ZERO);
        assert_eq!(delay(Some(" 1500 ")), Duration::from_millis(1500));
        assert_eq!(delay(Some("soon")), DEFAULT_DELAY);
    }

    #[test]
    fn the_styles_templates_are_valid() {
        assert!(ProgressStyle::with_template(BAR).is_ok());
        assert!(ProgressStyle::with_template(SPINNER).is_ok());
    }

    #[test]
    fn a_bar_dropped_before_its_delay_never_shows() {
        let bar = Bar::start(Duration::from_secs(60));
        let listener = bar.listener();
        listener(ProgressEvent::Start {
            stage: Stage::Load,
            total: Some(2),
        });
        listener(ProgressEvent::Advance { stage: Stage::Load });
        assert!(bar.bar.is_hidden());
        // Dropping joins the waiting thread at once rather than after the delay.
        let started = std::time::Instant::now();
        drop(bar);
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}
