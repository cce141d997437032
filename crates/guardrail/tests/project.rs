//! The library's facade, [`guardrail::Project`], as an editor integration or another tool
//! uses it: unsaved buffers over files on disk, the configuration's policy, and the errors
//! that stop a scan before it means nothing.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use guardrail::report::Decision;
use guardrail::{Project, ProjectError, Settings};

const PUBLIC: &str =
    "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"site\"\n  acl    = \"public-read\"\n}\n";
const PRIVATE: &str =
    "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"site\"\n  acl    = \"private\"\n}\n";

/// A directory that is its own repository (so configuration paths are confined to it).
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

fn select(ids: &[&str]) -> Settings {
    let mut settings = Settings::default();
    settings.select = ids.iter().map(ToString::to_string).collect();
    settings
}

/// `rule file:line` of every finding.
fn findings(project: Project) -> Vec<String> {
    let scan = project.scan().expect("scans");
    scan.report
        .findings
        .iter()
        .map(|f| format!("{} {}:{}", f.rule_id, f.file, f.start.line))
        .collect()
}

#[test]
fn an_unsaved_buffer_shadows_the_file_on_disk() {
    let dir = repository(&[("main.tf", PUBLIC)]);
    let main = dir.path().join("main.tf");
    let on_disk = findings(Project::new([dir.path()]).with_settings(select(&["AWS-S3-001"])));
    assert_eq!(on_disk.len(), 1, "{on_disk:?}");
    assert!(on_disk[0].ends_with("main.tf:3"), "{on_disk:?}");

    // The editor fixed the ACL but has not saved: the scan judges the buffer.
    let buffered = Project::new([dir.path()])
        .with_settings(select(&["AWS-S3-001"]))
        .with_buffer(&main, PRIVATE);
    assert_eq!(findings(buffered), Vec::<String>::new());
    assert_eq!(std::fs::read_to_string(&main).expect("read"), PUBLIC);

    // And the other way round, naming the file itself.
    let dir = repository(&[("main.tf", PRIVATE)]);
    let main = dir.path().join("main.tf");
    let buffered = Project::new([&main])
        .with_settings(select(&["AWS-S3-001"]))
        .with_buffer(&main, PUBLIC);
    assert_eq!(findings(buffered).len(), 1);
}

#[test]
fn a_buffer_for_a_file_not_yet_on_disk_is_scanned_with_its_directory() {
    let dir = repository(&[("main.tf", PRIVATE)]);
    let new = dir.path().join("site").join("bucket.tf");
    let found = findings(
        Project::new([dir.path()])
            .with_settings(select(&["AWS-S3-001"]))
            .with_buffer(&new, PUBLIC),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("site/bucket.tf:3"), "{found:?}");
}

#[test]
fn the_configuration_found_upward_sets_the_policy() {
    let dir = repository(&[
        ("infra/main.tf", PUBLIC),
        (
            "guardrail.toml",
            "select = [\"CKV_AWS_20\"]\nfail_on = \"critical\"\n",
        ),
    ]);
    let scan = Project::discover([dir.path().join("infra")])
        .expect("configuration loads")
        .scan()
        .expect("scans");
    let rules: Vec<&str> = scan
        .report
        .findings
        .iter()
        .map(|f| f.rule_id.as_str())
        .collect();
    // CKV_AWS_20 is referenced by AWS-S3-001 only; the finding is high, under the gate.
    assert_eq!(rules, ["AWS-S3-001"]);
    assert_eq!(scan.decision(), Decision::Pass);
}

#[test]
fn rule_names_that_match_no_rule_are_errors_at_their_line() {
    let dir = repository(&[
        ("main.tf", PUBLIC),
        (
            "guardrail.toml",
            "select = [\"AWS-S4\"]\n[severity]\nAWS-S3-01 = \"high\"\n",
        ),
    ]);
    let error = Project::discover([dir.path()])
        .expect("configuration loads")
        .scan()
        .expect_err("unknown rule names");
    let ProjectError::Selection(problems) = &error else {
        panic!("{error:?}");
    };
    let located: Vec<String> = problems
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.span.map(|s| problems.files.start_of(s).to_string());
            format!(
                "{} {}",
                at.unwrap_or_default(),
                d.help.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(located.len(), 2, "{located:?}");
    assert!(
        located[0].starts_with("1:11 did you mean `AWS-S3`"),
        "{located:?}"
    );
    assert!(
        located[1].starts_with("3:1 did you mean `AWS-S3-001`"),
        "{located:?}"
    );
}

#[test]
fn a_scan_that_would_run_no_rule_is_an_error() {
    let dir = repository(&[("main.tf", PUBLIC)]);
    let mut settings = Settings::default();
    settings.select = vec!["AWS-S3-001".into()];
    settings.ignore = vec!["CKV_AWS_57".into()];
    let error = Project::new([dir.path()])
        .with_settings(settings)
        .scan()
        .expect_err("nothing left");
    assert!(matches!(error, ProjectError::NoRules), "{error:?}");
}

#[test]
fn a_baseline_naming_an_unknown_rule_is_an_error() {
    let baseline = r#"{"version": 1, "tool": "guardrail", "findings": [{"fingerprint": "x", "rule": "AWS-GONE-001"}]}"#;
    let dir = repository(&[("main.tf", PUBLIC), ("baseline.json", baseline)]);
    let mut settings = Settings::default();
    settings.baseline = Some(dir.path().join("baseline.json"));
    let error = Project::new([dir.path()])
        .with_settings(settings)
        .scan()
        .expect_err("unknown rule");
    let problems = error.problems().expect("located");
    assert_eq!(problems.diagnostics[0].code, "baseline::unknown-rule");
}

#[test]
fn configuration_paths_cannot_leave_the_repository() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.tfvars"), "token = \"s3cr3t\"\n").expect("write");
    let escape = format!(
        "../{}/secret.tfvars",
        outside.path().file_name().expect("name").to_string_lossy()
    );
    let config = format!(
        "guard = [\"/proc/self/environ\"]\nvar_files = [\"{}\"]\nbaseline = \"../../b.json\"\nrules = [\"policies\"]\n",
        Path::new("..").join("..").join(&escape).display()
    );
    let dir = repository(&[("main.tf", PUBLIC), ("guardrail.toml", &config)]);
    std::fs::create_dir(dir.path().join("policies")).expect("mkdir");
    let error = Project::discover([dir.path()]).expect_err("refused");
    let ProjectError::Config(problems) = &error else {
        panic!("{error:?}");
    };
    let codes: Vec<&str> = problems.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["config::outside-repository"; 3]);
    let rendered = format!("{:?}", miette::Report::new(error));
    assert!(!rendered.contains("s3cr3t"), "{rendered}");
    assert!(!rendered.contains("PATH="), "{rendered}");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_repository_is_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("rules.guard"), "rule x { }\n").expect("write");
    let dir = repository(&[("guardrail.toml", "guard = [\"link/rules.guard\"]\n")]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).expect("symlink");
    let error = Project::discover([dir.path()]).expect_err("refused");
    let problems = error.problems().expect("located");
    assert!(
        problems.diagnostics[0].message.contains("symbolic link"),
        "{:?}",
        problems.diagnostics
    );
}
