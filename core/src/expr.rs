//! The rule language of the catalog: small expressions for constraints, relevance,
//! required-if, computed values and cross-field checks (in the spirit of XLSForm's
//! `constraint` / `relevant` / `calculate`).
//!
//! [`Expr::compile`] parses and type-checks a rule once, when the catalog loads; every
//! mistake (syntax, unknown field or function, wrong arity or type) is an [`ExprError`] with
//! the column where it starts. [`Expr::eval`] is then pure and total: three-valued (Kleene)
//! logic over [`Value::Null`], checked arithmetic, no panics, and bounded work because the
//! source, nesting depth and node count are capped. The language reference for catalog
//! authors is `docs/rules.md`. The work is split by concern into sibling modules:
//! `expr_lexer`, `expr_parser` (grammar and operator types), `expr_check` (function call
//! types), `expr_ast` (the compiled form), `expr_eval` (operators) and `expr_builtin`
//! (functions).

use crate::date::Date;
use crate::expr_ast::Program;
use crate::expr_eval::Eval;
use crate::value::Value;

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
        let compiled = crate::expr_parser::compile(src, scope)?;
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

    fn run<'a>(&'a self, env: &'a dyn Env) -> crate::expr_eval::Val<'a> {
        Eval {
            program: &self.program,
            env,
        }
        .node(self.program.root)
    }
}

/// A scope and environment shared by the rule-language tests of every `expr_*` module.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// Fields of a made-up service: (id, type); the index is the position.
    pub(crate) const FIELDS: &[(&str, Type)] = &[
        ("nama", Type::Text),
        ("tanggal_lahir", Type::Date),
        ("umur", Type::Int),
        ("status_kawin", Type::Text),
        ("flag", Type::Bool),
        ("ktp", Type::Bool),
        ("anak", Type::Int),
        ("nik", Type::Text),
        ("tanggal_kawin", Type::Date),
        ("alamat", Type::Text),
    ];

    /// Attachment requirement ids of the made-up service.
    pub(crate) const ATTACHMENTS: &[&str] = &["akta_nikah", "dispensasi"];

    /// The made-up service, with `.` of the given type (`None` outside a constraint).
    pub(crate) struct TestScope(pub(crate) Option<Type>);

    impl Scope for TestScope {
        fn field(&self, name: &str) -> Option<(usize, Type)> {
            FIELDS
                .iter()
                .position(|(n, _)| *n == name)
                .and_then(|i| Some((i, FIELDS.get(i)?.1)))
        }
        fn current(&self) -> Option<Type> {
            self.0
        }
        fn has_attachment(&self, id: &str) -> bool {
            ATTACHMENTS.contains(&id)
        }
    }

    /// The scope of a constraint on a Text field.
    pub(crate) fn scope() -> TestScope {
        TestScope(Some(Type::Text))
    }

    /// Field values (by index), `.`, today and the attached requirements.
    #[derive(Debug, Clone)]
    pub(crate) struct TestEnv {
        pub(crate) fields: Vec<Value>,
        pub(crate) current: Value,
        pub(crate) today: Date,
        pub(crate) attached: Vec<String>,
    }

    static NULL: Value = Value::Null;

    impl Default for TestEnv {
        /// Today 2026-05-20; a woman born 2008-03-15 with NIK 1305014503080001, married
        /// (`status_kawin` 1), two children; `nama`, `umur`, `flag` and `tanggal_kawin` empty.
        fn default() -> Self {
            let date = |s| Date::parse_iso(s).map_or(Value::Null, Value::Date);
            TestEnv {
                fields: vec![
                    Value::Null,
                    date("2008-03-15"),
                    Value::Null,
                    Value::Text("1".into()),
                    Value::Null,
                    Value::Bool(true),
                    Value::Int(2),
                    Value::Text("1305014503080001".into()),
                    Value::Null,
                    Value::Text("Jl. Sudirman".into()),
                ],
                current: Value::Text("Siti Aminah".into()),
                today: Date::from_ymd(2026, 5, 20).unwrap_or(Date::from_days(0).unwrap()),
                attached: vec!["akta_nikah".into()],
            }
        }
    }

    impl Env for TestEnv {
        fn field(&self, index: usize) -> &Value {
            self.fields.get(index).unwrap_or(&NULL)
        }
        fn current(&self) -> &Value {
            &self.current
        }
        fn today(&self) -> Date {
            self.today
        }
        fn attached(&self, id: &str) -> bool {
            self.attached.iter().any(|a| a == id)
        }
    }

    /// Compiles in [`scope`], panicking with the error (tests only).
    pub(crate) fn compile(src: &str) -> Expr {
        Expr::compile(src, &scope()).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    /// The compile error of `src` in [`scope`] (tests only).
    pub(crate) fn compile_err(src: &str) -> ExprError {
        match Expr::compile(src, &scope()) {
            Ok(_) => panic!("{src}: compiled but should not"),
            Err(e) => e,
        }
    }

    /// Compiles and evaluates in the default environment.
    pub(crate) fn eval(src: &str) -> Value {
        compile(src).eval(&TestEnv::default())
    }

    /// Compiles and evaluates in `env`.
    pub(crate) fn eval_with(src: &str, env: &TestEnv) -> Value {
        compile(src).eval(env)
    }
}
