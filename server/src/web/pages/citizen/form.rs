//! The citizen's request form (the one form of `web::form`): `GET|POST
//! /layanan/permohonan/baru` (pick a service, grouped as the catalog groups them; a post
//! starts a draft), `GET|POST /layanan/draf/{id}` (the form of a draft; a post saves it,
//! checks it or sends it), `POST /layanan/draf/{id}/cek` (the live check), `POST
//! /layanan/draf/{id}/hapus`, and `POST /layanan/permohonan/{id}/perbaiki` (revise a returned
//! request in the same form).

use crate::http::state::AppState;
use crate::web::form::flow::{self, Answer};
use crate::web::form::posted::{MAX_POST_BYTES, Posted};
use crate::web::form::view::{FormView, ServiceGroup, service_groups};
use crate::web::form::Filer;
use crate::web::i18n::Lang;
use crate::web::pages::citizen::account::citizen_page;
use crate::web::pages::public::PortalPage;
use crate::web::render::{Fields, WebError, html, see_other};
use crate::web::session::citizen::{BASE, Citizen};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;

/// The routes of the citizen's form.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/layanan/permohonan/baru", get(new).post(start))
        .route(
            "/layanan/draf/{id}",
            get(show)
                .post(submit)
                .layer(DefaultBodyLimit::max(MAX_POST_BYTES)),
        )
        .route("/layanan/draf/{id}/cek", post(live))
        .route("/layanan/draf/{id}/hapus", post(delete))
        .route("/layanan/permohonan/{id}/perbaiki", post(revise))
}

fn filer(citizen: Citizen) -> Filer {
    Filer {
        user: citizen.user,
        csrf: citizen.csrf,
        base: BASE,
    }
}

#[derive(Template)]
#[template(path = "citizen/new.html")]
struct New {
    page: PortalPage,
    groups: Vec<ServiceGroup>,
    start_url: &'static str,
}

#[derive(Template)]
#[template(path = "citizen/form.html")]
struct Form {
    page: PortalPage,
    form: Box<FormView>,
}

/// `GET /layanan/permohonan/baru`: the services to pick from.
async fn new(
    State(state): State<AppState>,
    citizen: Citizen,
    lang: Lang,
) -> Result<Response, WebError> {
    let page = citizen_page(
        &state,
        &citizen,
        lang,
        "/layanan/permohonan/baru",
        "web.form.new.title",
    );
    let groups = service_groups(&page.t);
    html(&New {
        page,
        groups,
        start_url: "/layanan/permohonan/baru",
    })
}

/// `POST /layanan/permohonan/baru`: a new draft of the chosen service.
async fn start(
    State(state): State<AppState>,
    citizen: Citizen,
    form: Fields,
) -> Result<Response, WebError> {
    flow::start(&state, &filer(citizen), &form).await
}

/// `POST /layanan/permohonan/{id}/perbaiki`: a draft revising the returned request.
async fn revise(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    flow::start_revision(&state, &filer(citizen), &id, &form).await
}

fn page_of(state: &AppState, citizen: &Citizen, lang: Lang, form: &FormView) -> PortalPage {
    let title = if form.revising() {
        "web.form.revise.title"
    } else {
        "web.form.title"
    };
    let mut page = citizen_page(state, citizen, lang, &form.action, title);
    page.title = format!("{}: {}", page.title, form.service_name);
    page
}

/// `GET /layanan/draf/{id}`: the form of a draft.
async fn show(
    State(state): State<AppState>,
    citizen: Citizen,
    lang: Lang,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let f = filer(citizen.clone());
    let t = crate::web::i18n::Texts::new(&state, lang);
    let form = flow::show(&state, &f, &t, &id, query.contains_key("disimpan")).await?;
    let page = page_of(&state, &citizen, lang, &form);
    html(&Form { page, form })
}

/// `POST /layanan/draf/{id}`: save, choose, check or send.
async fn submit(
    State(state): State<AppState>,
    citizen: Citizen,
    lang: Lang,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let f = filer(citizen.clone());
    let t = crate::web::i18n::Texts::new(&state, lang);
    match flow::post(&state, &f, &t, &id, posted).await? {
        Answer::Redirect(to) => Ok(see_other(&to)),
        Answer::Form(status, form) => {
            let page = page_of(&state, &citizen, lang, &form);
            Ok((status, html(&Form { page, form })?).into_response())
        }
    }
}

/// `POST /layanan/draf/{id}/cek`: the live check.
async fn live(
    State(state): State<AppState>,
    citizen: Citizen,
    lang: Lang,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    let t = crate::web::i18n::Texts::new(&state, lang);
    flow::live(&state, &filer(citizen), &t, &id, &form).await
}

/// `POST /layanan/draf/{id}/hapus`: deletes the draft.
async fn delete(
    State(state): State<AppState>,
    citizen: Citizen,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    flow::delete(&state, &filer(citizen), &id, &form).await
}
