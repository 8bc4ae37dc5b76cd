//! The citizens' public pages under `/layanan/` (no sign-in): the service catalog grouped as
//! the catalog groups it, one page per service with its service standard straight from the
//! catalog, how to get the Android app (`catalog`), and the status check by receipt code
//! (`status`). They share the portal's page context ([`PortalPage`]) and layout
//! (`templates/public/layout.html`) with the signed-in citizen pages (`pages/citizen/`).

pub(crate) mod catalog;
pub(crate) mod status;

use crate::http::state::AppState;
use crate::web::assets;
use crate::web::i18n::{Lang, Texts};
use crate::web::render::NavLink;
use crate::web::session::citizen::BASE;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Redirect, Response};
use axum::routing::get;
use ceria_core::protocol::UserInfo;
use std::collections::HashMap;

/// The routes of the public pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/layanan", get(|| async { Redirect::to("/layanan/") }))
        .route("/layanan/bahasa/{code}", get(switch))
        .merge(catalog::router())
        .merge(status::router())
}

/// The portal's navigation, in its order: where each link goes, its label (a message code),
/// and the paths below which it is current besides its own.
const SECTIONS: [(&str, &str, &[&str]); 4] = [
    (
        "/layanan/",
        "web.portal.nav.services",
        &["/layanan/standar/"],
    ),
    ("/layanan/cek", "web.portal.nav.status", &[]),
    (
        "/layanan/permohonan",
        "web.portal.nav.requests",
        &["/layanan/permohonan"],
    ),
    ("/layanan/aplikasi", "web.portal.nav.app", &[]),
];

/// The portal's navigation worded, the section of `here` marked.
fn nav(t: &Texts, here: &str) -> Vec<NavLink> {
    SECTIONS
        .iter()
        .map(|(href, code, below)| NavLink {
            href,
            label: t.get(code),
            current: here == *href || below.iter().any(|p| here.starts_with(p)),
        })
        .collect()
}

/// The context of the portal's layout (`templates/public/layout.html` over
/// `skeleton.html`), a field `page` of every portal page and of the error pages under
/// [`BASE`].
#[derive(Debug, Clone)]
pub(crate) struct PortalPage {
    /// Texts in the browser's language.
    pub t: Texts,
    /// The page title (already worded).
    pub title: String,
    /// The page's path (the language switch comes back to it).
    pub here: String,
    /// The signed-in citizen, on the pages that need one (public pages never show it, so
    /// they can be cached).
    pub user: Option<UserInfo>,
    /// The session's anti-forgery token, for the page's forms.
    pub csrf: String,
    /// The navigation bar.
    pub nav: Vec<NavLink>,
    /// URL of the stylesheet.
    pub css: &'static str,
    /// URL of the script.
    pub js: &'static str,
    /// URL of the uploads' script.
    pub upload_js: &'static str,
}

impl PortalPage {
    /// The context of a page titled with message `title`.
    pub(crate) fn new(state: &AppState, lang: Lang, here: &str, title: &str) -> PortalPage {
        let t = Texts::new(state, lang);
        PortalPage::titled(t.get(title), t, here)
    }

    /// The context of a page with a worded title (a service's name).
    pub(crate) fn titled(title: String, t: Texts, here: &str) -> PortalPage {
        PortalPage {
            title,
            nav: nav(&t, here),
            t,
            here: here.to_string(),
            user: None,
            csrf: String::new(),
            css: assets::STYLESHEET.url(),
            js: assets::SCRIPT.url(),
            upload_js: assets::UPLOAD_SCRIPT.url(),
        }
    }

    /// The brand in the header and the title.
    pub(crate) fn brand(&self) -> String {
        self.t.get("web.portal.brand")
    }

    /// Where the brand links to.
    pub(crate) fn home(&self) -> &'static str {
        "/layanan/"
    }

    /// Where the sign-out form posts.
    pub(crate) fn signout_url(&self) -> &'static str {
        "/layanan/keluar"
    }

    /// The texts of the uploads' script (its tag's `data-texts`).
    pub(crate) fn upload_texts(&self) -> String {
        crate::web::uploads::script_texts(&self.t)
    }

    /// The language switch's link (to the other language, back to this page).
    pub(crate) fn switch_href(&self) -> String {
        let back = crate::web::format::url_component(&self.here);
        format!("{BASE}/bahasa/{}?back={back}", self.t.lang.other().code())
    }
}

/// `GET /layanan/bahasa/{code}?back=/layanan/...`: remembers the language and goes back
/// (only to a page of the portal).
async fn switch(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    crate::web::i18n::remember(&state, &code, query.get("back"), BASE)
}
