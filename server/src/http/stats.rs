//! `GET /v1/stats` for officers and admins, and the health probes `/healthz` and `/readyz`.

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::stats::{self, Stats};
use crate::store::now_ms;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ceria_core::protocol::Role;
use serde_json::json;

/// The routes of the statistics and the health probes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/v1/stats", get(get_stats))
}

/// `GET /v1/stats`: yearly figures.
pub(crate) async fn get_stats(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Stats>, ApiError> {
    if !matches!(caller.user.role, Role::Officer | Role::Admin) {
        return Err(ApiError::forbidden());
    }
    let catalog = state.catalog();
    let (rows, users) = state
        .db_call(|db| Ok((db.stats_rows()?, db.users_by_role()?)))
        .await?;
    let offset = catalog.source().regency.utc_offset_minutes;
    let days = |service: &str| {
        catalog
            .source()
            .services
            .iter()
            .find(|s| s.id == service)
            .map(|s| s.service_days)
    };
    Ok(Json(stats::compute(&rows, users, &days, offset, now_ms())))
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
