//! The administration pages (admins only): staff accounts (`users`), the region table
//! (`regions`), the catalog (`catalog`), the statistics dashboard and its downloads
//! (`stats`, with its charts drawn by `chart`) and the holiday calendar (`holidays`). Each
//! page calls the same domain functions as the JSON API and the command line.

mod catalog;
mod chart;
mod holidays;
mod regions;
mod stats;
mod users;

use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Fields, NavLink, Page, WebError, html, links};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
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

/// A posted upload form: its text fields (with the anti-forgery token) and the file.
pub(crate) struct Upload {
    /// The text fields.
    pub fields: Fields,
    /// The file's bytes (empty when none was chosen).
    pub file: Vec<u8>,
}

/// Reads a `multipart/form-data` form with one file field `file` of at most `max` bytes.
/// A body that is not such a form reads as an empty one (refused for its missing token).
pub(crate) async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
) -> Result<Upload, WebError> {
    let mut upload = Upload {
        fields: Fields::default(),
        file: Vec::new(),
    };
    let Ok(mut multipart) = multipart else {
        return Ok(upload);
    };
    let too_large = || WebError::Api(ApiError::body_too_large(max));
    while let Some(mut field) = multipart.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
                if upload.file.len() + chunk.len() > max {
                    return Err(too_large());
                }
                upload.file.extend_from_slice(&chunk);
            }
        } else {
            let value = field.text().await.map_err(|_| too_large())?;
            upload
                .fields
                .0
                .push((name, value.chars().take(200).collect()));
        }
    }
    Ok(upload)
}

/// The text file of an admin's upload form with its token checked; `Err(notice)` when the
/// file is not UTF-8 text (the notice to show on the form).
pub(crate) async fn uploaded_text(
    state: &AppState,
    staff: &Staff,
    lang: Lang,
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
) -> Result<Result<String, String>, WebError> {
    staff.require(&[Role::Admin])?;
    let Upload { fields, file } = read_upload(multipart, max).await?;
    staff.check_csrf(&fields)?;
    Ok(String::from_utf8(file).map_err(|_| {
        Texts::new(state, lang).with("web.admin.invalid", &[("detail", "not UTF-8 text".into())])
    }))
}

/// What was typed into `name` of a refused form (empty without one).
pub(crate) fn typed(refused: Option<&(String, &Fields)>, name: &str) -> String {
    refused
        .and_then(|(_, f)| f.get(name))
        .unwrap_or_default()
        .to_string()
}
