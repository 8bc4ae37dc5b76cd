//! The catalog (`GET` with ETag, admin `PUT` to publish, in force at once) and the region
//! table (`GET` children, admin `PUT` a decree CSV, in force at once).

use crate::catalog_store::{self, PublishError};
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::limits::{self, MAX_CATALOG_BYTES, MAX_REGIONS_BYTES};
use crate::http::state::{AppState, blocking};
use crate::regions::{self, ImportError};
use axum::Json;
use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ceria_core::catalog::diff::CatalogDiff;
use ceria_core::protocol::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The routes of the catalog and the region table.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/catalog", get(get_catalog).put(put_catalog))
        .route("/v1/regions", get(get_regions).put(put_regions))
}

/// Whether an `If-None-Match` header matches `etag` (weak comparison, lists and `*`).
pub(crate) fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

/// `GET /v1/catalog`: the catalog file in force; 304 when the client has it.
pub(crate) async fn get_catalog(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let catalog = state.catalog();
    let etag = format!("\"{}\"", catalog.hash());
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| etag_matches(v, &etag));
    let etag_value =
        HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if fresh {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), cache],
        )
            .into_response();
    }
    (
        [
            (header::ETAG, etag_value),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            cache,
        ],
        catalog.json().to_string(),
    )
        .into_response()
}

/// Answer of a publication.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Published {
    /// Version now in force.
    pub version: String,
    /// Its hash (the new ETag).
    pub hash: String,
    /// What changed from the catalog in force before.
    pub changes: CatalogDiff,
}

/// `PUT /v1/catalog` (admin): publishes a newer catalog.
pub(crate) async fn put_catalog(
    State(state): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Json<Published>, ApiError> {
    caller.require(&[Role::Admin])?;
    let bytes = limits::read_body(req, MAX_CATALOG_BYTES).await?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::malformed("catalog is not UTF-8"))?;
    limits::scan_json(
        text.as_bytes(),
        limits::MAX_JSON_DEPTH,
        limits::MAX_STRING_BYTES,
    )
    .map_err(|e| ApiError::malformed(e.to_string()))?;
    let st = state.clone();
    let published = blocking(move || {
        let current = st.catalog();
        catalog_store::publish(&st.db, &current, &text, Some(&caller.user.id)).map_err(
            |e| match e {
                PublishError::Invalid(e) => ApiError::unprocessable(e.to_string()),
                PublishError::NotNewer { current, .. } => {
                    ApiError::new(StatusCode::CONFLICT, "catalog.outdated").with("version", current)
                }
                PublishError::Db(e) => ApiError::internal(e),
            },
        )
    })
    .await?;
    let catalog = published.catalog;
    state.set_catalog(catalog.clone());
    tracing::info!(version = catalog.version(), "catalog published");
    Ok(Json(Published {
        version: catalog.version().to_string(),
        hash: catalog.hash().to_string(),
        changes: published.changes,
    }))
}

/// Answer of a region table import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RegionsImported {
    /// Regions now in the table (provinces, regencies, districts and villages).
    pub imported: usize,
}

/// `PUT /v1/regions` (admin): replaces the region table with a Kemendagri `code,name` CSV
/// and puts it in force for validation and names at once.
pub(crate) async fn put_regions(
    State(state): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Json<RegionsImported>, ApiError> {
    caller.require(&[Role::Admin])?;
    let bytes = limits::read_body(req, MAX_REGIONS_BYTES).await?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::malformed("region table is not UTF-8"))?;
    let db = state.db.clone();
    let table = blocking(move || {
        regions::import(&db, &text).map_err(|e| match e {
            ImportError::Invalid(e) => ApiError::unprocessable(e.to_string()),
            ImportError::Db(e) => ApiError::internal(e),
        })
    })
    .await?;
    let imported = table.len();
    state.set_regions(table);
    tracing::info!(regions = imported, "region table imported");
    Ok(Json(RegionsImported { imported }))
}

/// Whether `s` looks like a dotted region code prefix (`13`, `13.05`, `13.05.01`).
pub(crate) fn plausible_parent(s: &str) -> bool {
    s.len() <= 13
        && !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `GET /v1/regions?parent=13.05`: children of a region (provinces without `parent`).
pub(crate) async fn get_regions(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
    let parent = query
        .get("parent")
        .map(|p| p.trim().to_string())
        .unwrap_or_default();
    if !parent.is_empty() && !plausible_parent(&parent) {
        return Err(ApiError::malformed(
            "parent must be a dotted Kemendagri code such as 13.05",
        ));
    }
    let regions = state.db_call(move |db| db.region_children(&parent)).await?;
    Ok(Json(regions).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_match_lists_weak_and_star() {
        let tag = "\"abc\"";
        assert!(etag_matches("\"abc\"", tag));
        assert!(etag_matches("W/\"abc\"", tag));
        assert!(etag_matches("\"x\", \"abc\"", tag));
        assert!(etag_matches("*", tag));
        assert!(!etag_matches("\"abcd\"", tag));
        assert!(!etag_matches("abc", tag));
    }

    #[test]
    fn parent_codes() {
        assert!(plausible_parent("13.05"));
        assert!(plausible_parent("13"));
        assert!(!plausible_parent("13..05"));
        assert!(!plausible_parent("13.05;DROP"));
        assert!(!plausible_parent(&"1".repeat(14)));
    }
}
