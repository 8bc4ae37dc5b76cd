//! The service catalog for everyone: `GET /layanan/` (the services grouped as the catalog
//! groups them, the way to the status check and the app), `GET /layanan/standar/{id}` (one
//! service's standard: who may apply, the data asked, the attachments with their notes,
//! service days, fee, legal basis, forms, what the citizen receives and where) and
//! `GET /layanan/aplikasi` (how to get the Android app).
//!
//! Everything shown comes from the catalog in force and the page's language, so the pages are
//! cacheable: their ETag is the catalog's hash with the language, and a browser that has
//! the page gets a 304.

use crate::http::catalog::etag_matches;
use crate::http::state::AppState;
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Page, WebError, html};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ceria_core::catalog::source::ServiceSource;

/// The routes of the catalog pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/layanan/", get(index))
        .route("/layanan/standar/{id}", get(service))
        .route("/layanan/aplikasi", get(app))
}

/// One service in the list.
struct ServiceLink {
    id: String,
    name: String,
    description: String,
}

/// One group of services.
struct Group {
    name: String,
    description: String,
    services: Vec<ServiceLink>,
}

#[derive(Template)]
#[template(path = "public/index.html")]
struct Index {
    page: Page,
    groups: Vec<Group>,
}

/// One line of the standard: a field asked or an attachment wanted.
struct Item {
    label: String,
    note: Option<String>,
    /// `web.portal.required`, `web.portal.conditional` or `web.portal.optional`, worded.
    need: String,
}

#[derive(Template)]
#[template(path = "public/service.html")]
struct Service {
    page: Page,
    group: String,
    description: String,
    eligibility: String,
    fields: Vec<Item>,
    attachments: Vec<Item>,
    files_note: String,
    days: String,
    fee: String,
    deadline: Option<String>,
    legal_basis: Vec<String>,
    forms: Vec<String>,
    output: String,
}

#[derive(Template)]
#[template(path = "public/app.html")]
struct App {
    page: Page,
}

/// The page's ETag: the catalog's hash and the language (the two things it is made of).
fn etag(t: &Texts) -> String {
    format!("\"{}-{}\"", t.catalog().hash(), t.lang.code())
}

/// Answers `render()` as a cacheable page, or a 304 when the browser has it.
fn cacheable(
    t: &Texts,
    headers: &HeaderMap,
    render: impl FnOnce() -> Result<Response, WebError>,
) -> Result<Response, WebError> {
    let tag = etag(t);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| etag_matches(v, &tag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        render()?
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    // Revalidated on every visit (a new catalog shows at once); the language is a cookie.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    Ok(response)
}

/// `GET /layanan/`.
async fn index(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let page = Page::portal(&state, lang, "/layanan/", "web.portal.title");
    let t = page.t.clone();
    cacheable(&t, &headers, || {
        let catalog = t.catalog();
        let groups = catalog
            .groups()
            .iter()
            .map(|g| Group {
                name: t.label(&g.name).to_string(),
                description: t.label(&g.description).to_string(),
                services: catalog
                    .services()
                    .iter()
                    .filter(|s| s.group == g.id)
                    .map(|s| ServiceLink {
                        id: s.id.clone(),
                        name: t.label(&s.name).to_string(),
                        description: t.label(&s.description).to_string(),
                    })
                    .collect(),
            })
            .collect();
        html(&Index { page, groups })
    })
}

/// The need of a field or attachment: required, required in some cases, or optional.
fn need(t: &Texts, required: bool, required_if: Option<&String>) -> String {
    t.get(match (required, required_if) {
        (true, _) => "web.portal.required",
        (false, Some(_)) => "web.portal.conditional",
        (false, None) => "web.portal.optional",
    })
}

/// The standard of `s` in the page's language.
fn standard(page: Page, s: &ServiceSource) -> Service {
    let t = &page.t;
    let catalog = t.catalog();
    let group = catalog
        .groups()
        .iter()
        .find(|g| g.id == s.group)
        .map(|g| t.label(&g.name).to_string())
        .unwrap_or_default();
    let fields = s
        .fields
        .iter()
        .filter(|f| f.calculate.is_none())
        .map(|f| Item {
            label: t.label(&f.label).to_string(),
            note: f.hint.as_ref().map(|h| t.label(h).to_string()),
            need: need(t, f.required, f.required_if.as_ref()),
        })
        .collect();
    let attachments = s
        .attachments
        .iter()
        .map(|a| Item {
            label: t.label(&a.label).to_string(),
            note: a.hint.as_ref().map(|h| t.label(h).to_string()),
            need: need(t, a.required, a.required_if.as_ref()),
        })
        .collect();
    let limits = &catalog.source().limits;
    let media = limits
        .media_types
        .iter()
        .map(|m| match m.as_str() {
            "image/jpeg" => "JPEG",
            "image/png" => "PNG",
            "application/pdf" => "PDF",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ");
    let fee = if s.fee == 0 {
        t.get("web.portal.free")
    } else {
        t.with("web.portal.fee_amount", &[("amount", s.fee.to_string())])
    };
    let deadline = s
        .deadline
        .as_ref()
        .map(|d| t.with("web.portal.deadline", &[("days", d.days.to_string())]));
    Service {
        group,
        description: t.label(&s.description).to_string(),
        eligibility: t.label(&s.eligibility).to_string(),
        fields,
        attachments,
        files_note: t.with(
            "web.portal.std.files",
            &[
                ("types", media),
                (
                    "mb",
                    (limits.max_attachment_bytes / (1024 * 1024)).to_string(),
                ),
            ],
        ),
        days: t.with(
            "web.portal.std.days_value",
            &[("days", s.service_days.to_string())],
        ),
        fee,
        deadline,
        legal_basis: s.legal_basis.clone(),
        forms: s.forms.clone(),
        output: t.label(&s.output).to_string(),
        page,
    }
}

/// `GET /layanan/standar/{id}`; 404 for a service the catalog lacks.
async fn service(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let t = Texts::new(&state, lang);
    let catalog = state.catalog();
    let s = catalog.service(&id).ok_or(WebError::NotFound)?;
    let here = format!("/layanan/standar/{}", s.id);
    let page = Page::portal_titled(t.label(&s.name).to_string(), t.clone(), &here);
    cacheable(&t, &headers, || html(&standard(page, s)))
}

/// `GET /layanan/aplikasi`.
async fn app(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let page = Page::portal(&state, lang, "/layanan/aplikasi", "web.portal.app.title");
    let t = page.t.clone();
    cacheable(&t, &headers, || html(&App { page }))
}
