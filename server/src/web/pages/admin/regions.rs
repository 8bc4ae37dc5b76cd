//! `/console/admin/regions`: the region table. Shows the table in force and imports a
//! Kemendagri `code,name` CSV (such as a decree year of `wilayah_2025.csv`), put in force
//! at once for validation and names (`crate::regions`, as `PUT /v1/regions`).

use super::upload::UploadPage;
use super::{admin_page, answer, done_notice, invalid, tabs};
use crate::http::error::ApiError;
use crate::http::limits::MAX_REGIONS_BYTES;
use crate::http::state::{AppState, blocking};
use crate::regions::{self, ImportError};
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{NavLink, Page, WebError};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::response::Response;
use std::collections::HashMap;

/// The routes of the region table page.
pub(super) fn router() -> Router<AppState> {
    super::upload::router::<RegionTable>()
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

/// The region table page: a Kemendagri `code,name` CSV is its file.
struct RegionTable;

impl UploadPage for RegionTable {
    const PATH: &'static str = "/console/admin/regions";
    const MAX_BYTES: usize = MAX_REGIONS_BYTES;

    fn render(
        state: &AppState,
        staff: &Staff,
        lang: Lang,
        q: &HashMap<String, String>,
        error: Option<String>,
    ) -> impl Future<Output = Result<Response, WebError>> + Send {
        render(state, staff, lang, q, error)
    }

    /// Imports the table and puts it in force at once (as `PUT /v1/regions`).
    async fn take(
        state: &AppState,
        staff: &Staff,
        t: &Texts,
        text: String,
    ) -> Result<Result<String, String>, WebError> {
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
                Ok(Ok("/console/admin/regions?ok=regions".to_string()))
            }
            Err(ImportError::Invalid(e)) => Ok(Err(invalid(t, &e.to_string()))),
            Err(ImportError::Db(e)) => Err(WebError::Api(ApiError::internal(e))),
        }
    }
}
