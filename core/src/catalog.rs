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
        let source: CatalogSource =
            serde_json::from_str(json).map_err(|e| CatalogError::Syntax {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        Ok(Catalog {
            source,
            hash: String::new(),
            json: Arc::from(json),
        })
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

// ---- API contract, implementation in progress ----
use crate::report::{Finding, Issue};
use crate::validate::{ValidationContext, ValidationReport};
use std::collections::{BTreeMap, BTreeSet};

impl Catalog {
    /// The catalog embedded in the library (checked by the test suite, so loading cannot fail
    /// in a released build).
    pub fn embedded() -> Arc<Catalog> {
        unimplemented!("contract")
    }

    /// Validates a whole form: `values` are the field texts, `attached` the attachment
    /// requirement ids that have at least one file.
    pub fn validate(
        &self,
        service: &str,
        values: &BTreeMap<String, String>,
        attached: &BTreeSet<String>,
        ctx: &ValidationContext<'_>,
    ) -> Result<ValidationReport, crate::error::ValidateError> {
        let _ = (service, values, attached, ctx);
        unimplemented!("contract")
    }

    /// Words a message code with parameters, in Indonesian and English. An unknown code gives
    /// the code itself (the test suite checks every emitted code has a message).
    pub fn message(&self, code: &str, params: &[(&str, String)]) -> crate::Localized {
        let _ = (code, params);
        unimplemented!("contract")
    }

    /// Turns a validator finding into a worded issue on `field`.
    pub fn issue(&self, field: Option<&str>, finding: &Finding) -> Issue {
        let _ = (field, finding);
        unimplemented!("contract")
    }
}
