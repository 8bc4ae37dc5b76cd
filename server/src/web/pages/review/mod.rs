//! The review pages of nagari operators and registry officers: the queue (`queue`), a
//! request (`request`), and its actions (`actions`). Both roles share them; what each may see
//! and do is the API's rule (`http::review::reviewer`, `workflow::check_review`), never
//! decided here.

pub(crate) mod actions;
pub(crate) mod queue;
pub(crate) mod request;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The routes of the review pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/requests", get(queue::queue))
        .route("/console/requests/process", post(queue::bulk_process))
        .route("/console/requests/{id}", get(request::show))
        .route(
            "/console/requests/{id}/transition",
            post(actions::transition),
        )
        .route("/console/requests/{id}/files/{sha256}", get(request::file))
}
