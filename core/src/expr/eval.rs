//! Evaluates a compiled rule against an [`Env`]: pure, total and allocation-light.
//!
//! Values are borrowed from the rule's literals and the environment wherever possible
//! ([`Val::Text`] is a `Cow`), so comparing a text field with a literal allocates nothing;
//! only functions that build new text (`upper`, `concat`, ...) allocate. The type checker
//! guarantees operand types, but an [`Env`] could still hand over a value of the wrong type:
//! every operation treats such a mismatch as unknown (null) instead of trusting the types.
//! Recursion follows the AST, whose size the compiler caps at `MAX_NODES`.

use crate::expr::Env;
use crate::expr::ast::{ArithOp, CmpOp, Id, Node, Program};
use crate::expr::value::Value;
use crate::validate::date::Date;
use std::borrow::Cow;
use std::cmp::Ordering;

/// A value during evaluation, borrowing text where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Date(Date),
    Text(Cow<'a, str>),
}

impl<'a> Val<'a> {
    /// Borrows a stored value.
    pub(crate) fn borrow(value: &'a Value) -> Val<'a> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Int(i) => Val::Int(*i),
            Value::Date(d) => Val::Date(*d),
            Value::Text(s) => Val::Text(Cow::Borrowed(s)),
        }
    }

    /// Turns the result into an owned value (the only copy of borrowed text).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(b),
            Val::Int(i) => Value::Int(i),
            Val::Date(d) => Value::Date(d),
            Val::Text(s) => Value::Text(s.into_owned()),
        }
    }

    /// `Some(b)` for a Bool, `None` for null (or, defensively, anything else).
    pub(crate) fn truth(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }
}

/// An optional result: `None` is null.
impl<'a> From<Option<Val<'a>>> for Val<'a> {
    fn from(v: Option<Val<'a>>) -> Self {
        v.unwrap_or(Val::Null)
    }
}

/// Orders two values of the same type; `None` when either is null or the types differ.
pub(crate) fn order(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
        (Val::Text(x), Val::Text(y)) => Some(x.as_ref().cmp(y.as_ref())),
        _ => None,
    }
}

/// Evaluation of one program in one environment.
pub(crate) struct Eval<'a> {
    pub(crate) program: &'a Program,
    pub(crate) env: &'a dyn Env,
}

impl<'a> Eval<'a> {
    /// The value of node `id` (null for an id outside the arena, which the compiler never
    /// produces).
    pub(crate) fn node(&self, id: Id) -> Val<'a> {
        let Some(node) = self.program.nodes.get(usize::from(id)) else {
            return Val::Null;
        };
        match node {
            Node::Const(v) => Val::borrow(v),
            Node::Field(index) => Val::borrow(self.env.field(*index)),
            Node::Current => Val::borrow(self.env.current()),
            Node::Not(a) => match self.node(*a).truth() {
                Some(b) => Val::Bool(!b),
                None => Val::Null,
            },
            Node::Neg(a) => match self.node(*a) {
                Val::Int(i) => i.checked_neg().map(Val::Int).into(),
                _ => Val::Null,
            },
            Node::And(a, b) => {
                let left = self.node(*a).truth();
                if left == Some(false) {
                    return Val::Bool(false);
                }
                match (left, self.node(*b).truth()) {
                    (_, Some(false)) => Val::Bool(false),
                    (Some(true), Some(true)) => Val::Bool(true),
                    _ => Val::Null,
                }
            }
            Node::Or(a, b) => {
                let left = self.node(*a).truth();
                if left == Some(true) {
                    return Val::Bool(true);
                }
                match (left, self.node(*b).truth()) {
                    (_, Some(true)) => Val::Bool(true),
                    (Some(false), Some(false)) => Val::Bool(false),
                    _ => Val::Null,
                }
            }
            Node::Cmp(op, a, b) => compare(*op, &self.node(*a), &self.node(*b)),
            Node::Arith(op, a, b) => match (self.node(*a), self.node(*b)) {
                (Val::Int(x), Val::Int(y)) => arith(*op, x, y).map(Val::Int).into(),
                _ => Val::Null,
            },
            Node::Call { func, start, len } => {
                let start = usize::from(*start);
                let args = self
                    .program
                    .args
                    .get(start..start + usize::from(*len))
                    .unwrap_or(&[]);
                self.call(*func, args)
            }
            Node::Attached(id) => Val::Bool(self.env.attached(id)),
        }
    }
}

fn compare(op: CmpOp, a: &Val<'_>, b: &Val<'_>) -> Val<'static> {
    let Some(ord) = order(a, b) else {
        return Val::Null;
    };
    Val::Bool(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

/// Checked arithmetic: overflow and division by zero have no value.
fn arith(op: ArithOp, x: i64, y: i64) -> Option<i64> {
    match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        // Truncating toward zero, the remainder taking the sign of the dividend (as in Rust,
        // C, Java and SQL); `checked_*` also catches i64::MIN div -1.
        ArithOp::Div => x.checked_div(y),
        ArithOp::Mod => x.checked_rem(y),
    }
}

#[cfg(test)]
mod tests {
    use crate::expr::fixtures::{TestEnv, eval, eval_with};
    use crate::expr::value::Value;

    fn b(v: bool) -> Value {
        Value::Bool(v)
    }

    #[test]
    fn kleene_and_or_not_truth_tables() {
        // t = true, f = false, n = a null Bool field.
        let cases = [
            ("t", "t", Some(true), Some(true)),
            ("t", "f", Some(false), Some(true)),
            ("t", "n", None, Some(true)),
            ("f", "t", Some(false), Some(true)),
            ("f", "f", Some(false), Some(false)),
            ("f", "n", Some(false), None),
            ("n", "t", None, Some(true)),
            ("n", "f", Some(false), None),
            ("n", "n", None, None),
        ];
        let operand = |s: &str| match s {
            "t" => "true",
            "f" => "false",
            _ => "${flag}",
        };
        let as_value = |o: Option<bool>| o.map_or(Value::Null, Value::Bool);
        for (x, y, and, or) in cases {
            let (x, y) = (operand(x), operand(y));
            assert_eq!(eval(&format!("{x} and {y}")), as_value(and), "{x} and {y}");
            assert_eq!(eval(&format!("{x} or {y}")), as_value(or), "{x} or {y}");
        }
        assert_eq!(eval("not true"), b(false));
        assert_eq!(eval("not false"), b(true));
        assert_eq!(eval("not ${flag}"), Value::Null);
        assert_eq!(eval("not not ${ktp}"), b(true));
    }

    #[test]
    fn and_or_short_circuit_before_the_right_side() {
        // The right side would divide by zero (null): short-circuiting never looks at it.
        assert_eq!(eval("false and 1 div 0 = 1"), b(false));
        assert_eq!(eval("true or 1 div 0 = 1"), b(true));
        assert_eq!(eval("true and 1 div 0 = 1"), Value::Null);
        assert_eq!(eval("false or 1 div 0 = 1"), Value::Null);
    }

    #[test]
    fn comparisons_on_every_ordered_type() {
        for (src, want) in [
            ("3 = 3", true),
            ("3 != 3", false),
            ("-2 < 1", true),
            ("2 <= 2", true),
            ("2 > 2", false),
            ("2 >= 2", true),
            ("date('2020-01-31') < date('2020-02-01')", true),
            ("date('2020-02-01') >= date('2020-02-01')", true),
            ("'a' < 'b'", true),
            ("'B' < 'a'", true),
            ("'ab' > 'a'", true),
            ("'x' = 'x'", true),
            ("'x' != 'X'", true),
            ("true = true", true),
            ("true != false", true),
            ("${status_kawin} = '1'", true),
            ("${status_kawin} != '1'", false),
        ] {
            assert_eq!(eval(src), b(want), "{src}");
        }
    }

    #[test]
    fn comparisons_with_null_are_null() {
        for op in ["=", "!=", "<", "<=", ">", ">="] {
            assert_eq!(eval(&format!("${{umur}} {op} 1")), Value::Null, "{op}");
            assert_eq!(eval(&format!("1 {op} ${{umur}}")), Value::Null, "{op}");
            assert_eq!(
                eval(&format!("${{nama}} {op} ${{nama}}")),
                Value::Null,
                "{op}"
            );
        }
        assert_eq!(eval("${flag} = true"), Value::Null);
    }

    #[test]
    fn arithmetic_and_its_edges() {
        for (src, want) in [
            ("1 + 2 * 3", Value::Int(7)),
            ("(1 + 2) * 3", Value::Int(9)),
            ("10 - 4 - 3", Value::Int(3)),
            ("7 div 2", Value::Int(3)),
            ("-7 div 2", Value::Int(-3)),
            ("7 mod 3", Value::Int(1)),
            ("-7 mod 3", Value::Int(-1)),
            ("- -5", Value::Int(5)),
            ("-(2 + 3)", Value::Int(-5)),
            ("-9223372036854775808", Value::Int(i64::MIN)),
            ("9223372036854775807 + 1", Value::Null),
            ("-9223372036854775808 - 1", Value::Null),
            ("4611686018427387904 * 2", Value::Null),
            ("-(-9223372036854775808)", Value::Null),
            ("-9223372036854775808 div -1", Value::Null),
            ("-9223372036854775808 mod -1", Value::Null),
            ("1 div 0", Value::Null),
            ("1 mod 0", Value::Null),
            ("${anak} + 1", Value::Int(3)),
            ("${umur} + 1", Value::Null),
            ("-${umur}", Value::Null),
            ("(9223372036854775807 + 1) * 0", Value::Null),
        ] {
            assert_eq!(eval(src), want, "{src}");
        }
    }

    #[test]
    fn env_values_of_the_wrong_type_are_treated_as_null() {
        // A misbehaving Env hands Text where the scope promised Int, Bool or Date, and an Int
        // where it promised Text.
        let mut env = TestEnv::default();
        for v in env.fields.iter_mut() {
            *v = Value::Text("x".into());
        }
        env.current = Value::Int(7);
        for (src, want) in [
            ("${anak} + 1", Value::Null),
            ("-${anak}", Value::Null),
            ("${anak} = 1", Value::Null),
            ("not ${flag}", Value::Null),
            ("${flag} and true", Value::Null),
            ("${flag} or false", Value::Null),
            ("age(${tanggal_lahir})", Value::Null),
            ("year(${tanggal_lahir})", Value::Null),
            ("in(${anak}, 1, 2)", Value::Null),
            ("if(${flag}, 1, 2)", Value::Int(2)),
            ("${nama} = .", Value::Null),
            ("len(.)", Value::Null),
            ("concat(., 'a')", Value::Null),
            ("${nama} = 'x'", Value::Bool(true)),
        ] {
            assert_eq!(eval_with(src, &env), want, "{src}");
        }
    }
}
