//! Checks that evaluating rules does not allocate except to build new text.
//!
//! A separate test binary because it installs a counting global allocator, which must not
//! sit under the library's other unit tests. Only the public rule API is used.

use ceria_core::Date;
use ceria_core::expr::value::Value;
use ceria_core::expr::{Env, Expr, Scope, Type};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Allocations made by this thread; per thread so parallel tests do not disturb it.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// const-initialised thread local, which does not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result and how many allocations it made.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (out, ALLOCATIONS.with(Cell::get) - before)
}

const FIELDS: &[(&str, Type)] = &[
    ("tanggal_lahir", Type::Date),
    ("status_kawin", Type::Text),
    ("anak_ke", Type::Int),
    ("nik", Type::Text),
    ("nama", Type::Text),
    ("wni", Type::Bool),
];

struct Service;

impl Scope for Service {
    fn field(&self, name: &str) -> Option<(usize, Type)> {
        let i = FIELDS.iter().position(|(n, _)| *n == name)?;
        Some((i, FIELDS.get(i)?.1))
    }
    fn current(&self) -> Option<Type> {
        Some(Type::Text)
    }
    fn has_attachment(&self, id: &str) -> bool {
        id == "akta_nikah"
    }
}

struct Form {
    values: Vec<Value>,
    current: Value,
    today: Date,
}

static NULL: Value = Value::Null;

impl Env for Form {
    fn field(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&NULL)
    }
    fn current(&self) -> &Value {
        &self.current
    }
    fn today(&self) -> Date {
        self.today
    }
    fn attached(&self, id: &str) -> bool {
        id == "akta_nikah"
    }
}

fn form() -> Form {
    let date = |y, m, d| Date::from_ymd(y, m, d).map_or(Value::Null, Value::Date);
    Form {
        values: vec![
            date(2008, 3, 15),
            Value::Text("2".into()),
            Value::Int(3),
            Value::Text("1305014503080001".into()),
            Value::Text("Siti Nur Aminah".into()),
            Value::Bool(true),
        ],
        current: Value::Text("Siti Nur Aminah".into()),
        today: Date::from_ymd(2026, 5, 20).unwrap(),
    }
}

#[test]
fn bool_int_and_date_rules_do_not_allocate() {
    let form = form();
    for src in [
        "age(${tanggal_lahir}) >= 17 or ${status_kawin} != '1'",
        "in(${status_kawin}, '2', '3', '4') and not ${wni}",
        "words(.) >= 2 and len(.) <= 60 and starts_with(${nik}, '1305')",
        "nik_birth_date(${nik}) = ${tanggal_lahir} or nik_sex(${nik}) = 'P'",
        "days_between(${tanggal_lahir}, today()) > 60 and attached('akta_nikah')",
        "if(present(${wni}), ${anak_ke}, coalesce(${anak_ke}, 1)) mod 2 = 1",
        "substr(${nama}, 0, 4) = 'Siti' and ${nama} = .",
        "add_years(${tanggal_lahir}, 17) <= today()",
    ] {
        let rule = Expr::compile(src, &Service).unwrap();
        let (verdict, allocations) = counted(|| rule.eval_bool(&form));
        assert!(verdict.is_some(), "{src}");
        assert_eq!(allocations, 0, "{src}");
    }
    for src in [
        "${anak_ke} * 2 + age(${tanggal_lahir})",
        "add_days(${tanggal_lahir}, 60)",
    ] {
        let rule = Expr::compile(src, &Service).unwrap();
        let (value, allocations) = counted(|| rule.eval(&form));
        assert!(!value.is_null(), "{src}");
        assert_eq!(allocations, 0, "{src}");
    }
}

#[test]
fn building_new_text_allocates_and_the_counter_sees_it() {
    let form = form();
    let rule = Expr::compile("upper(${nama})", &Service).unwrap();
    let (value, allocations) = counted(|| rule.eval(&form));
    assert_eq!(value, Value::Text("SITI NUR AMINAH".into()));
    assert!(allocations >= 1);
}
