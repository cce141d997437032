//! Values for unit tests of the stages after adapting, made by the real adapters, so that
//! evaluator and helper tests judge exactly what a scan hands them (and those stages need not
//! import an adapter, even in tests).

use crate::value::Node;

/// The finished value of a Terraform expression written alone (no variables or locals).
pub(crate) fn terraform_value(expression: &str) -> Node {
    crate::adapt::terraform::expr::evaluate_text(expression)
}

/// `value` finished as a CloudFormation resource's attributes are in `template`.
pub(crate) fn cloudformation_value(template: &Node, value: &Node) -> Node {
    crate::adapt::cloudformation::finish_in(template, value)
}
