//! The rule language of the catalog: small expressions for constraints, relevance,
//! required-if, computed values and cross-field checks (in the spirit of XLSForm's
//! `constraint` / `relevant` / `calculate`).
//!
//! [`Expr::compile`] parses and type-checks a rule once, when the catalog loads; every
//! mistake (syntax, unknown field or function, wrong arity or type) is an [`ExprError`] with
//! the column where it starts. [`Expr::eval`] is then pure and total: three-valued (Kleene)
//! logic over [`Value::Null`], checked arithmetic, no panics, and bounded work because the
//! source, nesting depth and node count are capped. The language reference for catalog
//! authors is `docs/rules.md`. The work is split by concern into submodules: `lexer`,
//! `parser` (grammar and operator types), `check` (function call types), `ast` (the compiled
//! form), `eval` (operators), `builtin` (functions) and [`value`] (the typed values).

mod ast;
mod builtin;
mod check;
mod eval;
mod lexer;
mod parser;
pub mod value;

use crate::expr::ast::Program;
use crate::expr::eval::Eval;
use crate::expr::value::Value;
use crate::validate::date::Date;

/// Longest rule source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 4096;
/// Deepest nesting of parentheses, function calls and prefix operators (`not`, `-`).
pub const MAX_DEPTH: usize = 48;
/// Most nodes (literals, references, operators, calls) in one compiled rule.
pub const MAX_NODES: usize = 256;

/// The static type of an expression or a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// true/false.
    Bool,
    /// Whole number.
    Int,
    /// Text (also codes and identity numbers).
    Text,
    /// Calendar date.
    Date,
}

/// The type's name as error messages write it (`Int`, `Text`, ...).
impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Type::Bool => "Bool",
            Type::Int => "Int",
            Type::Text => "Text",
            Type::Date => "Date",
        })
    }
}

/// What an expression may refer to, known when the catalog loads.
pub trait Scope {
    /// The index and type of a field of the service, or `None` if there is no such field.
    fn field(&self, name: &str) -> Option<(usize, Type)>;
    /// The type of `.` (the field a constraint belongs to), or `None` outside a constraint.
    fn current(&self) -> Option<Type>;
    /// Whether the service has an attachment requirement with this id (for `attached('id')`).
    fn has_attachment(&self, id: &str) -> bool;
}

/// What an expression reads when it is evaluated.
pub trait Env {
    /// The typed value of the field with this index (as given by [`Scope::field`]).
    fn field(&self, index: usize) -> &Value;
    /// The value of `.` (the field being constrained).
    fn current(&self) -> &Value;
    /// Today's date in the regency.
    fn today(&self) -> Date;
    /// Whether at least one file is attached for the requirement with this id.
    fn attached(&self, id: &str) -> bool;
}

/// Why an expression does not compile: a message and the 1-based column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ExprError {
    /// 1-based column, counted in characters, where the problem starts.
    pub column: usize,
    /// What is wrong, in English (for catalog authors).
    pub message: String,
}

/// A parsed and type-checked expression, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Expr {
    ty: Type,
    source: Box<str>,
    program: Program,
    fields: Vec<usize>,
}

impl Expr {
    /// Parses and type-checks `src` against `scope`.
    pub fn compile(src: &str, scope: &dyn Scope) -> Result<Expr, ExprError> {
        if src.len() > MAX_SOURCE_BYTES {
            return Err(ExprError {
                column: 1,
                message: format!(
                    "expression too long ({} bytes, at most {MAX_SOURCE_BYTES})",
                    src.len()
                ),
            });
        }
        let compiled = crate::expr::parser::compile(src, scope)?;
        Ok(Expr {
            ty: compiled.ty,
            source: src.into(),
            program: compiled.program,
            fields: compiled.fields,
        })
    }

    /// The type the expression evaluates to.
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// Indices of the fields the expression reads (each once, ascending).
    pub fn fields(&self) -> &[usize] {
        &self.fields
    }

    /// The source text the expression was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates; never panics. Unknown inputs (null fields, overflow) give [`Value::Null`].
    pub fn eval(&self, env: &dyn Env) -> Value {
        self.run(env).into_value()
    }

    /// Evaluates a Bool expression without allocating: `None` when the result is null (or,
    /// for an expression of another type, always). Callers decide what null means:
    /// `relevant`/`required_if` treat it as false, constraints and checks as passing.
    pub fn eval_bool(&self, env: &dyn Env) -> Option<bool> {
        self.run(env).truth()
    }

    fn run<'a>(&'a self, env: &'a dyn Env) -> crate::expr::eval::Val<'a> {
        Eval {
            program: &self.program,
            env,
        }
        .node(self.program.root)
    }
}

/// A scope and environment shared by the rule-language tests of every `expr` module.
#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests;
