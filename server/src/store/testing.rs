//! Store tests on both engines: [`store_test!`] instantiates a test body for SQLite always
//! and for PostgreSQL when `CERIA_TEST_POSTGRES_URL` names a server (a superuser URL to a
//! maintenance database; `scripts/suites/postgres.sh` starts one), each test in a fresh
//! database of its own.

use super::{Db, DbError};

/// The variable naming the PostgreSQL server of the tests.
pub const POSTGRES_URL_VARIABLE: &str = "CERIA_TEST_POSTGRES_URL";

/// The value of `variable`, which `scripts/suites/<suite>.sh` sets when it starts the service
/// a test needs; `None`, with the reason printed, when it is not set: the test skips. Under
/// `CI=true` inside that very suite (which names itself in `CERIA_TEST_SUITES`) a missing
/// variable is a broken suite, and the test fails instead of passing without having run.
pub fn service_variable(variable: &str, suite: &str) -> Option<String> {
    if let Some(value) = std::env::var(variable).ok().filter(|v| !v.is_empty()) {
        return Some(value);
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let in_suite = std::env::var("CERIA_TEST_SUITES")
        .is_ok_and(|names| names.split_whitespace().any(|name| name == suite));
    assert!(
        !(in_ci && in_suite),
        "{variable} is not set, yet scripts/suites/{suite}.sh runs this test (CI=true)"
    );
    eprintln!("skipped: {variable} is not set (scripts/suites/{suite}.sh runs this test)");
    None
}

/// A fresh, empty database on the test PostgreSQL server, as a URL; `None`, with the reason
/// printed, when `CERIA_TEST_POSTGRES_URL` is not set (see [`service_variable`]). Panics
/// when the server refuses (a test setup failure).
pub fn postgres_test_database() -> Option<String> {
    let url = service_variable(POSTGRES_URL_VARIABLE, "postgres")?;
    match create_database(&url) {
        Ok(fresh) => Some(fresh),
        Err(e) => panic!("creating a test database on {POSTGRES_URL_VARIABLE}: {e}"),
    }
}

/// Creates a database with a new name on the server of `maintenance_url`; returns its URL.
pub fn create_database(maintenance_url: &str) -> Result<String, DbError> {
    let name = format!("ceria_test_{}", uuid::Uuid::new_v4().simple());
    let mut client = maintenance_url
        .parse::<postgres::Config>()?
        .connect(postgres::NoTls)?;
    client.batch_execute(&format!("CREATE DATABASE {name}"))?;
    Ok(with_database(maintenance_url, &name))
}

/// `url` naming database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let authority = match base[host_start..].find('/') {
        Some(i) => &base[..host_start + i],
        None => base,
    };
    format!("{authority}/{name}{query}")
}

/// A fresh PostgreSQL store for a test, or `None` (printed) without a test server.
pub fn postgres_db() -> Option<Db> {
    let url = postgres_test_database()?;
    Some(Db::open_postgres(&url).unwrap_or_else(|e| panic!("opening {url}: {e}")))
}

/// An account for a store test (its password hash is never checked).
#[cfg(test)]
pub(crate) fn account(
    db: &Db,
    name: &str,
    role: ceria_core::protocol::Role,
    village: Option<&str>,
) -> ceria_core::protocol::UserInfo {
    db.create_user(
        &super::accounts::NewUser {
            username: name.into(),
            name: name.into(),
            role,
            village: village.map(str::to_string),
            phone: None,
            password_hash: "$argon2id$x".into(),
        },
        1,
    )
    .unwrap()
    .unwrap()
}

/// A submission the payload check passed, for a store test: `op_id` filed in `village`,
/// for `on_behalf_of` (or the caller).
#[cfg(test)]
pub(crate) fn submission(
    op_id: &str,
    village: &str,
    on_behalf_of: Option<&str>,
) -> super::push::PreparedOp {
    use ceria_core::protocol::{Operation, RequestPayload};
    super::push::PreparedOp {
        op: Operation::Submit {
            op_id: op_id.into(),
            local_id: format!("local-{op_id}"),
            request: RequestPayload {
                service: "akta-kelahiran".into(),
                catalog_version: "1".into(),
                values: std::collections::BTreeMap::new(),
                attachments: Vec::new(),
                village: village.into(),
                on_behalf_of: on_behalf_of.map(str::to_string),
            },
        },
        hash: format!("hash-{op_id}"),
        verdict: super::push::Verdict::Valid,
    }
}

/// The request id an applied operation was accepted with (panics otherwise).
#[cfg(test)]
pub(crate) fn accepted_id(applied: &super::push::Applied) -> String {
    use ceria_core::protocol::OperationOutcome;
    match applied {
        super::push::Applied::Done(OperationOutcome::Accepted { request_id, .. }) => {
            request_id.clone()
        }
        other => panic!("not accepted: {other:?}"),
    }
}

/// Records that `user_id`'s identity was verified at the counter by `by_id`.
#[cfg(test)]
pub(crate) fn verify(db: &Db, user_id: &str, by_id: &str) {
    db.write(|tx| {
        tx.execute(
            "INSERT INTO identity_verifications (user_id, method, verified_by, verified_ms)
             VALUES (?1, 'counter', ?2, 2)",
            &[&user_id, &by_id],
        )
    })
    .unwrap();
}

/// A test body run on each engine: `store_test!(name, |db| { … })` makes the module `name`
/// with the tests `sqlite` and `postgres` (skipped, with the reason printed, without a test
/// server), each on a fresh database bound to `db: &Db`.
#[cfg(test)]
macro_rules! store_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($db: &$crate::store::Db) $body

            #[test]
            fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                body(&$crate::store::Db::open(&dir.path().join("t.db")).unwrap());
            }

            #[test]
            fn postgres() {
                if let Some(db) = $crate::store::testing::postgres_db() {
                    body(&db);
                }
            }
        }
    };
}
#[cfg(test)]
pub(crate) use store_test;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_fresh_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
