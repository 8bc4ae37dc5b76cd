//! The citizen's request form (the one form of `web::form`, its routes written once in
//! `web::form::routes`): `GET|POST /layanan/permohonan/baru` (pick a service, grouped as the
//! catalog groups them; a post starts a draft), `GET|POST /layanan/draf/{id}` (the form of a
//! draft; a post saves it, checks it or sends it), `POST /layanan/draf/{id}/cek` (the live
//! check), `POST /layanan/draf/{id}/hapus`, and `POST /layanan/permohonan/{id}/perbaiki`
//! (revise a returned request in the same form). What is the citizen's own here: their
//! pages' layout and titles.

use crate::http::state::AppState;
use crate::web::form::routes::{self, Audience};
use crate::web::form::view::{FormView, ServiceGroup};
use crate::web::i18n::Lang;
use crate::web::pages::citizen::account::citizen_page;
use crate::web::render::{Page, WebError, html};
use crate::web::session::citizen::{BASE, Citizen};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::post;
use ceria_core::protocol::UserInfo;

/// The routes of the citizen's form.
pub(crate) fn router() -> Router<AppState> {
    routes::router::<Citizen>().route(
        "/layanan/permohonan/{id}/perbaiki",
        post(routes::revise::<Citizen>),
    )
}

#[derive(Template)]
#[template(path = "citizen/new.html")]
struct New {
    page: Page,
    groups: Vec<ServiceGroup>,
    start_url: &'static str,
}

#[derive(Template)]
#[template(path = "citizen/form.html")]
struct Form {
    page: Page,
    form: Box<FormView>,
}

impl Audience for Citizen {
    const BASE: &'static str = BASE;
    const NEW: &'static str = "/layanan/permohonan/baru";
    const UPLOADS: &'static str = "/layanan/unggah";

    fn session(&self) -> (&UserInfo, &str) {
        (&self.user, &self.csrf)
    }

    /// Every citizen files for themself.
    fn may_file(&self) -> Result<(), WebError> {
        Ok(())
    }

    fn picker_page(
        &self,
        state: &AppState,
        lang: Lang,
        groups: Vec<ServiceGroup>,
    ) -> Result<Response, WebError> {
        let page = citizen_page(state, self, lang, Self::NEW, "web.form.new.title");
        html(&New {
            page,
            groups,
            start_url: Self::NEW,
        })
    }

    fn form_page(
        &self,
        state: &AppState,
        lang: Lang,
        form: Box<FormView>,
    ) -> Result<Response, WebError> {
        let title = if form.revising() {
            "web.form.revise.title"
        } else {
            "web.form.title"
        };
        let mut page = citizen_page(state, self, lang, &form.action, title);
        page.title = format!("{}: {}", page.title, form.service_name);
        html(&Form { page, form })
    }
}
