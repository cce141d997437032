//! Parsing: text into syntax trees that keep the byte span of every node.
//!
//! YAML and JSON become [`crate::value::Node`] trees directly ([`yaml`]). Terraform's native
//! syntax becomes an `hcl_edit` body ([`hcl`]): its expressions need evaluating, which is the
//! Terraform adapter's job, not the parser's.

pub mod comment;
pub mod hcl;
pub mod yaml;
mod yaml_input;
