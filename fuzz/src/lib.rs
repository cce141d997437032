//! What every fuzz target does with its input. The scan targets scan it as one file of the
//! given name (an in-memory buffer, nothing written to disk); the targets for guardrail's own
//! inputs (a rule file, a configuration file, a Guard rule file, a Guard mapping file, a
//! baseline) write it into a scratch
//! repository beside a small fixed infrastructure and scan that with it. Then the report is
//! rendered in every format with the threat model and NIST view, and a refusal's located
//! problems through miette's graphical handler, as the command line prints them. The
//! properties: no panic, and the JSON outputs parse.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use guardrail::{Project, ProjectError, ProjectScan, Settings};
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
    render_all(&scan);
}

/// Which of guardrail's own inputs a target writes.
#[derive(Clone, Copy)]
pub enum OwnInput {
    /// A rule file in a rule directory (`--rules`).
    Rule,
    /// The repository's `guardrail.toml`.
    Config,
    /// A Guard rule file (`--guard`).
    Guard,
    /// A Guard mapping file (`--guard-mapping`), beside a fixed Guard rule file it describes.
    GuardMapping,
    /// A baseline (`--baseline`): the findings it lists are accepted.
    Baseline,
}

/// Writes `data` as `input` into the scratch repository (one per process) and scans its
/// infrastructure with it; renders the outcome, or the refusal's problems.
pub fn scan_with(input: OwnInput, data: &[u8]) {
    let repo = scratch();
    let infra = repo.join("infra");
    let (written, settings) = match input {
        OwnInput::Rule => {
            let file = repo.join("rules/fuzz.yaml");
            let mut settings = Settings::default();
            settings.rule_dirs = vec![repo.join("rules")];
            (file, settings)
        }
        OwnInput::Config => (repo.join("guardrail.toml"), Settings::default()),
        OwnInput::Guard => {
            let file = repo.join("fuzz.guard");
            let mut settings = Settings::default();
            settings.guard_files = vec![file.clone()];
            (file, settings)
        }
        OwnInput::GuardMapping => {
            let file = repo.join("mapping.toml");
            let mut settings = Settings::default();
            settings.guard_files = vec![repo.join("fixed.guard")];
            settings.guard_mappings = vec![file.clone()];
            (file, settings)
        }
        OwnInput::Baseline => {
            let file = repo.join("baseline.json");
            let mut settings = Settings::default();
            settings.baseline = Some(file.clone());
            (file, settings)
        }
    };
    if std::fs::write(&written, data).is_err() {
        return;
    }
    let project = match input {
        OwnInput::Config => Project::new([infra]).with_config_file(&written),
        _ => Ok(Project::new([infra])),
    };
    match project.and_then(|p| p.with_settings(settings).scan()) {
        Ok(scan) => render_all(&scan),
        Err(error) => show(&error),
    }
}

/// Prints nothing, but renders a refusal as the command line does: each located problem
/// through miette's graphical handler.
fn show(error: &ProjectError) {
    let _ = error.to_string();
    if let Some(problems) = error.problems() {
        for diagnostic in &problems.diagnostics {
            let _ = format!("{:?}", diagnostic.to_report(&problems.files));
        }
    }
}

/// The scratch repository: `.git` (so paths are confined to it), `rules/`, and `infra/` with
/// a CloudFormation template, a Terraform file and a Kubernetes manifest that most rules
/// bind, and a Guard rule file for the mapping target. Made once per process, under the system's temporary directory.
fn scratch() -> &'static Path {
    static REPO: OnceLock<PathBuf> = OnceLock::new();
    REPO.get_or_init(|| {
        let repo = std::env::temp_dir().join(format!("guardrail-fuzz-{}", std::process::id()));
        for dir in [".git", "rules", "infra"] {
            let _ = std::fs::create_dir_all(repo.join(dir));
        }
        let infra = repo.join("infra");
        let _ = std::fs::write(infra.join("template.yaml"), TEMPLATE);
        let _ = std::fs::write(infra.join("main.tf"), TERRAFORM);
        let _ = std::fs::write(infra.join("deployment.yaml"), MANIFEST);
        let _ = std::fs::write(repo.join("fixed.guard"), GUARD);
        repo
    })
}

const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${AWS::StackName}-logs'
  Queue:
    Type: AWS::SQS::Queue
";

const TERRAFORM: &str = r#"variable "public" {
  default = true
}

resource "aws_db_instance" "db" {
  engine              = "postgres"
  publicly_accessible = var.public
}

resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

const MANIFEST: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
          securityContext:
            privileged: true
";

const GUARD: &str = "rule BUCKET_VERSIONED when Resources.*[ Type == 'AWS::S3::Bucket' ] {
  Resources.*[ Type == 'AWS::S3::Bucket' ].Properties.VersioningConfiguration.Status == 'Enabled'
  <<Bucket versioning is enabled>>
}
";

/// Renders a scan's report in every format, with the threat model and the NIST view.
fn render_all(scan: &ProjectScan) {
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
