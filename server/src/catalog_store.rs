//! Which catalog is in force: the newest one published to this server, else the catalog
//! embedded in `ceria-core`. Publishing checks the file with the core loader, only accepts
//! a newer version, and tells what changed (services, fields, requirements).

use crate::store::{Db, DbError, now_ms};
use ceria_core::Catalog;
use ceria_core::catalog::compare_versions;
use ceria_core::catalog::diff::{CatalogDiff, diff};
use std::cmp::Ordering;
use std::sync::Arc;

/// Why a catalog was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The file does not load (the core's message names the service, field and position).
    #[error("catalog does not load: {0}")]
    Invalid(#[from] ceria_core::CatalogError),
    /// Not newer than the catalog in force.
    #[error("catalog version {offered} is not newer than {current}")]
    NotNewer {
        /// Version offered.
        offered: String,
        /// Version in force.
        current: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The catalog in force at startup.
pub(crate) fn load(db: &Db) -> Result<Arc<Catalog>, PublishError> {
    let embedded = Catalog::embedded();
    match db.latest_catalog()? {
        Some(json) => {
            let published = Catalog::from_json(&json)?;
            // A library upgrade may embed a newer catalog than the last one published.
            if compare_versions(published.version(), embedded.version()) == Ordering::Less {
                Ok(embedded)
            } else {
                Ok(Arc::new(published))
            }
        }
        None => Ok(embedded),
    }
}

/// A catalog put in force, and what it changed.
#[derive(Debug, Clone)]
pub(crate) struct Publication {
    /// The catalog now in force.
    pub catalog: Arc<Catalog>,
    /// What changed from the one before.
    pub changes: CatalogDiff,
}

/// Checks and stores a catalog newer than `current`; returns it loaded, with what changed.
pub(crate) fn publish(
    db: &Db,
    current: &Catalog,
    json: &str,
    by: Option<&str>,
) -> Result<Publication, PublishError> {
    let catalog = Catalog::from_json(json)?;
    if compare_versions(catalog.version(), current.version()) != Ordering::Greater {
        return Err(PublishError::NotNewer {
            offered: catalog.version().to_string(),
            current: current.version().to_string(),
        });
    }
    if !db.publish_catalog(catalog.version(), catalog.hash(), json, now_ms(), by)? {
        return Err(PublishError::NotNewer {
            offered: catalog.version().to_string(),
            current: current.version().to_string(),
        });
    }
    Ok(Publication {
        changes: diff(current.source(), catalog.source()),
        catalog: Arc::new(catalog),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically_by_part() {
        assert_eq!(
            compare_versions("2026.11.10", "2026.11.9"),
            Ordering::Greater
        );
        assert_eq!(compare_versions("2026.11.1", "2026.11.1"), Ordering::Equal);
        assert_eq!(compare_versions("2026.11", "2026.11.1"), Ordering::Less);
        assert_eq!(
            compare_versions("2027.1.1", "2026.12.31"),
            Ordering::Greater
        );
        assert_eq!(
            compare_versions("2026.11.1-rc", "2026.11.1"),
            Ordering::Greater
        );
        assert_eq!(compare_versions("", ""), Ordering::Equal);
    }
}
