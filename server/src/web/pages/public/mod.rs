//! The citizens' public pages under `/layanan/` (no sign-in): the service catalog grouped as
//! the catalog groups it, one page per service with its service standard straight from the
//! catalog, how to get the Android app (`catalog`), and the status check by receipt code
//! (`status`). They share the citizens' layout (`templates/public/layout.html`, a
//! [`Page`](crate::web::render::Page) of `Site::Portal`) with the signed-in citizen pages
//! (`pages/citizen/`).

pub(crate) mod catalog;
pub(crate) mod status;

use crate::http::state::AppState;
use crate::web::session::citizen::BASE;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;

/// The routes of the public pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/layanan", get(|| async { Redirect::to("/layanan/") }))
        .route("/layanan/bahasa/{code}", get(switch))
        .merge(catalog::router())
        .merge(status::router())
}

/// `GET /layanan/bahasa/{code}?back=/layanan/...`: remembers the language and goes back
/// (only to a page of the portal).
async fn switch(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    crate::web::i18n::remember(&state, &code, query.get("back"), BASE)
}
