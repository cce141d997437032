//! Terraform (stub while the adapter is written).

use crate::adapt::Adapted;
use crate::source::SourceFile;
use crate::value::Node;

/// One file of a Terraform module, parsed.
pub enum TerraformFile<'a> {
    /// A `.tf` file.
    Hcl {
        /// The file.
        file: &'a SourceFile,
        /// Its body.
        body: &'a hcl_edit::structure::Body,
    },
    /// A `.tf.json` file.
    Json {
        /// The file.
        file: &'a SourceFile,
        /// Its root value.
        root: &'a Node,
    },
}

/// Adapts one module directory.
pub fn adapt_module(_module_dir: &str, _files: &[TerraformFile<'_>]) -> Adapted {
    Adapted::default()
}
