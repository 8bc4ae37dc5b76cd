//! The rule language of the catalog: small expressions for constraints, relevance,
//! required-if, computed values and cross-field checks (in the spirit of XLSForm's
//! `constraint` / `relevant` / `calculate`).
//!
//! INTERFACE STUB: the implementation is being written; the signatures below are the contract.

use crate::date::Date;
use crate::value::Value;

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
}

impl Expr {
    /// Parses and type-checks `src` against `scope`.
    pub fn compile(src: &str, scope: &dyn Scope) -> Result<Expr, ExprError> {
        let _ = (src, scope);
        Err(ExprError {
            column: 1,
            message: "rule engine not built yet".into(),
        })
    }

    /// The type the expression evaluates to.
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// Indices of the fields the expression reads (each once).
    pub fn fields(&self) -> &[usize] {
        &[]
    }

    /// Evaluates; never panics. Unknown inputs (null fields, overflow) give [`Value::Null`].
    pub fn eval(&self, env: &dyn Env) -> Value {
        let _ = env;
        Value::Null
    }
}
