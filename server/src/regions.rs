//! The region table in force: the Kemendagri decree table (`code,name`) an admin imported,
//! used by validation (NIK and No. KK prefixes, the village of a request) and for the names
//! of villages in the console and the figures.
//!
//! An import replaces the stored table in one transaction and returns the loaded table, so a
//! running server puts it in force at once (`PUT /v1/regions`, the admin console); the
//! command line only writes the database, and a running server reads it at its next start.

use crate::store::catalog::Region;
use crate::store::{Db, DbError};
use ceria_core::RegionTable;
use ceria_core::validate::region_table::RegionError;
use std::sync::Arc;

/// Why a region table was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not a Kemendagri `code,name` CSV (the error names the line).
    #[error(transparent)]
    Invalid(#[from] RegionError),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The stored region table, if any. Rows that no longer build a table (they were checked at
/// import) are logged and left out rather than keeping the registry from starting.
pub(crate) fn load(db: &Db) -> Result<Option<Arc<RegionTable>>, DbError> {
    let rows = db.all_regions()?;
    if rows.is_empty() {
        return Ok(None);
    }
    match RegionTable::from_rows(rows.iter().map(|(c, n)| (c.as_str(), n.as_str()))) {
        Ok(table) => {
            tracing::info!(regions = table.len(), "region table loaded for validation");
            Ok(Some(Arc::new(table)))
        }
        Err(e) => {
            tracing::warn!(error = %e, "stored regions unusable; validating without them");
            Ok(None)
        }
    }
}

/// Checks a decree CSV and replaces the stored table with it; returns the table to put in
/// force.
pub(crate) fn import(db: &Db, csv: &str) -> Result<Arc<RegionTable>, ImportError> {
    let table = RegionTable::from_csv(csv)?;
    let rows: Vec<Region> = table
        .iter()
        .map(|(code, name)| Region {
            code: code.as_str().to_string(),
            name: name.to_string(),
        })
        .collect();
    db.replace_regions(&rows)?;
    Ok(Arc::new(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_replaces_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        assert!(load(&db).unwrap().is_none());
        let csv = "code,name\n13,SUMATERA BARAT\n13.05,KAB. PADANG PARIAMAN\n13.05.01,Batang Anai\n13.05.01.2001,Kasang\n";
        let table = import(&db, csv).unwrap();
        assert_eq!(table.name("13.05.01.2001"), Some("Kasang"));
        let loaded = load(&db).unwrap().unwrap();
        assert_eq!(loaded.len(), 4);
        let newer = "code,name\n13,SUMATERA BARAT\n13.05,KAB. PADANG PARIAMAN\n13.05.01,Batang Anai\n13.05.01.2001,Nagari Kasang\n13.05.01.2002,Sungai Buluh\n";
        import(&db, newer).unwrap();
        let loaded = load(&db).unwrap().unwrap();
        assert_eq!(loaded.len(), 5);
        assert_eq!(loaded.name("13.05.01.2001"), Some("Nagari Kasang"));
        assert!(matches!(
            import(&db, "kode,nama\n13,X\n"),
            Err(ImportError::Invalid(_))
        ));
        assert_eq!(
            load(&db).unwrap().unwrap().len(),
            5,
            "a refused file changes nothing"
        );
    }
}
