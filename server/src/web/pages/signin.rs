//! Signing in and out of the console, with what both web sign-ins share
//! (`session::signin`: the sign-in form's own anti-forgery cookie, the answers of a sign-in
//! and a sign-out, the form's markup). Its own: the user name, staff roles only, and each
//! role's first page; signing out is a POST with the session's token.

use crate::http::client_addr::ClientAddr;
use crate::http::state::AppState;
use crate::web::i18n::{Lang, Texts};
use crate::web::pages::home::first_page;
use crate::web::render::{Fields, Page, WebError, html, see_other};
use crate::web::session::signin::{SignInForm, shown_on_form};
use crate::web::session::{self, COOKIES, Staff};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

/// The routes of signing in and out.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/signin", get(form).post(submit))
        .route("/console/signout", post(sign_out))
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignIn {
    page: Page,
    form: SignInForm,
}

/// The form, with a fresh anti-forgery value in its cookie.
fn render(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    username: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let mut page = Page::public(state, lang, "/console/signin", "web.signin.title");
    let form = SignInForm {
        action: "/console/signin",
        login: "username",
        login_label: page.t.get("web.signin.username"),
        typed: username,
        numeric: false,
        error,
        link: None,
    };
    COOKIES.form_page(state, status, |csrf| {
        page.csrf = csrf;
        html(&SignIn { page, form })
    })
}

/// `GET /console/signin`; someone already signed in goes to their first page.
async fn form(
    State(state): State<AppState>,
    staff: Option<Staff>,
    lang: Lang,
) -> Result<Response, WebError> {
    if let Some(staff) = staff {
        return Ok(see_other(first_page(staff.user.role)));
    }
    render(&state, lang, StatusCode::OK, String::new(), None)
}

/// `POST /console/signin`: user name and password.
async fn submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    form: Fields,
) -> Result<Response, WebError> {
    let username = form.get("username").unwrap_or_default().to_string();
    if !COOKIES.form_is_ours(&headers, &form) {
        let error = Some(Texts::new(&state, lang).get("web.forged"));
        return render(&state, lang, StatusCode::FORBIDDEN, username, error);
    }
    // The password as typed: spaces may be part of it.
    let password = form.raw("password");
    match session::sign_in(&state, addr, &username, password).await {
        Ok(signed_in) => {
            let to = first_page(signed_in.user.role);
            Ok(COOKIES.signed_in(&state, &signed_in.token, to))
        }
        Err(e) if shown_on_form(&e) => {
            let error = Some(Texts::new(&state, lang).with(e.code, &e.params));
            render(&state, lang, e.status, username, error)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/signout`: ends the sign-in and clears the cookie.
async fn sign_out(
    State(state): State<AppState>,
    staff: Staff,
    form: Fields,
) -> Result<Response, WebError> {
    staff.check_csrf(&form)?;
    session::sign_out(&state, staff).await?;
    Ok(COOKIES.signed_out(&state, "/console/signin"))
}
