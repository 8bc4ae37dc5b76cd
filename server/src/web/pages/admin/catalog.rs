//! `/console/admin/catalog`: the service catalog. Shows the version in force and its
//! services, publishes an uploaded newer catalog (checked by the core loader, in force at
//! once, as `PUT /v1/catalog`), and shows what changed from the version before: services,
//! fields and requirements added, removed or changed (`ceria_core::catalog::diff`).

use super::upload::UploadPage;
use super::{admin_page, answer, done_notice, invalid, tabs};
use crate::catalog_store::{self, PublishError};
use crate::http::error::ApiError;
use crate::http::limits::MAX_CATALOG_BYTES;
use crate::http::state::{AppState, blocking};
use crate::web::format::query;
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{NavLink, Page, WebError};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::response::Response;
use ceria_core::Catalog;
use ceria_core::catalog::diff::{CatalogDiff, diff};
use std::collections::HashMap;

/// The routes of the catalog page.
pub(super) fn router() -> Router<AppState> {
    super::upload::router::<CatalogUpload>()
}

/// A service of the catalog in force.
#[derive(Debug, Clone)]
struct ServiceRow {
    id: String,
    name: String,
    fields: usize,
    requirements: usize,
    service_days: u32,
}

/// One line of the changes: what, and the ids.
#[derive(Debug, Clone)]
struct Change {
    label: String,
    ids: String,
}

/// The changes of one service.
#[derive(Debug, Clone)]
struct ServiceChange {
    service: String,
    changes: Vec<Change>,
}

#[derive(Template)]
#[template(path = "admin/catalog.html")]
struct CatalogPage {
    page: Page,
    tabs: Vec<NavLink>,
    notice: Option<String>,
    error: Option<String>,
    version: String,
    services: Vec<ServiceRow>,
    /// What the last publication changed, when shown.
    changes: Option<Vec<Change>>,
    service_changes: Vec<ServiceChange>,
    /// Heading of the changes ("from ... to ...").
    changes_title: String,
}

/// A version as it may appear in a link (digits, letters, `.`, `-`).
fn plausible_version(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 40
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// The lines of a diff, in the page's language.
fn change_lines(t: &Texts, d: &CatalogDiff) -> (Vec<Change>, Vec<ServiceChange>) {
    let line = |code: &str, ids: &[String]| {
        (!ids.is_empty()).then(|| Change {
            label: t.get(code),
            ids: ids.join(", "),
        })
    };
    let top = [
        line("web.admin.catalog.services_added", &d.services_added),
        line("web.admin.catalog.services_removed", &d.services_removed),
        line("web.admin.catalog.messages_added", &d.messages_added),
        line("web.admin.catalog.messages_removed", &d.messages_removed),
    ]
    .into_iter()
    .flatten()
    .collect();
    let services = d
        .services_changed
        .iter()
        .map(|s| {
            let mut changes: Vec<Change> = [
                line("web.admin.catalog.fields_added", &s.fields_added),
                line("web.admin.catalog.fields_removed", &s.fields_removed),
                line("web.admin.catalog.fields_changed", &s.fields_changed),
                line(
                    "web.admin.catalog.requirements_added",
                    &s.requirements_added,
                ),
                line(
                    "web.admin.catalog.requirements_removed",
                    &s.requirements_removed,
                ),
                line(
                    "web.admin.catalog.requirements_changed",
                    &s.requirements_changed,
                ),
            ]
            .into_iter()
            .flatten()
            .collect();
            if let Some([before, after]) = s.service_days {
                changes.push(Change {
                    label: t.get("web.admin.catalog.service_days"),
                    ids: format!("{before} → {after}"),
                });
            }
            if s.other_changes {
                changes.push(Change {
                    label: t.get("web.admin.catalog.other_changes"),
                    ids: String::new(),
                });
            }
            ServiceChange {
                service: s.service.clone(),
                changes,
            }
        })
        .collect();
    (top, services)
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
        "/console/admin/catalog",
        "web.admin.catalog.title",
    )?;
    let t = &page.t;
    let current = state.catalog();
    // The changes from an earlier version (after a publication: the one it replaced).
    let from = q
        .get("from")
        .map(|v| v.trim().to_string())
        .filter(|v| plausible_version(v));
    let earlier: Option<std::sync::Arc<Catalog>> = match from {
        Some(v) if v == Catalog::embedded().version() => Some(Catalog::embedded()),
        Some(v) => state
            .db_call(move |db| db.catalog_body(&v))
            .await?
            .and_then(|json| Catalog::from_json(&json).ok())
            .map(std::sync::Arc::new),
        None => None,
    };
    let (changes, service_changes, changes_title) = match &earlier {
        Some(old) => {
            let d = diff(old.source(), current.source());
            let (top, services) = change_lines(t, &d);
            let title = t.with(
                "web.admin.catalog.changes",
                &[
                    ("from", d.from_version.clone()),
                    ("to", d.to_version.clone()),
                ],
            );
            (Some(top), services, title)
        }
        None => (None, Vec::new(), String::new()),
    };
    let services = current
        .services()
        .iter()
        .map(|s| ServiceRow {
            id: s.id.clone(),
            name: t.label(&s.name).to_string(),
            fields: s.fields.len(),
            requirements: s.attachments.len(),
            service_days: s.service_days,
        })
        .collect();
    let refused_form = error.is_some();
    answer(
        &CatalogPage {
            tabs: tabs(t, "/console/admin/catalog"),
            notice: done_notice(t, q, &["published"]),
            error,
            version: current.version().to_string(),
            services,
            changes,
            service_changes,
            changes_title,
            page,
        },
        refused_form,
    )
}

/// The catalog page: a newer catalog (JSON) is its file.
struct CatalogUpload;

impl UploadPage for CatalogUpload {
    const PATH: &'static str = "/console/admin/catalog";
    const MAX_BYTES: usize = MAX_CATALOG_BYTES;

    /// `?from=VERSION`: the changes from that version shown.
    fn render(
        state: &AppState,
        staff: &Staff,
        lang: Lang,
        q: &HashMap<String, String>,
        error: Option<String>,
    ) -> impl Future<Output = Result<Response, WebError>> + Send {
        render(state, staff, lang, q, error)
    }

    /// Publishes the catalog, in force at once (as `PUT /v1/catalog`), then shows what
    /// changed from the version it replaces.
    async fn take(
        state: &AppState,
        staff: &Staff,
        t: &Texts,
        json: String,
    ) -> Result<Result<String, String>, WebError> {
        let st = state.clone();
        let by = staff.user.id.clone();
        let current = state.catalog();
        let before = current.version().to_string();
        let published =
            blocking(move || Ok(catalog_store::publish(&st.db, &current, &json, Some(&by))))
                .await?;
        match published {
            Ok(p) => {
                tracing::info!(
                    version = p.catalog.version(),
                    by = staff.user.username,
                    "catalog published"
                );
                state.set_catalog(p.catalog);
                Ok(Ok(format!(
                    "/console/admin/catalog{}",
                    query(&[("ok", "published"), ("from", &before)])
                )))
            }
            Err(PublishError::Invalid(e)) => Ok(Err(invalid(t, &e.to_string()))),
            Err(PublishError::NotNewer { current, .. }) => {
                Ok(Err(t.with("catalog.outdated", &[("version", current)])))
            }
            Err(PublishError::Db(e)) => Err(WebError::Api(ApiError::internal(e))),
        }
    }
}
