//! The review pages of nagari operators and registry officers: the queue (`queue`), a
//! request (`request`), its actions (`actions`), and an operator's "file for a resident"
//! (`resident`, the one request form of `web::form`). Both roles share them; what each may see
//! and do is the API's rule (`http::review::reviewer`, `workflow::check_review`), never
//! decided here.

pub(crate) mod actions;
pub(crate) mod queue;
pub(crate) mod request;
pub(crate) mod resident;

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
        .merge(resident::router())
}
