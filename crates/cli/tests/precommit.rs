//! The real `pre-commit try-repo` against this repository's `.pre-commit-hooks.yaml`: the hook
//! fails on an insecure file and passes on a secure one.
//!
//! pre-commit builds the hook with `cargo install --path .`, which takes minutes, so the
//! test is ignored by default; `.ci/run` installs pre-commit from PyPI and runs it with
//! `cargo test --test precommit -- --ignored`.

// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const INSECURE: &str = "apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: shell
      image: busybox
      securityContext:
        privileged: true
";

const SECURE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
      KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
";

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
        // Reuse this workspace's compiled dependencies for the hook's `cargo install`.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/precommit"),
        )
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

#[test]
#[ignore = "builds the hook with cargo install; run by .ci/run with pre-commit installed"]
fn the_hook_fails_on_an_insecure_file_and_passes_on_a_secure_one() {
    let repo = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("tempdir");
    let work = dir.path();
    std::fs::write(work.join("insecure.yaml"), INSECURE).expect("write");
    std::fs::write(work.join("secure.yaml"), SECURE).expect("write");
    assert!(run(work, "git", &["init", "-q"]).status.success());
    assert!(run(work, "git", &["add", "."]).status.success());

    let insecure = run(
        work,
        "pre-commit",
        &["try-repo", repo, "guardrail", "--files", "insecure.yaml"],
    );
    let output = String::from_utf8_lossy(&insecure.stdout).into_owned()
        + &String::from_utf8_lossy(&insecure.stderr);
    assert!(
        !insecure.status.success(),
        "the hook passed an insecure file:\n{output}"
    );
    assert!(
        output.contains("K8S-POD-001"),
        "the privileged container is not reported:\n{output}"
    );

    let secure = run(
        work,
        "pre-commit",
        &["try-repo", repo, "guardrail", "--files", "secure.yaml"],
    );
    let output = String::from_utf8_lossy(&secure.stdout).into_owned()
        + &String::from_utf8_lossy(&secure.stderr);
    assert!(
        secure.status.success(),
        "the hook failed a secure file:\n{output}"
    );
}
