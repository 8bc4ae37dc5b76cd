//! The administration pages (admins only): staff accounts (`users`), the region table
//! (`regions`), the catalog (`catalog`), the statistics dashboard and its downloads
//! (`stats`, with its charts drawn by `chart`) and the holiday calendar (`holidays`). Each
//! page calls the same domain functions as the JSON API and the command line; the two pages
//! that take a file (regions, catalog) share their handlers (`upload`).

mod catalog;
mod chart;
mod holidays;
mod regions;
mod stats;
mod upload;
mod users;

use crate::http::state::AppState;
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Fields, NavLink, Page, WebError, html, links};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use ceria_core::protocol::Role;
use std::collections::HashMap;

/// The routes of the administration pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/", get(landing))
        .merge(users::router())
        .merge(regions::router())
        .merge(catalog::router())
        .merge(stats::router())
        .merge(holidays::router())
}

/// The administration sections, in the order of the tabs.
const SECTIONS: [(&str, &str); 5] = [
    ("/console/admin/users", "web.admin.users.title"),
    ("/console/admin/stats", "web.admin.stats.title"),
    ("/console/admin/holidays", "web.admin.holidays.title"),
    ("/console/admin/regions", "web.admin.regions.title"),
    ("/console/admin/catalog", "web.admin.catalog.title"),
];

/// The tabs of the administration pages, the current one marked.
pub(crate) fn tabs(t: &Texts, here: &str) -> Vec<NavLink> {
    links(t, &SECTIONS, here)
}

/// The page of an admin, or the 404 of a page that does not exist for anyone else.
pub(crate) fn admin_page(
    state: &AppState,
    staff: &Staff,
    lang: Lang,
    here: &str,
    title: &str,
) -> Result<Page, WebError> {
    staff.require(&[Role::Admin])?;
    Ok(Page::new(state, staff, lang, here, title))
}

/// The query string of a page (a malformed one reads as empty).
pub(crate) type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The parameters of a page's query string.
pub(crate) fn params(q: QueryMap) -> HashMap<String, String> {
    q.map(|Query(q)| q).unwrap_or_default()
}

/// A page, answered 422 when it shows a refused form again, else 200.
pub(crate) fn answer(template: &impl Template, refused: bool) -> Result<Response, WebError> {
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html(template)?).into_response())
}

/// The notice after a successful form (`?ok=<what>`): only the page's own known outcomes
/// are worded, nothing from the query is shown as such.
pub(crate) fn done_notice(
    t: &Texts,
    q: &HashMap<String, String>,
    known: &[&str],
) -> Option<String> {
    let ok = q.get("ok")?;
    known
        .iter()
        .find(|k| **k == ok.as_str())
        .map(|k| t.get(&format!("web.admin.ok.{k}")))
}

/// The refusal of an input that is not what the page takes, with `detail` (an uploaded
/// file, an account's fields).
pub(crate) fn invalid(t: &Texts, detail: &str) -> String {
    t.with("web.admin.invalid", &[("detail", detail.to_string())])
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct Landing {
    page: Page,
    tabs: Vec<NavLink>,
}

async fn landing(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
) -> Result<Response, WebError> {
    let page = admin_page(&state, &staff, lang, "/console/admin/", "web.admin.title")?;
    let tabs = tabs(&page.t, "/console/admin/");
    html(&Landing { page, tabs })
}

/// What was typed into `name` of a refused form (empty without one).
pub(crate) fn typed(refused: Option<&(String, &Fields)>, name: &str) -> String {
    refused
        .and_then(|(_, f)| f.get(name))
        .unwrap_or_default()
        .to_string()
}
