//! Terraform native syntax (HCL) through `hcl-edit`, which keeps byte spans on every node and
//! bounds nesting depth itself (so hostile input is an error, not a stack overflow).

use hcl_edit::structure::Body;

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// Parses a `.tf` file into an `hcl_edit` body, or a diagnostic at the error's position.
pub fn parse(file: &SourceFile) -> Result<Body, Box<Diagnostic>> {
    hcl_edit::parser::parse_body(&file.text).map_err(|e| {
        let at = e.location().offset().min(file.text.len()) as u32;
        Box::new(
            Diagnostic::error("parse::syntax", file.path.clone(), e.message().to_owned())
                .at(Span::new(file.id, at, at)),
        )
    })
}
