//! Citizens' sessions of the web pages under [`BASE`]: the same kind of session as the
//! console's (the API's login check and limits, a token of the `sessions` table, an
//! `HttpOnly` cookie, a CSRF token derived from it), in a cookie of their own whose path is
//! [`BASE`], so a citizen's browser never offers it to the console and the console's
//! extractor never takes it. Staff cannot sign in here (the console is their place).

use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::web::csrf;
use crate::web::render::{Fields, WebError};
use crate::web::session::lookup;
use crate::web::session::signin::SessionCookies;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use ceria_core::protocol::{Role, UserInfo};
use std::net::IpAddr;

/// Where the citizens' pages live; also the path of their cookies.
pub(crate) const BASE: &str = "/layanan";
/// The citizen's session cookie.
pub(crate) const SESSION: &str = "ceria_citizen";
/// The anti-forgery value of the forms shown before a session (sign-in, registration).
pub(crate) const FORM: &str = "ceria_form";
/// Where a page that needs a session sends a browser without one.
pub(crate) const SIGN_IN_PAGE: &str = "/layanan/masuk";

/// The citizens' cookies, under [`BASE`].
pub(crate) const COOKIES: SessionCookies = SessionCookies {
    path: BASE,
    session: SESSION,
    form: FORM,
};

/// A signed-in citizen.
#[derive(Debug, Clone)]
pub(crate) struct Citizen {
    /// The account.
    pub user: UserInfo,
    /// The login's token family (signing out ends it).
    pub family: String,
    /// The anti-forgery token of this session.
    pub csrf: String,
}

impl Citizen {
    /// Refuses a form without this session's anti-forgery token.
    pub(crate) fn check_csrf(&self, form: &Fields) -> Result<(), WebError> {
        csrf::check(&self.csrf, form.get(csrf::FIELD))
    }
}

/// Why there is no citizen: none signed in (to the sign-in page), or the look-up failed.
#[derive(Debug)]
pub(crate) enum NoCitizen {
    /// No valid citizen session.
    SignIn,
    /// The database failed.
    Error(WebError),
}

impl IntoResponse for NoCitizen {
    fn into_response(self) -> Response {
        match self {
            NoCitizen::SignIn => Redirect::to(SIGN_IN_PAGE).into_response(),
            NoCitizen::Error(e) => e.into_response(),
        }
    }
}

/// For answers that are not pages (the uploads' problems): no session is
/// [`WebError::SignIn`]. A page's handler answers [`NoCitizen`] itself (the citizens' sign-in
/// page, not the console's).
impl From<NoCitizen> for WebError {
    fn from(e: NoCitizen) -> WebError {
        match e {
            NoCitizen::SignIn => WebError::SignIn,
            NoCitizen::Error(e) => e,
        }
    }
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = NoCitizen;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, NoCitizen> {
        let (session, csrf) = lookup(parts, state, SESSION)
            .await
            .map_err(NoCitizen::Error)?
            // A staff token in this cookie is no citizen session.
            .filter(|(s, _)| s.user.role == Role::Citizen)
            .ok_or(NoCitizen::SignIn)?;
        Ok(Citizen {
            user: session.user,
            family: session.family,
            csrf,
        })
    }
}

impl OptionalFromRequestParts<AppState> for Citizen {
    type Rejection = NoCitizen;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, NoCitizen> {
        match <Citizen as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(c) => Ok(Some(c)),
            Err(NoCitizen::SignIn) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Signs a citizen in with NIK and password (the API's login check); staff are refused
/// (403 `web.portal.staff`). Answers the cookie's token.
pub(crate) async fn sign_in(
    state: &AppState,
    addr: IpAddr,
    nik: &str,
    password: String,
) -> Result<String, ApiError> {
    let admit = |role| role == Role::Citizen;
    let signed_in = super::open(state, addr, nik, password, admit, "web.portal.staff").await?;
    Ok(signed_in.token)
}

/// Signs out: every token of this sign-in stops working.
pub(crate) async fn sign_out(state: &AppState, citizen: Citizen) -> Result<(), ApiError> {
    super::end(state, citizen.family).await
}
