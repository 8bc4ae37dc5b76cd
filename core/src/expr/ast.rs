//! The compiled form of a rule: a flat arena of typed-checked nodes that the evaluator walks.
//!
//! Everything a rule needs at run time is resolved here once, when the catalog loads: field
//! names become indices, function names become [`Func`] variants and literals become values,
//! so evaluation never looks anything up by name.

use crate::expr::Type;
use crate::expr::value::Value;

/// Index of a node in [`Program::nodes`]; the node limit keeps it far below `u16::MAX`.
pub(crate) type Id = u16;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// How the operator is written in a rule.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether the operator needs an ordering (`<` and friends), not only equality.
    pub(crate) fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// An integer operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl ArithOp {
    /// How the operator is written in a rule.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "div",
            ArithOp::Mod => "mod",
        }
    }
}

/// A built-in function, resolved from its name at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Today,
    Age,
    AgeAt,
    DaysBetween,
    AddDays,
    AddYears,
    Year,
    Date,
    Len,
    Words,
    Upper,
    Lower,
    StartsWith,
    Substr,
    Concat,
    Present,
    Coalesce,
    If,
    In,
    Attached,
    NikBirthDate,
    NikSex,
}

/// Every function with its name; the single source for lookup and for messages.
const FUNCS: &[(&str, Func)] = &[
    ("today", Func::Today),
    ("age", Func::Age),
    ("age_at", Func::AgeAt),
    ("days_between", Func::DaysBetween),
    ("add_days", Func::AddDays),
    ("add_years", Func::AddYears),
    ("year", Func::Year),
    ("date", Func::Date),
    ("len", Func::Len),
    ("words", Func::Words),
    ("upper", Func::Upper),
    ("lower", Func::Lower),
    ("starts_with", Func::StartsWith),
    ("substr", Func::Substr),
    ("concat", Func::Concat),
    ("present", Func::Present),
    ("coalesce", Func::Coalesce),
    ("if", Func::If),
    ("in", Func::In),
    ("attached", Func::Attached),
    ("nik_birth_date", Func::NikBirthDate),
    ("nik_sex", Func::NikSex),
];

/// Most options `in(x, ...)` accepts; longer lists belong in a code list.
pub(crate) const MAX_IN_OPTIONS: usize = 64;

/// How many arguments a function takes and of which types.
pub(crate) enum Signature {
    /// Exactly these argument types, giving this result type.
    Fixed(&'static [Type], Type),
    /// `min` or more arguments, all Text, giving Text (`concat`).
    TextVariadic { min: usize },
    /// One argument of any type, giving Bool (`present`).
    AnyToBool,
    /// Two arguments of one type, giving that type (`coalesce`).
    SameTwo,
    /// A Bool then two arguments of one type, giving that type (`if`).
    Conditional,
    /// A value then 1..=64 literals of its type, giving Bool (`in`).
    Membership,
    /// One Text literal (`date`, `attached`).
    TextLiteral(Type),
}

impl Func {
    /// The function named `name`, if there is one (names are case-sensitive, like fields).
    pub(crate) fn by_name(name: &str) -> Option<Func> {
        FUNCS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
    }

    /// The name a rule calls the function by.
    pub(crate) fn name(self) -> &'static str {
        FUNCS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |&(n, _)| n)
    }

    /// The argument and result types the checker enforces.
    pub(crate) fn signature(self) -> Signature {
        use Type::{Bool, Date, Int, Text};
        match self {
            Func::Today => Signature::Fixed(&[], Date),
            Func::Age => Signature::Fixed(&[Date], Int),
            Func::AgeAt | Func::DaysBetween => Signature::Fixed(&[Date, Date], Int),
            Func::AddDays | Func::AddYears => Signature::Fixed(&[Date, Int], Date),
            Func::Year => Signature::Fixed(&[Date], Int),
            Func::Date => Signature::TextLiteral(Date),
            Func::Len | Func::Words => Signature::Fixed(&[Text], Int),
            Func::Upper | Func::Lower => Signature::Fixed(&[Text], Text),
            Func::StartsWith => Signature::Fixed(&[Text, Text], Bool),
            Func::Substr => Signature::Fixed(&[Text, Int, Int], Text),
            Func::Concat => Signature::TextVariadic { min: 2 },
            Func::Present => Signature::AnyToBool,
            Func::Coalesce => Signature::SameTwo,
            Func::If => Signature::Conditional,
            Func::In => Signature::Membership,
            Func::Attached => Signature::TextLiteral(Bool),
            Func::NikBirthDate => Signature::Fixed(&[Text], Date),
            Func::NikSex => Signature::Fixed(&[Text], Text),
        }
    }
}

/// One node of a compiled rule. Children are ids of earlier nodes in the same arena.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A literal (never [`Value::Null`]).
    Const(Value),
    /// A field of the service, by index.
    Field(usize),
    /// `.`, the constrained field.
    Current,
    /// Kleene `not`.
    Not(Id),
    /// Integer negation.
    Neg(Id),
    /// Kleene `and`, short-circuiting on false.
    And(Id, Id),
    /// Kleene `or`, short-circuiting on true.
    Or(Id, Id),
    /// A comparison of two values of one type.
    Cmp(CmpOp, Id, Id),
    /// Checked integer arithmetic.
    Arith(ArithOp, Id, Id),
    /// A function call; its arguments are `Program::args[start..start + len]`.
    Call { func: Func, start: u16, len: u16 },
    /// `attached('id')`, with the id checked against the service.
    Attached(Box<str>),
}

/// The node arena of one rule, plus the argument lists of its calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    /// All nodes; children precede parents.
    pub(crate) nodes: Vec<Node>,
    /// Argument ids of every call, one contiguous run per call.
    pub(crate) args: Vec<Id>,
    /// The node whose value is the rule's value.
    pub(crate) root: Id,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_name_round_trips() {
        for &(name, func) in FUNCS {
            assert_eq!(Func::by_name(name), Some(func));
            assert_eq!(func.name(), name);
        }
        assert_eq!(FUNCS.len(), 22);
    }

    #[test]
    fn names_are_case_sensitive_and_exact() {
        assert_eq!(Func::by_name("Age"), None);
        assert_eq!(Func::by_name("age "), None);
        assert_eq!(Func::by_name(""), None);
    }

    #[test]
    fn only_ordering_operators_need_an_order() {
        assert!(!CmpOp::Eq.is_ordering());
        assert!(!CmpOp::Ne.is_ordering());
        assert!(CmpOp::Lt.is_ordering() && CmpOp::Ge.is_ordering());
        assert_eq!(ArithOp::Mod.symbol(), "mod");
    }
}
