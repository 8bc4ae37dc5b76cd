//! The administration pages (admins only): users, the region table, the catalog, the
//! statistics. Only the landing page is here so far; each page plugs in as described in
//! `web/mod.rs` ("How to add a page").

use crate::http::state::AppState;
use crate::web::i18n::Lang;
use crate::web::render::{Page, WebError, html};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use ceria_core::protocol::Role;

/// The routes of the administration pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/console/admin/", get(landing))
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct Landing {
    page: Page,
}

async fn landing(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
) -> Result<Response, WebError> {
    staff.require(&[Role::Admin])?;
    let page = Page::new(&state, &staff, lang, "/console/admin/", "web.admin.title");
    html(&Landing { page })
}
