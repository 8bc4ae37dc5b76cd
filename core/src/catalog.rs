//! The checked, compiled service catalog. (Being written: API contract below.)

use crate::catalog_source::CatalogSource;
use crate::error::CatalogError;
use std::sync::Arc;

/// The catalog shipped inside the library; used until a newer one arrives from the server.
pub const EMBEDDED_JSON: &str = include_str!("../catalog/catalog.json");

/// A loaded, type-checked catalog. Cheap to share (`Arc`), immutable.
#[derive(Debug)]
pub struct Catalog {
    source: CatalogSource,
    hash: String,
    json: Arc<str>,
}

impl Catalog {
    /// Parses and checks a catalog file.
    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        let source: CatalogSource = serde_json::from_str(json).map_err(|e| CatalogError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Ok(Catalog { source, hash: String::new(), json: Arc::from(json) })
    }

    /// The catalog version, e.g. `2026.11.1`.
    pub fn version(&self) -> &str {
        &self.source.version
    }

    /// Lower-case hex SHA-256 of the catalog file; the server's ETag.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The catalog file as loaded.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The parsed file.
    pub fn source(&self) -> &CatalogSource {
        &self.source
    }
}
