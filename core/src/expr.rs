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
        /// Today 2026-05-20; a woman born 2008-03-15 with NIK 1305014503080001 (whose date
        /// part says 2008-03-05), never married (`status_kawin` 1 = Belum Kawin), two
        /// children, `akta_nikah` attached; `nama`, `umur`, `flag` and `tanggal_kawin` empty.
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

    /// Asserts that `src` fails at `column` with a message containing `needle`.
    #[track_caller]
    pub(crate) fn fails(src: &str, column: usize, needle: &str) {
        let e = compile_err(src);
        assert_eq!(e.column, column, "{src}: {e}");
        assert!(e.message.contains(needle), "{src}: {e} (wanted `{needle}`)");
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

#[cfg(test)]
mod tests {
    use super::fixtures::{FIELDS, TestEnv, TestScope, compile, eval_with};
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn ktp_applicant_is_17_or_ever_married() {
        let rule = compile("age(${tanggal_lahir}) >= 17 or ${status_kawin} != '1'");
        let mut env = TestEnv::default();
        assert_eq!(rule.eval_bool(&env), Some(true));
        env.fields[1] = Value::Date(d("2010-01-01"));
        assert_eq!(rule.eval_bool(&env), Some(false));
        env.fields[3] = Value::Text("2".into());
        assert_eq!(rule.eval_bool(&env), Some(true));
        // Status unknown and too young: unknown, which a check lets pass until it is filled.
        env.fields[3] = Value::Null;
        assert_eq!(rule.eval_bool(&env), None);
        // Status unknown but old enough: `or` already knows the answer.
        env.fields[1] = Value::Date(d("1990-01-01"));
        assert_eq!(rule.eval_bool(&env), Some(true));
    }

    #[test]
    fn under_19_spouse_needs_a_dispensation() {
        let rule = compile("age_at(${tanggal_lahir}, ${tanggal_kawin}) < 19");
        let mut env = TestEnv::default();
        assert_eq!(rule.eval_bool(&env), None, "no marriage date yet");
        env.fields[8] = Value::Date(d("2027-03-14"));
        assert_eq!(rule.eval_bool(&env), Some(true));
        env.fields[8] = Value::Date(d("2027-03-15"));
        assert_eq!(rule.eval_bool(&env), Some(false));
        let either = compile("attached('akta_nikah') or attached('dispensasi')");
        assert_eq!(either.eval_bool(&env), Some(true));
        env.attached.clear();
        assert_eq!(either.eval_bool(&env), Some(false));
    }

    #[test]
    fn constraint_on_a_date_field_and_other_registry_rules() {
        let death = Expr::compile(". >= ${tanggal_lahir}", &TestScope(Some(Type::Date))).unwrap();
        let mut env = TestEnv {
            current: Value::Date(d("2008-03-14")),
            ..TestEnv::default()
        };
        assert_eq!(death.eval_bool(&env), Some(false));
        env.current = Value::Date(d("2008-03-15"));
        assert_eq!(death.eval_bool(&env), Some(true));
        env.current = Value::Null;
        assert_eq!(death.eval_bool(&env), None);

        let env = TestEnv::default();
        let nik_agrees = compile("nik_birth_date(${nik}) = ${tanggal_lahir}");
        assert_eq!(nik_agrees.eval_bool(&env), Some(false));
        let kia = compile("age(${tanggal_lahir}) < 17");
        assert_eq!(kia.eval_bool(&env), Some(false));
        let on_time = compile("days_between(${tanggal_lahir}, today()) <= 60");
        assert_eq!(on_time.eval_bool(&env), Some(false));
        let two_words = compile("words(.) >= 2 and len(.) <= 60");
        assert_eq!(two_words.eval_bool(&env), Some(true));
    }

    #[test]
    fn calculate_gives_typed_values() {
        let env = TestEnv::default();
        assert_eq!(eval_with("age(${tanggal_lahir})", &env), Value::Int(18));
        assert_eq!(
            eval_with("add_years(${tanggal_lahir}, 17)", &env),
            Value::Date(d("2025-03-15"))
        );
        assert_eq!(
            eval_with(
                "concat(upper(substr(., 0, 1)), lower(substr(., 1, 99)))",
                &env
            ),
            Value::Text("Siti aminah".into())
        );
        assert_eq!(
            eval_with("coalesce(${umur}, age(${tanggal_lahir}))", &env),
            Value::Int(18)
        );
    }

    #[test]
    fn eval_bool_of_a_non_bool_expression_is_none() {
        let env = TestEnv::default();
        assert_eq!(compile("1 + 1").eval_bool(&env), None);
        assert_eq!(compile("'true'").eval_bool(&env), None);
        assert_eq!(compile("true").eval_bool(&env), Some(true));
    }

    #[test]
    fn compiled_rules_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<Expr>();
        let e = compile("${anak} * 2");
        let copy = e.clone();
        let handle = std::thread::spawn(move || copy.eval(&TestEnv::default()));
        assert_eq!(handle.join().unwrap(), e.eval(&TestEnv::default()));
    }

    // ---- property tests ----

    const TYPES: [Type; 4] = [Type::Bool, Type::Int, Type::Text, Type::Date];

    fn quote(s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (1850i32..=9999, 1u32..=12, 1u32..=31)
            .prop_filter_map("real date", |(y, m, d)| Date::from_ymd(y, m, d))
    }

    /// Any value of any type: an Env that disagrees with the scope must not cause a panic.
    fn any_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            (-200i64..200).prop_map(Value::Int),
            any_date().prop_map(Value::Date),
            ".{0,12}".prop_map(Value::Text),
            "[0-9]{16}".prop_map(Value::Text),
        ]
    }

    /// A value of type `ty`, or null.
    fn value_of(ty: Type) -> BoxedStrategy<Value> {
        let typed = match ty {
            Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Type::Int => prop_oneof![any::<i64>(), -200i64..200]
                .prop_map(Value::Int)
                .boxed(),
            Type::Text => prop_oneof![".{0,12}", "[0-9]{16}", "[a-z ]{0,12}"]
                .prop_map(Value::Text)
                .boxed(),
            Type::Date => any_date().prop_map(Value::Date).boxed(),
        };
        prop_oneof![1 => Just(Value::Null), 4 => typed].boxed()
    }

    fn env_from(fields: Vec<Value>, current: Value, today: Date, attached: bool) -> TestEnv {
        let attached = if attached {
            vec!["dispensasi".into()]
        } else {
            Vec::new()
        };
        TestEnv {
            fields,
            current,
            today,
            attached,
        }
    }

    /// An environment whose values have the types the scope promises (`.` is Text).
    fn typed_env() -> impl Strategy<Value = TestEnv> {
        let fields: Vec<_> = FIELDS.iter().map(|(_, ty)| value_of(*ty)).collect();
        (fields, value_of(Type::Text), any_date(), any::<bool>())
            .prop_map(|(f, c, t, a)| env_from(f, c, t, a))
    }

    /// An environment with values of arbitrary types.
    fn wild_env() -> impl Strategy<Value = TestEnv> {
        (
            prop::collection::vec(any_value(), 0..12),
            any_value(),
            any_date(),
            any::<bool>(),
        )
            .prop_map(|(f, c, t, a)| env_from(f, c, t, a))
    }

    fn is_of_type(v: &Value, ty: Type) -> bool {
        matches!(
            (v, ty),
            (Value::Null, _)
                | (Value::Bool(_), Type::Bool)
                | (Value::Int(_), Type::Int)
                | (Value::Text(_), Type::Text)
                | (Value::Date(_), Type::Date)
        )
    }

    /// Well-typed rule sources, one strategy per type (indexed like [`TYPES`]), nested
    /// `depth` levels; every construct of the language appears.
    fn typed_sources(depth: usize) -> Vec<BoxedStrategy<String>> {
        let s = |x: &str| Just(x.to_owned());
        let mut level: Vec<BoxedStrategy<String>> = vec![
            prop_oneof![s("true"), s("false"), s("${flag}"), s("${ktp}")].boxed(),
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string()),
                (0i64..100).prop_map(|n| n.to_string()),
                s("${umur}"),
                s("${anak}"),
            ]
            .boxed(),
            prop_oneof![
                s("${nama}"),
                s("${status_kawin}"),
                s("${nik}"),
                s("."),
                "[a-zA-Z0-9 ']{0,8}".prop_map(|t| quote(&t)),
            ]
            .boxed(),
            prop_oneof![
                s("${tanggal_lahir}"),
                s("${tanggal_kawin}"),
                s("today()"),
                any_date().prop_map(|d| format!("date('{d}')")),
            ]
            .boxed(),
        ];
        for _ in 0..depth {
            let [b, i, t, dt] = [0, 1, 2, 3].map(|k| level[k].clone());
            let cmp = prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]);
            let arith = prop::sample::select(vec!["+", "-", "*", "div", "mod"]);
            let in_opts = prop::collection::vec(-3i64..10, 1..5)
                .prop_map(|v| v.iter().map(i64::to_string).collect::<Vec<_>>().join(", "));
            let text_opts = prop::collection::vec("[a-z0-9]{0,3}", 1..5)
                .prop_map(|v| v.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", "));
            let bool_next = prop_oneof![
                b.clone(),
                (b.clone(), b.clone()).prop_map(|(x, y)| format!("({x} and {y})")),
                (b.clone(), b.clone()).prop_map(|(x, y)| format!("({x} or {y})")),
                b.clone().prop_map(|x| format!("(not ({x}))")),
                (i.clone(), cmp.clone(), i.clone()).prop_map(|(x, o, y)| format!("({x} {o} {y})")),
                (dt.clone(), cmp.clone(), dt.clone())
                    .prop_map(|(x, o, y)| format!("({x} {o} {y})")),
                (t.clone(), cmp, t.clone()).prop_map(|(x, o, y)| format!("({x} {o} {y})")),
                (b.clone(), b.clone()).prop_map(|(x, y)| format!("({x} != {y})")),
                (t.clone(), t.clone()).prop_map(|(x, y)| format!("starts_with({x}, {y})")),
                i.clone().prop_map(|x| format!("present({x})")),
                t.clone().prop_map(|x| format!("present({x})")),
                (i.clone(), in_opts).prop_map(|(x, o)| format!("in({x}, {o})")),
                (t.clone(), text_opts).prop_map(|(x, o)| format!("in({x}, {o})")),
                s("attached('akta_nikah')"),
                (b.clone(), b.clone(), b.clone())
                    .prop_map(|(c, x, y)| format!("if({c}, {x}, {y})")),
            ]
            .boxed();
            let int_next = prop_oneof![
                i.clone(),
                (i.clone(), arith, i.clone()).prop_map(|(x, o, y)| format!("({x} {o} {y})")),
                i.clone().prop_map(|x| format!("-({x})")),
                dt.clone().prop_map(|x| format!("age({x})")),
                dt.clone().prop_map(|x| format!("year({x})")),
                (dt.clone(), dt.clone()).prop_map(|(x, y)| format!("age_at({x}, {y})")),
                (dt.clone(), dt.clone()).prop_map(|(x, y)| format!("days_between({x}, {y})")),
                t.clone().prop_map(|x| format!("len({x})")),
                t.clone().prop_map(|x| format!("words({x})")),
                (i.clone(), i.clone()).prop_map(|(x, y)| format!("coalesce({x}, {y})")),
                (b.clone(), i.clone(), i.clone())
                    .prop_map(|(c, x, y)| format!("if({c}, {x}, {y})")),
            ]
            .boxed();
            let text_next = prop_oneof![
                t.clone(),
                t.clone().prop_map(|x| format!("upper({x})")),
                t.clone().prop_map(|x| format!("lower({x})")),
                (t.clone(), i.clone(), i.clone())
                    .prop_map(|(x, a, n)| format!("substr({x}, {a}, {n})")),
                prop::collection::vec(t.clone(), 2..4)
                    .prop_map(|v| format!("concat({})", v.join(", "))),
                (t.clone(), t.clone()).prop_map(|(x, y)| format!("coalesce({x}, {y})")),
                t.clone().prop_map(|x| format!("nik_sex({x})")),
            ]
            .boxed();
            let date_next = prop_oneof![
                dt.clone(),
                (dt.clone(), i.clone()).prop_map(|(x, n)| format!("add_days({x}, {n})")),
                (dt.clone(), i.clone()).prop_map(|(x, n)| format!("add_years({x}, {n})")),
                t.clone().prop_map(|x| format!("nik_birth_date({x})")),
                (b, dt.clone(), dt).prop_map(|(c, x, y)| format!("if({c}, {x}, {y})")),
            ]
            .boxed();
            level = vec![bool_next, int_next, text_next, date_next];
        }
        level
    }

    /// A rule of any type with its type.
    fn typed_source() -> impl Strategy<Value = (String, Type)> {
        let mut all = typed_sources(3).into_iter().zip(TYPES);
        let mut next = || {
            let (strategy, ty) = all.next().unwrap();
            strategy.prop_map(move |src| (src, ty))
        };
        prop_oneof![next(), next(), next(), next()]
    }

    const SOUP: &[&str] = &[
        "1",
        "0",
        "-",
        "+",
        "*",
        "div",
        "mod",
        "and",
        "or",
        "not",
        "(",
        ")",
        ",",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "'a'",
        "''",
        "true",
        "false",
        ".",
        "${umur}",
        "${nama}",
        "${flag}",
        "${tanggal_lahir}",
        "${nope}",
        "today",
        "age",
        "in",
        "if",
        "date",
        "'2020-02-29'",
        "coalesce",
        "present",
        "substr",
        "concat",
        "nik_sex",
        "attached",
        "'akta_nikah'",
        "9223372036854775807",
        "9223372036854775808",
        "$",
        "{",
        "}",
        "'",
        "\"",
        "é",
        "1.5",
    ];

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let src = String::from_utf8_lossy(&bytes);
            let _ = Expr::compile(&src, &TestScope(Some(Type::Int)));
            let _ = Expr::compile(&src, &TestScope(None));
        }

        #[test]
        fn random_text_never_panics(src in ".{0,200}") {
            if let Err(e) = Expr::compile(&src, &TestScope(None)) {
                prop_assert!(e.column >= 1 && e.column <= src.chars().count() + 1);
            }
        }

        #[test]
        fn token_soup_never_panics(
            picks in prop::collection::vec(prop::sample::select(SOUP), 0..40),
            glue in prop::sample::select(vec![" ", ""]),
            env in wild_env(),
        ) {
            let src = picks.join(glue);
            match Expr::compile(&src, &TestScope(Some(Type::Text))) {
                Ok(e) => {
                    let _ = e.eval(&env);
                    let _ = e.eval_bool(&env);
                }
                Err(err) => {
                    prop_assert!(err.column >= 1 && err.column <= src.chars().count() + 1);
                    prop_assert!(!err.message.is_empty());
                }
            }
        }

        #[test]
        fn well_typed_rules_compile_and_keep_their_type(
            (src, ty) in typed_source(),
            env in typed_env(),
        ) {
            let e = Expr::compile(&src, &TestScope(Some(Type::Text)))
                .map_err(|err| TestCaseError::fail(format!("{src}: {err}")))?;
            prop_assert_eq!(e.ty(), ty);
            let v = e.eval(&env);
            prop_assert!(is_of_type(&v, ty), "{} gave {:?}", src, v);
            prop_assert_eq!(e.eval_bool(&env), match v { Value::Bool(b) => Some(b), _ => None });
            // Evaluation is pure: the same environment gives the same value.
            prop_assert_eq!(e.eval(&env), v);
        }

        #[test]
        fn well_typed_rules_survive_a_lying_env((src, _ty) in typed_source(), env in wild_env()) {
            let e = Expr::compile(&src, &TestScope(Some(Type::Text)))
                .map_err(|err| TestCaseError::fail(format!("{src}: {err}")))?;
            let _ = e.eval(&env);
        }
    }
}
