//! Storage of published catalogs and of the region table.

use crate::store::{Db, DbError};
use serde::{Deserialize, Serialize};

/// A region (Kemendagri code and name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Region {
    /// Dotted Kemendagri code, e.g. `13.05.01`.
    pub code: String,
    /// Name as in the table.
    pub name: String,
}

/// The parent of a dotted code (`13.05.01` -> `13.05`; a province -> empty).
pub(crate) fn parent_code(code: &str) -> &str {
    code.rsplit_once('.').map_or("", |(parent, _)| parent)
}

impl Db {
    /// The newest published catalog file, if any was published.
    pub(crate) fn latest_catalog(&self) -> Result<Option<String>, DbError> {
        self.read(|c| {
            c.query_opt(
                "SELECT body FROM catalogs ORDER BY seq DESC LIMIT 1",
                &[],
                |r| r.get(0),
            )
        })
    }

    /// The file of a published catalog version, if it was published here.
    pub(crate) fn catalog_body(&self, version: &str) -> Result<Option<String>, DbError> {
        self.read(|c| {
            c.query_opt(
                "SELECT body FROM catalogs WHERE version = ?1",
                &[&version],
                |r| r.get(0),
            )
        })
    }

    /// Stores a published catalog; false when this version was published before.
    pub(crate) fn publish_catalog(
        &self,
        version: &str,
        hash: &str,
        body: &str,
        now: i64,
        by: Option<&str>,
    ) -> Result<bool, DbError> {
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO catalogs (version, hash, body, published_ms, published_by)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (version) DO NOTHING",
                &[&version, &hash, &body, &now, &by],
            )?;
            Ok(n > 0)
        })
    }

    /// Replaces the region table with `regions` (one transaction).
    pub(crate) fn replace_regions(&self, regions: &[Region]) -> Result<usize, DbError> {
        self.write(|tx| {
            tx.execute("DELETE FROM regions", &[])?;
            for r in regions {
                tx.execute(
                    "INSERT INTO regions (code, parent, name) VALUES (?1, ?2, ?3)",
                    &[&r.code, &parent_code(&r.code), &r.name],
                )?;
            }
            Ok(regions.len())
        })
    }

    /// Every stored region as `(code, name)`, for the table validation checks NIK and No. KK
    /// prefixes against.
    pub(crate) fn all_regions(&self) -> Result<Vec<(String, String)>, DbError> {
        self.read(|c| {
            c.query_map("SELECT code, name FROM regions ORDER BY code", &[], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
        })
    }

    /// Children of `parent` (empty string: provinces), sorted by code.
    pub(crate) fn region_children(&self, parent: &str) -> Result<Vec<Region>, DbError> {
        self.read(|c| {
            c.query_map(
                "SELECT code, name FROM regions WHERE parent = ?1 ORDER BY code",
                &[&parent],
                |r| {
                    Ok(Region {
                        code: r.get(0)?,
                        name: r.get(1)?,
                    })
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store_test;

    #[test]
    fn parents() {
        assert_eq!(parent_code("13.05.01.2001"), "13.05.01");
        assert_eq!(parent_code("13.05"), "13");
        assert_eq!(parent_code("13"), "");
    }

    store_test!(regions_and_catalogs, |db| {
        let rows = vec![
            Region {
                code: "13".into(),
                name: "SUMATERA BARAT".into(),
            },
            Region {
                code: "13.05".into(),
                name: "KAB. PADANG PARIAMAN".into(),
            },
            Region {
                code: "13.05.02".into(),
                name: "B".into(),
            },
            Region {
                code: "13.05.01".into(),
                name: "A".into(),
            },
        ];
        assert_eq!(db.replace_regions(&rows).unwrap(), 4);
        let kids: Vec<_> = db
            .region_children("13.05")
            .unwrap()
            .into_iter()
            .map(|r| r.code)
            .collect();
        assert_eq!(kids, ["13.05.01", "13.05.02"]);
        assert_eq!(db.region_children("").unwrap().len(), 1);
        assert!(db.region_children("99").unwrap().is_empty());
        assert_eq!(db.latest_catalog().unwrap(), None);
        assert!(db.publish_catalog("1", "h", "{}", 1, None).unwrap());
        assert!(!db.publish_catalog("1", "h", "{}", 2, None).unwrap());
        assert!(db.publish_catalog("2", "h2", "{\"v\":2}", 3, None).unwrap());
        assert_eq!(db.latest_catalog().unwrap().as_deref(), Some("{\"v\":2}"));
        assert_eq!(db.catalog_body("1").unwrap().as_deref(), Some("{}"));
        assert_eq!(db.catalog_body("3").unwrap(), None);
    });
}
