//! The review workflow for nagari operators and registry officers: the queue, a request's
//! detail and files, and transitions through the state machine of [`crate::workflow`].

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::limits::JsonBody;
use crate::http::state::AppState;
use crate::http::sync::review_warnings;
use crate::store::blobs::is_sha256_hex;
use crate::store::now_ms;
use crate::store::requests::{QueueFilter, Scope, TransitionResult};
use crate::workflow::{self, Denial};
use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ceria_core::catalog::attachments::media_type_of;
use ceria_core::protocol::{
    MAX_QUEUE_PAGE, QueuePage, RequestDetail, RequestState, Role, StatusChange, TransitionRequest,
    UserInfo,
};
use ceria_core::{Finding, Issue};
use std::collections::HashMap;

/// The routes of the review workflow.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/requests", get(list))
        .route("/v1/requests/{id}", get(detail))
        .route("/v1/requests/{id}/attachments/{sha256}", get(attachment))
        .route("/v1/requests/{id}/transitions", post(transition))
}

/// Only operators and officers review; the requests `user` may see (the API and the web
/// console both ask here).
pub(crate) fn reviewer(user: &UserInfo) -> Result<Scope, ApiError> {
    match user.role {
        Role::Operator | Role::Officer => Ok(Scope::of(user)),
        Role::Citizen | Role::Admin => Err(ApiError::forbidden()),
    }
}

fn queue_filter(query: &HashMap<String, String>) -> Result<QueueFilter, ApiError> {
    let get = |k: &str| query.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let state = get("state")
        .map(|s| {
            RequestState::from_code(s)
                .ok_or_else(|| ApiError::malformed(format!("unknown state `{s}`")))
        })
        .transpose()?;
    let limit = get("limit")
        .map(|s| {
            s.parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ApiError::malformed("limit must be a positive integer"))
        })
        .transpose()?
        .unwrap_or(50)
        .min(MAX_QUEUE_PAGE);
    Ok(QueueFilter {
        state,
        village: get("village").map(str::to_string),
        after: get("after").map(str::to_string),
        limit,
        ..QueueFilter::default()
    })
}

/// `GET /v1/requests?state=&village=&limit=&after=`: the queue (an operator's is their village).
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<QueuePage>, ApiError> {
    let scope = reviewer(&caller.user)?;
    let Query(query) = query.map_err(|e| ApiError::malformed(e.body_text()))?;
    let filter = queue_filter(&query)?;
    let limit = filter.limit;
    let items = state.db_call(move |db| db.queue(&scope, &filter)).await?;
    let next = (items.len() == limit)
        .then(|| items.last().map(|i| i.id.clone()))
        .flatten();
    Ok(Json(QueuePage { items, next }))
}

/// `GET /v1/requests/{id}`: payload, attachments and audit log.
pub(crate) async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RequestDetail>, ApiError> {
    request_detail(&state, &caller.user, id).await.map(Json)
}

/// A request as `user` (a reviewer) may see it, with the core's warnings for its form; 404
/// outside their scope.
pub(crate) async fn request_detail(
    state: &AppState,
    user: &UserInfo,
    id: String,
) -> Result<RequestDetail, ApiError> {
    let scope = reviewer(user)?;
    let mut detail = state
        .db_call(move |db| db.request_detail(&id, &scope))
        .await?
        .ok_or_else(ApiError::not_found)?;
    detail.warnings = review_warnings(
        &state.catalog(),
        state.regions().as_deref(),
        &detail.payload,
        detail.request.created_ms,
        state.config.validation_today,
    );
    Ok(detail)
}

/// The policy an attachment is served under: it may be shown, never run. `sandbox` keeps
/// even a browser that renders it from running scripts or reaching this origin.
const ATTACHMENT_CSP: &str =
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

/// `GET /v1/requests/{id}/attachments/{sha256}`: the file, with the type of its content,
/// `nosniff`, a restrictive CSP, and `Content-Disposition`: inline for photos and PDFs (with a
/// safe file name), a download for anything else.
pub(crate) async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    attachment_response(&state, &caller.user, id, sha256).await
}

/// The attachment `sha256` of request `id` as served to `user` (a reviewer), under the
/// headers described at [`attachment`]; 404 outside their scope.
pub(crate) async fn attachment_response(
    state: &AppState,
    user: &UserInfo,
    id: String,
    sha256: String,
) -> Result<Response, ApiError> {
    let scope = reviewer(user)?;
    if !is_sha256_hex(&sha256) {
        return Err(ApiError::not_found());
    }
    let key = sha256.clone();
    let requirement = state
        .db_call(move |db| db.request_attachment(&id, &key, &scope))
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Attachments are at most the upload limit (10 MiB by default): read whole.
    let bytes = state
        .blobs
        .read_blob(&sha256)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(ApiError::not_found)?;
    // The content decides (requests stored before the check may carry a client's word).
    let media_type = media_type_of(&bytes);
    let extension = match media_type {
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "application/pdf" => Some("pdf"),
        _ => None,
    };
    let safe_name: String = requirement
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(64)
        .collect();
    let short = sha256.get(..12).unwrap_or_default();
    let disposition = match extension {
        Some(ext) => format!("inline; filename=\"{safe_name}-{short}.{ext}\""),
        None => format!("attachment; filename=\"{safe_name}-{short}.bin\""),
    };
    let header_value = |text: &str| {
        HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::CONTENT_DISPOSITION, header_value(&disposition)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=86400, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(ATTACHMENT_CSP),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}

fn missing_issue(state: &AppState, part: &'static str) -> Vec<Issue> {
    vec![
        state
            .catalog()
            .issue(Some(part), &Finding::error("field.required")),
    ]
}

/// `POST /v1/requests/{id}/transitions`: moves a request through the workflow.
pub(crate) async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TransitionRequest>,
) -> Result<Json<StatusChange>, ApiError> {
    apply_transition(&state, &caller.user, id, req)
        .await
        .map(Json)
}

/// Moves request `id` through the workflow as `user` (a reviewer): the one path of the API
/// and the web console. 404 outside their scope, 403 for a transition their role may not
/// make, 409 for one the state machine lacks, 422 when a required part is missing.
pub(crate) async fn apply_transition(
    state: &AppState,
    user: &UserInfo,
    id: String,
    req: TransitionRequest,
) -> Result<StatusChange, ApiError> {
    let scope = reviewer(user)?;
    let actor = user.clone();
    let TransitionRequest {
        to,
        note,
        reasons,
        document,
    } = req;
    let st = state.clone();
    let result = state
        .db_call(move |db| {
            db.transition(
                &id,
                &scope,
                &actor.id,
                to,
                note.as_deref(),
                &reasons,
                document.as_ref(),
                now_ms(),
                |head| {
                    workflow::check_review(&actor, &head.village, head.state, to).map_err(Err)?;
                    match workflow::missing_part(to, note.as_deref(), &reasons, document.as_ref()) {
                        Some(part) => Err(Ok(part)),
                        None => Ok(()),
                    }
                },
            )
        })
        .await?;
    match result {
        TransitionResult::Applied(change) => Ok(*change),
        TransitionResult::NotFound => Err(ApiError::not_found()),
        TransitionResult::Denied(Ok(part)) => {
            Err(ApiError::unprocessable(format!("`{part}` is required"))
                .issues(missing_issue(&st, part)))
        }
        TransitionResult::Denied(Err(Denial::Forbidden)) => Err(ApiError::forbidden()),
        TransitionResult::Denied(Err(Denial::Illegal { from, to })) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "state.illegal_transition",
        )
        .with("from", from.code())
        .with("to", to.code())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_filters() {
        let q = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let f = queue_filter(&q(&[("state", "submitted"), ("limit", "1000")])).unwrap();
        assert_eq!(f.state, Some(RequestState::Submitted));
        assert_eq!(f.limit, MAX_QUEUE_PAGE);
        assert_eq!(queue_filter(&q(&[])).unwrap().limit, 50);
        assert!(queue_filter(&q(&[("state", "done")])).is_err());
        assert!(queue_filter(&q(&[("limit", "-3")])).is_err());
    }
}
