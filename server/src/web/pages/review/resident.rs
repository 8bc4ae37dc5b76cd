//! "Ajukan untuk warga": a nagari operator files a request for a resident of their village
//! with the one request form of `web::form` (the resident's NIK goes as `on_behalf_of`, the
//! village is the operator's own, exactly as the API takes it). `GET|POST
//! /console/warga/baru` (pick a service), `GET|POST /console/draf/{id}` (the form),
//! `POST /console/draf/{id}/cek` (live check), `POST /console/draf/{id}/hapus`. Only
//! operators: the sync push takes requests from citizens and operators alone, so other roles
//! get the 404 of a page that does not exist; drafts are the operator's own.

use crate::http::state::AppState;
use crate::web::form::Filer;
use crate::web::form::flow::{self, Answer};
use crate::web::form::posted::{MAX_POST_BYTES, Posted};
use crate::web::form::view::{FormView, ServiceGroup, service_groups};
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Fields, Page, WebError, html, see_other};
use crate::web::session::Staff;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ceria_core::protocol::Role;
use std::collections::HashMap;

/// Where the operator starts.
const NEW: &str = "/console/warga/baru";

/// The routes of the operator's form.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(NEW, get(new).post(start))
        .route(
            "/console/draf/{id}",
            get(show)
                .post(submit)
                .layer(DefaultBodyLimit::max(MAX_POST_BYTES)),
        )
        .route("/console/draf/{id}/cek", post(live))
        .route("/console/draf/{id}/hapus", post(delete))
}

/// The operator as the form's filer; 404 for any other role.
fn filer(staff: &Staff) -> Result<Filer, WebError> {
    staff.require(&[Role::Operator])?;
    Ok(Filer {
        user: staff.user.clone(),
        csrf: staff.csrf.clone(),
        base: "/console",
    })
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

/// `GET /console/warga/baru`: the services to pick from.
async fn new(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
) -> Result<Response, WebError> {
    filer(&staff)?;
    let page = Page::new(&state, &staff, lang, NEW, "web.form.for_resident");
    let groups = service_groups(&page.t);
    html(&New {
        page,
        groups,
        start_url: NEW,
    })
}

/// `POST /console/warga/baru`: a new draft of the chosen service.
async fn start(
    State(state): State<AppState>,
    staff: Staff,
    form: Fields,
) -> Result<Response, WebError> {
    flow::start(&state, &filer(&staff)?, &form).await
}

fn page_of(state: &AppState, staff: &Staff, lang: Lang, form: &FormView) -> Page {
    let mut page = Page::new(state, staff, lang, NEW, "web.form.for_resident");
    page.here = form.action.clone();
    page.title = format!("{}: {}", page.title, form.service_name);
    page
}

/// `GET /console/draf/{id}`: the form of a draft.
async fn show(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let f = filer(&staff)?;
    let t = Texts::new(&state, lang);
    let form = flow::show(&state, &f, &t, &id, query.contains_key("disimpan")).await?;
    let page = page_of(&state, &staff, lang, &form);
    html(&Form { page, form })
}

/// `POST /console/draf/{id}`: save, choose, check or send.
async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let f = filer(&staff)?;
    let t = Texts::new(&state, lang);
    match flow::post(&state, &f, &t, &id, posted).await? {
        Answer::Redirect(to) => Ok(see_other(&to)),
        Answer::Form(status, form) => {
            let page = page_of(&state, &staff, lang, &form);
            Ok((status, html(&Form { page, form })?).into_response())
        }
    }
}

/// `POST /console/draf/{id}/cek`: the live check.
async fn live(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    let t = Texts::new(&state, lang);
    flow::live(&state, &filer(&staff)?, &t, &id, &form).await
}

/// `POST /console/draf/{id}/hapus`: deletes the draft.
async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    flow::delete(&state, &filer(&staff)?, &id, &form).await
}
