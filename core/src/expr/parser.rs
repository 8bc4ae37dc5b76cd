//! Parses and type-checks a rule in one pass, building the node arena of [`Program`].
//!
//! Recursive descent, one function per precedence level. Recursion happens only through
//! parentheses, call arguments and prefix operators, and each of those passes through
//! [`Parser::enter`], so hostile input hits the depth limit instead of the stack limit.
//! Binary operator chains are loops, not recursion.

use crate::expr::ast::{ArithOp, CmpOp, Func, Id, Node, Program};
use crate::expr::lexer::{Tok, Token, tokenize};
use crate::expr::value::Value;
use crate::expr::{ExprError, MAX_DEPTH, MAX_NODES, Scope, Type};

/// The result of compiling: the program, its type and the fields it reads.
pub(crate) struct Compiled {
    pub(crate) program: Program,
    pub(crate) ty: Type,
    pub(crate) fields: Vec<usize>,
}

/// Parses and type-checks `src` (whose length the caller has already checked).
pub(crate) fn compile(src: &str, scope: &dyn Scope) -> Result<Compiled, ExprError> {
    let mut p = Parser {
        toks: tokenize(src),
        pos: 0,
        scope,
        program: Program::default(),
        fields: Vec::new(),
        depth: 0,
    };
    let root = p.parse_or()?;
    let (tok, col) = p.peek();
    if *tok != Tok::End {
        return Err(p.unexpected(tok, col));
    }
    p.program.root = root.id;
    p.fields.sort_unstable();
    p.fields.dedup();
    Ok(Compiled {
        program: p.program,
        ty: root.ty,
        fields: p.fields,
    })
}

/// A checked subexpression: its node, its type and the column where it starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Typed {
    pub(crate) id: Id,
    pub(crate) ty: Type,
    pub(crate) col: usize,
}

pub(crate) struct Parser<'s> {
    toks: Vec<Token>,
    pos: usize,
    pub(crate) scope: &'s dyn Scope,
    pub(crate) program: Program,
    fields: Vec<usize>,
    depth: usize,
}

/// Shorthand for an error at a column.
pub(crate) fn err<T>(col: usize, message: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError {
        column: col,
        message: message.into(),
    })
}

static END: Tok = Tok::End;

impl Parser<'_> {
    /// The current token; stays on the final End/Error token once reached.
    fn peek(&self) -> (&Tok, usize) {
        match self.toks.get(self.pos).or_else(|| self.toks.last()) {
            Some(t) => (&t.tok, t.col),
            None => (&END, 1),
        }
    }

    fn bump(&mut self) {
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
    }

    /// The error for a token that cannot appear where it is.
    fn unexpected(&self, tok: &Tok, col: usize) -> ExprError {
        let message = match tok {
            Tok::Error(m) => m.clone(),
            Tok::End => "unexpected end of expression".to_owned(),
            other => format!("unexpected {other}"),
        };
        ExprError {
            column: col,
            message,
        }
    }

    fn enter(&mut self, col: usize) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(
                col,
                format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
            );
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    pub(crate) fn push(&mut self, node: Node, ty: Type, col: usize) -> Result<Typed, ExprError> {
        let len = self.program.nodes.len();
        let id = match Id::try_from(len) {
            Ok(id) if len < MAX_NODES => id,
            _ => {
                return err(
                    col,
                    format!("expression too large (more than {MAX_NODES} parts)"),
                );
            }
        };
        self.program.nodes.push(node);
        Ok(Typed { id, ty, col })
    }

    pub(crate) fn expect_type(&self, e: Typed, want: Type, what: &str) -> Result<(), ExprError> {
        if e.ty == want {
            Ok(())
        } else {
            err(e.col, format!("{what} needs {want}, found {}", e.ty))
        }
    }

    // or_expr := and_expr ('or' and_expr)*
    fn parse_or(&mut self) -> Result<Typed, ExprError> {
        let mut lhs = self.parse_and()?;
        while *self.peek().0 == Tok::Or {
            self.bump();
            let rhs = self.parse_and()?;
            self.expect_type(lhs, Type::Bool, "`or`")?;
            self.expect_type(rhs, Type::Bool, "`or`")?;
            lhs = self.push(Node::Or(lhs.id, rhs.id), Type::Bool, lhs.col)?;
        }
        Ok(lhs)
    }

    // and_expr := not_expr ('and' not_expr)*
    fn parse_and(&mut self) -> Result<Typed, ExprError> {
        let mut lhs = self.parse_not()?;
        while *self.peek().0 == Tok::And {
            self.bump();
            let rhs = self.parse_not()?;
            self.expect_type(lhs, Type::Bool, "`and`")?;
            self.expect_type(rhs, Type::Bool, "`and`")?;
            lhs = self.push(Node::And(lhs.id, rhs.id), Type::Bool, lhs.col)?;
        }
        Ok(lhs)
    }

    // not_expr := 'not' not_expr | cmp_expr
    fn parse_not(&mut self) -> Result<Typed, ExprError> {
        let (tok, col) = self.peek();
        if *tok != Tok::Not {
            return self.parse_cmp();
        }
        self.bump();
        self.enter(col)?;
        let operand = self.parse_not()?;
        self.leave();
        self.expect_type(operand, Type::Bool, "`not`")?;
        self.push(Node::Not(operand.id), Type::Bool, col)
    }

    // cmp_expr := add_expr (cmp_op add_expr)?    -- non-associative
    fn parse_cmp(&mut self) -> Result<Typed, ExprError> {
        let lhs = self.parse_add()?;
        let (tok, op_col) = self.peek();
        let Some(op) = cmp_op(tok) else {
            return Ok(lhs);
        };
        self.bump();
        let rhs = self.parse_add()?;
        let (next, next_col) = self.peek();
        if cmp_op(next).is_some() {
            return err(
                next_col,
                format!(
                    "unexpected {next}: comparisons do not chain, combine them with `and` \
                     (e.g. `a < b and b < c`)"
                ),
            );
        }
        if lhs.ty != rhs.ty {
            return err(op_col, format!("cannot compare {} with {}", lhs.ty, rhs.ty));
        }
        if op.is_ordering() && lhs.ty == Type::Bool {
            return err(
                op_col,
                format!("`{}` needs Int, Date or Text, found Bool", op.symbol()),
            );
        }
        self.push(Node::Cmp(op, lhs.id, rhs.id), Type::Bool, lhs.col)
    }

    // add_expr := mul_expr (('+' | '-') mul_expr)*
    fn parse_add(&mut self) -> Result<Typed, ExprError> {
        let mut lhs = self.parse_mul()?;
        loop {
            let op = match self.peek().0 {
                Tok::Plus => ArithOp::Add,
                Tok::Minus => ArithOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.parse_mul()?;
            lhs = self.arith(op, lhs, rhs)?;
        }
    }

    // mul_expr := unary (('*' | 'div' | 'mod') unary)*
    fn parse_mul(&mut self) -> Result<Typed, ExprError> {
        let mut lhs = self.parse_unary()?;
        loop {
            let op = match self.peek().0 {
                Tok::Star => ArithOp::Mul,
                Tok::Div => ArithOp::Div,
                Tok::Mod => ArithOp::Mod,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.parse_unary()?;
            lhs = self.arith(op, lhs, rhs)?;
        }
    }

    fn arith(&mut self, op: ArithOp, lhs: Typed, rhs: Typed) -> Result<Typed, ExprError> {
        let what = format!("`{}`", op.symbol());
        self.expect_type(lhs, Type::Int, &what)?;
        self.expect_type(rhs, Type::Int, &what)?;
        self.push(Node::Arith(op, lhs.id, rhs.id), Type::Int, lhs.col)
    }

    // unary := '-' unary | primary
    fn parse_unary(&mut self) -> Result<Typed, ExprError> {
        let (tok, col) = self.peek();
        if *tok != Tok::Minus {
            return self.parse_primary();
        }
        self.bump();
        // A minus sign directly on a literal makes a negative literal, which is how
        // i64::MIN (whose magnitude has no positive i64) is written.
        if let (&Tok::Int(magnitude), _) = self.peek() {
            self.bump();
            let value = i64::try_from(-i128::from(magnitude));
            return match value {
                Ok(v) => self.push(Node::Const(Value::Int(v)), Type::Int, col),
                Err(_) => err(
                    col,
                    "integer literal out of range (smallest is -9223372036854775808)",
                ),
            };
        }
        self.enter(col)?;
        let operand = self.parse_unary()?;
        self.leave();
        self.expect_type(operand, Type::Int, "unary `-`")?;
        self.push(Node::Neg(operand.id), Type::Int, col)
    }

    fn parse_primary(&mut self) -> Result<Typed, ExprError> {
        let (tok, col) = self.peek();
        let tok = tok.clone();
        match tok {
            Tok::Int(magnitude) => {
                let Ok(v) = i64::try_from(magnitude) else {
                    return err(
                        col,
                        "integer literal out of range (largest is 9223372036854775807)",
                    );
                };
                self.bump();
                self.push(Node::Const(Value::Int(v)), Type::Int, col)
            }
            Tok::Str(s) => {
                self.bump();
                self.push(Node::Const(Value::Text(s)), Type::Text, col)
            }
            Tok::True | Tok::False => {
                self.bump();
                self.push(Node::Const(Value::Bool(tok == Tok::True)), Type::Bool, col)
            }
            Tok::Dot => {
                let Some(ty) = self.scope.current() else {
                    return err(
                        col,
                        "`.` (the field's own value) is only allowed in a constraint",
                    );
                };
                self.bump();
                self.push(Node::Current, ty, col)
            }
            Tok::Field(name) => {
                let Some((index, ty)) = self.scope.field(&name) else {
                    return err(col, format!("unknown field `{name}`"));
                };
                self.bump();
                self.fields.push(index);
                self.push(Node::Field(index), ty, col)
            }
            Tok::Ident(name) => self.parse_call(&name, col),
            Tok::LParen => {
                self.bump();
                self.enter(col)?;
                let inner = self.parse_or()?;
                self.leave();
                let (close, close_col) = self.peek();
                if *close != Tok::RParen {
                    let found = self.unexpected(close, close_col).message;
                    return err(
                        close_col,
                        format!("expected `)` to close `(` at column {col}: {found}"),
                    );
                }
                self.bump();
                Ok(Typed { col, ..inner })
            }
            other => Err(self.unexpected(&other, col)),
        }
    }

    fn parse_call(&mut self, name: &str, col: usize) -> Result<Typed, ExprError> {
        self.bump();
        let func = Func::by_name(name);
        if *self.peek().0 != Tok::LParen {
            return match func {
                Some(_) => err(
                    col,
                    format!("function `{name}` must be called with parentheses"),
                ),
                None => err(
                    col,
                    format!("unknown name `{name}` (fields are written ${{{name}}})"),
                ),
            };
        }
        let Some(func) = func else {
            return err(col, format!("unknown function `{name}`"));
        };
        self.bump();
        self.enter(col)?;
        let mut args = Vec::new();
        if *self.peek().0 == Tok::RParen {
            self.bump();
        } else {
            loop {
                args.push(self.parse_or()?);
                let (tok, tok_col) = self.peek();
                match tok {
                    Tok::Comma => self.bump(),
                    Tok::RParen => {
                        self.bump();
                        break;
                    }
                    other => {
                        let found = self.unexpected(other, tok_col).message;
                        return err(
                            tok_col,
                            format!("expected `,` or `)` in `{name}(...)`: {found}"),
                        );
                    }
                }
            }
        }
        self.leave();
        self.check_call(func, col, &args)
    }
}

fn cmp_op(tok: &Tok) -> Option<CmpOp> {
    Some(match tok {
        Tok::Eq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::expr::fixtures::{TestScope, compile, eval, fails};
    use crate::expr::value::Value;
    use crate::expr::{Expr, MAX_DEPTH, Type};

    #[test]
    fn syntax_errors_with_their_columns() {
        fails("", 1, "unexpected end of expression");
        fails("   ", 4, "unexpected end of expression");
        fails("1 +", 4, "unexpected end of expression");
        fails("(1 + 2", 7, "expected `)` to close `(` at column 1");
        fails("len('a' 'b')", 9, "expected `,` or `)` in `len(...)`");
        fails("len('a',)", 9, "unexpected `)`");
        fails("1 2", 3, "unexpected number 2");
        fails("1 = 'abc", 5, "unclosed text");
        fails("${nama} = 'abc", 11, "unclosed text");
        fails("1 = 1 = 1", 7, "comparisons do not chain");
        fails("${umur} < 5 < 10", 13, "comparisons do not chain");
        fails("= 1", 1, "unexpected `=`");
        fails("1 + = 2", 5, "unexpected `=`");
        fails("1.5 > 1", 1, "decimal numbers");
        fails("1 = 1.", 6, "unexpected `.`");
        fails("true and", 9, "unexpected end");
        fails("not", 4, "unexpected end");
        fails("x == 1", 1, "unknown name `x`");
        fails("${umur} == 1", 9, "use `=`");
    }

    #[test]
    fn the_first_problem_in_reading_order_wins() {
        // A syntax error before a bad string is reported, not the string.
        fails("1 + + 'abc", 5, "unexpected `+`");
        fails("${nope} = 'abc", 1, "unknown field `nope`");
    }

    #[test]
    fn integer_literals_are_range_checked() {
        fails("9223372036854775808", 1, "out of range");
        fails("1 + -9223372036854775809", 5, "out of range");
        fails("99999999999999999999", 1, "out of range");
        assert_eq!(
            eval("-9223372036854775808 < 9223372036854775807"),
            Value::Bool(true)
        );
    }

    #[test]
    fn names_are_resolved_at_compile_time() {
        fails("1 + ${nope}", 5, "unknown field `nope`");
        fails("'é' = ${nope}", 7, "unknown field `nope`");
        fails("foo(1)", 1, "unknown function `foo`");
        fails("1 + Age(${tanggal_lahir})", 5, "unknown function `Age`");
        fails("today", 1, "`today` must be called with parentheses");
        fails(
            "nama = 'x'",
            1,
            "unknown name `nama` (fields are written ${nama})",
        );
        fails(
            "attached('ktp_lama')",
            10,
            "unknown attachment requirement `ktp_lama`",
        );
        let outside = Expr::compile(". = 'x'", &TestScope(None)).unwrap_err();
        assert_eq!(outside.column, 1);
        assert!(outside.message.contains("only allowed in a constraint"));
        let int_constraint = Expr::compile(". >= 0 and . <= 150", &TestScope(Some(Type::Int)));
        assert_eq!(int_constraint.map(|e| e.ty()), Ok(Type::Bool));
    }

    #[test]
    fn operator_type_errors() {
        fails("'a' < 3", 5, "cannot compare Text with Int");
        fails(
            "${tanggal_lahir} = '2020-01-01'",
            18,
            "cannot compare Date with Text",
        );
        fails("true < false", 6, "`<` needs Int, Date or Text, found Bool");
        fails("${umur} + 'a'", 11, "`+` needs Int, found Text");
        fails("${nama} * 2", 1, "`*` needs Int, found Text");
        fails("7 div ${flag}", 7, "`div` needs Int, found Bool");
        fails("-'a'", 2, "unary `-` needs Int, found Text");
        fails("not 1", 5, "`not` needs Bool, found Int");
        fails("1 and true", 1, "`and` needs Bool, found Int");
        fails("true or (1 + 1)", 9, "`or` needs Bool, found Int");
        fails("today() + 1", 1, "`+` needs Int, found Date");
    }

    #[test]
    fn result_types_and_fields() {
        for (src, ty) in [
            ("1", Type::Int),
            ("'a'", Type::Text),
            ("true", Type::Bool),
            ("date('2020-07-01')", Type::Date),
            ("add_years(today(), 1)", Type::Date),
            ("nik_sex(${nik})", Type::Text),
            ("if(true, ${tanggal_lahir}, today())", Type::Date),
            ("coalesce(${umur}, 0) + 1", Type::Int),
            ("present(${flag})", Type::Bool),
            ("(((${nama})))", Type::Text),
            (".", Type::Text),
        ] {
            assert_eq!(compile(src).ty(), ty, "{src}");
        }
        let e = compile("${umur} + ${anak} + ${umur} > 0 and present(.)");
        assert_eq!(e.fields(), &[2, 6]);
        assert!(compile("today() > date('2020-01-01')").fields().is_empty());
        assert_eq!(compile(" 1 ").source(), " 1 ");
    }

    #[test]
    fn precedence_and_associativity() {
        for (src, want) in [
            ("not true and false", false),
            ("not (true and false)", true),
            ("true or true and false", true),
            ("(true or true) and false", false),
            ("not 1 = 2", true),
            ("1 + 2 * 3 = 7", true),
            ("10 - 2 - 3 = 5", true),
            ("20 div 2 div 5 = 2", true),
            ("-2 * 3 = -6", true),
            ("- 2 - 3 = -5", true),
            ("7 mod 4 * 2 = 6", true),
            ("1 < 2 = true", false),
        ] {
            // `1 < 2 = true` is a chain: it must not compile; all others evaluate to `want`.
            if src == "1 < 2 = true" {
                fails(src, 7, "comparisons do not chain");
                continue;
            }
            assert_eq!(eval(src), Value::Bool(want), "{src}");
        }
        assert_eq!(eval("(1 < 2) = true"), Value::Bool(true));
    }

    #[test]
    fn nesting_is_limited_without_overflowing_the_stack() {
        let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(compile(&nested(MAX_DEPTH)).ty(), Type::Int);
        fails(&nested(MAX_DEPTH + 1), MAX_DEPTH + 1, "nested too deeply");
        fails(&nested(1000), MAX_DEPTH + 1, "nested too deeply");
        fails(
            &format!("{}true", "not ".repeat(1000)),
            4 * MAX_DEPTH + 1,
            "nested too deeply",
        );
        fails(
            &format!("{}1", "-".repeat(1000)),
            MAX_DEPTH + 1,
            "nested too deeply",
        );
        let calls = format!("{}'a'{}", "upper(".repeat(500), ")".repeat(500));
        fails(&calls, 6 * MAX_DEPTH + 1, "nested too deeply");
        // An unclosed run of parentheses deep enough also stops at the limit.
        fails(&"(".repeat(4000), MAX_DEPTH + 1, "nested too deeply");
    }

    #[test]
    fn the_largest_rules_fit_a_small_thread_stack() {
        // Phones run validation on worker threads whose stacks may be 1 MiB or less; the
        // deepest and the longest rules the limits allow must compile and evaluate there even
        // in a debug build.
        let deepest = format!(
            "{}${{umur}}{}",
            "coalesce(-(".repeat(MAX_DEPTH / 3),
            "), 0)".repeat(MAX_DEPTH / 3)
        );
        let longest = format!("${{anak}}{}", " + ${anak}".repeat(127));
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let env = crate::expr::fixtures::TestEnv::default();
                (compile(&deepest).eval(&env), compile(&longest).eval(&env))
            })
            .unwrap();
        assert_eq!(handle.join().unwrap(), (Value::Int(0), Value::Int(256)));
    }

    #[test]
    fn size_limits() {
        let text = |n: usize| format!("'{}'", "a".repeat(n));
        assert_eq!(compile(&text(4094)).ty(), Type::Text);
        fails(
            &text(4095),
            1,
            "expression too long (4097 bytes, at most 4096)",
        );
        fails(&"1".repeat(5000), 1, "too long");
        // 1 + 2k nodes for k additions: 127 fit in 256, 128 do not.
        let sum = |k: usize| format!("1{}", " + 1".repeat(k));
        assert_eq!(eval(&sum(127)), Value::Int(128));
        fails(&sum(128), 1, "expression too large (more than 256 parts)");
    }
}
