//! `GET /v1/stats` (the yearly figures of [`crate::stats::gather`]) for officers and admins,
//! and the health probes `/healthz` and `/readyz`.

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::stats::{self, Stats};
use crate::store::now_ms;
use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ceria_core::protocol::Role;
use serde_json::json;
use std::collections::HashMap;

/// The routes of the statistics and the health probes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/v1/stats", get(get_stats))
}

/// Only officers and admins read the figures.
pub(crate) fn reader(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Officer, Role::Admin])
}

/// The `year` of a query (a calendar year 1900-9999), if given.
pub(crate) fn year_param(query: &HashMap<String, String>) -> Result<Option<i64>, ApiError> {
    query
        .get("year")
        .map(|y| y.trim())
        .filter(|y| !y.is_empty())
        .map(|y| {
            y.parse::<i64>()
                .ok()
                .filter(|y| (1900..=9999).contains(y))
                .ok_or_else(|| ApiError::malformed("year must be a year such as 2026"))
        })
        .transpose()
}

/// The figures with the catalog and region table in force (of `year` alone when given).
pub(crate) async fn figures(state: &AppState, year: Option<i64>) -> Result<Stats, ApiError> {
    let catalog = state.catalog();
    let regions = state.regions();
    state
        .db_call(move |db| stats::gather(db, &catalog, regions.as_deref(), year, now_ms()))
        .await
}

/// `GET /v1/stats?year=`: yearly figures (every year with requests, or the one asked for).
pub(crate) async fn get_stats(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Stats>, ApiError> {
    reader(&caller)?;
    let Query(query) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
    let year = year_param(&query)?;
    Ok(Json(figures(&state, year).await?))
}

/// `GET /healthz`: the process is up.
pub(crate) async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: the database answers.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.db.clone();
    let ready = tokio::task::spawn_blocking(move || db.ping())
        .await
        .unwrap_or(false);
    if ready {
        Json(json!({"status": "ready"})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable"})),
        )
            .into_response()
    }
}
