//! Parsing: text into syntax trees that keep the byte span of every node.
//!
//! YAML and JSON become [`crate::value::Node`] trees directly ([`yaml`]). Terraform's native
//! syntax becomes an `hcl_edit` body ([`hcl`]): its expressions need evaluating, which is the
//! Terraform adapter's job, not the parser's.

pub mod comment;
pub mod hcl;
pub mod yaml;
mod yaml_input;

use crate::diagnostic::Diagnostic;
use crate::source::{Format, SourceFile};
use crate::value::Node;
use comment::Comment;

/// A file after parsing, before adapting: the syntax trees the frontends share.
#[derive(Debug)]
pub enum Parsed {
    /// YAML or JSON documents with what parsing reported.
    Data(yaml::Parsed),
    /// Terraform's native syntax.
    Hcl(Result<hcl_edit::structure::Body, Box<Diagnostic>>),
}

impl Parsed {
    /// Parses a file by its format, and hands back its comments.
    pub fn parse(file: &SourceFile) -> (Parsed, Vec<Comment>) {
        match file.format {
            Format::Hcl => {
                let body = hcl::parse(file);
                let comments = body
                    .as_ref()
                    .map(|body| hcl::comments(file, body))
                    .unwrap_or_default();
                (Parsed::Hcl(body), comments)
            }
            Format::Yaml | Format::Json | Format::TerraformJson => {
                let mut data = yaml::parse(file);
                let comments = std::mem::take(&mut data.comments);
                (Parsed::Data(data), comments)
            }
        }
    }

    /// What parsing reported: a syntax error that stopped it, or the stream's problems.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Parsed::Data(data) => data.diagnostics.clone(),
            Parsed::Hcl(Ok(_)) => Vec::new(),
            Parsed::Hcl(Err(diagnostic)) => vec![(**diagnostic).clone()],
        }
    }

    /// The YAML or JSON documents, if the file is data.
    pub fn documents(&self) -> Option<&[Node]> {
        match self {
            Parsed::Data(data) => Some(&data.documents),
            Parsed::Hcl(_) => None,
        }
    }
}
