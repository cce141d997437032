//! Progress of a scan, for callers that show it (the CLI draws a progress bar on a terminal).
//!
//! The library knows nothing of terminals: a caller hands a listener to
//! [`ScanOptions::with_progress`](crate::scan::ScanOptions::with_progress) and receives
//! [`ProgressEvent`]s as the scan goes through its [`Stage`]s. Each stage is announced with
//! [`ProgressEvent::Start`], advances one item at a time with [`ProgressEvent::Advance`], and
//! ends with [`ProgressEvent::Finish`] carrying how many items it went through.
//!
//! Stages that run in parallel send their `Advance` events from worker threads, in no
//! particular order: a listener must be cheap and thread-safe, and should count rather than
//! rely on order. `Start` and `Finish` come from the thread that called the scan, in stage
//! order. With no listener, reporting costs one branch per item.

use std::fmt;
use std::sync::Arc;

/// A part of a scan that reports its progress, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Walking the paths for files to read. Its total is not known in advance; it advances
    /// by nothing and finishes with the number of files to read.
    Discover,
    /// Reading files from disk (one item per file found).
    Load,
    /// Parsing the files read (one item per file).
    Parse,
    /// Turning parsed files into resources: one item per CloudFormation or Kubernetes file
    /// and per Terraform module directory.
    Adapt,
    /// Evaluating the rules on the resource graph (one item per resource).
    Evaluate,
    /// Running AWS CloudFormation Guard rules. Its total is the number of CloudFormation and
    /// Kubernetes documents, but it has no per-document steps (cfn-guard evaluates each
    /// worker's share in one run): it starts and finishes. Only scans with Guard rules go
    /// through it.
    Guard,
}

impl Stage {
    /// A short description for people, such as "parsing".
    pub fn label(self) -> &'static str {
        match self {
            Stage::Discover => "finding files",
            Stage::Load => "reading",
            Stage::Parse => "parsing",
            Stage::Adapt => "building the graph",
            Stage::Evaluate => "checking resources",
            Stage::Guard => "running Guard rules",
        }
    }
}

/// What a progress listener hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProgressEvent {
    /// A stage begins with `total` items to go through, when that is known in advance.
    Start {
        /// The stage.
        stage: Stage,
        /// How many items it will go through; `None` while discovery walks.
        total: Option<u64>,
    },
    /// One more item of a stage is done. Sent from worker threads, in no particular order.
    Advance {
        /// The stage.
        stage: Stage,
    },
    /// A stage is over.
    Finish {
        /// The stage.
        stage: Stage,
        /// How many items it went through (for [`Stage::Discover`], the files found to read).
        count: u64,
    },
}

/// Where a scan reports its progress: a listener, or nobody (the default).
///
/// Cloning shares the listener.
#[derive(Clone, Default)]
pub struct Progress {
    listener: Option<Arc<dyn Fn(ProgressEvent) + Send + Sync>>,
}

impl Progress {
    /// Reports to `listener`. It is called from several threads at once (see the
    /// [module documentation](self)); keep it short.
    pub fn new(listener: impl Fn(ProgressEvent) + Send + Sync + 'static) -> Self {
        Progress {
            listener: Some(Arc::new(listener)),
        }
    }

    /// Whether anyone listens.
    pub fn is_listening(&self) -> bool {
        self.listener.is_some()
    }

    /// Announces that `stage` begins with `total` items, if known.
    pub fn start(&self, stage: Stage, total: Option<usize>) {
        self.send(|| ProgressEvent::Start {
            stage,
            total: total.map(as_u64),
        });
    }

    /// Reports one more item of `stage` done.
    pub fn advance(&self, stage: Stage) {
        self.send(|| ProgressEvent::Advance { stage });
    }

    /// Announces that `stage` is over after `count` items.
    pub fn finish(&self, stage: Stage, count: usize) {
        self.send(|| ProgressEvent::Finish {
            stage,
            count: as_u64(count),
        });
    }

    fn send(&self, event: impl FnOnce() -> ProgressEvent) {
        if let Some(listener) = &self.listener {
            listener(event());
        }
    }
}

fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let to = if self.is_listening() {
            "a listener"
        } else {
            "nobody"
        };
        write!(f, "Progress(to {to})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn nobody_listens_by_default() {
        let progress = Progress::default();
        assert!(!progress.is_listening());
        progress.start(Stage::Load, Some(3));
        progress.advance(Stage::Load);
        progress.finish(Stage::Load, 1);
        assert_eq!(format!("{progress:?}"), "Progress(to nobody)");
    }

    #[test]
    fn a_listener_hears_every_event_and_clones_share_it() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&heard);
        let progress = Progress::new(move |e| sink.lock().map(|mut v| v.push(e)).unwrap_or(()));
        let clone = progress.clone();
        progress.start(Stage::Parse, Some(2));
        clone.advance(Stage::Parse);
        progress.finish(Stage::Parse, 1);
        assert_eq!(format!("{clone:?}"), "Progress(to a listener)");
        let heard = heard.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(
            heard,
            [
                ProgressEvent::Start {
                    stage: Stage::Parse,
                    total: Some(2)
                },
                ProgressEvent::Advance {
                    stage: Stage::Parse
                },
                ProgressEvent::Finish {
                    stage: Stage::Parse,
                    count: 1
                },
            ]
        );
    }
}
