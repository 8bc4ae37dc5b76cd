//! `GET /console/`: sends each role to its first page (operators and officers to the review
//! queue, admins to the administration pages); without a session, to the sign-in page.

use crate::http::state::AppState;
use crate::web::render::{WebError, see_other};
use crate::web::session::Staff;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use ceria_core::protocol::Role;

/// The route of the home page.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/console/", get(home))
}

/// The first page of a role.
pub(crate) fn first_page(role: Role) -> &'static str {
    match role {
        Role::Operator | Role::Officer => "/console/requests",
        Role::Admin => "/console/admin/",
        // Never signed in to the console (refused at sign-in, ignored by `Staff`).
        Role::Citizen => "/console/signin",
    }
}

async fn home(staff: Staff) -> Result<Response, WebError> {
    Ok(see_other(first_page(staff.user.role)))
}
