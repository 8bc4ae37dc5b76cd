//! `/console/admin/regions`: the region table. Shows the table in force and imports a
//! Kemendagri `code,name` CSV (such as a decree year of `wilayah_2025.csv`), put in force
//! at once for validation and names (`crate::regions`, as `PUT /v1/regions`).

use super::{QueryMap, admin_page, answer, done_notice, params, tabs, uploaded_text};
use crate::http::error::ApiError;
use crate::http::limits::MAX_REGIONS_BYTES;
use crate::http::state::{AppState, blocking};
use crate::regions::{self, ImportError};
use crate::web::i18n::Lang;
use crate::web::render::{NavLink, Page, WebError, see_other};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;

/// The routes of the region table page.
pub(super) fn router() -> Router<AppState> {
    Router::new().route(
        "/console/admin/regions",
        get(show)
            .post(import)
            .layer(DefaultBodyLimit::max(MAX_REGIONS_BYTES + 64 * 1024)),
    )
}

/// Regions of one level in the table.
#[derive(Debug, Clone)]
struct LevelCount {
    label: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "admin/regions.html")]
struct RegionsPage {
    page: Page,
    tabs: Vec<NavLink>,
    notice: Option<String>,
    error: Option<String>,
    /// Regions per level (empty: no table imported).
    levels: Vec<LevelCount>,
    total: usize,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    lang: Lang,
    q: &HashMap<String, String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let page = admin_page(
        state,
        staff,
        lang,
        "/console/admin/regions",
        "web.admin.regions.title",
    )?;
    let t = &page.t;
    let table = state.regions();
    let mut counts = [0usize; 4];
    if let Some(table) = table.as_deref() {
        for (code, _) in table.iter() {
            let dots = code.as_str().matches('.').count();
            if let Some(n) = counts.get_mut(dots) {
                *n += 1;
            }
        }
    }
    let levels = if table.is_some() {
        ["province", "regency", "district", "village"]
            .iter()
            .zip(counts)
            .map(|(level, count)| LevelCount {
                label: t.get(&format!("web.admin.regions.{level}")),
                count,
            })
            .collect()
    } else {
        Vec::new()
    };
    let refused_form = error.is_some();
    answer(
        &RegionsPage {
            tabs: tabs(t, "/console/admin/regions"),
            notice: done_notice(t, q, &["regions"]),
            error,
            levels,
            total: counts.iter().sum(),
            page,
        },
        refused_form,
    )
}

/// `GET /console/admin/regions`.
async fn show(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params(q);
    render(&state, &staff, lang, &q, None).await
}

/// `POST /console/admin/regions` (multipart, field `file`): imports the table.
async fn import(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let text = match uploaded_text(&state, &staff, lang, multipart, MAX_REGIONS_BYTES).await? {
        Ok(text) => text,
        Err(error) => return render(&state, &staff, lang, &HashMap::new(), Some(error)).await,
    };
    let t = crate::web::i18n::Texts::new(&state, lang);
    let db = state.db.clone();
    let imported = blocking(move || Ok(regions::import(&db, &text))).await?;
    match imported {
        Ok(table) => {
            tracing::info!(
                regions = table.len(),
                by = staff.user.username,
                "region table imported"
            );
            state.set_regions(table);
            Ok(see_other("/console/admin/regions?ok=regions"))
        }
        Err(ImportError::Invalid(e)) => {
            let error = t.with("web.admin.invalid", &[("detail", e.to_string())]);
            render(&state, &staff, lang, &HashMap::new(), Some(error)).await
        }
        Err(ImportError::Db(e)) => Err(WebError::Api(ApiError::internal(e))),
    }
}
