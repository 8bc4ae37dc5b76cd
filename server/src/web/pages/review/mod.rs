//! The review pages of nagari operators and registry officers: the queue, a request, and its
//! actions. Both roles share them; what each may see and do is the API's rule
//! (`http::review::reviewer` and the workflow), never decided here.

use crate::http::state::AppState;
use axum::Router;

/// The routes of the review pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
