//! Test helpers of the rule language: a made-up scope of fields, an environment with values,
//! and shorthands to compile and evaluate rules.

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
