//! The suppression stage that the report runs after evaluation; it lives in
//! [`crate::suppress`] and is re-exported here where reports are built.

pub use crate::suppress::{
    ANNOTATION, NO_REASON, SUPPRESSES_NOTHING, apply, is_meta_rule, meta_rules,
};
