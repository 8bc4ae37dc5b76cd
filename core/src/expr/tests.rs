//! Tests of the rule language as catalog rules use it: compiling, type errors, three-valued
//! logic over unknown values, and (proptest) evaluation that never panics.

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
            (dt.clone(), cmp.clone(), dt.clone()).prop_map(|(x, o, y)| format!("({x} {o} {y})")),
            (t.clone(), cmp, t.clone()).prop_map(|(x, o, y)| format!("({x} {o} {y})")),
            (b.clone(), b.clone()).prop_map(|(x, y)| format!("({x} != {y})")),
            (t.clone(), t.clone()).prop_map(|(x, y)| format!("starts_with({x}, {y})")),
            i.clone().prop_map(|x| format!("present({x})")),
            t.clone().prop_map(|x| format!("present({x})")),
            (i.clone(), in_opts).prop_map(|(x, o)| format!("in({x}, {o})")),
            (t.clone(), text_opts).prop_map(|(x, o)| format!("in({x}, {o})")),
            s("attached('akta_nikah')"),
            (b.clone(), b.clone(), b.clone()).prop_map(|(c, x, y)| format!("if({c}, {x}, {y})")),
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
            (b.clone(), i.clone(), i.clone()).prop_map(|(c, x, y)| format!("if({c}, {x}, {y})")),
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
