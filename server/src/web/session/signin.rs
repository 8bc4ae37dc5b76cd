//! What the two web sign-ins (the console's `pages/signin.rs`, the citizens'
//! `pages/citizen/account.rs`) share: the cookies of a session kind ([`SessionCookies`]),
//! the anti-forgery value of a form shown before any session (double submit: a random value
//! in the form and in a cookie of its own, as there is no session to derive one from), the
//! answers of a sign-in and a sign-out, which refusals the form says itself
//! ([`shown_on_form`]), and the form's markup (`templates/signin_form.html`, [`SignInForm`]).
//!
//! What differs stays with each: the account's name (a user name, a NIK), who is admitted
//! (`session::sign_in`, `session::citizen::sign_in`), where a signed-in account goes, and
//! each audience's layout.

use crate::credentials::new_token;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::web::csrf;
use crate::web::render::{Fields, WebError, see_other};
use crate::web::session::cookie;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How long a form shown before any session (sign-in, registration) may stay open.
const FORM_AGE: Duration = Duration::from_secs(3600);

/// The cookies of one session kind, kept under the path of its pages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionCookies {
    /// The path of its pages and cookies.
    pub path: &'static str,
    /// The session's cookie (a token of the `sessions` table).
    pub session: &'static str,
    /// The anti-forgery value of the forms shown before a session.
    pub form: &'static str,
}

impl SessionCookies {
    /// A `Set-Cookie` value for cookie `name` of these pages.
    pub(crate) fn set(
        &self,
        state: &AppState,
        name: &str,
        value: &str,
        max_age: Option<Duration>,
    ) -> HeaderValue {
        cookie::set_at(self.path, name, value, max_age, state.config.secure_cookies)
    }

    /// A `Set-Cookie` value that removes cookie `name` of these pages.
    pub(crate) fn clear(&self, state: &AppState, name: &str) -> HeaderValue {
        self.set(state, name, "", Some(Duration::ZERO))
    }

    /// A page with a form shown before any session, answered with `status`: `render` gets a
    /// fresh anti-forgery value for the form's `_csrf` field, also set in the form's cookie.
    pub(crate) fn form_page(
        &self,
        state: &AppState,
        status: StatusCode,
        render: impl FnOnce(String) -> Result<Response, WebError>,
    ) -> Result<Response, WebError> {
        let token = new_token();
        let set = self.set(state, self.form, &token, Some(FORM_AGE));
        let body = render(token)?;
        Ok((status, [(header::SET_COOKIE, set)], body).into_response())
    }

    /// Whether a posted form repeats the value of the form's cookie.
    pub(crate) fn form_is_ours(&self, headers: &HeaderMap, form: &Fields) -> bool {
        let expected = cookie::get(headers, self.form).unwrap_or_default();
        csrf::check(expected, form.get(csrf::FIELD)).is_ok()
    }

    /// The answer of a sign-in: the session's cookie set (for `Config::web_session_ttl`),
    /// the form's cleared, to `to`.
    pub(crate) fn signed_in(&self, state: &AppState, token: &str, to: &str) -> Response {
        let ttl = Some(state.config.web_session_ttl);
        let mut response = see_other(to);
        let headers = response.headers_mut();
        headers.append(
            header::SET_COOKIE,
            self.set(state, self.session, token, ttl),
        );
        headers.append(header::SET_COOKIE, self.clear(state, self.form));
        response
    }

    /// The answer of a sign-out: the session's cookie cleared, to `to`.
    pub(crate) fn signed_out(&self, state: &AppState, to: &str) -> Response {
        let mut response = see_other(to);
        response
            .headers_mut()
            .append(header::SET_COOKIE, self.clear(state, self.session));
        response
    }
}

/// Whether a refused sign-in is said on the form (a wrong password, a login limit, a busy
/// server) rather than as an error page.
pub(crate) fn shown_on_form(e: &ApiError) -> bool {
    e.status.is_client_error() || e.status == StatusCode::SERVICE_UNAVAILABLE
}

/// The sign-in form of either audience (`templates/signin_form.html`).
#[derive(Debug, Clone)]
pub(crate) struct SignInForm {
    /// Where it posts.
    pub action: &'static str,
    /// The name and id of the account's input (`username`, `nik`).
    pub login: &'static str,
    /// Its label.
    pub login_label: String,
    /// What was typed into it.
    pub typed: String,
    /// Whether it takes digits (a NIK: the numeric keyboard, no capitalisation to turn off).
    pub numeric: bool,
    /// Why the last attempt was refused.
    pub error: Option<String>,
    /// A link under the form (`href`, text): registration, for citizens.
    pub link: Option<(&'static str, String)>,
}
