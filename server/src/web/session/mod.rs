//! Staff sessions of the web console. A sign-in is a login of the API's kind: the same
//! account check (`http::accounts::check_login`: argon2id under the bounded hashing gate,
//! the per-account and per-address limits counted before the password is checked, a decoy
//! hash for unknown names) and a token of the same `sessions` table, carried in an
//! `HttpOnly` cookie instead of an `Authorization` header. So logout ends it, a password
//! reset or a disabled account ends it, and it expires after `Config::web_session_ttl`.
//!
//! Citizens have accounts too, but not in the console: their sign-in is refused, and a
//! citizen's token in the console's cookie gets the 404 of a page that does not exist. Their
//! own session (`citizen`) lives in a cookie of the citizens' pages. What the two sign-ins
//! share (cookies, the sign-in form's anti-forgery value, its answers) is `signin`.

pub(crate) mod citizen;
pub(crate) mod cookie;
pub(crate) mod signin;

use crate::credentials::token_hash;
use crate::http::accounts::{check_login, new_token};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::store::now_ms;
use crate::store::sessions::Session;
use crate::web::csrf;
use crate::web::render::WebError;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use ceria_core::protocol::{Role, UserInfo};
use signin::SessionCookies;
use std::net::IpAddr;

/// The console's cookies, under `/console`.
pub(crate) const COOKIES: SessionCookies = SessionCookies {
    path: "/console",
    session: cookie::SESSION,
    form: cookie::SIGNIN,
};

/// Longest cookie token looked up (ours are 43 characters).
const MAX_TOKEN_CHARS: usize = 256;

/// A signed-in staff member (operator, officer or admin).
#[derive(Debug, Clone)]
pub(crate) struct Staff {
    /// The account.
    pub user: UserInfo,
    /// The login's token family (signing out ends it).
    pub family: String,
    /// The anti-forgery token of this session, for the forms of its pages.
    pub csrf: String,
}

impl Staff {
    /// Lets only `roles` through; anyone else gets the 404 of a page that does not exist,
    /// as the API answers requests outside a caller's scope.
    pub(crate) fn require(&self, roles: &[Role]) -> Result<(), WebError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(WebError::NotFound)
        }
    }

    /// Refuses a form without this session's anti-forgery token.
    pub(crate) fn check_csrf(&self, form: &crate::web::render::Fields) -> Result<(), WebError> {
        csrf::check(&self.csrf, form.get(csrf::FIELD))
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let (session, csrf) = lookup(parts, state, cookie::SESSION)
            .await?
            .ok_or(WebError::SignIn)?;
        if session.user.role == Role::Citizen {
            return Err(WebError::NotFound);
        }
        Ok(Staff {
            user: session.user,
            family: session.family,
            csrf,
        })
    }
}

impl OptionalFromRequestParts<AppState> for Staff {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, WebError> {
        match <Staff as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(staff) => Ok(Some(staff)),
            Err(WebError::SignIn) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The live session whose token the cookie `name` carries, with the anti-forgery token of
/// its forms; none without a cookie, with an over-long one, or for an ended session. The one
/// look-up of the console's and the citizens' sessions (each checks the role it admits).
pub(crate) async fn lookup(
    parts: &Parts,
    state: &AppState,
    name: &str,
) -> Result<Option<(Session, String)>, WebError> {
    let Some(token) = cookie::get(&parts.headers, name).filter(|t| t.len() <= MAX_TOKEN_CHARS)
    else {
        return Ok(None);
    };
    let csrf = csrf::for_session(token);
    let hash = token_hash(token);
    let session = state.db_call(move |db| db.session(&hash, now_ms())).await?;
    Ok(session.map(|s| (s, csrf)))
}

/// A new console session.
#[derive(Debug)]
pub(crate) struct SignedIn {
    /// The cookie's token.
    pub token: String,
    /// The account.
    pub user: UserInfo,
}

/// Signs a staff member in: the API's login check, then a token that lives
/// `Config::web_session_ttl`. Citizens are refused (403 `web.not_staff`).
pub(crate) async fn sign_in(
    state: &AppState,
    addr: IpAddr,
    username: &str,
    password: String,
) -> Result<SignedIn, ApiError> {
    open(
        state,
        addr,
        username,
        password,
        |r| r != Role::Citizen,
        "web.not_staff",
    )
    .await
}

/// A web sign-in of either kind: the API's login check, an account whose role `admit`s
/// (else 403 `refused`), then a token that lives `Config::web_session_ttl`.
pub(crate) async fn open(
    state: &AppState,
    addr: IpAddr,
    username: &str,
    password: String,
    admit: fn(Role) -> bool,
    refused: &'static str,
) -> Result<SignedIn, ApiError> {
    let user = check_login(state, addr, username, password).await?;
    if !admit(user.role) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, refused));
    }
    let family = crate::store::new_id();
    let lifetime = state.config.web_session_ttl;
    let login = new_token(state, user, family, now_ms(), true, lifetime).await?;
    Ok(SignedIn {
        token: login.token,
        user: login.user,
    })
}

/// Signs out: every token of this sign-in stops working.
pub(crate) async fn sign_out(state: &AppState, staff: Staff) -> Result<(), ApiError> {
    end(state, staff.family).await
}

/// Ends the sign-in whose token family is `family`.
pub(crate) async fn end(state: &AppState, family: String) -> Result<(), ApiError> {
    state.db_call(move |db| db.end_family(&family)).await
}
