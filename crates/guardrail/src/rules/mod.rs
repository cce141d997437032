//! Rules: the rule model, the condition language, the helpers written in Rust, the NIST and
//! STRIDE vocabularies, and loading rule files.

pub mod builtin;
pub mod catalog;
pub mod helpers;
mod index;
pub mod lang;
pub mod load;
pub mod model;
pub mod set;
