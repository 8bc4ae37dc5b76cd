//! PostgreSQL for the tests: when `CERIA_TEST_POSTGRES_URL` names a server (the maintenance
//! database of the throwaway cluster `scripts/suites/postgres.sh` starts), every test server
//! and every CLI test gets a fresh database of its own, `ceria_test_<random>`, dropped when it
//! is no longer used. Without the variable the tests run on SQLite in their data directories,
//! as always: the same tests prove both backends.

use std::cell::RefCell;
use std::sync::Arc;

/// The variable naming the test cluster's maintenance database (the store's tests read it).
pub use ceria_server::store::testing::POSTGRES_URL_VARIABLE as POSTGRES_URL_VAR;

/// The test cluster's maintenance URL, when the tests run against PostgreSQL.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.is_empty())
}

/// True when the tests run against PostgreSQL (`CERIA_TEST_POSTGRES_URL` is set).
pub fn on_postgres() -> bool {
    postgres_url().is_some()
}

/// A database made for one test server (or one CLI test), dropped with the last handle.
#[derive(Debug)]
pub struct TestDatabase {
    maintenance: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates a fresh empty database when `CERIA_TEST_POSTGRES_URL` is set; `None` otherwise.
    pub fn create() -> Option<Arc<TestDatabase>> {
        let maintenance = postgres_url()?;
        let url = ceria_server::store::testing::create_database(&maintenance)
            .unwrap_or_else(|e| panic!("creating a test database: {e}"));
        let name = database_name(&url).to_string();
        Some(Arc::new(TestDatabase {
            maintenance,
            name,
            url,
        }))
    }

    /// The URL of this database (`postgres://USER:PASSWORD@HOST:PORT/ceria_test_…`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A client connected to it, for checks the API does not show.
    pub fn client(&self) -> postgres::Client {
        connect(&self.url)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // FORCE ends the connections a server that was killed, rather than stopped, left.
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let maintenance = self.maintenance.clone();
        // On a thread of its own: the client runs a small tokio runtime, which cannot start
        // while this thread's locals are being torn down (the CLI tests' database is dropped
        // with its thread).
        let dropped = std::thread::spawn(move || {
            match postgres::Client::connect(&maintenance, postgres::NoTls) {
                Ok(mut c) => {
                    if let Err(e) = c.batch_execute(&sql) {
                        eprintln!("{sql}: {e}");
                    }
                }
                Err(e) => eprintln!("{sql}: connect: {e}"),
            }
        });
        let _ = dropped.join();
    }
}

fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("connect to the test PostgreSQL: {e}"))
}

/// The database a URL names (its last path segment).
fn database_name(url: &str) -> &str {
    let path = url.split('?').next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
}

thread_local! {
    /// The database of the CLI test running on this thread (the test harness runs every test
    /// on a thread of its own, so a test's `ceria admin` and `ceria serve` share it and the
    /// next test starts empty); dropped when the test's thread ends.
    static CLI_DATABASE: RefCell<Option<Arc<TestDatabase>>> = const { RefCell::new(None) };
}

/// The URL of the database of the CLI test on this thread (made on first use), or `None`
/// when the tests run on SQLite.
pub fn cli_database_url() -> Option<String> {
    postgres_url()?;
    CLI_DATABASE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = TestDatabase::create();
        }
        slot.as_ref().map(|db| db.url().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_of_a_url_is_its_last_segment() {
        assert_eq!(
            database_name("postgres://u:p@h:5433/ceria_test_1"),
            "ceria_test_1"
        );
        assert_eq!(database_name("postgres://u@h/x?sslmode=disable"), "x");
    }
}
