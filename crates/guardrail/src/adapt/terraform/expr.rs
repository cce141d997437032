//! Evaluating Terraform expressions into the spanned value tree.
//!
//! [`Evaluator::eval`] is the one evaluation function: every attribute of every declaration
//! goes through it, with the [`Evaluator`] as the context that knows the module's variables
//! and locals. What it evaluates today:
//!
//! - literals, lists, objects, parentheses;
//! - `var.X` when the variable has a default or a value from a variable definitions file
//!   (`*.tfvars`, see [`super::vars`]), and `local.L` when the local evaluates,
//!   through any chain of other locals and variables; the result keeps the span of the use and
//!   records the literal's definition as [`Provenance::Resolved`]; index and attribute access
//!   into such values (`var.tags["env"]`, `local.cfg.port`);
//! - string templates and heredocs whose parts are all known (`"${var.prefix}-logs"`);
//! - conditionals with a known condition, and the unary and binary operators on known
//!   numbers and booleans;
//! - the functions in [`super::functions`] (`jsonencode`, `merge`, `concat`, `lookup`, …)
//!   when their arguments are known.
//!
//! - the outputs of module calls evaluated before (`module.net.vpc_id`), the current
//!   instance's `count.index` and `each.*`, the `key`/`value` of `dynamic` iterators over known
//!   collections, `path.module`; `for` expressions and splats over known collections;
//!   `try` and `can` (a failure on known values is an error they catch).
//!
//! Everything else is [`Value::Unknown`] carrying the expression's source text and what it
//! waits for: resource and data source attributes, inputs without a value, calls of functions
//! not listed above (or with arguments not known), template directives. Nothing is guessed
//! and nothing is dropped.
//!
//! Hostile input cannot make evaluation explode: recursion depth is bounded, a local that
//! (through others) refers to itself is unknown and reported, the total size of resolved
//! values per module has a budget, past which further references stay unknown, `for`
//! expressions iterate at most [`MAX_FOR_ELEMENTS`] elements, and a root module and the
//! instances it calls evaluate at most [`MAX_STEPS`] expressions.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Conditional, Expression, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};

use super::files::{NotRead, RepositoryFiles};
use super::syntax::{Expr, Source};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use crate::value::{
    Dependency, DependsOn, Entry, Map, Node, Piece, Provenance, Resolution, Unknown, Value,
};

/// Deepest nesting of evaluation (expressions within expressions, through local and variable
/// lookups) before a value is given up as unknown. hcl-edit limits one expression's nesting to
/// 64 and its operator chains to 128, so real configurations stay far below this.
const MAX_EVAL_DEPTH: usize = 400;

/// Longest chain of locals and variables followed from one use.
const MAX_LOOKUP_DEPTH: usize = 32;

/// Largest resolved value (in [`cost`] units) a local or variable may have; bigger ones are
/// unknown rather than copied into every place that uses them.
const MAX_VALUE_COST: usize = 20_000;

/// Most expressions evaluated for one root module and the instances it calls; past it,
/// values are unknown (with a warning), so no configuration can make evaluation run long.
pub(super) const MAX_STEPS: usize = 5_000_000;

/// Most elements a `for` expression iterates; a bigger collection makes it unknown.
const MAX_FOR_ELEMENTS: usize = 10_000;

/// Longest string a template may build.
const MAX_TEMPLATE_LEN: usize = 1 << 20;

/// Total cost of resolved values copied into one module's attribute trees.
const MODULE_BUDGET: usize = 1_000_000;

/// A local or variable as the evaluator sees it.
#[derive(Clone)]
pub(super) struct Definition<'a> {
    /// What gives its value: a local's expression, a variable's default, the value a var
    /// file assigns it, or the value a module call passes; `None` for a variable without
    /// any.
    pub value: Option<Bound<'a>>,
    /// A variable's `type`, parsed, whose `optional(…, default)` attributes fill in what a
    /// value leaves out.
    pub var_type: Option<std::sync::Arc<super::types::VarType>>,
    /// A variable's `nullable`: when false, a caller passing `null` gets the default.
    pub nullable: bool,
    /// A variable's `sensitive`: its value is not to be shown.
    pub sensitive: bool,
    /// Where it is declared, for diagnostics.
    pub span: Span,
    /// The file it is declared in.
    pub file: &'a SourceFile,
}

/// Where a variable or local gets its value.
#[derive(Clone)]
pub(super) enum Bound<'a> {
    /// An expression of this module (or of a var file), evaluated here.
    Expr(Expr<'a>),
    /// A value already evaluated by the module's caller: a module call's argument.
    Value(Node),
}

/// What `count.index`, `each.key` and `each.value` are while one instance of a resource or
/// module call is evaluated.
#[derive(Clone, Default)]
pub(super) struct Iteration {
    /// `count.index`.
    pub count_index: Option<Node>,
    /// `each.key` and `each.value`.
    pub each: Option<(Node, Node)>,
}

/// The two kinds of named value an expression can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Named {
    /// `var.X`.
    Var,
    /// `local.L`.
    Local,
}

impl Named {
    fn prefix(self) -> &'static str {
        match self {
            Named::Var => "var",
            Named::Local => "local",
        }
    }
}

#[derive(Clone)]
enum Slot {
    InProgress,
    /// The value.
    Done(Node),
}

/// Evaluates expressions of one module instance, with its variables, locals, the outputs of
/// the modules it calls and the current iteration as context. A module's evaluator is built
/// once from its declarations and cloned for every instance.
#[derive(Clone)]
pub(super) struct Evaluator<'a> {
    definitions: HashMap<(Named, String), Definition<'a>>,
    cache: HashMap<(Named, String), Slot>,
    /// Evaluating a variable default: Terraform allows no references there.
    literal_only: bool,
    depth: usize,
    lookups: usize,
    budget: usize,
    reported: HashSet<(Named, String)>,
    budget_reported: bool,
    /// The iterator names of the enclosing `dynamic` blocks (`ingress` in
    /// `ingress.value.port`): references rooted at them are the iteration's context.
    iterators: Vec<String>,
    /// The known values of those iterators, innermost last: name, `key`, `value`.
    bindings: Vec<(String, Node, Node)>,
    /// `count.index`, `each.key`, `each.value` of the instance being evaluated.
    iteration: Iteration,
    /// The value of each module call evaluated so far (`module.M`): an object of its outputs,
    /// a list of them (`count`) or a map (`for_each`).
    modules: HashMap<String, Node>,
    /// `path.module`: the module's directory relative to the root module's, as Terraform
    /// gives it (`.` in the root, `modules/net` or `../..` below it).
    path_module: String,
    /// The root module's directory as shown: where Terraform runs, which `file()` paths are
    /// relative to.
    cwd: String,
    /// What `file()` and `templatefile()` read; `None` reads nothing (their values are
    /// unknown).
    files: Option<Arc<RepositoryFiles>>,
    /// Expressions this root may still evaluate (shared by its instances, see
    /// [`Evaluator::steps_left`]): nested `for` expressions over big collections stop here.
    steps_left: usize,
    steps_reported: bool,
    /// The names `for` expressions bind in the element being evaluated, innermost last.
    for_scope: Vec<(String, Node)>,
    /// Set when an expression fails on known values (a missing attribute or key, a function
    /// rejecting its arguments): what `try` and `can` test.
    errored: bool,
    /// Problems found while evaluating (cycles, exhausted budgets).
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator that knows no variables or locals yet.
    pub fn new() -> Self {
        Evaluator {
            definitions: HashMap::new(),
            cache: HashMap::new(),
            literal_only: false,
            depth: 0,
            lookups: 0,
            budget: MODULE_BUDGET,
            reported: HashSet::new(),
            budget_reported: false,
            iterators: Vec::new(),
            bindings: Vec::new(),
            iteration: Iteration::default(),
            modules: HashMap::new(),
            path_module: ".".into(),
            cwd: ".".into(),
            files: None,
            errored: false,
            for_scope: Vec::new(),
            steps_left: MAX_STEPS,
            steps_reported: false,
            diagnostics: Vec::new(),
        }
    }

    /// How many more expressions may be evaluated.
    pub fn steps_left(&self) -> usize {
        self.steps_left
    }

    /// Sets how many more expressions may be evaluated (what the root's other instances left).
    pub fn set_steps_left(&mut self, steps: usize) {
        self.steps_left = steps;
    }

    /// Sets the directories of the instance: its root module's (as shown), and its own
    /// relative to that (`path.module`).
    pub fn set_paths(&mut self, root: &str, module: &str) {
        self.cwd = root.to_owned();
        self.path_module = module.to_owned();
    }

    /// Lets `file()` and `templatefile()` read through `files`.
    pub fn set_files(&mut self, files: Arc<RepositoryFiles>) {
        self.files = Some(files);
    }

    /// Sets `count.index` / `each.*` for what is evaluated next.
    pub fn set_iteration(&mut self, iteration: Iteration) {
        self.iteration = iteration;
    }

    /// Records the value of the module call `name` (`module.<name>`), evaluated in its child
    /// instance(s). Call it before evaluating anything that reads it.
    pub fn set_module(&mut self, name: &str, value: Node) {
        self.modules.insert(name.to_owned(), value);
    }

    /// Gives the declared variable `name` the value a module call passes. Returns false, and
    /// changes nothing, when no variable of that name is declared.
    pub fn pass(&mut self, name: &str, value: Node) -> bool {
        match self.definitions.get_mut(&(Named::Var, name.to_owned())) {
            // `null` for a non-nullable variable means "use the default", as in Terraform.
            Some(definition) if !definition.nullable && matches!(value.value, Value::Null) => true,
            Some(definition) => {
                definition.value = Some(Bound::Value(value));
                true
            }
            None => false,
        }
    }

    /// Gives the declared variable `name` the value of the environment variable
    /// `TF_VAR_<name>` (`text`), replacing its default, as Terraform does: the text itself for
    /// a variable whose `type` is a primitive or not given, else the text read as an
    /// expression of literals (`["a", "b"]`, `{ size = 2 }`). Call it before any var file is
    /// assigned (files take precedence). Not used, so that guardrail never prints it, when the
    /// variable is `sensitive` or its name says it holds a secret (`db_password`); a
    /// variable not declared here is not this module's (Terraform ignores it). A text that is
    /// not a valid expression is a warning, and the variable keeps its default.
    pub fn set_from_environment(&mut self, name: &str, text: &str) -> Option<Diagnostic> {
        let key = (Named::Var, name.to_owned());
        let definition = self.definitions.get(&key)?;
        if definition.sensitive || crate::rules::helpers::secrets::secret_word(name).is_some() {
            return None;
        }
        let provenance = Provenance::Environment(format!("TF_VAR_{name}"));
        let primitive = definition.var_type.as_ref().is_none_or(|t| {
            matches!(
                t.expr.as_variable().map(|v| v.as_str()),
                Some("string" | "number" | "bool")
            )
        });
        let (span, file) = (definition.span, definition.file);
        let value = if primitive {
            Node {
                value: Value::String(text.to_owned()),
                span,
                provenance,
            }
        } else {
            let parsed = text.parse::<Expression>().ok().map(|expr| {
                let mut literal = Evaluator::new();
                literal.literal_only = true;
                literal.eval(&expr, &Source::detached(file, text, span))
            });
            match parsed {
                Some(node) if !contains_unknown(&node.value) => {
                    Node::from_json(&node.to_json(), span, &provenance)
                }
                _ => {
                    return Some(
                        Diagnostic::new(
                            crate::diagnostic::Severity::Warning,
                            "terraform::environment-variable",
                            file.path.clone(),
                            format!(
                                "TF_VAR_{name} is not a value of the variable's type; \
                                 guardrail keeps its default"
                            ),
                        )
                        .at(span)
                        .with_help("Terraform rejects it: write it as HCL, e.g. '[\"a\"]'"),
                    );
                }
            }
        };
        if let Some(definition) = self.definitions.get_mut(&key) {
            definition.value = Some(Bound::Value(value));
        }
        None
    }

    /// Declares a variable or local. The first declaration of a name wins (later ones are
    /// duplicates, which the adapter reports), except that one from an override file
    /// replaces the value it sets.
    pub fn define(&mut self, kind: Named, name: &str, definition: Definition<'a>) {
        let key = (kind, name.to_owned());
        if super::is_override(definition.file) && definition.value.is_some() {
            self.definitions.insert(key, definition);
        } else {
            self.definitions.entry(key).or_insert(definition);
        }
    }

    /// Sets the value of the declared variable `name` from a variable definitions file,
    /// replacing its default (and any value an earlier file set). Returns false, and changes
    /// nothing, when no variable of that name is declared. Call it after every declaration and
    /// before any evaluation: values already evaluated are cached.
    pub fn assign(&mut self, name: &str, value: Expr<'a>) -> bool {
        match self.definitions.get_mut(&(Named::Var, name.to_owned())) {
            Some(definition) => {
                definition.value = Some(Bound::Expr(value));
                true
            }
            None => false,
        }
    }

    /// The value of the local `name` as written at its definition, when the definition at
    /// `span` is the one in force (not a duplicate). Evaluated once, shared with every use.
    pub fn local_value(&mut self, name: &str, span: Span) -> Option<Node> {
        let key = (Named::Local, name.to_owned());
        if self.definitions.get(&key).is_none_or(|d| d.span != span)
            || !self.lookup(Named::Local, name)
        {
            return None;
        }
        match self.cache.get(&key) {
            Some(Slot::Done(node)) => Some(node.clone()),
            _ => None,
        }
    }

    /// Sets the iterator names of the `dynamic` blocks enclosing what is evaluated next.
    pub fn set_iterators(&mut self, bound: &[String]) {
        self.iterators.clear();
        self.iterators.extend_from_slice(bound);
    }

    /// Evaluates an expression of either syntax: the one entry point of the adapter.
    pub fn eval_expr(&mut self, expr: Expr<'_>) -> Node {
        match expr {
            Expr::Native(src, expr) => self.eval(expr, &src),
            Expr::Json(file, node) => self.eval_json(node, file),
            Expr::Literal(node) => node.clone(),
        }
    }

    /// Evaluates `expr`, parsed from `src`.
    pub fn eval(&mut self, expr: &Expression, src: &Source<'_>) -> Node {
        let range = expr.span();
        let span = src.span(range.clone());
        if self.depth >= MAX_EVAL_DEPTH {
            return unknown(src.slice(range), span);
        }
        if self.steps_left == 0 {
            self.report_steps(src, span);
            return unknown(src.slice(range), span);
        }
        self.steps_left -= 1;
        self.depth += 1;
        let node = self.eval_inner(expr, span, src.slice(range), src);
        self.depth -= 1;
        node
    }

    fn eval_inner(&mut self, expr: &Expression, span: Span, text: &str, src: &Source<'_>) -> Node {
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => number(n.value()),
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(items) => {
                let items: Vec<Node> = items.iter().map(|e| self.eval(e, src)).collect();
                Value::Seq(items)
            }
            Expression::Object(object) => {
                let mut map = Map::new();
                for (key, value) in object.iter() {
                    let key_span = src.span(key.span());
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                        ObjectKey::Expression(e) => {
                            let key = self.eval(e, src);
                            match key.value.scalar_text() {
                                Some(k) => k,
                                // A key only known after apply: the object's shape is unknown.
                                None => return waiting(text, span, &[&key]),
                            }
                        }
                    };
                    let value = self.eval(value.expr(), src);
                    map.insert(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
                Value::Map(map)
            }
            Expression::StringTemplate(t) => return self.eval_template(t, span, text, src),
            Expression::HeredocTemplate(h) => {
                return self.eval_template(&h.template, span, text, src);
            }
            Expression::Parenthesis(p) => return self.eval(p.inner(), src),
            Expression::Conditional(c) => return self.eval_conditional(c, span, src),
            Expression::Traversal(t) => return self.eval_traversal(t, span, text, src),
            Expression::UnaryOp(op) => {
                let operand = self.eval(&op.expr, src);
                let value = match (op.operator.value(), &operand.value) {
                    (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                    (UnaryOperator::Neg, Value::Int(i)) => match i.checked_neg() {
                        Some(i) => Value::Int(i),
                        None => return unknown(text, span),
                    },
                    (UnaryOperator::Neg, Value::Float(f)) => Value::Float(-f),
                    _ => return waiting(text, span, &[&operand]),
                };
                return derived(value, span, &[&operand]);
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval(&op.lhs_expr, src);
                let rhs = self.eval(&op.rhs_expr, src);
                return match binary(*op.operator.value(), &lhs.value, &rhs.value) {
                    Some(value) => derived(value, span, &[&lhs, &rhs]),
                    None => waiting(text, span, &[&lhs, &rhs]),
                };
            }
            // Not evaluated (yet): their value is computed by Terraform or needs functions,
            // iteration, or values known only after apply.
            Expression::FuncCall(f)
                if f.name.namespace.is_empty() && matches!(f.name.name.as_str(), "try" | "can") =>
            {
                return self.eval_try(f, span, text, src);
            }
            Expression::FuncCall(f)
                if f.name.namespace.is_empty()
                    && matches!(f.name.name.as_str(), "file" | "templatefile") =>
            {
                return self.eval_file(f, span, text, src);
            }
            Expression::FuncCall(f) if f.name.namespace.is_empty() && !f.args.expand_final() => {
                let args: Vec<Node> = f.args.iter().map(|a| self.eval(a, src)).collect();
                let name = f.name.name.as_str();
                let waits = dependencies(&args.iter().collect::<Vec<_>>());
                let known = args.iter().all(|a| !contains_unknown(&a.value));
                return super::functions::call(name, args, span).unwrap_or_else(|| {
                    if known && super::functions::EVALUATED.contains(&name) {
                        // A function guardrail evaluates that rejects known arguments:
                        // Terraform's error, which `try` and `can` catch.
                        self.errored = true;
                    }
                    let mut depends_on = vec![Dependency {
                        on: DependsOn::Function { name: name.into() },
                        span,
                    }];
                    depends_on.extend(waits);
                    Node::new(Value::Unknown(Unknown::new(text, depends_on)), span)
                });
            }
            Expression::FuncCall(f) => {
                let name = f.name.name.as_str().to_owned();
                return unknown_on(text, span, DependsOn::Function { name });
            }
            Expression::Variable(v) => {
                if let Some(value) = self.scoped(v.as_str()) {
                    return value;
                }
                let name = v.as_str().to_owned();
                return unknown_on(text, span, DependsOn::Context { name });
            }
            Expression::ForExpr(f) => return self.eval_for(f, span, text, src),
        };
        Node::new(value, span)
    }

    /// The value a `for` expression binds to `name` in the element being evaluated.
    fn scoped(&self, name: &str) -> Option<Node> {
        self.for_scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// `[for k, v in collection : value if cond]` and `{for k, v in collection : key => value}`
    /// (with `...` grouping) over a known collection: a list by index, a map by its keys in
    /// lexical order, as Terraform iterates them. A collection, condition or key that is not
    /// known makes the whole result unknown, waiting for what it waits for.
    fn eval_for(
        &mut self,
        f: &hcl_edit::expr::ForExpr,
        span: Span,
        text: &str,
        src: &Source<'_>,
    ) -> Node {
        let collection = self.eval(&f.intro.collection_expr, src);
        let Some(elements) = for_elements(&collection) else {
            return waiting(text, span, &[&collection]);
        };
        if elements.len() > MAX_FOR_ELEMENTS {
            return unknown(text, span);
        }
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_owned());
        let value_var = f.intro.value_var.as_str().to_owned();
        let mut list = Vec::new();
        let mut map = Map::new();
        for (key, value) in elements {
            let names = (key_var.as_deref(), value_var.as_str());
            let result = self.binding(names, key, value, |ev| {
                ev.for_element(f, &mut list, &mut map, src)
            });
            if let Err(waits) = result {
                return waiting(text, span, &[&*waits]);
            }
        }
        let value = if f.key_expr.is_some() {
            Value::Map(map)
        } else {
            Value::Seq(list)
        };
        derived(value, span, &[&collection])
    }

    /// Runs `body` with the names a `for` binds (`k, v` in `for k, v in …`) bound to one
    /// element's key and value.
    fn binding<T>(
        &mut self,
        (key_var, value_var): (Option<&str>, &str),
        key: Node,
        value: Node,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let bound = self.for_scope.len();
        if let Some(k) = key_var {
            self.for_scope.push((k.to_owned(), key));
        }
        self.for_scope.push((value_var.to_owned(), value));
        let result = body(self);
        self.for_scope.truncate(bound);
        result
    }

    /// One element of a `for` expression into `list` or `map`; `Err` with the value it
    /// waits for when its condition or key is not known.
    fn for_element(
        &mut self,
        f: &hcl_edit::expr::ForExpr,
        list: &mut Vec<Node>,
        map: &mut Map,
        src: &Source<'_>,
    ) -> Result<(), Box<Node>> {
        if let Some(cond) = &f.cond {
            let keep = self.eval(&cond.expr, src);
            match keep.value {
                Value::Bool(true) => {}
                Value::Bool(false) => return Ok(()),
                _ => return Err(Box::new(keep)),
            }
        }
        let Some(key_expr) = &f.key_expr else {
            list.push(self.eval(&f.value_expr, src));
            return Ok(());
        };
        let key_node = self.eval(key_expr, src);
        let Some(key) = key_node.value.scalar_text() else {
            return Err(Box::new(key_node));
        };
        let value = self.eval(&f.value_expr, src);
        if f.grouping {
            let mut items = match map.get(&key).map(|n| n.value.clone()) {
                Some(Value::Seq(items)) => items,
                _ => Vec::new(),
            };
            items.push(value);
            map.insert(Entry {
                key,
                key_span: key_node.span,
                value: Node::new(Value::Seq(items), key_node.span),
            });
        } else {
            map.insert(Entry {
                key,
                key_span: key_node.span,
                value,
            });
        }
        Ok(())
    }

    /// `try(a, b, …)`: the first argument that does not fail on known values; `can(x)`:
    /// whether `x` does not. An unknown argument decides nothing, so the result waits for it.
    fn eval_try(
        &mut self,
        f: &hcl_edit::expr::FuncCall,
        span: Span,
        text: &str,
        src: &Source<'_>,
    ) -> Node {
        let can = f.name.name.as_str() == "can";
        for arg in f.args.iter() {
            let outer = std::mem::replace(&mut self.errored, false);
            let node = self.eval(arg, src);
            let failed = std::mem::replace(&mut self.errored, outer);
            if failed {
                continue;
            }
            if !can {
                return node;
            }
            if node.is_unknown() {
                return waiting(text, span, &[&node]);
            }
            return derived(Value::Bool(true), span, &[&node]);
        }
        if can {
            return Node::new(Value::Bool(false), span);
        }
        // Every argument failed: so does `try`.
        self.errored = true;
        unknown(text, span)
    }

    /// Renders an `%{if}` or `%{for}` directive into `out`, like [`Evaluator::render`].
    fn render_directive(
        &mut self,
        directive: &Directive,
        out: &mut Rendered,
        src: &Source<'_>,
    ) -> Result<(), Box<Node>> {
        match directive {
            Directive::If(d) => {
                let cond = self.eval(&d.if_expr.cond_expr, src);
                let end = d.endif_expr.strip.strip_start();
                match (&cond.value, &d.else_expr) {
                    (Value::Bool(true), otherwise) => {
                        let end = otherwise.as_ref().map_or(end, |e| e.strip.strip_start());
                        let inner = (d.if_expr.strip.strip_end(), end);
                        self.render(&d.if_expr.template, inner, out, src)?;
                    }
                    (Value::Bool(false), Some(otherwise)) => {
                        let inner = (otherwise.strip.strip_end(), end);
                        self.render(&otherwise.template, inner, out, src)?;
                    }
                    (Value::Bool(false), None) => {}
                    _ => return Err(Box::new(cond)),
                }
                out.parts.push(cond);
            }
            Directive::For(d) => {
                let collection = self.eval(&d.for_expr.collection_expr, src);
                let Some(items) = for_elements(&collection) else {
                    return Err(Box::new(collection));
                };
                if items.len() > MAX_FOR_ELEMENTS {
                    return Err(Box::new(Node::new(Value::Null, collection.span)));
                }
                let inner = (
                    d.for_expr.strip.strip_end(),
                    d.endfor_expr.strip.strip_start(),
                );
                for (key, value) in items {
                    let key_var = d.for_expr.key_var.as_ref().map(|k| k.as_str());
                    let names = (key_var, d.for_expr.value_var.as_str());
                    self.binding(names, key, value, |ev| {
                        ev.render(&d.for_expr.template, inner, out, src)
                    })?;
                }
                out.parts.push(collection);
            }
        }
        Ok(())
    }

    /// `file(path)`: the text of a file inside the repository; `templatefile(path, vars)`:
    /// that text rendered as a template that sees `vars` (and no variables, locals or
    /// resources, as in Terraform). A path Terraform could read but guardrail may not (outside
    /// the repository, too large) is unknown with a warning saying why; one Terraform would
    /// fail on is an error `try` and `can` catch.
    fn eval_file(
        &mut self,
        f: &hcl_edit::expr::FuncCall,
        span: Span,
        text: &str,
        src: &Source<'_>,
    ) -> Node {
        let name = f.name.name.as_str();
        let not_read = || unknown_on(text, span, DependsOn::Function { name: name.into() });
        let args: Vec<Node> = f.args.iter().map(|a| self.eval(a, src)).collect();
        let (path, vars) = match (name, args.as_slice()) {
            ("file", [path]) => (path, None),
            ("templatefile", [path, vars]) => (path, Some(vars)),
            _ => {
                self.errored = true;
                return not_read();
            }
        };
        let waits: Vec<&Node> = args.iter().filter(|a| contains_unknown(&a.value)).collect();
        if !waits.is_empty() {
            return waiting(text, span, &waits);
        }
        let (Some(written), Some(files)) = (path.as_str(), self.files.clone()) else {
            return not_read();
        };
        let content = match files.read(&self.cwd, written) {
            Ok(content) => content,
            Err(NotRead::Missing) => {
                self.errored = true;
                return not_read();
            }
            Err(NotRead::Refused(why)) => {
                self.errored = true;
                self.diagnostics.push(
                    Diagnostic::new(
                        crate::diagnostic::Severity::Warning,
                        "terraform::file-not-read",
                        src.file.path.clone(),
                        format!("`{name}` is not evaluated: {why}"),
                    )
                    .at(span)
                    .with_help(
                        "guardrail reads files inside the repository only, regular files of \
                         at most 1 MiB; values computed from this one are unknown",
                    ),
                );
                return not_read();
            }
        };
        let Some(vars) = vars else {
            // The text is written in a file the scan does not hold: it is placed at the call.
            return Node::new(Value::String(content.to_string()), span);
        };
        let (Some(vars), Ok(template)) = (vars.as_map(), content.parse::<Template>()) else {
            self.errored = true;
            return not_read();
        };
        // The template's own positions are in a file the scan does not hold: every value
        // it produces is placed at the call.
        let source = Source::detached(src.file, &content, span);
        let outer = std::mem::take(&mut self.for_scope);
        self.for_scope = vars
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        let node = self.eval_template(&template, span, text, &source);
        self.for_scope = outer;
        node
    }

    /// Binds the iterator `name` of a `dynamic` block with a known `for_each` to one element
    /// (`name.key`, `name.value`) until [`Evaluator::unbind`].
    pub fn bind(&mut self, name: &str, key: Node, value: Node) {
        self.bindings.push((name.to_owned(), key, value));
    }

    /// Ends the innermost [`Evaluator::bind`].
    pub fn unbind(&mut self) {
        self.bindings.pop();
    }

    fn eval_conditional(&mut self, c: &Conditional, span: Span, src: &Source<'_>) -> Node {
        let cond = self.eval(&c.cond_expr, src);
        let mut chosen = match cond.value {
            Value::Bool(true) => self.eval(&c.true_expr, src),
            Value::Bool(false) => self.eval(&c.false_expr, src),
            // Decided at deployment: either branch may be the value.
            _ => {
                let branches = vec![self.eval(&c.true_expr, src), self.eval(&c.false_expr, src)];
                return Node::one_of(branches, span, Provenance::Explicit);
            }
        };
        // The branch is written here, but which one applies was decided by a definition
        // elsewhere, which can change.
        if let (Provenance::Resolved(d), Provenance::Explicit) =
            (&cond.provenance, &chosen.provenance)
        {
            chosen.provenance = Provenance::Resolved(d.clone());
        }
        chosen
    }

    /// A template is a string when every part is known. A template that is one interpolation
    /// and nothing else is that interpolation's value, of whatever type, as in HCL. `%{if}`
    /// and `%{for}` directives render when their condition or collection is known.
    fn eval_template(&mut self, t: &Template, span: Span, text: &str, src: &Source<'_>) -> Node {
        if let [Element::Interpolation(only)] = t.iter().collect::<Vec<_>>().as_slice() {
            return self.eval(&only.expr, src);
        }
        let mut rendered = Rendered::default();
        if let Err(waits) = self.render(t, (false, false), &mut rendered, src) {
            return waiting(text, span, &[&*waits]);
        }
        let Rendered {
            text: out,
            pieces,
            parts,
        } = rendered;
        if let Some(mut pieces) = pieces {
            pieces.push(Piece::Text(out));
            pieces.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
            if let Some(strings) = each_rendering(&pieces) {
                let alternatives = strings
                    .into_iter()
                    .map(|s| Node::new(Value::String(s), span))
                    .collect();
                return Node::one_of(alternatives, span, Provenance::Explicit);
            }
            return Node::new(Value::Unknown(Unknown::template(text, pieces)), span);
        }
        let parts: Vec<&Node> = parts.iter().collect();
        derived(Value::String(out), span, &parts)
    }

    /// Renders the elements of `t` into `out`. `trim` says whether the text at its start and
    /// at its end loses its whitespace (the `~` of the directive markers around it). `Err`
    /// holds what the template waits for: a part, condition or collection not known, or a
    /// known node (no dependencies) when a bound is reached.
    fn render(
        &mut self,
        t: &Template,
        trim: (bool, bool),
        out: &mut Rendered,
        src: &Source<'_>,
    ) -> Result<(), Box<Node>> {
        let elements: Vec<&Element> = t.iter().collect();
        for (i, element) in elements.iter().enumerate() {
            match element {
                Element::Literal(literal) => {
                    let mut s = literal.value().as_str();
                    let next = i.checked_add(1).and_then(|n| elements.get(n));
                    if next.map_or(trim.1, |e| strips(e).0) {
                        s = s.trim_end();
                    }
                    let prev = i.checked_sub(1).and_then(|p| elements.get(p));
                    if prev.map_or(trim.0, |e| strips(e).1) {
                        s = s.trim_start();
                    }
                    out.text.push_str(s);
                }
                Element::Interpolation(interpolation) => {
                    let part = self.eval(&interpolation.expr, src);
                    match part.value.scalar_text() {
                        Some(s) => out.text.push_str(&s),
                        // A list or map cannot be interpolated (Terraform rejects it), and
                        // copying one into every template that names it would grow without
                        // bound: only unknown scalars become pieces.
                        None if !is_unknown_scalar(&part) => return Err(Box::new(part)),
                        None => {
                            let pieces = out.pieces.get_or_insert_with(Vec::new);
                            pieces.push(Piece::Text(std::mem::take(&mut out.text)));
                            pieces.push(Piece::Value(part));
                            continue;
                        }
                    }
                    out.parts.push(part);
                }
                Element::Directive(directive) => self.render_directive(directive, out, src)?,
            }
            if out.text.len() > MAX_TEMPLATE_LEN {
                return Err(Box::new(Node::new(Value::Null, src.span(None))));
            }
        }
        Ok(())
    }

    fn eval_traversal(&mut self, t: &Traversal, span: Span, text: &str, src: &Source<'_>) -> Node {
        let operators: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        // Where the value comes from: a variable or local, a value of the context (a module
        // call's outputs, `count.index`, `each.*`, a `dynamic` iterator, `path.module`), or
        // another expression; and how many operators naming it are used up.
        let (root, skip) = match &t.expr {
            Expression::Variable(root) => match root.as_str() {
                name @ ("var" | "local") => {
                    let kind = if name == "var" {
                        Named::Var
                    } else {
                        Named::Local
                    };
                    match operators.first() {
                        Some(TraversalOperator::GetAttr(name)) => {
                            (Root::Named(kind, name.as_str().to_owned()), 1)
                        }
                        _ => return unknown(text, span),
                    }
                }
                // A name a `for` expression binds is the value itself; other roots name
                // the context (`count.index`, `module.net`) by their first attribute.
                other => match self
                    .scoped(other)
                    .map(|v| (v, 0))
                    .or_else(|| self.context_value(other, &operators).map(|v| (v, 1)))
                {
                    Some((node, skip)) => (Root::Context(node), skip),
                    None => {
                        if let Some(known) = known_data_attribute(other, &operators, span) {
                            return known;
                        }
                        let iterator = self.iterators.iter().any(|i| i == other);
                        return unknown_on(text, span, reference(other, &operators, iterator));
                    }
                },
            },
            _ => (Root::Expr, 0),
        };
        let mut path = Vec::with_capacity(operators.len());
        for op in operators.iter().skip(skip) {
            let key = match op {
                TraversalOperator::GetAttr(name) => Key::Attr(name.as_str().to_owned()),
                TraversalOperator::LegacyIndex(i) => {
                    Key::Index(Value::Int(i64::try_from(*i.value()).unwrap_or(i64::MAX)))
                }
                TraversalOperator::Index(e) => {
                    let index = self.eval(e, src);
                    if index.is_unknown() {
                        return waiting(text, span, &[&index]);
                    }
                    Key::Index(index.value)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => Key::Splat,
            };
            path.push(key);
        }
        let from_expr = matches!(root, Root::Expr);
        let followed = match root {
            Root::Named(kind, name) => {
                if !self.lookup(kind, &name) {
                    let on = match kind {
                        Named::Var => DependsOn::Input { name },
                        Named::Local => DependsOn::Expression,
                    };
                    return unknown_on(text, span, on);
                }
                match self.cache.get(&(kind, name)) {
                    Some(Slot::Done(node)) => follow(node, &path),
                    _ => return unknown(text, span),
                }
            }
            Root::Context(node) => follow(&node, &path),
            Root::Expr => follow(&self.eval(&t.expr, src), &path),
        };
        let found = match followed {
            Followed::Found(found) => found,
            // What the variable or local waits for, the use waits for.
            Followed::Waiting(on) => return waiting(text, span, &[&on]),
            Followed::Missing => {
                // An attribute or element that a known value does not have: Terraform's
                // error, which `try` and `can` catch.
                self.errored = true;
                return unknown(text, span);
            }
        };
        if found.is_unknown() {
            // What the value waits for, the use waits for.
            return waiting(text, span, &[&found]);
        }
        if from_expr {
            return found;
        }
        if matches!(&t.expr, Expression::Variable(v) if v.as_str() == "path") {
            // A directory of the run, written nowhere: the value is where it is used.
            return Node::new(found.value, span);
        }
        let size = cost(&found);
        if size > self.budget {
            self.report_budget(src, span);
            return unknown(text, span);
        }
        self.budget -= size;
        at_use(&found, span)
    }

    /// The value of a reference rooted at `root` that the instance's context knows:
    /// `module.M` once the call is evaluated, `count.index`, `each.key` / `each.value`, the
    /// `key` / `value` of an enclosing `dynamic` block's iterator with a known `for_each`, and
    /// `path.module` / `path.root` / `path.cwd`.
    fn context_value(&self, root: &str, operators: &[&TraversalOperator]) -> Option<Node> {
        let Some(TraversalOperator::GetAttr(first)) = operators.first() else {
            return None;
        };
        let first = first.as_str();
        if let Some((_, key, value)) = self.bindings.iter().rev().find(|(n, ..)| n == root) {
            return match first {
                "key" => Some(key.clone()),
                "value" => Some(value.clone()),
                _ => None,
            };
        }
        if self.iterators.iter().any(|i| i == root) {
            return None;
        }
        match (root, first) {
            ("module", name) => self.modules.get(name).cloned(),
            ("count", "index") => self.iteration.count_index.clone(),
            ("each", "key") => self.iteration.each.as_ref().map(|(k, _)| k.clone()),
            ("each", "value") => self.iteration.each.as_ref().map(|(_, v)| v.clone()),
            ("path", "module" | "root" | "cwd") => {
                let dir = if first == "module" {
                    self.path_module.as_str()
                } else {
                    "."
                };
                let zero = Span::new(crate::source::FileId(0), 0, 0);
                Some(Node::new(Value::String(dir.to_owned()), zero))
            }
            _ => None,
        }
    }

    /// Makes sure the value of `kind.name` is in the cache; false when it cannot be known
    /// (not declared, no default, a cycle, too deep).
    fn lookup(&mut self, kind: Named, name: &str) -> bool {
        if self.literal_only {
            return false;
        }
        let key = (kind, name.to_owned());
        match self.cache.get(&key) {
            Some(Slot::Done(..)) => return true,
            Some(Slot::InProgress) => {
                self.report_cycle(&key);
                return false;
            }
            None => {}
        }
        let Some(definition) = self.definitions.get(&key).cloned() else {
            return false;
        };
        let Some(bound) = definition.value else {
            return false;
        };
        if self.lookups >= MAX_LOOKUP_DEPTH {
            return false;
        }
        self.cache.insert(key.clone(), Slot::InProgress);
        self.lookups += 1;
        let written = match &bound {
            Bound::Expr(def) => def.text().to_owned(),
            Bound::Value(_) => format!("{}.{name}", kind.prefix()),
        };
        let mut node = match bound {
            Bound::Expr(def) => {
                let literal_only = std::mem::replace(&mut self.literal_only, kind == Named::Var);
                let node = self.eval_expr(def);
                self.literal_only = literal_only;
                node
            }
            Bound::Value(node) => node,
        };
        self.lookups -= 1;
        if let Some(var_type) = &definition.var_type {
            node = super::types::convert(var_type, node);
        }
        if cost(&node) > MAX_VALUE_COST {
            node = unknown(&written, node.span);
        }
        self.cache.insert(key, Slot::Done(node));
        true
    }

    /// Evaluates a value of a `.tf.json` file, where every string is a template.
    fn eval_json(&mut self, node: &Node, file: &SourceFile) -> Node {
        if self.depth >= MAX_EVAL_DEPTH {
            return unknown("", node.span);
        }
        self.depth += 1;
        let out = match &node.value {
            Value::String(s) if is_template(s) => match hcl_edit::parser::parse_template(s) {
                Ok(template) => {
                    let src = Source::json_string(file, s, node.span);
                    self.eval_template(&template, node.span, s, &src)
                }
                // Reported where the file's references are collected.
                Err(_) => unknown(s, node.span),
            },
            Value::Seq(_) | Value::Map(_) => node.map_children(|n| self.eval_json(n, file)),
            _ => node.clone(),
        };
        self.depth -= 1;
        out
    }

    fn report_cycle(&mut self, key: &(Named, String)) {
        if !self.reported.insert(key.clone()) {
            return;
        }
        let Some(definition) = self.definitions.get(key) else {
            return;
        };
        let name = format!("{}.{}", key.0.prefix(), key.1);
        self.diagnostics.push(
            Diagnostic::error(
                "terraform::cycle",
                definition.file.path.clone(),
                format!("`{name}` refers to itself through other values; its value is unknown"),
            )
            .at(definition.span)
            .with_help("Terraform rejects cyclic locals; break the cycle"),
        );
    }

    fn report_steps(&mut self, src: &Source<'_>, span: Span) {
        if std::mem::replace(&mut self.steps_reported, true) {
            return;
        }
        self.diagnostics.push(
            Diagnostic::new(
                crate::diagnostic::Severity::Warning,
                "terraform::too-complex",
                src.file.path.clone(),
                format!(
                    "evaluating this configuration takes more than {MAX_STEPS} steps; this and \
                     later values are treated as unknown"
                ),
            )
            .at(span),
        );
    }

    fn report_budget(&mut self, src: &Source<'_>, span: Span) {
        if std::mem::replace(&mut self.budget_reported, true) {
            return;
        }
        self.diagnostics.push(
            Diagnostic::new(
                crate::diagnostic::Severity::Warning,
                "terraform::too-complex",
                src.file.path.clone(),
                "the module's variables and locals resolve to more data than guardrail copies; \
                 this and later references to them are treated as unknown",
            )
            .at(span),
        );
    }
}

/// What a traversal starts from.
enum Root {
    /// `var.X`, `local.L`.
    Named(Named, String),
    /// A value the instance's context knows (see [`Evaluator::context_value`]).
    Context(Node),
    /// Another expression (`[1, 2][0]`, `func().x`).
    Expr,
}

/// A step into a value.
enum Key {
    /// `.name`
    Attr(String),
    /// `[key]`
    Index(Value),
    /// `[*]` or `.*`: the rest of the path applies to every element.
    Splat,
}

/// What following a path into a value found.
enum Followed {
    /// The value there (a splat builds a new list).
    Found(Node),
    /// An unknown value, or one of several, on the way: the result waits for it.
    Waiting(Node),
    /// The path leaves a known value: no such attribute, key or element.
    Missing,
}

/// Follows a path of keys into a value.
fn follow(node: &Node, path: &[Key]) -> Followed {
    let mut here = node;
    for (i, key) in path.iter().enumerate() {
        if matches!(here.value, Value::Unknown(_) | Value::OneOf(_)) {
            return Followed::Waiting(here.clone());
        }
        let next = match (&here.value, key) {
            (_, Key::Splat) => {
                // `x[*].a`: every element's `a`; a value that is not a list is a list of
                // itself (null is an empty list), as in Terraform.
                let items: Vec<&Node> = match &here.value {
                    Value::Seq(items) => items.iter().collect(),
                    Value::Null => Vec::new(),
                    _ => vec![here],
                };
                let rest = &path[i + 1..];
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match follow(item, rest) {
                        Followed::Found(n) => out.push(n),
                        other => return other,
                    }
                }
                return Followed::Found(Node {
                    value: Value::Seq(out),
                    span: here.span,
                    provenance: here.provenance.clone(),
                });
            }
            (Value::Map(map), Key::Attr(name)) => map.get(name),
            (Value::Map(map), Key::Index(k)) => k.scalar_text().and_then(|k| map.get(&k)),
            (Value::Seq(items), Key::Index(k)) => {
                let i = match k {
                    Value::Int(i) => usize::try_from(*i).ok(),
                    Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 => Some(*f as usize),
                    Value::String(s) => s.parse().ok(),
                    _ => None,
                };
                i.and_then(|i| items.get(i))
            }
            _ => None,
        };
        match next {
            Some(next) => here = next,
            None => return Followed::Missing,
        }
    }
    Followed::Found(here.clone())
}

/// A resolved value moved to where it is used: every node gets the span of the use and
/// records where its literal was written, and the references it came through.
fn at_use(node: &Node, span: Span) -> Node {
    let provenance = match &node.provenance {
        Provenance::Resolved(r) => Provenance::Resolved(Resolution {
            definition: r.definition,
            via: std::iter::once(node.span)
                .chain(r.via.iter().copied())
                .collect(),
        }),
        Provenance::Explicit | Provenance::Default => Provenance::resolved(node.span),
        Provenance::Environment(name) => Provenance::Environment(name.clone()),
    };
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|n| at_use(n, span)).collect()),
        Value::Map(map) => {
            let mut out = Map::new();
            for entry in map {
                out.push_unchecked(Entry {
                    key: entry.key.clone(),
                    key_span: span,
                    value: at_use(&entry.value, span),
                });
            }
            Value::Map(out)
        }
        other => other.clone(),
    };
    Node {
        value,
        span,
        provenance,
    }
}

/// What copying a value costs against the budgets: its nodes, and its strings by length.
fn cost(node: &Node) -> usize {
    let mut total = 0usize;
    node.walk(&mut |n| {
        let text = match &n.value {
            Value::String(s) => s.len() / 64,
            Value::Unknown(u) => u.expression.len() / 64,
            _ => 0,
        };
        total = total.saturating_add(1 + text);
    });
    total
}

/// A value computed from others: resolved when any of them was (a template over a variable
/// default is as changeable as the default), explicit otherwise.
fn derived(value: Value, span: Span, parts: &[&Node]) -> Node {
    let provenance = parts
        .iter()
        .find_map(|p| match &p.provenance {
            Provenance::Resolved(_) | Provenance::Environment(_) => Some(p.provenance.clone()),
            _ => None,
        })
        .unwrap_or(Provenance::Explicit);
    Node {
        value,
        span,
        provenance,
    }
}

/// An unknown value with the source text of its expression, of a kind guardrail does not
/// evaluate.
pub(super) fn unknown(text: &str, span: Span) -> Node {
    unknown_on(text, span, DependsOn::Expression)
}

/// An unknown value waiting for `on`.
fn unknown_on(text: &str, span: Span, on: DependsOn) -> Node {
    let depends_on = vec![Dependency { on, span }];
    Node::new(Value::Unknown(Unknown::new(text, depends_on)), span)
}

/// An unknown value computed from `parts`: it waits for what they wait for (or, when they
/// are all known, for an expression guardrail does not evaluate).
fn waiting(text: &str, span: Span, parts: &[&Node]) -> Node {
    let depends_on = dependencies(parts);
    if depends_on.is_empty() {
        return unknown(text, span);
    }
    Node::new(Value::Unknown(Unknown::new(text, depends_on)), span)
}

/// Whether a value is unknown, or one of several values each a scalar or unknown: what a
/// template may hold as a piece.
fn is_unknown_scalar(node: &Node) -> bool {
    match &node.value {
        Value::Unknown(_) => true,
        Value::OneOf(alternatives) => alternatives
            .iter()
            .all(|a| a.is_unknown() || a.value.scalar_text().is_some()),
        _ => false,
    }
}

/// What a template renders so far: its text since the last unknown piece, the pieces before
/// (once one is unknown), and the known parts it was made of (for provenance).
#[derive(Default)]
struct Rendered {
    text: String,
    pieces: Option<Vec<Piece>>,
    parts: Vec<Node>,
}

/// Most strings a template of alternatives expands into ([`each_rendering`]).
const MAX_RENDERINGS: usize = 64;

/// Every string a template renders to when each of its parts that is not text is one of
/// several known values (`arn:${partition}:…` with the partition one of a few): one per
/// combination, at most [`MAX_RENDERINGS`]; `None` when a part is unknown or there would be
/// more.
fn each_rendering(pieces: &[Piece]) -> Option<Vec<String>> {
    let mut out = vec![String::new()];
    for piece in pieces {
        let choices: Vec<String> = match piece {
            Piece::Text(t) => vec![t.clone()],
            Piece::Value(node) => match &node.value {
                Value::OneOf(alternatives) => alternatives
                    .iter()
                    .map(|a| a.value.scalar_text())
                    .collect::<Option<Vec<String>>>()?,
                _ => return None,
            },
        };
        if out.len().saturating_mul(choices.len()) > MAX_RENDERINGS {
            return None;
        }
        out = out
            .iter()
            .flat_map(|head| choices.iter().map(move |c| format!("{head}{c}")))
            .collect();
    }
    out.dedup();
    Some(out)
}

/// The elements a `for` expression or directive iterates: a list's items by index, a map's
/// entries by key in lexical order (as Terraform iterates them); `None` when `collection`
/// is not a known collection.
fn for_elements(collection: &Node) -> Option<Vec<(Node, Node)>> {
    Some(match &collection.value {
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (Node::new(Value::Int(i as i64), item.span), item.clone()))
            .collect(),
        Value::Map(map) => {
            let mut entries: Vec<&Entry> = map.iter().collect();
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            entries
                .into_iter()
                .map(|e| {
                    (
                        Node::new(Value::String(e.key.clone()), e.key_span),
                        e.value.clone(),
                    )
                })
                .collect()
        }
        _ => return None,
    })
}

/// What the unknown values among `parts` wait for.
fn dependencies(parts: &[&Node]) -> Vec<Dependency> {
    parts.iter().flat_map(|p| p.dependencies()).collect()
}

/// What a reference rooted at `root` (not `var` or `local`) waits for:
/// `aws_iam_role.app.arn` an attribute of a resource, `data.T.N.attr` of a data source,
/// `module.M.out` a module output; `count`, `each`, `path`, `terraform`, `self` and the
/// iterator of an enclosing `dynamic` block (`iterator`) the deployment context.
/// The attribute each operator of a traversal names (`None` for an index).
fn attribute_names<'o>(operators: &[&'o TraversalOperator]) -> Vec<Option<&'o str>> {
    operators
        .iter()
        .map(|op| match op {
            TraversalOperator::GetAttr(name) => Some(name.as_str()),
            _ => None,
        })
        .collect()
}

fn reference(root: &str, operators: &[&TraversalOperator], iterator: bool) -> DependsOn {
    let names = attribute_names(operators);
    // The first attribute after the address (an index such as `[0]` or `["k"]` between
    // them names an instance of the same resource).
    let attribute_after = |from: usize| {
        names
            .iter()
            .skip(from)
            .skip_while(|n| n.is_none())
            .find_map(|n| n.map(str::to_owned))
    };
    let first = |i: usize| names.get(i).copied().flatten();
    let context = iterator || matches!(root, "count" | "each" | "path" | "terraform" | "self");
    match root {
        _ if context => DependsOn::Context {
            name: match first(0) {
                Some(attr) => format!("{root}.{attr}"),
                None => root.to_owned(),
            },
        },
        "data" => match (first(0), first(1)) {
            (Some(t), Some(n)) => DependsOn::DataSource {
                name: format!("data.{t}.{n}"),
                attribute: attribute_after(2),
            },
            _ => DependsOn::Expression,
        },
        "module" => match first(0) {
            Some(m) => DependsOn::Module {
                name: format!("module.{m}"),
                output: attribute_after(1),
            },
            None => DependsOn::Expression,
        },
        resource_type => match first(0) {
            Some(n) => DependsOn::Resource {
                name: format!("{resource_type}.{n}"),
                attribute: attribute_after(1),
            },
            None => DependsOn::Expression,
        },
    }
}

/// The AWS partitions, what `data.aws_partition.*.partition` may be: the commercial regions,
/// China, GovCloud (US), the isolated regions and the European Sovereign Cloud.
const AWS_PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The value of a data source attribute that is one of a few known values whatever the
/// deployment: `data.aws_partition.X.partition` (and its `id`) is one of [`AWS_PARTITIONS`].
/// Rules then judge every partition: an ARN built as `arn:${partition}:iam::aws:policy/…`
/// names its policy in every one of them, which is what a rule on it asks.
fn known_data_attribute(root: &str, operators: &[&TraversalOperator], span: Span) -> Option<Node> {
    let names: Vec<&str> = attribute_names(operators).into_iter().flatten().collect();
    match (root, names.as_slice()) {
        ("data", ["aws_partition", _, "partition" | "id"]) => {
            let alternatives = AWS_PARTITIONS
                .iter()
                .map(|p| Node::new(Value::String((*p).to_owned()), span))
                .collect();
            Some(Node::one_of(alternatives, span, Provenance::Explicit))
        }
        _ => None,
    }
}

/// Whether a `.tf.json` string needs parsing as a template.
pub(super) fn is_template(s: &str) -> bool {
    s.contains("${") || s.contains("%{")
}

/// Whether an element strips whitespace before it (`${~`, `%{~`) and after it (`~}`).
fn strips(element: &Element) -> (bool, bool) {
    match element {
        Element::Interpolation(i) => (i.strip.strip_start(), i.strip.strip_end()),
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(d) => (
                d.if_expr.strip.strip_start(),
                d.endif_expr.strip.strip_end(),
            ),
            Directive::For(d) => (
                d.for_expr.strip.strip_start(),
                d.endfor_expr.strip.strip_end(),
            ),
        },
        Element::Literal(_) => (false, false),
    }
}

fn number(n: &hcl_edit::Number) -> Value {
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => Value::Int(i),
        (None, Some(f)) => Value::Float(f),
        (None, None) => Value::Float(f64::NAN),
    }
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Whether two known values are equal, whatever their spans: `null` equals only `null`
/// (`var.cfg != null` is decided for any known `cfg`); `None` when either holds something
/// unknown.
pub(super) fn same_value(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown(_) | Value::OneOf(_), _) | (_, Value::Unknown(_) | Value::OneOf(_)) => None,
        (Value::Null, other) | (other, Value::Null) => {
            if contains_unknown(other) {
                None
            } else {
                Some(matches!(other, Value::Null))
            }
        }
        (Value::Seq(x), Value::Seq(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (i, j) in x.iter().zip(y) {
                if !same_value(&i.value, &j.value)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for e in x {
                match y.get(&e.key) {
                    Some(other) if !same_value(&e.value.value, &other.value)? => {
                        return Some(false);
                    }
                    Some(_) => {}
                    None => return Some(false),
                }
            }
            Some(true)
        }
        _ => Some(a == b),
    }
}

/// Whether a value holds something unknown anywhere.
fn contains_unknown(value: &Value) -> bool {
    match value {
        Value::Unknown(_) | Value::OneOf(_) => true,
        Value::Seq(items) => items.iter().any(|i| contains_unknown(&i.value)),
        Value::Map(map) => map.iter().any(|e| contains_unknown(&e.value.value)),
        _ => false,
    }
}

/// A binary operation on known primitive values; `None` when it cannot be computed here.
fn binary(op: BinaryOperator, lhs: &Value, rhs: &Value) -> Option<Value> {
    use BinaryOperator as B;
    let primitive = |v: &Value| {
        matches!(
            v,
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::String(_)
        )
    };
    Some(match op {
        B::Eq | B::NotEq => {
            let equal = if primitive(lhs) && primitive(rhs) {
                match (as_f64(lhs), as_f64(rhs)) {
                    (Some(a), Some(b)) => a == b,
                    _ => lhs == rhs,
                }
            } else {
                same_value(lhs, rhs)?
            };
            Value::Bool(equal == (op == B::Eq))
        }
        B::And | B::Or => match (lhs, rhs) {
            (Value::Bool(a), Value::Bool(b)) => {
                Value::Bool(if op == B::And { *a && *b } else { *a || *b })
            }
            _ => return None,
        },
        B::Less | B::LessEq | B::Greater | B::GreaterEq => {
            let (a, b) = (as_f64(lhs)?, as_f64(rhs)?);
            Value::Bool(match op {
                B::Less => a < b,
                B::LessEq => a <= b,
                B::Greater => a > b,
                _ => a >= b,
            })
        }
        B::Plus | B::Minus | B::Mul | B::Div | B::Mod => match (lhs, rhs) {
            (Value::Int(a), Value::Int(b)) if op != B::Div => Value::Int(match op {
                B::Plus => a.checked_add(*b)?,
                B::Minus => a.checked_sub(*b)?,
                B::Mul => a.checked_mul(*b)?,
                _ => a.checked_rem(*b)?,
            }),
            _ => {
                let (a, b) = (as_f64(lhs)?, as_f64(rhs)?);
                let result = match op {
                    B::Plus => a + b,
                    B::Minus => a - b,
                    B::Mul => a * b,
                    B::Div if b != 0.0 => a / b,
                    B::Mod if b != 0.0 => a % b,
                    _ => return None,
                };
                if result.fract() == 0.0 && result.abs() < 9.0e15 {
                    Value::Int(result as i64)
                } else {
                    Value::Float(result)
                }
            }
        },
    })
}

/// The finished value of one Terraform expression written alone (no variables or locals
/// declared), for tests elsewhere that need values as the adapter makes them.
#[cfg(test)]
pub(crate) fn evaluate_text(expression: &str) -> Node {
    use crate::source::{Format, SourceFiles};
    let mut files = SourceFiles::default();
    let id = files.add("test.tf".into(), format!("x = {expression}\n"), Format::Hcl);
    let file = files.get(id).expect("added");
    let body = hcl_edit::parser::parse_body(&file.text).expect("an expression");
    let attribute = body.get_attribute("x").expect("the attribute");
    Evaluator::new().eval(&attribute.value, &Source::file(file))
}
