//! Rendering: views of scan results for people and machines. Renderers read what the
//! earlier stages produced and compute nothing of their own.

pub mod graph;
pub mod json;
pub mod rules;
pub mod text;
