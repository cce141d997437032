//! The command-line flags of a pod's programs, parsed once so that rules compare values
//! (`$flags.kube-apiserver.anonymous-auth == false`) instead of matching regexes over
//! command strings.
//!
//! Control-plane components (`kube-apiserver`, `kube-controller-manager`, `kube-scheduler`,
//! `etcd`, and a containerised `kubelet`) are configured by flags in their static pods'
//! `command` and `args`. [`parse`] reads every container's arguments into one map:
//!
//! ```text
//! $flags:
//!   kube-apiserver:
//!     anonymous-auth: ["false"]
//!     authorization-mode: ["Node", "RBAC"]
//! ```
//!
//! - The program is the base name of the first word of `command` (`/usr/local/bin/etcd` is
//!   `etcd`); `hyperkube <component>` names the component. A shell form
//!   (`sh -c "kube-apiserver --a=b"`) is split at white space. A container without
//!   `command` runs its image's entrypoint, so the program is the image's last path
//!   component (`registry.k8s.io/kube-apiserver:v1.30.0` is `kube-apiserver`).
//! - `--name=value` and `--name value` are both read; a flag followed by another flag or
//!   nothing is a boolean set to `true` (`--profiling`). Control-plane programs take no
//!   positional arguments, so the word after a flag is its value.
//! - A flag given twice keeps its last value, as Go's flag parsing does for every flag that
//!   is not a list; the value is split at commas into a list (empty items dropped, so
//!   `--tls-private-key-file=` is an empty list that `empty(…)` sees), so `authorization-mode
//!   contains "RBAC"` and `authorization-mode != "AlwaysAllow"` (every item) read naturally.
//! - Values are strings; rules compare them with the loose equality that makes `"false"`
//!   equal `false` and `"0"` equal `0`. Each keeps the span of the argument it came from.
//!
//! When two containers run the same program the first one's flags are kept.

use crate::source::Span;
use crate::value::{Entry, Map, Node, Provenance, Step, Value};

/// `hyperkube` sub-commands and the programs they stand for.
const HYPERKUBE: &[(&str, &str)] = &[
    ("apiserver", "kube-apiserver"),
    ("kube-apiserver", "kube-apiserver"),
    ("controller-manager", "kube-controller-manager"),
    ("kube-controller-manager", "kube-controller-manager"),
    ("scheduler", "kube-scheduler"),
    ("kube-scheduler", "kube-scheduler"),
    ("kubelet", "kubelet"),
    ("proxy", "kube-proxy"),
    ("kube-proxy", "kube-proxy"),
];

/// Shells whose `-c` script is read as the command line.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh"];

/// One word of a command line, with where it is written.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    span: Span,
}

/// The `$flags` view of the containers at `containers` in `base`: programs to flags to
/// values. `None` when no container names a program.
pub(crate) fn parse(base: &Node, containers: &[Vec<Step>]) -> Option<Node> {
    let mut programs = Map::new();
    let mut span = None;
    for steps in containers {
        let Some(container) = base.at_steps(steps) else {
            continue;
        };
        let Some((program, program_span, flags)) = program_flags(container) else {
            continue;
        };
        if programs.contains_key(&program) {
            continue;
        }
        span.get_or_insert(container.span);
        programs.insert(Entry {
            key: program,
            key_span: program_span,
            value: Node {
                value: Value::Map(flags),
                span: container.span,
                provenance: Provenance::Explicit,
            },
        });
    }
    let span = span?;
    Some(Node {
        value: Value::Map(programs),
        span,
        provenance: Provenance::Explicit,
    })
}

/// The program a container runs and its flags.
fn program_flags(container: &Node) -> Option<(String, Span, Map)> {
    let args = words_of(container.get("args"));
    let mut words = words_of(container.get("command"));
    let (program, program_span) = if words.is_empty() {
        // No command: the image's entrypoint runs, and control-plane images are named after
        // their program.
        let image = container.get("image")?;
        (image_program(image.as_str()?)?, image.span)
    } else {
        let mut rest = std::mem::take(&mut words).into_iter();
        let mut first = rest.next()?;
        if SHELLS.contains(&base_name(&first.text)) {
            let script = match (rest.next(), rest.next()) {
                (Some(c), Some(script)) if c.text == "-c" => script,
                _ => return None,
            };
            let mut split = split_script(&script);
            split.retain(|w| w.text != "exec");
            let mut it = split.into_iter();
            first = it.next()?;
            words = it.collect();
        } else {
            words = rest.collect();
        }
        let mut program = base_name(&first.text).to_owned();
        if program == "hyperkube" {
            let sub = words.first()?;
            program = HYPERKUBE
                .iter()
                .find(|(k, _)| *k == sub.text)
                .map(|(_, p)| (*p).to_owned())?;
            words.remove(0);
        }
        (program, first.span)
    };
    words.extend(args);
    Some((program, program_span, flags(&words)))
}

/// The flags of a command line (program excluded).
fn flags(words: &[Word]) -> Map {
    let mut map = Map::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let Some(flag) = flag_name(&word.text) else {
            continue;
        };
        let (name, value, span) = match flag.split_once('=') {
            Some((name, value)) => (name, value.to_owned(), word.span),
            None => match words.get(i) {
                Some(next) if flag_name(&next.text).is_none() => {
                    i += 1;
                    (flag, next.text.clone(), next.span)
                }
                _ => (flag, "true".to_owned(), word.span),
            },
        };
        // Empty items say nothing: `--tls-private-key-file=` sets no file, so rules see an
        // empty list (`empty(…)` holds) rather than a value.
        let items = value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| Node::new(Value::String(v.to_owned()), span))
            .collect();
        // `Map::insert` replaces an earlier value: the last occurrence wins.
        map.insert(Entry {
            key: name.to_owned(),
            key_span: word.span,
            value: Node::new(Value::Seq(items), span),
        });
    }
    map
}

/// `--name…` or `-name…` without its dashes; `None` for words that are not flags.
fn flag_name(word: &str) -> Option<&str> {
    let name = word.strip_prefix("--").or_else(|| word.strip_prefix('-'))?;
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some(name)
}

/// The words of a `command` or `args` list, one per item as the container runtime passes
/// them. Numbers count as their text; values known only at
/// deployment are left out.
fn words_of(list: Option<&Node>) -> Vec<Word> {
    let Some(items) = list.and_then(Node::as_seq) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let text = match &item.value {
                Value::String(s) => s.clone(),
                Value::Int(_) | Value::Float(_) | Value::Bool(_) => item.value.scalar_text()?,
                _ => return None,
            };
            Some(Word {
                text,
                span: item.span,
            })
        })
        .collect()
}

/// A `-c` script split at white space, quote characters removed (a simplification: a quoted
/// value with spaces is split); every word points at the script.
fn split_script(script: &Word) -> Vec<Word> {
    script
        .text
        .split_whitespace()
        .map(|w| Word {
            // Quotes only group words in the shell; none of these values has spaces.
            text: w.replace(['"', '\''], ""),
            span: script.span,
        })
        .filter(|w| !w.text.is_empty() && w.text != "\\")
        .collect()
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The program an image is named after: its last path component without tag or digest.
fn image_program(image: &str) -> Option<String> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = base_name(without_digest);
    let name = last.split(':').next().unwrap_or(last);
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn container(json: serde_json::Value) -> Node {
        Node::from_json(&json, Span::new(FileId(0), 0, 1), &Provenance::Explicit)
    }

    fn parsed(json: serde_json::Value) -> Node {
        let pod = container(serde_json::json!({ "containers": [json] }));
        parse(
            &pod,
            &[vec![Step::Key("containers".into()), Step::Index(0)]],
        )
        .expect("flags")
    }

    fn values(flags: &Node, program: &str, flag: &str) -> Option<Vec<String>> {
        let list = flags.at(&[program, flag])?.as_seq()?;
        Some(
            list.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect(),
        )
    }

    #[test]
    fn both_flag_forms_booleans_and_comma_lists() {
        let flags = parsed(serde_json::json!({
            "image": "registry.k8s.io/kube-apiserver:v1.30.0",
            "command": ["kube-apiserver", "--anonymous-auth", "false", "--profiling",
                        "--authorization-mode=Node,RBAC", "--secure-port=6443", "-v", "2"]
        }));
        assert_eq!(
            values(&flags, "kube-apiserver", "anonymous-auth"),
            Some(vec!["false".into()])
        );
        assert_eq!(
            values(&flags, "kube-apiserver", "profiling"),
            Some(vec!["true".into()])
        );
        assert_eq!(
            values(&flags, "kube-apiserver", "authorization-mode"),
            Some(vec!["Node".into(), "RBAC".into()])
        );
        assert_eq!(
            values(&flags, "kube-apiserver", "v"),
            Some(vec!["2".into()])
        );

        let flags = parsed(serde_json::json!({
            "command": ["kube-apiserver", "--tls-private-key-file= ", "--enable-admission-plugins=A,,B"]
        }));
        assert_eq!(
            values(&flags, "kube-apiserver", "tls-private-key-file"),
            Some(vec![])
        );
        assert_eq!(
            values(&flags, "kube-apiserver", "enable-admission-plugins"),
            Some(vec!["A".into(), "B".into()])
        );
    }

    #[test]
    fn the_last_occurrence_wins_and_args_follow_command() {
        let flags = parsed(serde_json::json!({
            "command": ["/usr/local/bin/etcd", "--client-cert-auth=false"],
            "args": ["--client-cert-auth=true", "--data-dir", "/var/lib/etcd"]
        }));
        assert_eq!(
            values(&flags, "etcd", "client-cert-auth"),
            Some(vec!["true".into()])
        );
        assert_eq!(
            values(&flags, "etcd", "data-dir"),
            Some(vec!["/var/lib/etcd".into()])
        );
    }

    #[test]
    fn hyperkube_shells_and_image_entrypoints_name_the_program() {
        let flags = parsed(serde_json::json!({
            "command": ["/hyperkube", "apiserver", "--insecure-port=0"]
        }));
        assert!(flags.at(&["kube-apiserver", "insecure-port"]).is_some());

        let flags = parsed(serde_json::json!({
            "command": ["/bin/sh", "-c", "exec kube-scheduler --profiling=false --bind-address='127.0.0.1'"]
        }));
        assert_eq!(
            values(&flags, "kube-scheduler", "bind-address"),
            Some(vec!["127.0.0.1".into()])
        );

        let flags = parsed(serde_json::json!({
            "image": "registry.k8s.io/kube-controller-manager:v1.30.0@sha256:abc",
            "args": ["--use-service-account-credentials=true"]
        }));
        assert!(
            flags
                .at(&["kube-controller-manager", "use-service-account-credentials"])
                .is_some()
        );
    }

    #[test]
    fn containers_without_a_program_give_no_view() {
        let pod = container(serde_json::json!({ "containers": [{"name": "x"}] }));
        let steps = [vec![Step::Key("containers".into()), Step::Index(0)]];
        assert!(parse(&pod, &steps).is_none());
        // A shell without `-c` is not read.
        let pod = container(serde_json::json!({ "containers": [{"command": ["sh", "x.sh"]}] }));
        assert!(parse(&pod, &steps).is_none());
    }

    #[test]
    fn dashes_alone_and_negative_numbers_are_not_flags() {
        assert_eq!(flag_name("--"), None);
        assert_eq!(flag_name("-1"), None);
        assert_eq!(flag_name("--tls-min-version"), Some("tls-min-version"));
    }
}
