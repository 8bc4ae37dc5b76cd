//! What every page is rendered with: the [`Page`] context of the layouts (texts, account,
//! anti-forgery token, the navigations of the console and of the citizens' pages, asset
//! URLs), the posted form ([`Fields`]), and
//! [`WebError`], the error of a console handler (worded into an HTML page by
//! `headers::console_layer`, never into the API's problem JSON).

use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::web::assets;
use crate::web::i18n::{Lang, Texts};
use crate::web::session::Staff;
use askama::Template;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ceria_core::protocol::{Role, UserInfo};

/// One link of the navigation bar.
#[derive(Debug, Clone)]
pub(crate) struct NavLink {
    /// Where it goes.
    pub href: &'static str,
    /// Its text.
    pub label: String,
    /// Whether it is the current page's section.
    pub current: bool,
}

/// The links of the console's navigation bar for a role; the current section is marked.
fn console_nav(t: &Texts, role: Role, here: &str) -> Vec<NavLink> {
    let sections: &[(&'static str, &str)] = match role {
        Role::Operator => &[
            ("/console/requests", "web.nav.queue"),
            ("/console/warga/baru", "web.form.for_resident"),
        ],
        Role::Officer => &[("/console/requests", "web.nav.queue")],
        Role::Admin => &[("/console/admin/", "web.nav.admin")],
        Role::Citizen => &[],
    };
    links(t, sections, here)
}

/// Links `(href, message code)` worded, the one `here` is under marked current.
pub(crate) fn links(t: &Texts, sections: &[(&'static str, &str)], here: &str) -> Vec<NavLink> {
    sections
        .iter()
        .map(|(href, code)| NavLink {
            href,
            label: t.get(code),
            current: here.starts_with(href),
        })
        .collect()
}

/// The citizens' navigation, in its order: where each link goes, its label (a message
/// code), and the paths below which it is current besides its own.
const PORTAL_SECTIONS: [(&str, &str, &[&str]); 4] = [
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

/// The citizens' navigation worded, the section of `here` marked.
fn portal_nav(t: &Texts, here: &str) -> Vec<NavLink> {
    PORTAL_SECTIONS
        .iter()
        .map(|(href, code, below)| NavLink {
            href,
            label: t.get(code),
            current: here == *href || below.iter().any(|p| here.starts_with(p)),
        })
        .collect()
}

/// Whose pages a [`Page`] is: its brand, home, sign-out and language switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    /// The staff console under `/console` (`templates/layout.html`).
    Console,
    /// The citizens' pages under `/layanan` (`templates/public/layout.html`).
    Portal,
}

/// The context of the layouts (`templates/layout.html` and `templates/public/layout.html`,
/// both over `skeleton.html`), a field `page` of every page.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// Whose pages these are.
    pub site: Site,
    /// Texts in the browser's language.
    pub t: Texts,
    /// The signed-in account, if any (the citizens' public pages never show one, so they
    /// can be cached).
    pub user: Option<UserInfo>,
    /// The session's anti-forgery token, for the page's forms.
    pub csrf: String,
    /// The page's path and query (the language switch comes back to it).
    pub here: String,
    /// The page title.
    pub title: String,
    /// The navigation bar.
    pub nav: Vec<NavLink>,
    /// URL of the stylesheet.
    pub css: &'static str,
    /// URL of the script.
    pub js: &'static str,
    /// URL of the uploads' script.
    pub upload_js: &'static str,
}

impl Page {
    /// The context of a console page for a signed-in staff member; `title` is a message
    /// code.
    pub(crate) fn new(
        state: &AppState,
        staff: &Staff,
        lang: Lang,
        here: &str,
        title: &str,
    ) -> Page {
        let mut page = Page::public(state, lang, here, title);
        page.nav = console_nav(&page.t, staff.user.role, here);
        page.user = Some(staff.user.clone());
        page.csrf = staff.csrf.clone();
        page
    }

    /// The context of a console page without a session (sign-in, errors).
    pub(crate) fn public(state: &AppState, lang: Lang, here: &str, title: &str) -> Page {
        let t = Texts::new(state, lang);
        Page::of(Site::Console, t.get(title), t, here)
    }

    /// The context of a citizens' page titled with message `title` (without the citizen:
    /// `pages::citizen::account::citizen_page` adds them).
    pub(crate) fn portal(state: &AppState, lang: Lang, here: &str, title: &str) -> Page {
        let t = Texts::new(state, lang);
        Page::portal_titled(t.get(title), t, here)
    }

    /// The context of a citizens' page with a worded title (a service's name).
    pub(crate) fn portal_titled(title: String, t: Texts, here: &str) -> Page {
        let mut page = Page::of(Site::Portal, title, t, here);
        page.nav = portal_nav(&page.t, here);
        page
    }

    fn of(site: Site, title: String, t: Texts, here: &str) -> Page {
        Page {
            site,
            title,
            t,
            user: None,
            csrf: String::new(),
            here: here.to_string(),
            nav: Vec::new(),
            css: assets::STYLESHEET.url(),
            js: assets::SCRIPT.url(),
            upload_js: assets::UPLOAD_SCRIPT.url(),
        }
    }

    /// The brand in the header and the title.
    pub(crate) fn brand(&self) -> String {
        match self.site {
            Site::Console => "Ceria".to_string(),
            Site::Portal => self.t.get("web.portal.brand"),
        }
    }

    /// Where the brand links to.
    pub(crate) fn home(&self) -> &'static str {
        match self.site {
            Site::Console => "/console/",
            Site::Portal => "/layanan/",
        }
    }

    /// Where the sign-out form posts.
    pub(crate) fn signout_url(&self) -> &'static str {
        match self.site {
            Site::Console => "/console/signout",
            Site::Portal => "/layanan/keluar",
        }
    }

    /// The language switch's link (to the other language, back to this page).
    pub(crate) fn switch_href(&self) -> String {
        let back = crate::web::format::url_component(&self.here);
        let switch = match self.site {
            Site::Console => "/console/lang",
            Site::Portal => "/layanan/bahasa",
        };
        format!("{switch}/{}?back={back}", self.t.lang.other().code())
    }

    /// The texts of the uploads' script (its tag's `data-texts`).
    pub(crate) fn upload_texts(&self) -> String {
        crate::web::uploads::script_texts(&self.t)
    }

    /// The role of the signed-in account, worded.
    pub(crate) fn role_label(&self) -> String {
        self.user
            .as_ref()
            .map(|u| self.t.get(&format!("web.role.{}", u.role.code())))
            .unwrap_or_default()
    }
}

/// Renders a template into an HTML answer.
pub(crate) fn html(template: &impl Template) -> Result<Response, WebError> {
    let body = template
        .render()
        .map_err(|e| WebError::Api(ApiError::internal(e)))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response())
}

/// A redirect after a form (303: the browser follows it with a GET).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The error of a console handler.
#[derive(Debug)]
pub(crate) enum WebError {
    /// No (valid) session: to the sign-in page.
    SignIn,
    /// Nothing here for this account (absent, or outside its scope: the same answer).
    NotFound,
    /// A form without this session's anti-forgery token.
    Forged,
    /// An error of the domain, worded from its message code.
    Api(ApiError),
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> WebError {
        WebError::Api(e)
    }
}

/// An error page still to be worded (by `headers::console_layer`, which knows the language).
#[derive(Debug, Clone)]
pub(crate) struct ErrorPage {
    /// HTTP status.
    pub status: StatusCode,
    /// Message code.
    pub code: &'static str,
    /// Message parameters.
    pub params: Vec<(&'static str, String)>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let page = match self {
            WebError::SignIn => return Redirect::to("/console/signin").into_response(),
            WebError::NotFound => ErrorPage {
                status: StatusCode::NOT_FOUND,
                code: "request.not_found",
                params: Vec::new(),
            },
            WebError::Forged => ErrorPage {
                status: StatusCode::FORBIDDEN,
                code: "web.forged",
                params: Vec::new(),
            },
            WebError::Api(e) => ErrorPage {
                status: e.status,
                code: e.code,
                params: e.params,
            },
        };
        let mut response = page.status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

/// One option of a select.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    /// The value sent.
    pub value: String,
    /// What people read.
    pub label: String,
    /// Whether it is the current value.
    pub selected: bool,
}

/// A posted form, every `name=value` pair in order (repeated names kept: the selected rows
/// of a bulk action, the reasons of a return).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed; none when absent or blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The first value of `name` exactly as typed, empty when absent (a password's spaces
    /// are part of it).
    pub(crate) fn raw(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every non-blank value of `name`.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = WebError;

    /// A body that is not a form reads as an empty form: it carries no anti-forgery token,
    /// so the handler refuses it (403) before looking further.
    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        Ok(
            axum::Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map(|axum::Form(pairs)| Fields(pairs))
                .unwrap_or_default(),
        )
    }
}

#[cfg(test)]
impl Fields {
    /// A form of `pairs` (tests).
    pub(crate) fn of(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_trimmed_and_repeatable() {
        let f = Fields(vec![
            ("id".into(), "a".into()),
            ("id".into(), " ".into()),
            ("id".into(), "b".into()),
            ("note".into(), "  x ".into()),
        ]);
        assert_eq!(f.get("note"), Some("x"));
        assert_eq!(f.all("id").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(f.get("missing"), None);
    }
}
