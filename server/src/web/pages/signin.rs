//! Signing in and out of the console. The sign-in form has no session to derive its
//! anti-forgery token from, so it carries a random value also set in a cookie of its own
//! (double submit); signing out is a POST with the session's token.

use crate::credentials::new_token;
use crate::http::client_addr::ClientAddr;
use crate::http::state::AppState;
use crate::web::csrf;
use crate::web::i18n::{Lang, Texts};
use crate::web::pages::home::first_page;
use crate::web::render::{Fields, Page, WebError, html, see_other};
use crate::web::session::{self, Staff, cookie};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::time::Duration;

/// How long a sign-in form may stay open.
const SIGNIN_FORM_AGE: Duration = Duration::from_secs(3600);

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
    username: String,
    error: Option<String>,
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
    page.csrf = new_token();
    let set = cookie::set(
        cookie::SIGNIN,
        &page.csrf,
        Some(SIGNIN_FORM_AGE),
        state.config.secure_cookies,
    );
    let body = html(&SignIn {
        page,
        username,
        error,
    })?;
    Ok((status, [(header::SET_COOKIE, set)], body).into_response())
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
    let expected = cookie::get(&headers, cookie::SIGNIN).unwrap_or_default();
    if csrf::check(expected, form.get(csrf::FIELD)).is_err() {
        let error = Some(Texts::new(&state, lang).get("web.forged"));
        return render(&state, lang, StatusCode::FORBIDDEN, username, error);
    }
    // The password as typed: spaces may be part of it.
    let password = form.raw("password");
    match session::sign_in(&state, addr, &username, password).await {
        Ok(signed_in) => {
            let secure = state.config.secure_cookies;
            let set = cookie::set(
                cookie::SESSION,
                &signed_in.token,
                Some(state.config.web_session_ttl),
                secure,
            );
            let clear = cookie::clear(cookie::SIGNIN, secure);
            let mut response = see_other(first_page(signed_in.user.role));
            response.headers_mut().append(header::SET_COOKIE, set);
            response.headers_mut().append(header::SET_COOKIE, clear);
            Ok(response)
        }
        Err(e) if e.status.is_client_error() || e.status == StatusCode::SERVICE_UNAVAILABLE => {
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
    let mut response = see_other("/console/signin");
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie::clear(cookie::SESSION, state.config.secure_cookies),
    );
    Ok(response)
}
