//! The built-in functions of the rule language, evaluated with null propagation.
//!
//! Every function with a null argument is null, except the ones whose purpose is to look at
//! null: `present`, `coalesce`, `if` (a null condition takes the else branch) and `in` (null
//! only when the tested value is null). Date results outside the supported years are null.

use crate::expr::ast::{Func, Id};
use crate::expr::eval::{Eval, Val, order};
use crate::validate::date::{Date, MIN_YEAR};
use std::borrow::Cow;
use std::cmp::Ordering;

impl<'a> Eval<'a> {
    /// Evaluates a call of `func` on the argument nodes `args` (whose count and types the
    /// compiler has checked; a missing argument reads as null).
    pub(crate) fn call(&self, func: Func, args: &[Id]) -> Val<'a> {
        let arg = |i: usize| args.get(i).map_or(Val::Null, |&id| self.node(id));
        match func {
            Func::Today => Val::Date(self.env.today()),
            Func::Age => match arg(0) {
                Val::Date(birth) => Val::Int(birth.age_at(self.env.today())),
                _ => Val::Null,
            },
            Func::AgeAt => match (arg(0), arg(1)) {
                (Val::Date(birth), Val::Date(at)) => Val::Int(birth.age_at(at)),
                _ => Val::Null,
            },
            Func::DaysBetween => match (arg(0), arg(1)) {
                (Val::Date(a), Val::Date(b)) => Val::Int(a.days_until(b)),
                _ => Val::Null,
            },
            Func::AddDays => match (arg(0), arg(1)) {
                (Val::Date(d), Val::Int(n)) => d.add_days(n).map(Val::Date).into(),
                _ => Val::Null,
            },
            Func::AddYears => match (arg(0), arg(1)) {
                (Val::Date(d), Val::Int(n)) => d.add_years(n).map(Val::Date).into(),
                _ => Val::Null,
            },
            Func::Year => match arg(0) {
                Val::Date(d) => Val::Int(i64::from(d.year())),
                _ => Val::Null,
            },
            // `date('...')` is folded into a literal at compile time; a call never remains.
            Func::Date => Val::Null,
            Func::Len => text_map(arg(0), |s| Val::Int(count(s.chars().count()))),
            Func::Words => text_map(arg(0), |s| Val::Int(count(s.split_whitespace().count()))),
            Func::Upper => text_map(arg(0), |s| Val::Text(Cow::Owned(s.to_uppercase()))),
            Func::Lower => text_map(arg(0), |s| Val::Text(Cow::Owned(s.to_lowercase()))),
            Func::StartsWith => match (arg(0), arg(1)) {
                (Val::Text(s), Val::Text(prefix)) => Val::Bool(s.starts_with(prefix.as_ref())),
                _ => Val::Null,
            },
            Func::Substr => match (arg(0), arg(1), arg(2)) {
                (Val::Text(s), Val::Int(start), Val::Int(len)) => Val::Text(substr(s, start, len)),
                _ => Val::Null,
            },
            Func::Concat => self.concat(args),
            Func::Present => Val::Bool(match arg(0) {
                Val::Null => false,
                Val::Text(s) => !s.is_empty(),
                _ => true,
            }),
            Func::Coalesce => match arg(0) {
                Val::Null => arg(1),
                v => v,
            },
            Func::If => match arg(0).truth() {
                Some(true) => arg(1),
                _ => arg(2),
            },
            Func::In => {
                let x = arg(0);
                if x.is_null() {
                    return Val::Null;
                }
                // Options are non-null literals, so an unordered pair can only mean the Env
                // gave a value of the wrong type: unknown, not "no match".
                let mut comparable = true;
                for &id in args.get(1..).unwrap_or(&[]) {
                    match order(&x, &self.node(id)) {
                        Some(Ordering::Equal) => return Val::Bool(true),
                        Some(_) => {}
                        None => comparable = false,
                    }
                }
                if comparable {
                    Val::Bool(false)
                } else {
                    Val::Null
                }
            }
            // `attached('...')` compiles to its own node kind.
            Func::Attached => Val::Null,
            Func::NikBirthDate => match arg(0) {
                Val::Text(nik) => nik_decode(&nik, self.env.today())
                    .map(|(d, _)| Val::Date(d))
                    .into(),
                _ => Val::Null,
            },
            Func::NikSex => match arg(0) {
                Val::Text(nik) => nik_decode(&nik, self.env.today())
                    .map(|(_, female)| Val::Text(Cow::Borrowed(if female { "P" } else { "L" })))
                    .into(),
                _ => Val::Null,
            },
        }
    }

    fn concat(&self, args: &[Id]) -> Val<'a> {
        let mut out = String::new();
        for &id in args {
            match self.node(id) {
                Val::Text(s) => out.push_str(&s),
                _ => return Val::Null,
            }
        }
        Val::Text(Cow::Owned(out))
    }
}

fn text_map<'a>(v: Val<'a>, f: impl FnOnce(&str) -> Val<'a>) -> Val<'a> {
    match v {
        Val::Text(s) => f(&s),
        _ => Val::Null,
    }
}

/// A count as an Int; texts are far shorter than `i64::MAX` characters.
fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Characters `start..start + len` (0-based), both clamped into the text, so any integers give
/// a (possibly empty) piece rather than an error. Borrowed text stays borrowed.
fn substr(s: Cow<'_, str>, start: i64, len: i64) -> Cow<'_, str> {
    let start = usize::try_from(start.max(0)).unwrap_or(usize::MAX);
    let len = usize::try_from(len.max(0)).unwrap_or(usize::MAX);
    let byte_at = |chars: usize| s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i);
    let from = byte_at(start);
    let to = if len == 0 {
        from
    } else {
        // Count onward from `from` so long texts are walked once.
        s.get(from..)
            .and_then(|rest| rest.char_indices().nth(len).map(|(i, _)| from + i))
            .unwrap_or(s.len())
    };
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(from..to).unwrap_or("")),
        Cow::Owned(o) => Cow::Owned(o.get(from..to).unwrap_or("").to_owned()),
    }
}

/// The birth date and sex (`true` = female) in a 16-digit NIK: `PPKKCC DDMMYY SSSS`, the day
/// plus 40 for women. The year has no century: take the latest century that does not put the
/// birth after `today`. `None` when the text is not 16 digits or DDMMYY is not a date.
fn nik_decode(nik: &str, today: Date) -> Option<(Date, bool)> {
    let b = nik.as_bytes();
    if b.len() != 16 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |i: usize| -> Option<u32> {
        let hi = u32::from(b.get(i)?.checked_sub(b'0')?);
        let lo = u32::from(b.get(i + 1)?.checked_sub(b'0')?);
        Some(hi * 10 + lo)
    };
    let (dd, mm, yy) = (two(6)?, two(8)?, two(10)?);
    let (day, female) = if dd > 40 {
        (dd - 40, true)
    } else {
        (dd, false)
    };
    let yy = i32::try_from(yy).ok()?;
    let mut century = today.year().div_euclid(100);
    // At most three centuries between MIN_YEAR and any sane today; the bound keeps it finite.
    while century * 100 + 99 >= MIN_YEAR {
        if let Some(date) = Date::from_ymd(century * 100 + yy, mm, day)
            && date <= today
        {
            return Some((date, female));
        }
        century -= 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::fixtures::{TestEnv, eval, eval_with};
    use crate::expr::value::Value;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn date(s: &str) -> Value {
        Value::Date(d(s))
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn date_functions() {
        // The fixture's today is 2026-05-20 and tanggal_lahir 2008-03-15.
        for (src, want) in [
            ("today()", date("2026-05-20")),
            ("age(${tanggal_lahir})", Value::Int(18)),
            (
                "age_at(${tanggal_lahir}, date('2026-03-14'))",
                Value::Int(17),
            ),
            (
                "age_at(${tanggal_lahir}, date('2026-03-15'))",
                Value::Int(18),
            ),
            (
                "age_at(date('2030-01-01'), date('2026-01-01'))",
                Value::Int(-4),
            ),
            (
                "days_between(date('2024-02-28'), date('2024-03-01'))",
                Value::Int(2),
            ),
            (
                "days_between(date('2024-03-01'), date('2024-02-28'))",
                Value::Int(-2),
            ),
            ("add_days(date('2023-12-31'), 1)", date("2024-01-01")),
            ("add_days(date('2024-03-01'), -1)", date("2024-02-29")),
            ("add_days(date('9999-12-31'), 1)", Value::Null),
            ("add_days(date('1850-01-01'), -1)", Value::Null),
            ("add_days(today(), 9223372036854775807)", Value::Null),
            ("add_years(date('2024-02-29'), 1)", date("2025-02-28")),
            ("add_years(date('2024-02-29'), 4)", date("2028-02-29")),
            ("add_years(date('2024-02-29'), -100)", date("1924-02-29")),
            ("add_years(date('2000-02-29'), -100)", date("1900-02-28")),
            ("add_years(date('2020-07-01'), -170)", date("1850-07-01")),
            ("add_years(date('2020-07-01'), -171)", Value::Null),
            (
                "add_years(date('2020-07-01'), 9223372036854775807)",
                Value::Null,
            ),
            (
                "add_years(date('2020-07-01'), -9223372036854775808)",
                Value::Null,
            ),
            ("year(date('1999-12-31'))", Value::Int(1999)),
            ("year(${tanggal_kawin})", Value::Null),
            ("age(${tanggal_kawin})", Value::Null),
            ("add_days(${tanggal_lahir}, ${umur})", Value::Null),
        ] {
            assert_eq!(eval(src), want, "{src}");
        }
    }

    #[test]
    fn age_turns_on_the_birthday_not_the_eve() {
        let mut env = TestEnv::default();
        env.fields[1] = date("2009-05-21");
        assert_eq!(eval_with("age(${tanggal_lahir})", &env), Value::Int(16));
        env.fields[1] = date("2009-05-20");
        assert_eq!(eval_with("age(${tanggal_lahir})", &env), Value::Int(17));
        // Born 29 February: a year older on 1 March in a common year.
        env.fields[1] = date("2008-02-29");
        env.today = d("2025-02-28");
        assert_eq!(eval_with("age(${tanggal_lahir})", &env), Value::Int(16));
        env.today = d("2025-03-01");
        assert_eq!(eval_with("age(${tanggal_lahir})", &env), Value::Int(17));
    }

    #[test]
    fn text_functions() {
        for (src, want) in [
            ("len('Siti Aminah')", Value::Int(11)),
            ("len('Ñañá')", Value::Int(4)),
            ("len('')", Value::Int(0)),
            ("words('  Siti   Nur\tAminah ')", Value::Int(3)),
            ("words('   ')", Value::Int(0)),
            ("upper('siti ß')", text("SITI SS")),
            ("lower('SITI')", text("siti")),
            ("starts_with('1305012345', '1305')", Value::Bool(true)),
            ("starts_with('1305', '130501')", Value::Bool(false)),
            ("starts_with('abc', '')", Value::Bool(true)),
            ("substr('Padang Pariaman', 7, 8)", text("Pariaman")),
            ("substr('Padang', 0, 3)", text("Pad")),
            ("substr('Padang', -5, 2)", text("Pa")),
            ("substr('Padang', 4, 100)", text("ng")),
            ("substr('Padang', 6, 1)", text("")),
            ("substr('Padang', 99, 1)", text("")),
            ("substr('Padang', 1, -1)", text("")),
            ("substr('Padang', 1, 0)", text("")),
            ("substr('añé', 1, 1)", text("ñ")),
            (
                "substr('x', 9223372036854775807, 9223372036854775807)",
                text(""),
            ),
            ("concat('a', 'b')", text("ab")),
            (
                "concat('Nagari ', 'Sungai', ' ', 'Sariak')",
                text("Nagari Sungai Sariak"),
            ),
            ("concat('a', ${nama})", Value::Null),
            ("len(${nama})", Value::Null),
            ("upper(${nama})", Value::Null),
            ("starts_with(${nama}, 'a')", Value::Null),
            ("substr(${nama}, 0, 1)", Value::Null),
            ("substr('abc', ${umur}, 1)", Value::Null),
            ("words(${alamat})", Value::Int(2)),
            ("substr(${alamat}, 4, 8)", text("Sudirman")),
        ] {
            assert_eq!(eval(src), want, "{src}");
        }
    }

    #[test]
    fn null_aware_functions() {
        for (src, want) in [
            ("present(${nama})", Value::Bool(false)),
            ("present(${alamat})", Value::Bool(true)),
            ("present('')", Value::Bool(false)),
            ("present(' ')", Value::Bool(true)),
            ("present(${anak})", Value::Bool(true)),
            ("present(${umur})", Value::Bool(false)),
            ("present(${flag})", Value::Bool(false)),
            ("present(${ktp})", Value::Bool(true)),
            ("present(1 div 0)", Value::Bool(false)),
            ("coalesce(${umur}, 0)", Value::Int(0)),
            ("coalesce(${anak}, 0)", Value::Int(2)),
            ("coalesce(${umur}, ${umur})", Value::Null),
            ("coalesce(${nama}, '-')", text("-")),
            ("if(true, 1, 2)", Value::Int(1)),
            ("if(false, 1, 2)", Value::Int(2)),
            ("if(${flag}, 1, 2)", Value::Int(2)),
            ("if(true, ${umur}, 2)", Value::Null),
            // Only the branch taken is evaluated.
            ("if(true, 1, 1 div 0)", Value::Int(1)),
            ("in(${status_kawin}, '1', '2')", Value::Bool(true)),
            ("in(${status_kawin}, '2', '3')", Value::Bool(false)),
            ("in(${nama}, '1', '2')", Value::Null),
            ("in(${anak}, 1, 2, 3)", Value::Bool(true)),
            ("in(${anak}, -2)", Value::Bool(false)),
            (
                "in(${tanggal_lahir}, date('2008-03-15'))",
                Value::Bool(true),
            ),
            ("in(${ktp}, true)", Value::Bool(true)),
            ("attached('akta_nikah')", Value::Bool(true)),
            ("attached('dispensasi')", Value::Bool(false)),
        ] {
            assert_eq!(eval(src), want, "{src}");
        }
    }

    #[test]
    fn nik_functions_decode_birth_date_and_sex() {
        // Fixture NIK 130501 450308 0001: female (45 = 5 + 40), born 2008-03-05.
        assert_eq!(eval("nik_birth_date(${nik})"), date("2008-03-05"));
        assert_eq!(eval("nik_sex(${nik})"), text("P"));
        assert_eq!(eval("nik_sex('1305011708450002')"), text("L"));
        assert_eq!(
            eval("nik_birth_date('1305011708450002')"),
            date("1945-08-17")
        );
        // A year after today's two digits belongs to the previous century.
        assert_eq!(
            eval("nik_birth_date('1305012105260001')"),
            date("1926-05-21")
        );
        assert_eq!(
            eval("nik_birth_date('1305012005260001')"),
            date("2026-05-20")
        );
        assert_eq!(
            eval("nik_birth_date('1305017101000001')"),
            date("2000-01-31")
        );
        for bad in [
            "1305013202900001", // day 32
            "1305014002900001", // day 40 is neither a man's nor a woman's day
            "1305017202900001", // day 72 - 40 = 32
            "1305010013900001", // month 13
            "1305010000900001", // month 0
            "1305013002900001", // 30 February
            "130501010290001",  // 15 digits
            "13050101029000011",
            "13050101029O0001", // letter O
            "1305 01010290001",
            "",
        ] {
            assert_eq!(
                eval(&format!("nik_birth_date('{bad}')")),
                Value::Null,
                "{bad}"
            );
            assert_eq!(eval(&format!("nik_sex('{bad}')")), Value::Null, "{bad}");
        }
        assert_eq!(eval("nik_sex(${nama})"), Value::Null);
    }

    #[test]
    fn nik_century_at_the_edges() {
        // 29 February 2000 is a date, 29 February 1900 is not: before 2000-02-29 there is no
        // century left that makes 290200 a date.
        assert_eq!(
            nik_decode("1305012902000001", d("2000-02-29")),
            Some((d("2000-02-29"), false))
        );
        assert_eq!(nik_decode("1305012902000001", d("2000-02-28")), None);
        assert_eq!(
            nik_decode("1305016902000001", d("2024-01-01")),
            Some((d("2000-02-29"), true))
        );
        // Nothing before MIN_YEAR: 1849 is too early, the loop ends.
        assert_eq!(nik_decode("1305010101490001", d("1850-06-01")), None);
        assert_eq!(
            nik_decode("1305010101500001", d("1850-06-01")),
            Some((d("1850-01-01"), false))
        );
        assert_eq!(
            nik_decode("1305010101990001", d("9999-12-31")),
            Some((d("9999-01-01"), false))
        );
    }

    #[test]
    fn substr_keeps_borrowed_text_borrowed() {
        let s = substr(Cow::Borrowed("Padang"), 1, 3);
        assert!(matches!(s, Cow::Borrowed("ada")));
        let s = substr(Cow::Owned("Padang".to_owned()), 3, 3);
        assert_eq!(s, "ang");
    }
}
