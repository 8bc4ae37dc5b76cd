//! The working-day calendar over the API: officers and admins read it, admins add, rename
//! and remove holidays (`PUT`/`DELETE /v1/holidays/{date}`). The work is [`crate::calendar`]'s.

use crate::calendar::{self, Holiday, HolidayError};
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::limits::JsonBody;
use crate::http::state::AppState;
use crate::http::stats::{reader, year_param};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use ceria_core::protocol::Role;
use serde::Deserialize;
use std::collections::HashMap;

/// The routes of the holiday calendar.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/holidays", get(list)).route(
        "/v1/holidays/{date}",
        axum::routing::put(put).delete(remove),
    )
}

/// `PUT /v1/holidays/{date}` body.
#[derive(Debug, Deserialize)]
pub(crate) struct HolidayName {
    name: String,
}

/// The answer for a calendar error.
fn problem(e: HolidayError) -> ApiError {
    match e {
        HolidayError::Db(e) => ApiError::internal(e),
        e @ (HolidayError::Date(_) | HolidayError::Name) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code()).detail(e.to_string())
        }
    }
}

/// `GET /v1/holidays?year=`: the holidays (of a year), oldest first.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Vec<Holiday>>, ApiError> {
    reader(&caller)?;
    let Query(query) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
    let year = year_param(&query)?.and_then(|y| i32::try_from(y).ok());
    let db = state.db.clone();
    let holidays =
        crate::http::state::blocking(move || calendar::list(&db, year).map_err(problem)).await?;
    Ok(Json(holidays))
}

/// `PUT /v1/holidays/{date}` (admin): records the holiday on `date` (201 new, 200 renamed).
pub(crate) async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<String>,
    JsonBody(body): JsonBody<HolidayName>,
) -> Result<(StatusCode, Json<Holiday>), ApiError> {
    caller.require(&[Role::Admin])?;
    let db = state.db.clone();
    let (holiday, created) = crate::http::state::blocking(move || {
        calendar::add(&db, &date, &body.name).map_err(problem)
    })
    .await?;
    tracing::info!(date = %holiday.date, by = caller.user.username, "holiday recorded");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(holiday)))
}

/// `DELETE /v1/holidays/{date}` (admin): the date is a working day again (404 if it was one).
pub(crate) async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[Role::Admin])?;
    let db = state.db.clone();
    let removed =
        crate::http::state::blocking(move || calendar::remove(&db, &date).map_err(problem)).await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
