//! The signed-in citizen's pages under `/layanan/`: registering, signing in and out and the
//! account page (`account`), and their requests (`requests`: the list, one request with its
//! timeline and the reviewer's reasons, cancelling) and the request form (`form`: a new
//! request, drafts, revising a returned request). Every handler takes the
//! [`Citizen`](crate::web::session::citizen::Citizen) extractor (a browser without a
//! citizen session goes to the sign-in page) and acts through the functions the JSON API
//! calls: registration, the login check, the push of the sync API, the request detail.

pub(crate) mod account;
pub(crate) mod form;
pub(crate) mod requests;

use crate::http::state::AppState;
use axum::Router;

/// The routes of the citizen's pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(account::router())
        .merge(form::router())
        .merge(requests::router())
}
