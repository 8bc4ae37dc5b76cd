//! Type rules of function calls: arity, argument types and the arguments that must be
//! literals (`date`, `attached`, the options of `in`).
//!
//! Kept apart from the grammar in `parser` because this is where the function table's
//! signatures ([`Signature`]) are enforced; the parser calls [`Parser::check_call`] once it has
//! read a call's arguments.

use crate::expr::ast::{Func, Id, MAX_IN_OPTIONS, Node, Signature};
use crate::expr::parser::{Parser, Typed, err};
use crate::expr::value::Value;
use crate::expr::{ExprError, MAX_NODES, Type};
use crate::validate::date::Date;

impl Parser<'_> {
    /// Checks arity and argument types, then adds the call node.
    pub(crate) fn check_call(
        &mut self,
        func: Func,
        col: usize,
        args: &[Typed],
    ) -> Result<Typed, ExprError> {
        let name = func.name();
        let arity_error = |expected: &str| {
            err(
                col,
                format!("`{name}` takes {expected}, got {}", args.len()),
            )
        };
        let result = match func.signature() {
            Signature::Fixed(types, result) => {
                if args.len() != types.len() {
                    return arity_error(&plural(types.len()));
                }
                for (i, (arg, &want)) in args.iter().zip(types).enumerate() {
                    self.expect_type(*arg, want, &format!("argument {} of `{name}`", i + 1))?;
                }
                result
            }
            Signature::TextVariadic { min } => {
                if args.len() < min {
                    return arity_error(&format!("at least {}", plural(min)));
                }
                for (i, arg) in args.iter().enumerate() {
                    self.expect_type(*arg, Type::Text, &format!("argument {} of `{name}`", i + 1))?;
                }
                Type::Text
            }
            Signature::AnyToBool => {
                if args.len() != 1 {
                    return arity_error(&plural(1));
                }
                Type::Bool
            }
            Signature::SameTwo => match args {
                [a, b] => self.same_type(name, *a, *b)?,
                _ => return arity_error(&plural(2)),
            },
            Signature::Conditional => match args {
                [c, a, b] => {
                    self.expect_type(*c, Type::Bool, &format!("argument 1 of `{name}`"))?;
                    self.same_type(name, *a, *b)?
                }
                _ => return arity_error(&plural(3)),
            },
            Signature::Membership => {
                let Some((x, options)) = args.split_first() else {
                    return arity_error("a value and 1 to 64 options");
                };
                if options.is_empty() || options.len() > MAX_IN_OPTIONS {
                    return arity_error("a value and 1 to 64 options");
                }
                for (i, option) in options.iter().enumerate() {
                    if !matches!(self.node(option.id), Some(Node::Const(_))) {
                        return err(
                            option.col,
                            format!("option {} of `in` must be a literal", i + 1),
                        );
                    }
                    self.same_type(name, *x, *option)?;
                }
                Type::Bool
            }
            Signature::TextLiteral(result) => {
                let [arg] = args else {
                    return arity_error(&plural(1));
                };
                return self.literal_call(func, *arg, result, col);
            }
        };
        let start = u16::try_from(self.program.args.len());
        let len = u16::try_from(args.len());
        let (Ok(start), Ok(len)) = (start, len) else {
            return err(
                col,
                format!("expression too large (more than {MAX_NODES} parts)"),
            );
        };
        self.program.args.extend(args.iter().map(|a| a.id));
        self.push(Node::Call { func, start, len }, result, col)
    }

    /// `date('...')` and `attached('...')`: the argument is a text literal, checked now and
    /// rewritten in place so no extra node is spent.
    fn literal_call(
        &mut self,
        func: Func,
        arg: Typed,
        ty: Type,
        col: usize,
    ) -> Result<Typed, ExprError> {
        let name = func.name();
        let Some(Node::Const(Value::Text(text))) = self.node(arg.id) else {
            return err(
                arg.col,
                format!("the argument of `{name}` must be a text literal"),
            );
        };
        let node = if func == Func::Date {
            let Some(date) = Date::parse_iso(text) else {
                return err(
                    arg.col,
                    format!("`{text}` is not a valid date: write 'YYYY-MM-DD' (years 1850-9999)"),
                );
            };
            Node::Const(Value::Date(date))
        } else {
            if !self.scope.has_attachment(text) {
                return err(arg.col, format!("unknown attachment requirement `{text}`"));
            }
            Node::Attached(text.clone().into_boxed_str())
        };
        if let Some(slot) = self.program.nodes.get_mut(usize::from(arg.id)) {
            *slot = node;
        }
        Ok(Typed {
            id: arg.id,
            ty,
            col,
        })
    }

    fn node(&self, id: Id) -> Option<&Node> {
        self.program.nodes.get(usize::from(id))
    }

    fn same_type(&self, name: &str, a: Typed, b: Typed) -> Result<Type, ExprError> {
        if a.ty == b.ty {
            Ok(a.ty)
        } else {
            err(
                b.col,
                format!(
                    "arguments of `{name}` must have one type: {} and {}",
                    a.ty, b.ty
                ),
            )
        }
    }
}

fn plural(n: usize) -> String {
    match n {
        0 => "no arguments".to_owned(),
        1 => "1 argument".to_owned(),
        n => format!("{n} arguments"),
    }
}

#[cfg(test)]
mod tests {
    use crate::expr::Type;
    use crate::expr::fixtures::{compile, fails};

    #[test]
    fn function_arity_and_argument_types() {
        fails("age()", 1, "`age` takes 1 argument, got 0");
        fails(
            "age(${tanggal_lahir}, today())",
            1,
            "`age` takes 1 argument, got 2",
        );
        fails("today(1)", 1, "`today` takes no arguments, got 1");
        fails(
            "1 + age_at(today())",
            5,
            "`age_at` takes 2 arguments, got 1",
        );
        fails(
            "age('2020-01-01')",
            5,
            "argument 1 of `age` needs Date, found Text",
        );
        fails(
            "substr('a', 'b', 1)",
            13,
            "argument 2 of `substr` needs Int, found Text",
        );
        fails(
            "concat('a')",
            1,
            "`concat` takes at least 2 arguments, got 1",
        );
        fails(
            "concat('a', 1)",
            13,
            "argument 2 of `concat` needs Text, found Int",
        );
        fails("present()", 1, "`present` takes 1 argument, got 0");
        fails("coalesce(1)", 1, "`coalesce` takes 2 arguments, got 1");
        fails(
            "coalesce(${umur}, 'a')",
            19,
            "arguments of `coalesce` must have one type: Int and Text",
        );
        fails("if(1, 2, 3)", 4, "argument 1 of `if` needs Bool, found Int");
        fails("if(true, 1, 'a')", 13, "must have one type: Int and Text");
        fails("if(true, 1)", 1, "`if` takes 3 arguments, got 2");
        fails(
            "nik_sex(1)",
            9,
            "argument 1 of `nik_sex` needs Text, found Int",
        );
    }

    #[test]
    fn literal_arguments() {
        fails("date('2023-02-29')", 6, "`2023-02-29` is not a valid date");
        fails("date('1849-12-31')", 6, "not a valid date");
        fails("date('2020-7-1')", 6, "not a valid date");
        fails(
            "date(${nama})",
            6,
            "argument of `date` must be a text literal",
        );
        fails(
            "date(concat('2020-', '01-01'))",
            6,
            "must be a text literal",
        );
        fails("date(20200101)", 6, "must be a text literal");
        fails(
            "date('2020-01-01', '2020-01-02')",
            1,
            "`date` takes 1 argument, got 2",
        );
        fails(
            "attached(${nama})",
            10,
            "argument of `attached` must be a text literal",
        );
        fails(
            "in(${status_kawin})",
            1,
            "`in` takes a value and 1 to 64 options, got 1",
        );
        fails("in()", 1, "`in` takes a value and 1 to 64 options, got 0");
        fails(
            "in(${status_kawin}, 1)",
            21,
            "must have one type: Text and Int",
        );
        fails(
            "in(${status_kawin}, '1', ${nama})",
            26,
            "option 2 of `in` must be a literal",
        );
        fails(
            "in(${anak}, 1 + 1)",
            13,
            "option 1 of `in` must be a literal",
        );
        let options = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        assert_eq!(
            compile(&format!("in(${{anak}}, {})", options(64))).ty(),
            Type::Bool
        );
        fails(
            &format!("in(${{anak}}, {})", options(65)),
            1,
            "1 to 64 options, got 66",
        );
    }
}
