//! The console's pages, one folder per audience: `review/` for nagari operators and registry
//! officers (the queue, a request, its actions), `admin/` for admins; `signin` and `home`
//! (which sends each role to its first page) for everyone. The citizens' pages under
//! `/layanan/`: `public/` (no sign-in) and `citizen/` (a citizen's session).

pub(crate) mod admin;
pub(crate) mod citizen;
pub(crate) mod home;
pub(crate) mod public;
pub(crate) mod review;
pub(crate) mod signin;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::get;

/// The routes of every page.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/lang/{code}", get(crate::web::i18n::switch))
        .merge(signin::router())
        .merge(home::router())
        .merge(review::router())
        .merge(admin::router())
        .merge(public::router())
        .merge(citizen::router())
}
