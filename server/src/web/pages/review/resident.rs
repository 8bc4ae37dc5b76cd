//! "Ajukan untuk warga": a nagari operator files a request for a resident of their village
//! with the one request form of `web::form` (its routes written once in
//! `web::form::routes`; the resident's NIK goes as `on_behalf_of`, the village is the
//! operator's own, exactly as the API takes it). `GET|POST /console/warga/baru` (pick a
//! service), `GET|POST /console/draf/{id}` (the form), `POST /console/draf/{id}/cek` (live
//! check), `POST /console/draf/{id}/hapus`. Only operators: the sync push takes requests
//! from citizens and operators alone, so other roles get the 404 of a page that does not
//! exist; drafts are the operator's own.

use crate::http::state::AppState;
use crate::web::form::routes::{self, Audience};
use crate::web::form::view::{FormView, ServiceGroup};
use crate::web::i18n::Lang;
use crate::web::render::{Page, WebError, html};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::response::Response;
use ceria_core::protocol::{Role, UserInfo};

/// The routes of the operator's form.
pub(crate) fn router() -> Router<AppState> {
    routes::router::<Staff>()
}

#[derive(Template)]
#[template(path = "review/new.html")]
struct New {
    page: Page,
    groups: Vec<ServiceGroup>,
    start_url: &'static str,
}

#[derive(Template)]
#[template(path = "review/form.html")]
struct Form {
    page: Page,
    form: Box<FormView>,
}

impl Audience for Staff {
    const BASE: &'static str = "/console";
    const NEW: &'static str = "/console/warga/baru";
    const UPLOADS: &'static str = "/console/unggah";

    fn session(&self) -> (&UserInfo, &str) {
        (&self.user, &self.csrf)
    }

    /// Operators only.
    fn may_file(&self) -> Result<(), WebError> {
        self.require(&[Role::Operator])
    }

    fn picker_page(
        &self,
        state: &AppState,
        lang: Lang,
        groups: Vec<ServiceGroup>,
    ) -> Result<Response, WebError> {
        let page = Page::new(state, self, lang, Self::NEW, "web.form.for_resident");
        html(&New {
            page,
            groups,
            start_url: Self::NEW,
        })
    }

    /// The page of the picker ("for a resident" marked in the navigation), titled with the
    /// service.
    fn form_page(
        &self,
        state: &AppState,
        lang: Lang,
        form: Box<FormView>,
    ) -> Result<Response, WebError> {
        let mut page = Page::new(state, self, lang, Self::NEW, "web.form.for_resident");
        page.here = form.action.clone();
        page.title = format!("{}: {}", page.title, form.service_name);
        html(&Form { page, form })
    }
}
