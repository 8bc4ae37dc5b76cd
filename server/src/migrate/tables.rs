//! The rows: which tables to copy in which order (parents before the rows that refer to
//! them), how each SQLite value becomes a value of the PostgreSQL column's type, the copy,
//! the sequences set past the copied ids, and the count check.
//!
//! Generic over the schema (read from `sqlite_master` and `information_schema`) rather than a
//! list per table, so a table or column added by a later migration is carried over without
//! touching this module; a SQLite column the PostgreSQL schema lacks stops the migration
//! instead of losing it.

use super::{MigrateError, SequenceReset, TableCopy};
use postgres::types::ToSql;
use rusqlite::types::Value;
use std::collections::{BTreeMap, BTreeSet};

/// How a PostgreSQL column takes its value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Integer,
    Boolean,
    Float,
    Text,
    Bytes,
    /// Any other type, given as text and cast (`CAST($n::text AS jsonb)`).
    Cast(String),
}

/// One table to copy: its columns (those of SQLite, each with its PostgreSQL kind).
#[derive(Debug, Clone)]
pub(super) struct TablePlan {
    name: String,
    columns: Vec<(String, Kind)>,
}

/// `"name"` (identifiers come from the schemas, quoted all the same).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every table of the SQLite schema, parents first, matched with the PostgreSQL columns.
pub(super) fn plan(
    source: &rusqlite::Connection,
    target: &mut postgres::Client,
) -> Result<Vec<TablePlan>, MigrateError> {
    let names: Vec<String> = source
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in &names {
        let refs: BTreeSet<String> = source
            .prepare(&format!("PRAGMA foreign_key_list({})", quoted(name)))?
            .query_map([], |r| r.get::<_, String>(2))?
            .collect::<Result<_, _>>()?;
        parents.insert(
            name.clone(),
            refs.into_iter().filter(|p| p != name).collect(),
        );
    }
    let mut ordered: Vec<String> = Vec::new();
    while ordered.len() < names.len() {
        let next = names.iter().find(|n| {
            !ordered.contains(n)
                && parents[*n]
                    .iter()
                    .all(|p| ordered.contains(p) || !names.contains(p))
        });
        match next {
            Some(n) => ordered.push(n.clone()),
            None => {
                return Err(MigrateError::Schema(
                    "the foreign keys of the SQLite schema form a cycle".into(),
                ));
            }
        }
    }
    ordered
        .into_iter()
        .map(|name| {
            let sqlite_columns: Vec<String> = source
                .prepare(&format!("PRAGMA table_info({})", quoted(&name)))?
                .query_map([], |r| r.get::<_, String>(1))?
                .collect::<Result<_, _>>()?;
            let pg: BTreeMap<String, Kind> = target
                .query(
                    "SELECT column_name::text, data_type::text, udt_name::text
                     FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = $1",
                    &[&name],
                )?
                .iter()
                .map(|r| (r.get(0), kind(r.get(1), r.get(2))))
                .collect();
            if pg.is_empty() {
                return Err(MigrateError::Schema(format!(
                    "table {name} is missing in the PostgreSQL schema"
                )));
            }
            let columns = sqlite_columns
                .into_iter()
                .map(|c| match pg.get(&c) {
                    Some(k) => Ok((c, k.clone())),
                    None => Err(MigrateError::Schema(format!(
                        "column {name}.{c} is missing in the PostgreSQL schema"
                    ))),
                })
                .collect::<Result<_, _>>()?;
            Ok(TablePlan { name, columns })
        })
        .collect()
}

/// The kind of a column of `data_type` (SQL's name); other types are cast to by `udt_name`
/// (PostgreSQL's, valid in a cast also for arrays and user-defined types).
fn kind(data_type: &str, udt_name: &str) -> Kind {
    match data_type {
        "bigint" | "integer" | "smallint" => Kind::Integer,
        "boolean" => Kind::Boolean,
        "double precision" | "real" => Kind::Float,
        "text" | "character varying" | "character" => Kind::Text,
        "bytea" => Kind::Bytes,
        _ => Kind::Cast(udt_name.to_string()),
    }
}

/// Refuses a target that already holds a row in any of the tables.
pub(super) fn ensure_empty(
    target: &mut postgres::Client,
    plan: &[TablePlan],
) -> Result<(), MigrateError> {
    for t in plan {
        let any: bool = target
            .query_one(
                &format!("SELECT EXISTS (SELECT 1 FROM {})", quoted(&t.name)),
                &[],
            )?
            .get(0);
        if any {
            return Err(MigrateError::TargetNotEmpty {
                table: t.name.clone(),
            });
        }
    }
    Ok(())
}

/// Copies every row, table by table, in the order of insertion (`rowid`).
pub(super) fn copy(
    source: &rusqlite::Connection,
    target: &mut postgres::Transaction<'_>,
    plan: &[TablePlan],
) -> Result<Vec<TableCopy>, MigrateError> {
    let mut copied = Vec::new();
    for t in plan {
        let names: Vec<String> = t.columns.iter().map(|(c, _)| quoted(c)).collect();
        let placeholders: Vec<String> = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, k))| {
                let n = i + 1;
                match k {
                    Kind::Integer => format!("${n}::int8"),
                    Kind::Boolean => format!("${n}::bool"),
                    Kind::Float => format!("${n}::float8"),
                    Kind::Text => format!("${n}::text"),
                    Kind::Bytes => format!("${n}::bytea"),
                    Kind::Cast(ty) => format!("CAST(${n}::text AS {ty})"),
                }
            })
            .collect();
        let insert = target.prepare(&format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quoted(&t.name),
            names.join(", "),
            placeholders.join(", ")
        ))?;
        let mut select = source.prepare(&format!(
            "SELECT {} FROM {} ORDER BY rowid",
            names.join(", "),
            quoted(&t.name)
        ))?;
        let mut rows = select.query([])?;
        let mut n = 0u64;
        while let Some(row) = rows.next()? {
            let params = t
                .columns
                .iter()
                .enumerate()
                .map(|(i, (column, k))| {
                    param(row.get::<_, Value>(i)?, k).map_err(|reason| MigrateError::Value {
                        table: t.name.clone(),
                        column: column.clone(),
                        reason,
                    })
                })
                .collect::<Result<Vec<_>, MigrateError>>()?;
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
            target.execute(&insert, &refs)?;
            n += 1;
        }
        copied.push(TableCopy {
            table: t.name.clone(),
            rows: n,
        });
    }
    Ok(copied)
}

type Param = Box<dyn ToSql + Sync>;

/// A SQLite value as a parameter of the column's kind (SQLite's columns are loosely typed:
/// an integer may sit in a text column, and so on).
fn param(value: Value, kind: &Kind) -> Result<Param, String> {
    Ok(match (kind, value) {
        (Kind::Integer, Value::Null) => Box::new(None::<i64>),
        (Kind::Integer, Value::Integer(i)) => Box::new(i),
        (Kind::Integer, Value::Real(f)) if f.fract() == 0.0 => Box::new(f as i64),
        (Kind::Integer, Value::Text(s)) => Box::new(
            s.trim()
                .parse::<i64>()
                .map_err(|_| format!("`{s}` is not an integer"))?,
        ),
        (Kind::Boolean, Value::Null) => Box::new(None::<bool>),
        (Kind::Boolean, Value::Integer(i)) => Box::new(i != 0),
        (Kind::Boolean, Value::Text(s)) => Box::new(match s.as_str() {
            "1" | "true" | "t" => true,
            "0" | "false" | "f" => false,
            _ => return Err(format!("`{s}` is not a boolean")),
        }),
        (Kind::Float, Value::Null) => Box::new(None::<f64>),
        (Kind::Float, Value::Integer(i)) => Box::new(i as f64),
        (Kind::Float, Value::Real(f)) => Box::new(f),
        (Kind::Float, Value::Text(s)) => Box::new(
            s.trim()
                .parse::<f64>()
                .map_err(|_| format!("`{s}` is not a number"))?,
        ),
        (Kind::Bytes, Value::Null) => Box::new(None::<Vec<u8>>),
        (Kind::Bytes, Value::Blob(b)) => Box::new(b),
        (Kind::Bytes, Value::Text(s)) => Box::new(s.into_bytes()),
        (Kind::Text | Kind::Cast(_), value) => Box::new(text(value)?),
        (_, other) => {
            return Err(format!(
                "a {:?} value for a {kind:?} column",
                other.data_type()
            ));
        }
    })
}

fn text(value: Value) -> Result<Option<String>, String> {
    let s = match value {
        Value::Null => return Ok(None),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(s) => s,
        Value::Blob(b) => String::from_utf8(b).map_err(|_| "binary data in a text column")?,
    };
    if s.contains('\0') {
        return Err("a NUL character (PostgreSQL text cannot hold it)".into());
    }
    Ok(Some(s))
}

/// Sets every sequence behind a copied column (identity or serial) past the column's largest
/// value, so new rows (feed positions, catalog numbers) follow the copied ones.
pub(super) fn reset_sequences(
    target: &mut postgres::Transaction<'_>,
    plan: &[TablePlan],
) -> Result<Vec<SequenceReset>, MigrateError> {
    let mut resets = Vec::new();
    for t in plan {
        for (column, kind) in &t.columns {
            if *kind != Kind::Integer {
                continue;
            }
            let sequence: Option<String> = target
                .query_one(
                    "SELECT pg_get_serial_sequence($1, $2)",
                    &[&quoted(&t.name), column],
                )?
                .get(0);
            let Some(sequence) = sequence else { continue };
            let next: i64 = target
                .query_one(
                    &format!(
                        "SELECT setval($1::text::regclass, COALESCE(max({c}), 0)::int8 + 1, false)
                         FROM {t}",
                        c = quoted(column),
                        t = quoted(&t.name)
                    ),
                    &[&sequence],
                )?
                .get(0);
            resets.push(SequenceReset {
                column: format!("{}.{column}", t.name),
                next,
            });
        }
    }
    Ok(resets)
}

/// Compares the rows PostgreSQL now holds with the rows read, table by table.
pub(super) fn verify_counts(
    target: &mut postgres::Transaction<'_>,
    copied: &[TableCopy],
) -> Result<(), MigrateError> {
    for t in copied {
        let n: i64 = target
            .query_one(&format!("SELECT count(*) FROM {}", quoted(&t.table)), &[])?
            .get(0);
        if u64::try_from(n).ok() != Some(t.rows) {
            return Err(MigrateError::Verification(format!(
                "table {}: {} rows read, {n} in PostgreSQL",
                t.table, t.rows
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_map_to_parameter_kinds() {
        assert_eq!(kind("bigint", "int8"), Kind::Integer);
        assert_eq!(kind("text", "text"), Kind::Text);
        assert_eq!(kind("jsonb", "jsonb"), Kind::Cast("jsonb".into()));
    }

    #[test]
    fn loosely_typed_values_are_converted_or_refused() {
        assert!(param(Value::Text("12".into()), &Kind::Integer).is_ok());
        assert!(param(Value::Text("twelve".into()), &Kind::Integer).is_err());
        assert!(param(Value::Real(1.5), &Kind::Integer).is_err());
        assert!(param(Value::Integer(7), &Kind::Text).is_ok());
        assert_eq!(text(Value::Integer(7)).unwrap().as_deref(), Some("7"));
        assert!(text(Value::Text("a\0b".into())).is_err());
        assert!(param(Value::Blob(vec![1, 2]), &Kind::Integer).is_err());
    }
}
