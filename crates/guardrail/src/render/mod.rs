//! Rendering: views of scan results for people and machines. Renderers read what the
//! earlier stages produced and compute nothing of their own.

pub mod github;
pub mod graph;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rules;
pub mod sarif;
pub mod text;
