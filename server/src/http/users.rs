//! Account administration over the API (admin role only): the account list, disabling and
//! enabling an account, resetting its password and ending its sessions. The work is the
//! `admin` module's, shared with the command line, and every action is audited there.

use crate::admin::{self, AccountSummary, AdminError};
use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::limits::JsonBody;
use crate::http::state::{AppState, blocking};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use ceria_core::protocol::Role;
use serde::{Deserialize, Serialize};

/// Largest page of the account list.
const MAX_PAGE: u32 = 200;

/// The routes of account administration.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/users", get(list))
        .route("/v1/users/{id}/disable", post(disable))
        .route("/v1/users/{id}/enable", post(enable))
        .route("/v1/users/{id}/password", post(reset_password))
        .route("/v1/users/{id}/sessions", delete(end_sessions))
}

/// `GET /v1/users` query.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    after: Option<String>,
    limit: Option<u32>,
}

/// A page of accounts.
#[derive(Debug, Serialize)]
pub(crate) struct AccountPage {
    items: Vec<AccountSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// `POST /v1/users/{id}/password` body.
#[derive(Debug, Deserialize)]
pub(crate) struct NewPassword {
    password: String,
}

/// 403 unless the caller administers accounts; the name recorded in the audit log otherwise.
fn admin_actor(caller: &Caller) -> Result<String, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(caller.user.username.clone())
}

/// The answer for an admin error.
fn admin_problem(e: AdminError) -> ApiError {
    let status = match &e {
        AdminError::NotFound(_) => StatusCode::NOT_FOUND,
        AdminError::Password(_) | AdminError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return ApiError::internal(e),
    };
    let mut problem = ApiError::new(status, e.code());
    for (name, value) in e.params() {
        problem = problem.with(name, value);
    }
    problem
}

/// `GET /v1/users?after=&limit=`: accounts in creation order, without password hashes.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<AccountPage>, ApiError> {
    admin_actor(&caller)?;
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let items = state
        .db_call(move |db| db.list_accounts(q.after.as_deref(), limit))
        .await?;
    let next = (items.len() == limit as usize)
        .then(|| items.last().map(|a| a.id.clone()))
        .flatten();
    Ok(Json(AccountPage { items, next }))
}

/// Runs an account action of the `admin` module (blocking: it writes the database) for an
/// administrator.
async fn act(
    state: &AppState,
    caller: &Caller,
    id: String,
    action: fn(&crate::Db, &str, &str) -> Result<AccountSummary, AdminError>,
) -> Result<AccountSummary, ApiError> {
    let actor = admin_actor(caller)?;
    let db = state.db.clone();
    blocking(move || action(&db, &id, &actor).map_err(admin_problem)).await
}

/// `POST /v1/users/{id}/disable`: no more logins; the account's sessions end.
pub(crate) async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AccountSummary>, ApiError> {
    act(&state, &caller, id, admin::disable_user)
        .await
        .map(Json)
}

/// `POST /v1/users/{id}/enable`: logins work again.
pub(crate) async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AccountSummary>, ApiError> {
    act(&state, &caller, id, admin::enable_user).await.map(Json)
}

/// `POST /v1/users/{id}/password` `{password}`: a new password (the policy applies); the
/// account's sessions end.
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewPassword>,
) -> Result<StatusCode, ApiError> {
    let actor = admin_actor(&caller)?;
    let db = state.db.clone();
    state
        .hashing
        .run(move || admin::reset_password(&db, &id, &body.password, &actor).map_err(admin_problem))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/users/{id}/sessions`: every session of the account ends.
pub(crate) async fn end_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    act(&state, &caller, id, admin::end_sessions).await?;
    Ok(StatusCode::NO_CONTENT)
}
