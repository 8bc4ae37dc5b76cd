//! The form's routes and handlers, written once for both audiences: the service picker
//! (`GET|POST {NEW}`: a post starts a draft), the form of a draft (`GET|POST {BASE}/draf/{id}`:
//! a post saves it, chooses a region level, checks it, sends it, with its no-JS files), the
//! live check (`POST …/cek`), deleting a draft (`POST …/hapus`) and revising a returned
//! request ([`revise`], routed by the audiences that offer it).
//!
//! An [`Audience`] is a session kind (the citizen's, the staff's) said once: where its pages
//! live, who of its accounts may file, and how its layout wraps the picker and the form. The
//! flow itself is `flow`'s, the same for everyone.

use crate::http::state::AppState;
use crate::web::form::Filer;
use crate::web::form::flow::{self, Answer};
use crate::web::form::posted::{MAX_POST_BYTES, Posted};
use crate::web::form::view::{FormView, ServiceGroup, service_groups};
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Fields, WebError, see_other};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ceria_core::protocol::UserInfo;
use std::collections::HashMap;

/// A session kind whose accounts fill the form in, with the pages it lives on.
pub(crate) trait Audience:
    FromRequestParts<AppState> + Clone + Send + Sync + 'static
{
    /// Where its pages live: `/layanan` or `/console`.
    const BASE: &'static str;
    /// Its service picker.
    const NEW: &'static str;
    /// Where its pages' resumable uploads go (`web::uploads`).
    const UPLOADS: &'static str;

    /// The signed-in account and the session's anti-forgery token.
    fn session(&self) -> (&UserInfo, &str);

    /// Refuses an account of this session kind that does not file requests (the 404 of a
    /// page that does not exist).
    fn may_file(&self) -> Result<(), WebError>;

    /// The service picker in this audience's layout (`groups`, posting to [`Self::NEW`]).
    fn picker_page(
        &self,
        state: &AppState,
        lang: Lang,
        groups: Vec<ServiceGroup>,
    ) -> Result<Response, WebError>;

    /// The form of a draft in this audience's layout.
    fn form_page(
        &self,
        state: &AppState,
        lang: Lang,
        form: Box<FormView>,
    ) -> Result<Response, WebError>;

    /// The account as the form's filer, if it may file.
    fn filer(&self) -> Result<Filer, WebError> {
        self.may_file()?;
        let (user, csrf) = self.session();
        Ok(Filer {
            user: user.clone(),
            csrf: csrf.to_string(),
            base: Self::BASE,
            uploads: Self::UPLOADS,
        })
    }
}

/// The routes of the form for audience `A` (revising is routed by the audience).
pub(crate) fn router<A: Audience>() -> Router<AppState> {
    let draft = format!("{}/draf/{{id}}", A::BASE);
    Router::new()
        .route(A::NEW, get(new::<A>).post(start::<A>))
        .route(
            &draft,
            get(show::<A>)
                .post(submit::<A>)
                .layer(DefaultBodyLimit::max(MAX_POST_BYTES)),
        )
        .route(&format!("{draft}/cek"), post(live::<A>))
        .route(&format!("{draft}/hapus"), post(delete::<A>))
}

/// `GET {NEW}`: the services to pick from.
async fn new<A: Audience>(
    State(state): State<AppState>,
    session: A,
    lang: Lang,
) -> Result<Response, WebError> {
    session.may_file()?;
    let groups = service_groups(&Texts::new(&state, lang));
    session.picker_page(&state, lang, groups)
}

/// `POST {NEW}`: a new draft of the chosen service.
async fn start<A: Audience>(
    State(state): State<AppState>,
    session: A,
    form: Fields,
) -> Result<Response, WebError> {
    flow::start(&state, &session.filer()?, &form).await
}

/// `POST …/{id}/perbaiki`: a draft revising the returned request.
pub(crate) async fn revise<A: Audience>(
    State(state): State<AppState>,
    session: A,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    flow::start_revision(&state, &session.filer()?, &id, &form).await
}

/// `GET {BASE}/draf/{id}`: the form of a draft (`?disimpan`: just saved).
async fn show<A: Audience>(
    State(state): State<AppState>,
    session: A,
    lang: Lang,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let t = Texts::new(&state, lang);
    let saved = query.contains_key("disimpan");
    let form = flow::show(&state, &session.filer()?, &t, &id, saved).await?;
    session.form_page(&state, lang, form)
}

/// `POST {BASE}/draf/{id}`: save, choose, check or send.
async fn submit<A: Audience>(
    State(state): State<AppState>,
    session: A,
    lang: Lang,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let t = Texts::new(&state, lang);
    match flow::post(&state, &session.filer()?, &t, &id, posted).await? {
        Answer::Redirect(to) => Ok(see_other(&to)),
        Answer::Form(status, form) => {
            Ok((status, session.form_page(&state, lang, form)?).into_response())
        }
    }
}

/// `POST {BASE}/draf/{id}/cek`: the live check.
async fn live<A: Audience>(
    State(state): State<AppState>,
    session: A,
    lang: Lang,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    let t = Texts::new(&state, lang);
    flow::live(&state, &session.filer()?, &t, &id, &form).await
}

/// `POST {BASE}/draf/{id}/hapus`: deletes the draft.
async fn delete<A: Audience>(
    State(state): State<AppState>,
    session: A,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, WebError> {
    flow::delete(&state, &session.filer()?, &id, &form).await
}
